// The read models: how far each is behind the events, and a rebuild from every event, with its progress.
import { button, byId, el } from "../dom.js";
import { errorText, rest } from "../server.js";

export function projectionsSection() {
  const section = el("section", { className: "admin-section", attrs: { "aria-labelledby": "projections-heading" } },
    el("h2", { text: "Projections", attrs: { id: "projections-heading" } }),
    el("div", { attrs: { id: "projections" } }, el("p", { text: "Loading…" })));
  void refresh();
  return section;
}

async function refresh() {
  const box = byId("projections");
  try {
    const names = await rest().listProjections();
    box.replaceChildren(el("table", { className: "projections" },
      el("thead", {}, el("tr", {}, el("th", { text: "Read model" }), el("th", { text: "" }))),
      el("tbody", {}, ...names.map((name) => el("tr", { attrs: { "data-projection": name } },
        el("td", { text: name }),
        el("td", {}, button("Rebuild", (event) => void rebuild(name, event.currentTarget as HTMLButtonElement), "secondary")))))));
  } catch (error) {
    box.replaceChildren(el("p", { className: "error", text: errorText(error) }));
  }
}

async function rebuild(name: string, trigger: HTMLButtonElement) {
  trigger.disabled = true;
  const cell = trigger.parentElement!;
  const progress = el("progress", { attrs: { "aria-label": `Rebuilding ${name}` } });
  cell.append(progress);
  try {
    const result = await rest().rebuildProjection({ path: { name } });
    progress.replaceWith(el("span", { className: "done", text: ` rebuilt in ${result.took}` }));
  } catch (error) {
    progress.replaceWith(el("span", { className: "error", text: ` ${errorText(error)}` }));
  } finally {
    trigger.disabled = false;
  }
}
