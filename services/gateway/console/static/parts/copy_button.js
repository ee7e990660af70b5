// A button that copies a text (a key, an example) to the clipboard and says so.
import { html, useState } from "../ui.js";
import { t } from "../i18n.js";

export function CopyButton({ text, label }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    await navigator.clipboard.writeText(text);
    setCopied(true);
  }
  return html`<button type="button" class="secondary" onClick=${copy}>${copied ? t("common.copied") : label || t("common.copy")}</button>`;
}

/** A secret shown once: the text itself, selectable, with its copy button. */
export function ShownOnce({ secret, testId }) {
  return html`<div class="secret"><code data-testid=${testId}>${secret}</code> <${CopyButton} text=${secret} /></div>`;
}
