// A training job's status as a coloured badge, beside the API's StatusBadge; data-status carries
// the management API's own word.
import { html } from "../ui.js";
import { t } from "../i18n.js";

/** The statuses a job leaves by itself: the page keeps reading while one of them is shown. */
export const TRAINING_UNDER_WAY = ["awaiting_data", "queued", "running"];

export function TrainingBadge({ status }) {
  const word = status || "unknown";
  return html`<span class=${"badge badge-" + word} data-status=${word}>${t("trainingStatus." + word)}</span>`;
}
