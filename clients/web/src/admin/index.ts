// The admin console (admins only; the server refuses everyone else, this only hides the link): analytics as charts
// with a CSV download, roles, and the read models' status with a rebuild that shows its progress. Loaded as its own
// chunk, with Chart.js, on the first visit to #/admin.
import { button, byId, el, saveBlob } from "../dom.js";
import { errorText, rest } from "../server.js";
import { chartCard } from "./charts.js";
import { projectionsSection, stopProjections } from "./projections.js";
import { rolesSection } from "./roles.js";
import type { Chart } from "chart.js";

let charts: Chart[] = [];
let days = 30;

export async function show() {
  const view = byId("admin-view");
  view.replaceChildren(
    el("h1", { text: "Admin console" }),
    el("section", { className: "admin-section", attrs: { "aria-labelledby": "analytics-heading" } },
      el("div", { className: "section-head" },
        el("h2", { text: "Analytics", attrs: { id: "analytics-heading" } }),
        el("div", { className: "range", attrs: { role: "group", "aria-label": "Days shown" } },
          ...[7, 30, 90].map((n) => button(`${n} days`, () => { days = n; void show(); }, n === days ? "" : "secondary", { "aria-pressed": String(n === days) }))),
        button("Download CSV", () => void downloadCsv(), "secondary", { id: "csv-button" })),
      el("p", { className: "hint", text: "UTC days. The numbers come from asynchronous projections, so they can trail the latest events by a moment." }),
      el("div", { className: "charts", attrs: { id: "charts" } }, el("p", { text: "Loading…" }))),
    rolesSection(),
    projectionsSection());
  await drawCharts();
}

export function hide() {
  destroyCharts();
  stopProjections();
}

function destroyCharts() {
  for (const chart of charts) chart.destroy();
  charts = [];
}

const range = () => {
  const to = new Date();
  const from = new Date(to.getTime() - (days - 1) * 86_400_000);
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
};

async function drawCharts() {
  destroyCharts();
  const box = byId("charts");
  try {
    const { from, to } = range();
    const [daily, sessions] = await Promise.all([
      rest().getDailyAnalytics({ query: { from, to } }),
      rest().listStreamAnalytics({ query: { from, to } }),
    ]);
    const labels = daily.map((day) => day.date.slice(5));
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const medians = daily.map((day) => day.medianFirstReplySeconds === null ? null : Math.round(day.medianFirstReplySeconds));
    const cards = [
      chartCard("messages-chart", "Messages per day", `${sum(daily.map((day) => day.messagesSent))} messages in ${days} days`,
        labels, [{ label: "Messages sent", values: daily.map((day) => day.messagesSent) }]),
      chartCard("senders-chart", "Active senders", `at most ${Math.max(0, ...daily.map((day) => day.activeSenders))} on one day`,
        labels, [{ label: "Active senders", values: daily.map((day) => day.activeSenders), kind: "line" }]),
      chartCard("replies-chart", "First replies", `${sum(daily.map((day) => day.firstReplies))} conversations got a first reply; median in seconds per day`,
        labels, [{ label: "First replies", values: daily.map((day) => day.firstReplies) }, { label: "Median seconds to reply", values: medians, kind: "line" }]),
      chartCard("peaks-chart", "Live-session peaks", sessions.length ? `${sessions.length} ${sessions.length === 1 ? "session" : "sessions"}; the biggest peaked at ${Math.max(...sessions.map((one) => one.peakViewers))} viewers` : "no live sessions in this range",
        sessions.map((one) => one.title), [{ label: "Peak viewers", values: sessions.map((one) => one.peakViewers) }, { label: "Chat messages", values: sessions.map((one) => one.chatMessages) }]),
    ];
    box.replaceChildren(...cards.map((one) => one.card));
    charts = cards.map((one) => one.draw());
  } catch (error) {
    box.replaceChildren(el("p", { className: "error", text: errorText(error) }));
  }
}

async function downloadCsv() {
  const { from, to } = range();
  saveBlob(await rest().getDailyAnalyticsCsv({ query: { from, to } }), `eventchat-daily-${from}-${to}.csv`);
}
