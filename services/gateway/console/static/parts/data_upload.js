// A data set's file sent to a training job as its raw body, with the bytes sent shown as they go.
import { html } from "../ui.js";
import { query, sendFile } from "../api.js";
import { t } from "../i18n.js";

/** The job's answer once the trainer has stored and checked the file; onProgress(sent, total) meanwhile. */
export function uploadData(jobId, file, onProgress) {
  // The route takes a name without slashes or control characters; the rest is the server's to judge.
  const filename = file.name.replace(/[/\\\u0000-\u001f\u007f]/g, "_");
  const path = "/training-jobs/" + encodeURIComponent(jobId) + "/data" + query({ filename });
  return sendFile("PUT", path, file, "text/csv", onProgress);
}

/** progress: {sent, total} or null before the upload starts. */
export function UploadProgress({ progress, testId }) {
  if (!progress) return null;
  return html`<label>${t("models.progress")}
    <progress data-testid=${testId} max=${progress.total || 1} value=${progress.total ? progress.sent : 0}></progress>
  </label>`;
}
