// A chat key's tokens per UTC day, one stacked bar per project, the last 30 days: every number as
// GET /chat-keys/{id}/usage answers it (prompt and completion tokens summed over the key's APIs).
import { html, useEffect, useRef } from "../ui.js";
import { language, t } from "../i18n.js";

const COLOURS = ["#1f5fbf", "#2f7d32", "#c77700", "#7b3fa0", "#00838f", "#b3261e", "#5b6575"];

export function projectLabel(project) {
  return project || t("chatKeys.noProject");
}

/** {projects, tokens}: the projects in order of appearance, and per project its tokens on each day. */
export function tokensPerProject(days, usage) {
  const projects = [...new Set(usage.map((row) => row.project))];
  const tokens = projects.map((project) =>
    days.map((day) =>
      usage
        .filter((row) => row.project === project && row.day === day)
        .reduce((sum, row) => sum + row.prompt_tokens + row.completion_tokens, 0),
    ),
  );
  return { projects, tokens };
}

export function TokenChart({ days, usage }) {
  const canvas = useRef(null);
  const chart = useRef(null);

  useEffect(() => {
    const { projects, tokens } = tokensPerProject(days, usage);
    const data = {
      labels: days,
      datasets: projects.map((project, index) => ({
        label: projectLabel(project),
        data: tokens[index],
        backgroundColor: COLOURS[index % COLOURS.length],
      })),
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
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }, [days, usage, language()]);

  useEffect(() => () => chart.current && chart.current.destroy(), []);

  return html`<div class="chart"><canvas ref=${canvas} data-testid="token-chart" aria-label=${t("chatKeys.usage")}></canvas></div>`;
}
