// One training job: its fields and live progress (read again while it is under way, its elapsed time
// ticking in between), why it failed, its result zip, and the model version it made; once finished,
// its model's actions (publish, retrain), and for a retrain the move of the APIs to the new version.
import { html, useEffect, useState } from "../ui.js";
import { call } from "../api.js";
import { formatInstant, t } from "../i18n.js";
import { Elapsed } from "../parts/elapsed.js";
import { ModelActions } from "../parts/model_actions.js";
import { findModelVersion } from "../parts/model_of_version.js";
import { Refusal } from "../parts/refusal.js";
import { ApplyRetrain } from "../parts/retrain_form.js";
import { TRAINING_UNDER_WAY, TrainingBadge } from "../parts/training_badge.js";
import { useTrainingRefresh } from "../parts/training_refresh.js";
import { resultHref } from "./training.js";

function TrainedModel({ modelVersionId }) {
  // undefined: still looking; null: not among the account's models (an admin's job of another account).
  const [found, setFound] = useState(undefined);
  useEffect(() => {
    setFound(undefined);
    findModelVersion(undefined, modelVersionId).then(setFound, () => setFound(null));
  }, [modelVersionId]);
  if (found === undefined) return html`<code>${modelVersionId}</code>`;
  if (found === null) return html`<span>${t("training.modelElsewhere", { id: modelVersionId })}</span>`;
  return html`<a href=${"#/models/" + encodeURIComponent(found.model.model_id)} data-testid="trained-model-link">
    ${t("training.modelVersion", { name: found.model.name, version: found.version.version })}
  </a>`;
}

function Info({ job, readAt }) {
  const { progress } = job;
  return html`<dl data-testid="training-job-info">
    <dt>${t("training.jobId")}</dt><dd data-field="job_id"><code>${job.job_id}</code></dd>
    <dt>${t("training.kind")}</dt><dd data-field="kind">${job.kind ? t("trainingKind." + job.kind) : ""}</dd>
    <dt>${t("training.status")}</dt><dd data-field="status"><${TrainingBadge} status=${job.status} /></dd>
    <dt>${t("training.progress")}</dt>
    <dd data-field="progress">
      <progress max="100" value=${progress.percent} data-testid="training-progress"></progress>
      <span data-field="percent">${progress.percent}%</span>
    </dd>
    <dt>${t("training.phase")}</dt><dd data-field="phase"><code>${progress.phase}</code></dd>
    <dt>${t("training.fold")}</dt><dd data-field="fold">${progress.fold}</dd>
    <dt>${t("training.elapsed")}</dt>
    <dd data-field="elapsed">
      <${Elapsed} elapsedSeconds=${job.elapsed_seconds} readAt=${readAt} running=${job.status === "running"} />
    </dd>
    <dt>${t("training.message")}</dt><dd data-field="message">${job.message}</dd>
    <dt>${t("common.createdAt")}</dt><dd data-field="created_at">${formatInstant(job.created_at)}</dd>
    <dt>${t("training.startedAt")}</dt><dd data-field="started_at">${formatInstant(job.started_at)}</dd>
    <dt>${t("training.updatedAt")}</dt><dd data-field="updated_at">${formatInstant(job.updated_at)}</dd>
    <dt>${t("training.finishedAt")}</dt><dd data-field="finished_at">${formatInstant(job.finished_at)}</dd>
    <dt>${t("training.result")}</dt>
    <dd data-field="result">
      ${job.result_available
        ? html`<a href=${resultHref(job.job_id)} data-testid="result-link">${t("training.download")}</a>`
        : html`<span class="help">${t("training.noResult")}</span>`}
    </dd>
    <dt>${t("training.model")}</dt>
    <dd data-field="model">
      ${job.model_version_id
        ? html`<${TrainedModel} modelVersionId=${job.model_version_id} />`
        : html`<span class="help">${t("training.noModel")}</span>`}
    </dd>
  </dl>`;
}

export function TrainingJobPage({ jobId }) {
  const [answer, setAnswer] = useState({ job: null, readAt: 0 });
  const [error, setError] = useState(null);
  const { job, readAt } = answer;
  useTrainingRefresh(
    () =>
      call("GET", "/training-jobs/" + encodeURIComponent(jobId)).then((body) => {
        setAnswer({ job: body.job, readAt: Date.now() });
        setError(null);
      }, setError),
    job !== null && TRAINING_UNDER_WAY.includes(job.status),
    [jobId],
  );

  return html`<main>
    <p><a href="#/training">${t("common.back")}</a></p>
    <${Refusal} error=${error} />
    ${job === null && !error && html`<p>${t("common.loading")}</p>`}
    ${job &&
    html`<h1>${job.model_name || job.job_id}</h1>
      <p class="help">${t("training.startedElsewhere")}</p>
      <${Info} job=${job} readAt=${readAt} />
      ${job.status === "finished" && job.kind === "retrain" && html`<${ApplyRetrain} jobId=${job.job_id} />`}
      ${job.status === "finished" && job.model_number && html`<${ModelActions} modelNumber=${job.model_number} />`}`}
  </main>`;
}
