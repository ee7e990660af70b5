// An API's status as a coloured badge; data-status carries the API's own word.
import { html } from "../ui.js";
import { t } from "../i18n.js";

export function StatusBadge({ status }) {
  const word = status || "unknown";
  return html`<span class=${"badge badge-" + word} data-status=${word}>${t("status." + word)}</span>`;
}
