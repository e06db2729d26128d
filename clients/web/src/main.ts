// EventChat's web app. Screens are modules (chat/, live/, posts/, admin/), each wiring itself to the SDK's client on
// sign-in (server.ts); this file shows one screen at a time, chosen by the address's hash: #/chat, #/live, #/posts,
// #/admin. The admin console and its charting library load on its first visit.
import "./auth.js";
import "./chat/index.js";
import { byId, el } from "./dom.js";
import { isAdmin, onSignIn, onSignOut, resume, session, signOut } from "./server.js";
import { displayName, onUserKnown } from "./users.js";

interface Screen { show(param?: string): void | Promise<void>; hide?(): void }

// The chat screen wires itself on import (it is the one most visits open); the others load on first use.
const screens: Record<string, () => Promise<Screen>> = {
  chat: async () => ({ show: () => {} }),
  live: () => import("./live/index.js"),
  posts: () => import("./posts/index.js"),
  admin: () => import("./admin/index.js"),
};

let current: { name: string; screen: Screen } | null = null;

async function route() {
  if (!session) return;
  const [, name = "chat", param] = location.hash.match(/^#\/(\w+)(?:\/(.+))?/) ?? [];
  const known = name in screens && (name !== "admin" || isAdmin()) ? name : "chat";
  for (const section of document.querySelectorAll<HTMLElement>("main[data-screen]")) section.hidden = section.dataset.screen !== known;
  for (const link of document.querySelectorAll<HTMLAnchorElement>("#app-nav a")) {
    if (link.dataset.screen === known) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (current && current.name !== known) current.screen.hide?.();
  const screen = await screens[known]();
  current = { name: known, screen };
  await screen.show(param);
}

function renderMe() {
  if (!session) return;
  byId("me-name").replaceChildren(displayName(session.userId), " ", el("span", { className: "username", text: `@${session.username}` }));
}

onSignIn(() => {
  byId("auth-view").hidden = true;
  byId("app").hidden = false;
  byId("admin-link").hidden = !isAdmin();
  renderMe();
  void route();
});
onUserKnown((userId) => { if (userId === session?.userId) renderMe(); });

onSignOut(() => {
  current?.screen.hide?.();
  current = null;
  byId("app").hidden = true;
  byId("auth-view").hidden = false;
  byId("auth-username").focus();
});

byId("logout-button").addEventListener("click", () => signOut());
window.addEventListener("hashchange", () => void route());

if (session) resume();
else signOut();
