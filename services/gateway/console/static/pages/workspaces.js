// The account's Data Forest workspaces with the state their runner reports, read again every few
// seconds, and the account's quota. They are made through the Data Forest API, not here.
import { html, useState } from "../ui.js";
import { call } from "../api.js";
import { formatInstant, t } from "../i18n.js";
import { Refusal } from "../parts/refusal.js";
import { useRefreshed } from "../parts/refreshed.js";
import { WorkspaceBadge } from "../parts/workspace_badge.js";
import { WorkspaceQuota } from "../parts/workspace_quota.js";

// A runner reports each change of state at once; a few seconds keeps the page close to it.
export const WORKSPACES_REFRESH_MS = 3000;

export function WorkspacesPage() {
  const [workspaces, setWorkspaces] = useState(null);
  const [error, setError] = useState(null);
  useRefreshed(
    () =>
      call("GET", "/workspaces").then((body) => {
        setWorkspaces(body.workspaces);
        setError(null);
      }, setError),
    WORKSPACES_REFRESH_MS,
    [],
  );

  return html`<main>
    <h1>${t("workspaces.title")}</h1>
    <p class="help" data-testid="made-elsewhere">${t("workspaces.madeElsewhere")}</p>
    <${Refusal} error=${error} />
    ${workspaces === null && !error && html`<p>${t("common.loading")}</p>`}
    ${workspaces !== null && workspaces.length === 0 && html`<p>${t("workspaces.empty")}</p>`}
    ${workspaces !== null &&
    workspaces.length > 0 &&
    html`<table data-testid="workspaces">
      <thead><tr>
        <th>${t("common.name")}</th><th>${t("workspaces.state")}</th><th>${t("workspaces.id")}</th>
        <th>${t("workspaces.message")}</th><th>${t("common.createdAt")}</th>
      </tr></thead>
      <tbody>
        ${workspaces.map(
          (workspace) => html`<tr key=${workspace.workspace_id} data-workspace-id=${workspace.workspace_id}>
            <td><a href=${"#/workspaces/" + workspace.workspace_id}>${workspace.name}</a></td>
            <td><${WorkspaceBadge} state=${workspace.state} /></td>
            <td><code>${workspace.workspace_id}</code></td>
            <td>${workspace.message}</td>
            <td>${formatInstant(workspace.created_at)}</td>
          </tr>`,
        )}
      </tbody>
    </table>`}
    <${WorkspaceQuota} refreshMs=${WORKSPACES_REFRESH_MS} />
  </main>`;
}
