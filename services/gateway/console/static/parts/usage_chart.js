// The per-day request graph of the API screen: status 200 beside 4xx and 5xx, the last 30 UTC days,
// every number as GET /apis/{id}/usage answers it (days it does not list had no requests).
import { html, useMemo } from "../ui.js";
import { language, t } from "../i18n.js";
import { BarChart } from "./bar_chart.js";

const DAYS = 30;

/** The last 30 UTC days, oldest first, as YYYY-MM-DD. */
export function lastDays(now = new Date()) {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: DAYS }, (_, index) => new Date(today - (DAYS - 1 - index) * 86400000).toISOString().slice(0, 10));
}

export function UsageChart({ days, usage }) {
  const datasets = useMemo(() => {
    const byDay = new Map((usage || []).map((day) => [day.day, day]));
    const ok = days.map((day) => byDay.get(day)?.count_2xx ?? 0);
    const failed = days.map((day) => (byDay.get(day)?.count_4xx ?? 0) + (byDay.get(day)?.count_5xx ?? 0));
    return [
      { label: t("api.status200"), data: ok, backgroundColor: "#2f7d32" },
      { label: t("api.status4xx5xx"), data: failed, backgroundColor: "#c62828" },
    ];
  }, [days, usage, language()]);
  return html`<${BarChart} labels=${days} datasets=${datasets} testId="usage-chart" label=${t("api.usage")} />`;
}
