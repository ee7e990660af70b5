// The API screen of the seeds: its information, status (live), allowlist, actions, the per-day
// request graph and ready-to-paste calls. Every refusal is the server's, shown as it words it.
import { html, useEffect, useMemo, useState } from "../ui.js";
import { call, query } from "../api.js";
import { formatInstant, formatSchedule, t } from "../i18n.js";
import { Allowlist } from "../parts/allowlist.js";
import { ShownOnce } from "../parts/copy_button.js";
import { Examples } from "../parts/examples.js";
import { freshKey, rememberKey } from "../parts/fresh_keys.js";
import { useLiveApis } from "../parts/live_apis.js";
import { findModelVersion } from "../parts/model_of_version.js";
import { Refusal, attempt } from "../parts/refusal.js";
import { StatusBadge } from "../parts/status_badge.js";
import { UsageChart, lastDays } from "../parts/usage_chart.js";

const COUNTERS_REFRESH_MS = 5000;

function Info({ api, modelVersion, apiKey, onNewKey }) {
  return html`<section>
    <h2>${t("api.info")}</h2>
    <dl data-testid="api-info">
      <dt>${t("api.type")}</dt><dd data-field="api_type">${t("type." + api.api_type)}</dd>
      <dt>${t("api.modelId")}</dt><dd data-field="model_id"><code>${modelVersion ? modelVersion.model.model_id : ""}</code>
        ${modelVersion && html` (<a href=${"#/models/" + modelVersion.model.model_id}>${modelVersion.model.name}</a>, ${t("models.version")} ${modelVersion.version.version})`}</dd>
      <dt>${t("api.modelVersionId")}</dt><dd data-field="model_version_id"><code>${api.model_version_id}</code></dd>
      <dt>${t("api.id")}</dt><dd data-field="api_id"><code>${api.api_id}</code></dd>
      <dt>${t("api.url")}</dt><dd data-field="url"><code>${api.url || ""}</code></dd>
      <dt>${t("api.key")}</dt><dd data-field="api_key">
        ${apiKey ? html`<${ShownOnce} secret=${apiKey} testId="api-key" />` : html`<span class="help">${t("api.keyHidden")}</span>`}
        <button type="button" class="secondary" onClick=${onNewKey}>${t("api.newKey")}</button></dd>
      <dt>${t("api.execution")}</dt><dd data-field="execution_type">${t("execution." + api.execution_type)}</dd>
      <dt>${t("api.instance")}</dt><dd data-field="instance">${api.instance_kind ? t("kind." + api.instance_kind) : ""} × ${api.instance_count || 1}</dd>
      <dt>${t("api.schedule")}</dt><dd data-field="schedule">${formatSchedule(api.schedule)}</dd>
      <dt>${t("api.createdAt")}</dt><dd data-field="created_at">${formatInstant(api.created_at)}</dd>
      <dt>${t("api.status")}</dt><dd data-field="status"><${StatusBadge} status=${api.status} />
        ${api.status_message && html` <span class="help">${api.status_message}</span>`}</dd>
      <dt>${t("api.locked")}</dt><dd data-field="locked">${api.locked ? t("api.locked") : t("api.unlocked")}</dd>
      ${api.trial &&
      html`<dt>${t("api.trialRemaining")}</dt>
        <dd data-field="trial_remaining">${t("api.trialOf", { remaining: api.trial.remaining, limit: api.trial.limit })}</dd>`}
    </dl>
  </section>`;
}

function Actions({ api, onChanged, onDeleted }) {
  const [error, setError] = useState(null);
  const path = "/apis/" + encodeURIComponent(api.api_id);
  const act = (verb) => attempt(setError, async () => onChanged((await call("POST", `${path}/${verb}`)).api));
  const remove = () =>
    attempt(setError, async () => {
      await call("DELETE", path);
      onDeleted();
    });
  return html`<section class="actions" data-testid="api-actions">
    <button type="button" onClick=${() => act("stop")}>${t("api.stop")}</button>
    <button type="button" onClick=${() => act("start")}>${t("api.start")}</button>
    ${api.locked
      ? html`<button type="button" onClick=${() => act("unlock")}>${t("api.unlock")}</button>`
      : html`<button type="button" onClick=${() => act("lock")}>${t("api.lock")}</button>`}
    <button type="button" class="danger" onClick=${remove}>${t("api.delete")}</button>
    <${Refusal} error=${error} />
  </section>`;
}

function Usage({ api }) {
  const days = useMemo(() => lastDays(), []);
  const [usage, setUsage] = useState(null);
  const [error, setError] = useState(null);
  // The counters move with the API's requests: read again whenever the stream brings a change.
  useEffect(() => {
    const range = query({ from: days[0], to: days[days.length - 1] });
    call("GET", "/apis/" + encodeURIComponent(api.api_id) + "/usage" + range).then((body) => setUsage(body.days), setError);
  }, [api]);
  return html`<section>
    <h2>${t("api.usage")}</h2>
    <${Refusal} error=${error} />
    ${usage && html`<${UsageChart} days=${days} usage=${usage} />`}
  </section>`;
}

export function ApiDetailPage({ apiId }) {
  const live = useLiveApis();
  const [api, setApi] = useState(null);
  const [deleted, setDeleted] = useState(false);
  const [error, setError] = useState(null);
  const [modelVersion, setModelVersion] = useState(null);
  const [apiKey, setApiKey] = useState(() => freshKey(apiId));
  const streamed = live.apis.get(apiId);

  useEffect(() => {
    call("GET", "/apis/" + encodeURIComponent(apiId)).then((body) => setApi(body.api), setError);
  }, [apiId]);
  useEffect(() => {
    if (streamed) setApi(streamed);
  }, [streamed]);
  // A trial's remaining count and the usage counters move with every request, which the event
  // stream leaves out (it would carry every request): read them again while the page is shown.
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState !== "visible") return;
      // A read sent before an action (stop, lock, a rule) may come back after it: never step back.
      call("GET", "/apis/" + encodeURIComponent(apiId)).then(
        (body) => setApi((shown) => (shown && Date.parse(body.api.updated_at) < Date.parse(shown.updated_at) ? shown : body.api)),
        setError,
      );
    }, COUNTERS_REFRESH_MS);
    return () => clearInterval(timer);
  }, [apiId]);
  useEffect(() => {
    if (live.deleted.has(apiId)) setDeleted(true);
  }, [live.deleted]);
  const versionId = api && api.model_version_id;
  useEffect(() => {
    if (versionId) findModelVersion(api.account_id, versionId).then(setModelVersion, setError);
  }, [versionId]);

  function newKey() {
    attempt(setError, async () => {
      const { api_key: key } = await call("POST", "/apis/" + encodeURIComponent(apiId) + "/keys");
      rememberKey(apiId, key);
      setApiKey(key);
    });
  }

  if (deleted) {
    return html`<main><p><a href="#/apis">${t("common.back")}</a></p><p data-testid="api-deleted">${t("api.deleted")}</p></main>`;
  }
  return html`<main>
    <p><a href="#/apis">${t("common.back")}</a></p>
    <${Refusal} error=${error} />
    ${api === null && !error && html`<p>${t("common.loading")}</p>`}
    ${api &&
    html`<h1>${api.name}</h1>
      <${Info} api=${api} modelVersion=${modelVersion} apiKey=${apiKey} onNewKey=${newKey} />
      <${Actions} api=${api} onChanged=${setApi} onDeleted=${() => setDeleted(true)} />
      <${Allowlist} api=${api} onChanged=${setApi} />
      <${Usage} api=${api} />
      <${Examples} api=${api} version=${modelVersion && modelVersion.version} apiKey=${apiKey} />`}
  </main>`;
}
