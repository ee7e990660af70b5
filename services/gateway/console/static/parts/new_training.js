// "New training": a CSV file uploaded to a new job with a progress bar, then the target column chosen
// from the columns the trainer detected, a model name and (optionally) the problem type; submitted,
// the job's page follows its progress. Every rule (sizes, columns, settings) is the server's.
import { html, useState } from "../ui.js";
import { call } from "../api.js";
import { t } from "../i18n.js";
import { UploadProgress, uploadData } from "./data_upload.js";
import { Refusal, attempt } from "./refusal.js";

const PROBLEM_TYPES = ["binary_classification", "multi_classification", "regression"];

function DataStep({ setProgress, onUploaded }) {
  const [error, setError] = useState(null);

  async function submit(event) {
    event.preventDefault();
    const file = new FormData(event.currentTarget).get("file");
    setProgress({ sent: 0, total: 0 });
    await attempt(setError, async () => {
      const { job } = await call("POST", "/training-jobs");
      await uploadData(job.job_id, file, (sent, total) => setProgress({ sent, total }));
      const columns = await call("GET", "/training-jobs/" + encodeURIComponent(job.job_id) + "/columns");
      onUploaded({ job, columns, fileName: file.name });
    });
  }

  return html`<form onSubmit=${submit} data-testid="training-data-form">
    <label>${t("newTraining.file")}<input name="file" type="file" accept=".csv,.tsv" required /></label>
    <${Refusal} error=${error} />
    <button type="submit">${t("newTraining.upload")}</button>
  </form>`;
}

function SettingsStep({ uploaded }) {
  const { job, columns, fileName } = uploaded;
  const [fields, setFields] = useState({
    modelName: fileName.replace(/\.[^.]*$/, "") || "model",
    target: columns.column_names[columns.column_names.length - 1] || "",
    problemType: "",
    positiveClass: "",
  });
  const [error, setError] = useState(null);
  const set = (change) => setFields((previous) => ({ ...previous, ...change }));

  async function submit(event) {
    event.preventDefault();
    const body = { model_name: fields.modelName, target: fields.target };
    if (fields.problemType) body.problem_type = fields.problemType;
    if (fields.problemType === "binary_classification") body.positive_class = fields.positiveClass;
    await attempt(setError, async () => {
      await call("POST", "/training-jobs/" + encodeURIComponent(job.job_id) + "/submit", body);
      window.location.hash = "#/training/" + encodeURIComponent(job.job_id);
    });
  }

  return html`<form onSubmit=${submit} data-testid="training-settings-form">
    <p class="notice">${t("newTraining.uploaded", { rows: columns.row_count, columns: columns.column_names.length })}</p>
    <label>${t("newTraining.target")}
      <select name="target" required value=${fields.target} onChange=${(e) => set({ target: e.currentTarget.value })}>
        ${columns.columns.map(
          (column) => html`<option key=${column.name} value=${column.name}>
            ${column.name}${column.type ? " (" + t("columnType." + column.type) + ")" : ""}
          </option>`,
        )}
      </select>
    </label>
    <label>${t("training.modelName")}
      <input name="model_name" required maxlength="200" value=${fields.modelName} onInput=${(e) => set({ modelName: e.currentTarget.value })} />
    </label>
    <label>${t("trainedModels.problemType")}
      <select name="problem_type" value=${fields.problemType} onChange=${(e) => set({ problemType: e.currentTarget.value })}>
        <option value="">${t("newTraining.problemTypeAuto")}</option>
        ${PROBLEM_TYPES.map((word) => html`<option key=${word} value=${word}>${t("problemType." + word)}</option>`)}
      </select>
    </label>
    ${fields.problemType === "binary_classification" &&
    html`<label>${t("newTraining.positiveClass")}
      <input name="positive_class" required maxlength="200" value=${fields.positiveClass} onInput=${(e) => set({ positiveClass: e.currentTarget.value })} />
    </label>`}
    <p class="help">${t("newTraining.problemTypeHelp")}</p>
    <${Refusal} error=${error} />
    <button type="submit">${t("newTraining.submit")}</button>
  </form>`;
}

export function NewTraining() {
  const [open, setOpen] = useState(false);
  const [uploaded, setUploaded] = useState(null);
  // Kept above both steps: the bar stays full once the file is stored and the settings are asked.
  const [progress, setProgress] = useState(null);
  function close() {
    setOpen(false);
    setUploaded(null);
    setProgress(null);
  }
  if (!open) {
    return html`<p><button type="button" onClick=${() => setOpen(true)} data-testid="new-training">${t("newTraining.open")}</button></p>`;
  }
  return html`<section class="card" data-testid="new-training-card">
    <h2>${t("newTraining.title")}</h2>
    ${uploaded
      ? html`<${SettingsStep} uploaded=${uploaded} />`
      : html`<${DataStep} setProgress=${setProgress} onUploaded=${setUploaded} />`}
    <${UploadProgress} progress=${progress} testId="training-upload-progress" />
    <p><button type="button" class="secondary" onClick=${close}>${t("common.cancel")}</button></p>
  </section>`;
}
