// The caller's models, and an upload that creates a new one.
import { html, useEffect, useState } from "../ui.js";
import { call } from "../api.js";
import { formatInstant, t } from "../i18n.js";
import { Refusal } from "../parts/refusal.js";
import { UploadForm } from "../parts/upload_form.js";

export function ModelsPage() {
  const [models, setModels] = useState(null);
  const [error, setError] = useState(null);

  function load() {
    call("GET", "/models").then((body) => setModels(body.models), setError);
  }
  useEffect(load, []);

  return html`<main>
    <h1>${t("models.title")}</h1>
    <${Refusal} error=${error} />
    ${models === null && !error && html`<p>${t("common.loading")}</p>`}
    ${models !== null && models.length === 0 && html`<p>${t("models.empty")}</p>`}
    ${models !== null &&
    models.length > 0 &&
    html`<table data-testid="models">
      <thead><tr><th>${t("common.name")}</th><th>${t("models.modelId")}</th><th>${t("common.createdAt")}</th></tr></thead>
      <tbody>
        ${models.map(
          (model) => html`<tr key=${model.model_id}>
            <td><a href=${"#/models/" + model.model_id}>${model.name}</a></td>
            <td><code>${model.model_id}</code></td>
            <td>${formatInstant(model.created_at)}</td>
          </tr>`,
        )}
      </tbody>
    </table>`}
    <${UploadForm} path="/models" withName=${true} title=${t("models.upload")} onUploaded=${load} />
  </main>`;
}
