// The read models: how far each is behind the events, and a rebuild from every event that shows its progress. The
// status is read again every 5 s while the console is open, and every half second while a rebuild this page started
// is running (the rebuild's own call answers only when it is done).
import { button, el } from "../dom.js";
import { errorText, rest, type Schemas } from "../server.js";

type Projection = Schemas["ProjectionState"];

// Rebuilds this page asked for: in flight (the server may not list them as running yet), and how each ended.
const asked = new Set<string>();
const outcomes = new Map<string, { ok: boolean; text: string }>();
let timer: ReturnType<typeof setTimeout> | undefined;
let shown = false;

export function projectionsSection() {
  shown = true;
  asked.clear();
  outcomes.clear();
  const section = el("section", { className: "admin-section", attrs: { "aria-labelledby": "projections-heading" } },
    el("h2", { text: "Projections", attrs: { id: "projections-heading" } }),
    el("p", { className: "hint", text: "Inline read models are written with each event; asynchronous ones (analytics, the webhook outbox) follow a moment behind. A rebuild throws a read model away and replays every event into it; meanwhile it is incomplete." }),
    el("div", { attrs: { id: "projections" } }, el("p", { text: "Loading…" })));
  // Once the section is on the page, which is right after this returns.
  queueMicrotask(() => void refresh());
  return section;
}

export function stopProjections() {
  shown = false;
  clearTimeout(timer);
}

async function refresh() {
  clearTimeout(timer);
  if (!shown) return;
  const box = document.getElementById("projections");
  if (!box) return;
  try {
    const status = await rest().getProjectionStatus();
    render(box, status);
    const busy = status.projections.some((one) => one.rebuild) || asked.size > 0;
    timer = setTimeout(() => void refresh(), busy ? 500 : 5_000);
  } catch (error) {
    box.replaceChildren(el("p", { className: "error", text: errorText(error) }));
  }
}

function render(box: HTMLElement, status: Schemas["ProjectionStatus"]) {
  box.replaceChildren(
    el("p", { className: "hint", text: `Newest event: #${status.highWaterMark}` }),
    el("table", { className: "projections" },
      el("thead", {}, el("tr", {}, ...["Read model", "Kept", "Position", "Behind", ""].map((text) => el("th", { text, attrs: { scope: "col" } })))),
      el("tbody", {}, ...status.projections.map(row))));
}

function row(projection: Projection) {
  const action = el("td", { className: "action" });
  if (projection.rebuild) {
    const { done, total } = projection.rebuild;
    action.append(el("progress", { attrs: { "aria-label": `Rebuilding ${projection.name}`, ...(total ? { max: String(total), value: String(done) } : {}) } }),
      el("span", { className: "hint", text: total ? ` ${done.toLocaleString()} of ${total.toLocaleString()} events` : " starting…" }));
  } else if (asked.has(projection.name)) {
    action.append(el("progress", { attrs: { "aria-label": `Rebuilding ${projection.name}` } }));
  } else if (projection.rebuildable) {
    action.append(button("Rebuild", () => void rebuild(projection.name), "secondary", { "aria-label": `Rebuild ${projection.name}` }));
    const outcome = outcomes.get(projection.name);
    if (outcome) action.append(el("span", { className: outcome.ok ? "done" : "error", text: ` ${outcome.text}` }));
  }
  return el("tr", { attrs: { "data-projection": projection.name } },
    el("td", { text: projection.name }),
    el("td", { text: projection.kind === "inline" ? "with each event" : "asynchronously" }),
    el("td", { text: `#${projection.position}` }),
    el("td", { className: "lag", text: `${projection.lag} events behind` }),
    action);
}

async function rebuild(name: string) {
  asked.add(name);
  outcomes.delete(name);
  void refresh();
  try {
    const result = await rest().rebuildProjection({ path: { name } });
    outcomes.set(name, { ok: true, text: `rebuilt in ${seconds(result.took)}` });
  } catch (error) {
    outcomes.set(name, { ok: false, text: errorText(error) });
  } finally {
    asked.delete(name);
  }
  void refresh();
}

/** "00:00:01.2345" (a .NET TimeSpan) as "1.2 s". */
function seconds(took: string) {
  const [hours, minutes, rest] = took.split(":").map(Number);
  return `${(hours * 3600 + minutes * 60 + rest).toFixed(1)} s`;
}
