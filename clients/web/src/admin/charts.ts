// Charts for the admin console: Chart.js (npm, pinned), registered piece by piece so the bundle carries only the bar
// and line charts used here. Every chart is a canvas with a text summary for screen readers and a table of its
// numbers behind a disclosure, so nothing is only a picture.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartConfiguration } from "chart.js";
import { el } from "../dom.js";

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);
Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
Chart.defaults.animation = false;  // a console, not a show; and screenshots see the final picture

const palette = ["#3b5bdb", "#2f9e44", "#e8590c", "#862e9c"];

export interface Series { label: string; values: (number | null)[]; kind?: "bar" | "line" }

/** A chart of one or more series over `labels`, with a title, a summary and the numbers as a table. */
export function chartCard(id: string, title: string, summary: string, labels: string[], series: Series[]): { card: HTMLElement; draw: () => Chart } {
  const canvas = el("canvas", { attrs: { id: `${id}-canvas`, role: "img", "aria-label": `${title}: ${summary}` } });
  const table = el("table", { className: "numbers" },
    el("thead", {}, el("tr", {}, el("th", { text: "" }), ...series.map((one) => el("th", { text: one.label })))),
    el("tbody", {}, ...labels.map((label, row) => el("tr", {}, el("th", { text: label }),
      ...series.map((one) => el("td", { text: one.values[row] === null ? "–" : String(one.values[row]) }))))));
  const card = el("section", { className: "chart-card", attrs: { id, "aria-label": title } },
    el("h3", { text: title }),
    el("p", { className: "summary", text: summary }),
    el("div", { className: "chart-box" }, canvas),
    el("details", {}, el("summary", { text: "Show the numbers" }), table));
  const draw = () => new Chart(canvas, {
    type: "bar",
    data: {
      labels,
      datasets: series.map((one, index) => ({
        type: one.kind ?? "bar", label: one.label, data: one.values,
        backgroundColor: palette[index % palette.length], borderColor: palette[index % palette.length],
        spanGaps: true, pointRadius: 2, borderWidth: one.kind === "line" ? 2 : 0,
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: series.length > 1, position: "bottom" } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { ticks: { maxRotation: 0, autoSkip: true } } },
    },
  } as ChartConfiguration);
  return { card, draw };
}
