// The account's workspace quota beside what its workspaces hold of it (GET /workspace-quota).
import { html, useState } from "../ui.js";
import { call } from "../api.js";
import { t } from "../i18n.js";
import { Refusal } from "./refusal.js";
import { useRefreshed } from "./refreshed.js";

const QUOTA_FIELDS = ["workspaces", "cpu_count", "memory_mb", "gpu_count"];

export function WorkspaceQuota({ refreshMs }) {
  const [quota, setQuota] = useState(null);
  const [error, setError] = useState(null);
  useRefreshed(() => call("GET", "/workspace-quota").then(setQuota, setError), refreshMs, []);
  return html`<section data-testid="workspace-quota">
    <h2>${t("workspaces.quota")}</h2>
    <${Refusal} error=${error} />
    ${quota &&
    html`<table>
      <thead><tr><th></th><th>${t("workspaces.used")}</th><th>${t("workspaces.limit")}</th></tr></thead>
      <tbody>
        ${QUOTA_FIELDS.map(
          (field) => html`<tr key=${field} data-quota=${field}>
            <td>${t("quota." + field)}</td><td data-field="used">${quota.used[field]}</td><td data-field="quota">${quota.quota[field]}</td>
          </tr>`,
        )}
      </tbody>
    </table>`}
  </section>`;
}
