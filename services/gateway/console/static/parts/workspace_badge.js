// A workspace's state as a coloured badge, beside the API's StatusBadge; data-state carries the
// runner's own word.
import { html } from "../ui.js";
import { t } from "../i18n.js";

export function WorkspaceBadge({ state }) {
  const word = state || "unknown";
  return html`<span class=${"badge badge-" + word} data-state=${word}>${t("workspaceState." + word)}</span>`;
}
