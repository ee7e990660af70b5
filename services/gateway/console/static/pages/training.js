// Prediction One's training as the account sees it: its training jobs with their live progress, the
// models they made and the data sets they read. A job starts here ("New training") or through
// Prediction One's API.
import { html, useState } from "../ui.js";
import { MANAGE, call, query } from "../api.js";
import { formatInstant, t } from "../i18n.js";
import { DataSets } from "../parts/data_sets.js";
import { Elapsed } from "../parts/elapsed.js";
import { Pager } from "../parts/pager.js";
import { NewTraining } from "../parts/new_training.js";
import { Refusal } from "../parts/refusal.js";
import { TRAINING_UNDER_WAY, TrainingBadge } from "../parts/training_badge.js";
import { useTrainingRefresh } from "../parts/training_refresh.js";
import { TrainedModels } from "../parts/trained_models.js";

export const TRAINING_JOBS_PAGE_SIZE = 10;

/** Where a finished job's result zip is read: a plain link, the session cookie goes with it. */
export function resultHref(jobId) {
  return MANAGE + "/training-jobs/" + encodeURIComponent(jobId) + "/result";
}

export function Progress({ progress }) {
  return html`<span class="progress-summary" data-percent=${progress.percent}>
    ${progress.percent}%${progress.phase && html` <code data-field="phase">${progress.phase}</code>`}
  </span>`;
}

function JobRow({ job, readAt }) {
  return html`<tr data-job-id=${job.job_id}>
    <td><a href=${"#/training/" + encodeURIComponent(job.job_id)}>${job.model_name || job.job_id}</a></td>
    <td><${TrainingBadge} status=${job.status} /></td>
    <td data-field="progress"><${Progress} progress=${job.progress} /></td>
    <td data-field="elapsed">
      <${Elapsed} elapsedSeconds=${job.elapsed_seconds} readAt=${readAt} running=${job.status === "running"} />
    </td>
    <td>${formatInstant(job.created_at)}</td>
    <td>
      ${job.result_available &&
      html`<a href=${resultHref(job.job_id)} data-testid="result-link">${t("training.download")}</a>`}
    </td>
  </tr>`;
}

function TrainingJobs() {
  const [offset, setOffset] = useState(0);
  const [answer, setAnswer] = useState({ jobs: null, page: null, readAt: 0 });
  const [error, setError] = useState(null);
  const underWay = (answer.jobs || []).some((job) => TRAINING_UNDER_WAY.includes(job.status));
  useTrainingRefresh(
    () =>
      call("GET", "/training-jobs" + query({ offset, limit: TRAINING_JOBS_PAGE_SIZE })).then((body) => {
        setAnswer({ jobs: body.jobs, page: body.page, readAt: Date.now() });
        setError(null);
      }, setError),
    underWay,
    [offset],
  );
  const { jobs, page, readAt } = answer;

  return html`<section data-testid="training-jobs-section">
    <${Refusal} error=${error} />
    ${jobs === null && !error && html`<p>${t("common.loading")}</p>`}
    ${jobs !== null && jobs.length === 0 && html`<p>${t("training.empty")}</p>`}
    ${jobs !== null &&
    jobs.length > 0 &&
    html`<table data-testid="training-jobs">
      <thead><tr>
        <th>${t("training.modelName")}</th><th>${t("training.status")}</th><th>${t("training.progress")}</th>
        <th>${t("training.elapsed")}</th><th>${t("common.createdAt")}</th><th>${t("training.result")}</th>
      </tr></thead>
      <tbody>${jobs.map((job) => html`<${JobRow} key=${job.job_id} job=${job} readAt=${readAt} />`)}</tbody>
    </table>`}
    <${Pager} page=${page} onOffset=${setOffset} testId="training-jobs-pager" />
  </section>`;
}

export function TrainingPage() {
  return html`<main>
    <h1>${t("training.title")}</h1>
    <p class="help" data-testid="started-elsewhere">${t("training.startedElsewhere")}</p>
    <${NewTraining} />
    <h2>${t("training.jobs")}</h2>
    <${TrainingJobs} />
    <h2>${t("trainedModels.title")}</h2>
    <${TrainedModels} />
    <h2><a href="#/data-sets">${t("dataSets.title")}</a></h2>
    <${DataSets} />
  </main>`;
}
