// A model upload with a progress bar: the browser reports the body's bytes as it sends them. An
// ONNX file goes as it is; a .gguf file is a chat model, which the route takes with format=gguf
// (and no signature). The route judges the file either way.
import { html, useState } from "../ui.js";
import { upload } from "../api.js";
import { t } from "../i18n.js";
import { Refusal } from "./refusal.js";

function isGguf(file) {
  return Boolean(file && file.name && file.name.toLowerCase().endsWith(".gguf"));
}

export function UploadForm({ path, withName, title, onUploaded }) {
  const [progress, setProgress] = useState(null);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(null);

  async function submit(event) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    if (isGguf(form.get("file"))) form.set("format", "gguf");
    setError(null);
    setDone(null);
    setProgress({ sent: 0, total: 0 });
    try {
      const answer = await upload(path, form, (sent, total) => setProgress({ sent, total }));
      setDone(answer);
      formElement.reset();
      onUploaded(answer);
    } catch (refusal) {
      setError(refusal);
    }
  }

  return html`<form class="card" onSubmit=${submit} data-testid="upload-form">
    <h2>${title}</h2>
    ${withName && html`<label>${t("common.name")}<input name="name" required maxlength="200" /></label>`}
    <label>${t("models.file")}<input name="file" type="file" accept=".onnx,.gguf" required /></label>
    ${progress &&
    html`<label>${t("models.progress")}
      <progress data-testid="upload-progress" max=${progress.total || 1} value=${progress.total ? progress.sent : 0}></progress>
    </label>`}
    ${done && html`<p class="notice">${t("models.uploaded", { name: done.model.name, version: done.version.version })}</p>`}
    <${Refusal} error=${error} />
    <button type="submit">${t("models.uploadSubmit")}</button>
  </form>`;
}
