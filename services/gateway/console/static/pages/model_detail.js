// One model: its versions with the signature read from each graph, and an upload of the next version.
import { html, useEffect, useState } from "../ui.js";
import { call } from "../api.js";
import { formatInstant, t } from "../i18n.js";
import { Refusal } from "../parts/refusal.js";
import { UploadForm } from "../parts/upload_form.js";

function Tensors({ title, tensors }) {
  return html`<table class="tensors">
    <caption>${title}</caption>
    <thead><tr><th>${t("common.name")}</th><th>${t("models.dataType")}</th><th>${t("models.shape")}</th></tr></thead>
    <tbody>
      ${tensors.map(
        (tensor) => html`<tr key=${tensor.name}><td>${tensor.name}</td><td>${tensor.data_type}</td><td>[${tensor.shape.join(", ")}]</td></tr>`,
      )}
    </tbody>
  </table>`;
}

function Version({ version }) {
  return html`<section class="card" data-testid="model-version">
    <h3>${t("models.version")} ${version.version}</h3>
    <dl>
      <dt>${t("models.format")}</dt><dd>${version.format}</dd>
      <dt>${t("models.size")}</dt><dd>${version.size_bytes}</dd>
      <dt>SHA-256</dt><dd><code>${version.sha256}</code></dd>
      <dt>ID</dt><dd><code>${version.model_version_id}</code></dd>
      <dt>${t("common.createdAt")}</dt><dd>${formatInstant(version.created_at)}</dd>
    </dl>
    ${version.signature &&
    html`<h4>${t("models.signature")}</h4>
      <${Tensors} title=${t("models.inputs")} tensors=${version.signature.inputs} />
      <${Tensors} title=${t("models.outputs")} tensors=${version.signature.outputs} />`}
  </section>`;
}

export function ModelDetailPage({ modelId }) {
  const [found, setFound] = useState(null);
  const [error, setError] = useState(null);

  function load() {
    call("GET", "/models/" + encodeURIComponent(modelId)).then(setFound, setError);
  }
  useEffect(load, [modelId]);

  return html`<main>
    <p><a href="#/models">${t("common.back")}</a></p>
    <${Refusal} error=${error} />
    ${found === null && !error && html`<p>${t("common.loading")}</p>`}
    ${found &&
    html`<h1>${found.model.name}</h1>
      <p>${t("models.modelId")}: <code>${found.model.model_id}</code></p>
      <h2>${t("models.versions")}</h2>
      ${found.versions.map((version) => html`<${Version} key=${version.model_version_id} version=${version} />`)}
      <${UploadForm}
        path=${"/models/" + encodeURIComponent(modelId) + "/versions"}
        withName=${false}
        title=${t("models.newVersion")}
        onUploaded=${load}
      />`}
  </main>`;
}
