// "Retrain": new data for a trained model, uploaded with a progress bar to a new retrain job, which
// trains with the model's settings as soon as its data is stored; its page follows it from there.
import { html, useState } from "../ui.js";
import { call } from "../api.js";
import { t } from "../i18n.js";
import { UploadProgress, uploadData } from "./data_upload.js";
import { Refusal, attempt } from "./refusal.js";

export function RetrainForm({ modelNumber }) {
  const [progress, setProgress] = useState(null);
  const [error, setError] = useState(null);

  async function submit(event) {
    event.preventDefault();
    const file = new FormData(event.currentTarget).get("file");
    setProgress({ sent: 0, total: 0 });
    await attempt(setError, async () => {
      const { job } = await call("POST", "/trained-models/" + encodeURIComponent(modelNumber) + "/retrain");
      await uploadData(job.job_id, file, (sent, total) => setProgress({ sent, total }));
      window.location.hash = "#/training/" + encodeURIComponent(job.job_id);
    });
  }

  return html`<form class="card" onSubmit=${submit} data-testid="retrain-form">
    <h3>${t("retrain.title")}</h3>
    <p class="help">${t("retrain.help")}</p>
    <label>${t("newTraining.file")}<input name="file" type="file" accept=".csv,.tsv,.zip" required /></label>
    <${UploadProgress} progress=${progress} testId="retrain-upload-progress" />
    <${Refusal} error=${error} />
    <button type="submit">${t("retrain.submit")}</button>
  </form>`;
}

/** A finished retrain: move the APIs serving the model it retrained to the new version. */
export function ApplyRetrain({ jobId }) {
  const [moved, setMoved] = useState(null);
  const [error, setError] = useState(null);

  async function apply() {
    await attempt(setError, async () => {
      const answer = await call("POST", "/training-jobs/" + encodeURIComponent(jobId) + "/apply");
      setMoved(answer.apis);
    });
  }

  return html`<div class="card" data-testid="apply-retrain">
    <h3>${t("retrain.applyTitle")}</h3>
    <p class="help">${t("retrain.applyHelp")}</p>
    <${Refusal} error=${error} />
    ${moved === null
      ? html`<button type="button" onClick=${apply} data-testid="apply-button">${t("retrain.apply")}</button>`
      : html`<p class="notice" data-testid="applied">${t("retrain.applied", { count: moved.length })}</p>
          <ul>${moved.map((api) => html`<li key=${api.api_id}><a href=${"#/apis/" + encodeURIComponent(api.api_id)}>${api.name}</a></li>`)}</ul>`}
  </div>`;
}
