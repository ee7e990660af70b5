// One Data Forest workspace: its fields, configuration, published ports and the end of its log,
// read again every few seconds while the page is shown (only the detail carries the log).
import { html, useState } from "../ui.js";
import { call } from "../api.js";
import { formatInstant, t } from "../i18n.js";
import { Refusal } from "../parts/refusal.js";
import { useRefreshed } from "../parts/refreshed.js";
import { WorkspaceBadge } from "../parts/workspace_badge.js";
import { WORKSPACES_REFRESH_MS } from "./workspaces.js";

function resources(configuration) {
  const resource = configuration.resource || {};
  const parts = [`${t("quota.cpu_count")} ${resource.cpu_count ?? 0}`, `${t("quota.memory_mb")} ${resource.memory_mb ?? 0}`];
  if (resource.gpu_count) parts.push(`${t("quota.gpu_count")} ${resource.gpu_count}${resource.gpu_model ? " (" + resource.gpu_model + ")" : ""}`);
  return parts.join(", ");
}

function Ports({ ports }) {
  if (ports.length === 0) return html`<span class="help">${t("common.none")}</span>`;
  return html`<ul class="plain">
    ${ports.map(
      (port) => html`<li key=${port.container_port} data-port=${port.container_port}>
        <code>${port.container_port}</code> → <code>${port.host}:${port.host_port}</code>
      </li>`,
    )}
  </ul>`;
}

function Info({ workspace }) {
  const configuration = workspace.configuration || {};
  const docker = configuration.docker || {};
  return html`<dl data-testid="workspace-info">
    <dt>${t("workspaces.id")}</dt><dd data-field="workspace_id"><code>${workspace.workspace_id}</code></dd>
    <dt>${t("workspaces.description")}</dt><dd data-field="description">${workspace.description}</dd>
    <dt>${t("workspaces.state")}</dt><dd data-field="state"><${WorkspaceBadge} state=${workspace.state} /></dd>
    <dt>${t("workspaces.message")}</dt><dd data-field="message">${workspace.message}</dd>
    <dt>${t("workspaces.exitCode")}</dt><dd data-field="exit_code">${workspace.exit_code ?? ""}</dd>
    <dt>${t("workspaces.image")}</dt><dd data-field="image"><code>${docker.image || ""}</code></dd>
    <dt>${t("workspaces.command")}</dt><dd data-field="command"><code>${[docker.command, docker.args].filter(Boolean).join(" ")}</code></dd>
    <dt>${t("workspaces.queue")}</dt><dd data-field="queue">${configuration.queue_name || ""}</dd>
    <dt>${t("workspaces.resources")}</dt><dd data-field="resources">${resources(configuration)}</dd>
    <dt>${t("workspaces.ports")}</dt><dd data-field="ports"><${Ports} ports=${workspace.ports} /></dd>
    <dt>${t("workspaces.generation")}</dt><dd data-field="generation">${workspace.generation}</dd>
    <dt>${t("common.createdAt")}</dt><dd data-field="created_at">${formatInstant(workspace.created_at)}</dd>
    <dt>${t("workspaces.modifiedAt")}</dt><dd data-field="modified_at">${formatInstant(workspace.modified_at)}</dd>
    <dt>${t("workspaces.startedAt")}</dt><dd data-field="started_at">${formatInstant(workspace.started_at)}</dd>
    <dt>${t("workspaces.finishedAt")}</dt><dd data-field="finished_at">${formatInstant(workspace.finished_at)}</dd>
  </dl>`;
}

export function WorkspaceDetailPage({ workspaceId }) {
  const [workspace, setWorkspace] = useState(null);
  const [error, setError] = useState(null);
  useRefreshed(
    () =>
      call("GET", "/workspaces/" + encodeURIComponent(workspaceId)).then((body) => {
        setWorkspace(body.workspace);
        setError(null);
      }, setError),
    WORKSPACES_REFRESH_MS,
    [workspaceId],
  );

  return html`<main>
    <p><a href="#/workspaces">${t("common.back")}</a></p>
    <${Refusal} error=${error} />
    ${workspace === null && !error && html`<p>${t("common.loading")}</p>`}
    ${workspace &&
    html`<h1>${workspace.name}</h1>
      <p class="help">${t("workspaces.madeElsewhere")}</p>
      <${Info} workspace=${workspace} />
      <h2>${t("workspaces.log")}</h2>
      ${workspace.log_tail
        ? html`<pre data-testid="workspace-log">${workspace.log_tail}</pre>`
        : html`<p class="help" data-testid="workspace-log-empty">${t("workspaces.noLog")}</p>`}
      <h2>${t("workspaces.configuration")}</h2>
      <pre data-testid="workspace-configuration">${JSON.stringify(workspace.configuration, null, 2)}</pre>`}
  </main>`;
}
