// A chat key's usage over the last 30 UTC days: tokens per day and project as a chart, and the
// requests and tokens per project and API as a table, both from GET /chat-keys/{id}/usage.
import { html, useEffect, useMemo, useState } from "../ui.js";
import { call, query } from "../api.js";
import { t } from "../i18n.js";
import { Refusal } from "./refusal.js";
import { TokenChart, projectLabel } from "./token_chart.js";
import { lastDays } from "./usage_chart.js";

/** One row per project and API, summed over the days, in order of first appearance. */
function totals(usage) {
  const rows = new Map();
  for (const day of usage) {
    const key = JSON.stringify([day.project, day.api_id]);
    const row = rows.get(key) || { project: day.project, api_id: day.api_id, requests: 0, prompt_tokens: 0, completion_tokens: 0 };
    row.requests += day.requests;
    row.prompt_tokens += day.prompt_tokens;
    row.completion_tokens += day.completion_tokens;
    rows.set(key, row);
  }
  return [...rows.values()];
}

export function ChatKeyUsage({ chatKey, apiNames }) {
  const days = useMemo(() => lastDays(), []);
  const [usage, setUsage] = useState(null);
  const [error, setError] = useState(null);

  useEffect(() => {
    const range = query({ from_day: days[0], to_day: days[days.length - 1] });
    call("GET", "/chat-keys/" + encodeURIComponent(chatKey.key_id) + "/usage" + range).then((body) => setUsage(body.usage), setError);
  }, [chatKey.key_id]);

  return html`<section data-testid="chat-key-usage">
    <h2>${t("chatKeys.usage")}</h2>
    <${Refusal} error=${error} />
    ${usage && html`<${TokenChart} days=${days} usage=${usage} />`}
    <h2>${t("chatKeys.usageByProject")}</h2>
    ${usage && usage.length === 0 && html`<p>${t("chatKeys.noUsage")}</p>`}
    ${usage &&
    usage.length > 0 &&
    html`<table data-testid="usage-by-project">
      <thead><tr>
        <th>${t("chatKeys.project")}</th><th>API</th><th>${t("chatKeys.requests")}</th>
        <th>${t("chatKeys.promptTokens")}</th><th>${t("chatKeys.completionTokens")}</th>
      </tr></thead>
      <tbody>
        ${totals(usage).map(
          (row) => html`<tr key=${row.project + " " + row.api_id} data-project=${row.project} data-api-id=${row.api_id}>
            <td>${projectLabel(row.project)}</td><td>${apiNames.get(row.api_id) || row.api_id}</td>
            <td data-field="requests">${row.requests}</td>
            <td data-field="prompt_tokens">${row.prompt_tokens}</td>
            <td data-field="completion_tokens">${row.completion_tokens}</td>
          </tr>`,
        )}
      </tbody>
    </table>`}
  </section>`;
}
