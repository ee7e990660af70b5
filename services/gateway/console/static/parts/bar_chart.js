// One Chart.js bar chart over the days of a graph, drawn once and updated in place when its data or
// the language changes (each graph of the console: requests per day, tokens per day).
import { html, useEffect, useRef } from "../ui.js";
import { language } from "../i18n.js";

export function BarChart({ labels, datasets, stacked = false, testId, label }) {
  const canvas = useRef(null);
  const chart = useRef(null);

  useEffect(() => {
    const data = { labels, datasets };
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
        scales: { x: { stacked }, y: { stacked, beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }, [labels, datasets, language()]);

  useEffect(() => () => chart.current && chart.current.destroy(), []);

  return html`<div class="chart"><canvas ref=${canvas} data-testid=${testId} aria-label=${label}></canvas></div>`;
}
