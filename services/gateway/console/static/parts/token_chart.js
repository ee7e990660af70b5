// A chat key's tokens per UTC day, one stacked bar per project, the last 30 days: every number as
// GET /chat-keys/{id}/usage answers it (prompt and completion tokens summed over the key's APIs).
import { html, useMemo } from "../ui.js";
import { language, t } from "../i18n.js";
import { BarChart } from "./bar_chart.js";

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
  const datasets = useMemo(() => {
    const { projects, tokens } = tokensPerProject(days, usage);
    return projects.map((project, index) => ({
      label: projectLabel(project),
      data: tokens[index],
      backgroundColor: COLOURS[index % COLOURS.length],
    }));
  }, [days, usage, language()]);
  return html`<${BarChart} labels=${days} datasets=${datasets} stacked=${true} testId="token-chart" label=${t("chatKeys.usage")} />`;
}
