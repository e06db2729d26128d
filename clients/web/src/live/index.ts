// Live sessions: the directory of sessions on air and "go live"; one session with its viewer count, its chat, and the
// host's (or a moderator's) moderation: take a message down, ban a viewer, end the session.
import { button, byId, el, timeOfDay, dateAndTime } from "../dom.js";
import { client, errorText, isModerator, onSignIn, rest, session, whileConnected, type Schemas } from "../server.js";
import { displayName, nameAttrs } from "../users.js";

type LiveSession = Schemas["LiveSession"];
type StreamMessage = Schemas["StreamMessage"];

/** The session on screen; null on the directory. */
let watching: { session: LiveSession; messages: Map<string, HTMLLIElement> } | null = null;

const view = () => byId("live-view");
const canModerate = (live: LiveSession) => live.hostId === session?.userId || isModerator();

onSignIn((chat) => {
  const here = (sessionId: string) => watching?.session.id === sessionId;
  chat.onHub("stream-chat", ({ sessionId, message }) => { if (here(sessionId)) showMessage(message); });
  chat.onHub("stream-viewers", ({ sessionId, viewerCount }) => { if (here(sessionId)) setViewers(viewerCount); });
  chat.onHub("stream-message-removed", ({ sessionId, messageId }) => {
    if (!here(sessionId)) return;
    watching!.messages.get(messageId)?.remove();
    watching!.messages.delete(messageId);
  });
  chat.onHub("stream-ended", ({ sessionId }) => { if (here(sessionId)) void refreshSession(); });
});

export async function show(sessionId?: string) {
  if (sessionId) return watch(sessionId);
  leave();
  await showDirectory();
}

export function hide() {
  leave();
}

function leave() {
  if (!watching) return;
  const sessionId = watching.session.id;
  watching = null;
  client?.invoke("leave-stream", { sessionId }).catch(() => {});
}

async function showDirectory() {
  const title = el("input", { attrs: { id: "live-title", required: "", maxlength: "200", placeholder: "What's it about?", "aria-label": "Session title" } });
  const error = el("p", { className: "error", attrs: { role: "alert" } });
  const start = el("form", { className: "inline-form", attrs: { id: "go-live-form" } }, title, el("button", { text: "Go live" }));
  start.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const started = await rest().startLiveSession({ body: { title: title.value } });
      location.hash = `#/live/${started.id}`;
    } catch (failure) {
      error.textContent = errorText(failure);
    }
  });
  const list = el("ul", { className: "card-list", attrs: { id: "live-list", "aria-label": "Live now" } }, el("li", { text: "Loading…" }));
  view().replaceChildren(el("h1", { text: "Live sessions" }), start, error,
    el("div", { className: "section-head" }, el("h2", { text: "On air now" }), button("Refresh", () => void fill(), "secondary")), list);
  const fill = async () => {
    try {
      const page = await rest().listLiveSessions({ query: { state: "live", limit: 50 } });
      list.replaceChildren(...page.items.map((live) => el("li", {}, el("a", { className: "session-card", attrs: { href: `#/live/${live.id}`, "data-session-id": live.id } },
        el("span", { className: "live-badge", text: "LIVE" }),
        el("span", { className: "title", text: live.title }),
        el("span", { className: "subtitle" }, "with ", el("span", { text: displayName(live.hostId), attrs: nameAttrs(live.hostId) }), ` · started ${timeOfDay(live.startedAt)}`),
        el("span", { className: "viewers", text: `${live.viewerCount} watching` })))));
      if (!page.items.length) list.replaceChildren(el("li", { className: "hint", text: "Nobody is live right now. Go live yourself!" }));
    } catch (failure) {
      error.textContent = errorText(failure);
    }
  };
  await fill();
}

async function watch(sessionId: string) {
  if (watching?.session.id === sessionId) return;
  leave();
  view().replaceChildren(el("p", { text: "Loading…" }));
  let live: LiveSession;
  try {
    live = await rest().getLiveSession({ path: { id: sessionId } });
  } catch (failure) {
    view().replaceChildren(el("p", { className: "error", text: errorText(failure) }), el("a", { text: "All live sessions", attrs: { href: "#/live" } }));
    return;
  }
  watching = { session: live, messages: new Map() };
  render();
  // Watching belongs to the connection: join now, and again after any reconnect (recentMessages fills the gap).
  whileConnected(() => void join(sessionId), () => watching?.session.id === sessionId);
}

async function join(sessionId: string) {
  try {
    const joined = await client!.invoke("join-stream", { sessionId });
    if (watching?.session.id !== sessionId) return;
    setViewers(joined.viewerCount);
    for (const message of joined.recentMessages) showMessage(message);
  } catch (failure) {
    showError(errorText(failure));
  }
}

async function refreshSession() {
  if (!watching) return;
  watching.session = await rest().getLiveSession({ path: { id: watching.session.id } });
  renderHeader();
}

function render() {
  const live = watching!.session;
  const input = el("input", { attrs: { id: "live-input", maxlength: "1000", placeholder: "Say something…", autocomplete: "off", "aria-label": "Chat message" } });
  const form = el("form", { className: "composer-row", attrs: { id: "live-chat-form" } }, input, el("button", { text: "Send" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!input.value.trim()) return;
    const content = input.value;
    input.value = "";
    try {
      const sent = await client!.invoke("stream-chat", { sessionId: live.id, content });
      showMessage(sent.message);
    } catch (failure) {
      input.value = content;
      showError(errorText(failure));
    }
  });
  view().replaceChildren(
    el("a", { className: "back-link", text: "‹ All live sessions", attrs: { href: "#/live" } }),
    el("header", { className: "live-header", attrs: { id: "live-header" } }),
    el("ol", { className: "live-chat", attrs: { id: "live-chat", "aria-label": "Live chat", "aria-live": "polite" } }),
    el("p", { className: "error", attrs: { id: "live-error", role: "alert" } }),
    form);
  renderHeader();
}

function renderHeader() {
  const live = watching!.session;
  const ended = live.state === "ended";
  byId("live-header").replaceChildren(
    el("div", { className: "titles" },
      el("h1", {}, ended ? el("span", { className: "ended-badge", text: "ENDED" }) : el("span", { className: "live-badge", text: "LIVE" }), ` ${live.title}`),
      el("p", { className: "subtitle" }, "Hosted by ", el("span", { text: displayName(live.hostId), attrs: nameAttrs(live.hostId) }),
        ` · started ${dateAndTime(live.startedAt)}${live.endedAt ? ` · ended ${timeOfDay(live.endedAt)}` : ""}`)),
    el("span", { className: "viewers", attrs: { id: "viewer-count", "aria-live": "polite" }, text: ended ? "" : `👁 ${live.viewerCount} watching` }),
    !ended && canModerate(live) ? button("End session", () => void endSession(), "danger", { id: "end-session" }) : "");
  byId("live-chat-form").hidden = ended;
}

function setViewers(count: number) {
  if (!watching || watching.session.state === "ended") return;
  watching.session.viewerCount = count;
  byId("viewer-count").textContent = `👁 ${count} watching`;
}

function showMessage(message: StreamMessage) {
  if (!watching || watching.messages.has(message.id)) return;
  const live = watching.session;
  const node = el("li", { className: "live-message", attrs: { "data-message-id": message.id } },
    el("span", { className: "sender", text: displayName(message.senderId), attrs: nameAttrs(message.senderId) }),
    el("span", { className: "text", text: message.content }));
  if (canModerate(live) && message.senderId !== session?.userId) {
    node.append(el("span", { className: "moderation" },
      button("Remove", () => void takeDown(message), "link", { "aria-label": "Remove this message" }),
      message.senderId !== live.hostId ? button("Ban", () => void ban(message.senderId), "link", { "aria-label": "Ban its sender from this chat" }) : null));
  }
  watching.messages.set(message.id, node);
  const list = byId("live-chat");
  const atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
  const after = [...list.children].find((child) => Number((child as HTMLElement).dataset.sequence) > message.sequence);
  node.dataset.sequence = String(message.sequence);
  list.insertBefore(node, after ?? null);
  if (atEnd) list.scrollTop = list.scrollHeight;
}

async function takeDown(message: StreamMessage) {
  try {
    await rest().takeDownStreamMessage({ path: { id: message.sessionId, messageId: message.id } });
  } catch (failure) {
    showError(errorText(failure));
  }
}

async function ban(userId: string) {
  try {
    await rest().banFromStream({ path: { id: watching!.session.id }, body: { userId } });
    showError(null, `${displayName(userId)} can no longer chat here.`);
  } catch (failure) {
    showError(errorText(failure));
  }
}

async function endSession() {
  try {
    watching!.session = await rest().endLiveSession({ path: { id: watching!.session.id } });
    renderHeader();
  } catch (failure) {
    showError(errorText(failure));
  }
}

function showError(text: string | null, notice?: string) {
  const box = document.getElementById("live-error");
  if (!box) return;
  box.className = notice ? "notice" : "error";
  box.textContent = text ?? notice ?? "";
}
