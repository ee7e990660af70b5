// Every API the user may see, its status badge changing live from the event stream.
import { html, useState } from "../ui.js";
import { formatInstant, t } from "../i18n.js";
import { useLiveApis } from "../parts/live_apis.js";
import { Refusal } from "../parts/refusal.js";
import { StatusBadge } from "../parts/status_badge.js";
import { CreateApiDialog } from "./create_api_dialog.js";

export function ApisPage() {
  const { apis, error, loaded } = useLiveApis();
  const [creating, setCreating] = useState(false);
  const rows = [...apis.values()].sort((a, b) => (b.created_at || "").localeCompare(a.created_at || ""));

  return html`<main>
    <h1>${t("apis.title")}</h1>
    <p><button type="button" onClick=${() => setCreating(true)}>${t("apis.create")}</button></p>
    <${Refusal} error=${error} />
    ${!loaded && html`<p>${t("common.loading")}</p>`}
    ${loaded && rows.length === 0 && html`<p>${t("apis.empty")}</p>`}
    ${rows.length > 0 &&
    html`<table data-testid="apis">
      <thead><tr>
        <th>${t("common.name")}</th><th>${t("apis.status")}</th><th>${t("apis.type")}</th><th>${t("apis.url")}</th><th>${t("common.createdAt")}</th>
      </tr></thead>
      <tbody>
        ${rows.map(
          (api) => html`<tr key=${api.api_id} data-api-id=${api.api_id}>
            <td><a href=${"#/apis/" + api.api_id}>${api.name}</a></td>
            <td><${StatusBadge} status=${api.status} /></td>
            <td>${t("type." + api.api_type)}</td>
            <td><code>${api.url || ""}</code></td>
            <td>${formatInstant(api.created_at)}</td>
          </tr>`,
        )}
      </tbody>
    </table>`}
    ${creating && html`<${CreateApiDialog} onClose=${() => setCreating(false)} />`}
  </main>`;
}
