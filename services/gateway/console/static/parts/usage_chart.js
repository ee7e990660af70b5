// The per-day request graph of the API screen: status 200 beside 4xx and 5xx, the last 30 UTC days,
// every number as GET /apis/{id}/usage answers it (days it does not list had no requests).
import { html, useEffect, useRef } from "../ui.js";
import { language, t } from "../i18n.js";

const DAYS = 30;

/** The last 30 UTC days, oldest first, as YYYY-MM-DD. */
export function lastDays(now = new Date()) {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: DAYS }, (_, index) => new Date(today - (DAYS - 1 - index) * 86400000).toISOString().slice(0, 10));
}

export function UsageChart({ days, usage }) {
  const canvas = useRef(null);
  const chart = useRef(null);

  useEffect(() => {
    const byDay = new Map((usage || []).map((day) => [day.day, day]));
    const ok = days.map((day) => byDay.get(day)?.count_2xx ?? 0);
    const failed = days.map((day) => (byDay.get(day)?.count_4xx ?? 0) + (byDay.get(day)?.count_5xx ?? 0));
    const data = {
      labels: days,
      datasets: [
        { label: t("api.status200"), data: ok, backgroundColor: "#2f7d32" },
        { label: t("api.status4xx5xx"), data: failed, backgroundColor: "#c62828" },
      ],
    };
    if (chart.current) {
      chart.current.data = data;
      chart.current.update();
      return;
    }
    chart.current = new window.Chart(canvas.current, {
      type: "bar",
      data,
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }, [days, usage, language()]);

  useEffect(() => () => chart.current && chart.current.destroy(), []);

  return html`<div class="chart"><canvas ref=${canvas} data-testid="usage-chart" aria-label=${t("api.usage")}></canvas></div>`;
}
