// The one way the app makes elements. Safety rule for the whole app: text that users wrote (messages, names, titles,
// posts) only ever reaches the page as textContent, never innerHTML, so "<img src=x onerror=alert(1)>" shows as those
// characters. `el` is built so: its text and children are text nodes or elements, never markup.

type Child = Node | string | null | undefined | false;

export interface ElOptions {
  className?: string;
  text?: string;
  attrs?: Record<string, string | undefined>;
  /** Event handlers by event name: { click: () => … }. */
  on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, options: ElOptions = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs ?? {})) if (value !== undefined) node.setAttribute(name, value);
  for (const [name, handler] of Object.entries(options.on ?? {})) node.addEventListener(name, handler as EventListener);
  node.append(...children.filter((child): child is Node | string => child !== null && child !== undefined && child !== false && child !== ""));
  return node;
}

/** An element of index.html, which must exist: a missing id is a bug, caught on the first use. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from index.html`);
  return node as T;
}

/** A button that does not submit its form. */
export const button = (text: string, onClick: (event: MouseEvent) => void, className = "link", attrs: Record<string, string> = {}) =>
  el("button", { className, text, attrs: { type: "button", ...attrs }, on: { click: onClick } });

export const timeOfDay = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
export const dateAndTime = (iso: string) => new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });

/** Hands a blob to the browser as a download named `fileName`. */
export function saveBlob(blob: Blob, fileName: string) {
  const link = el("a", { attrs: { href: URL.createObjectURL(blob), download: fileName } });
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

/** A unique id for an idempotent send. randomUUID needs a secure context (https or localhost); elsewhere any unique string will do. */
export const uniqueId = () => crypto.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
