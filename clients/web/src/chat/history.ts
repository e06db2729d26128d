// History as a feature: a conversation's events as an audit trail, and a time slider that shows the conversation
// as it stood after any of them — messages with the text they had then, who was in it, who had read what. The view
// is folded from the events here (replay.ts); the server's own projection of the same moment is shown beside it.
import { button, byId, dateAndTime, el, timeOfDay } from "../dom.js";
import { errorText, rest, session } from "../server.js";
import { displayName, nameAttrs, onUserKnown } from "../users.js";
import { describe, stateAfter, type HistoryEvent, type Moment } from "./replay.js";
import { chatState } from "./state.js";
import { showError } from "./view.js";

// A conversation's whole history is loaded at once, up to this many events; longer ones show their first part.
const maxEvents = 5_000;

let shown: { conversationId: string; events: HistoryEvent[]; version: number } | null = null;
let serverCheck: ReturnType<typeof setTimeout> | undefined;

export const historyOpen = () => shown !== null;

// Its sentences name people ("Erin edited a message"): draw them again as names become known.
onUserKnown(() => { if (shown) render(); });

export async function openHistory(conversationId: string) {
  if (shown?.conversationId === conversationId) return closeHistory();
  showError(null);
  try {
    const events = await loadEvents(conversationId);
    if (chatState.view?.conversationId !== conversationId) return;
    shown = { conversationId, events, version: events.at(-1)?.version ?? 0 };
    setPanes(true);
    render();
  } catch (error) {
    showError(errorText(error));
  }
}

export function closeHistory() {
  shown = null;
  clearTimeout(serverCheck);
  setPanes(false);
}

function setPanes(history: boolean) {
  byId("history").hidden = !history;
  byId("messages").hidden = history;
  byId("typing").hidden = history;
  byId("composer").hidden = history || !chatState.view;
  const toggle = byId("history-button");
  toggle.textContent = history ? "Back to chat" : "History";
  toggle.setAttribute("aria-pressed", String(history));
}

async function loadEvents(conversationId: string) {
  const events: HistoryEvent[] = [];
  for (let after = 0; events.length < maxEvents;) {
    const page = await rest().getConversationEvents({ path: { id: conversationId }, query: { after, limit: 200 } });
    events.push(...page.items);
    if (!page.hasMore || page.items.length === 0) break;
    after = page.items.at(-1)!.version;
  }
  return events;
}

function moveTo(version: number) {
  if (!shown) return;
  shown.version = Math.max(1, Math.min(version, shown.events.at(-1)?.version ?? 1));
  render();
}

function render() {
  if (!shown) return;
  const { events, version } = shown;
  const moment = stateAfter(events, version);
  const last = events.at(-1)?.version ?? 0;
  const slider = el("input", {
    attrs: { type: "range", id: "history-slider", min: "1", max: String(last), value: String(version), step: "1",
      "aria-label": "Show the conversation as it stood after event", "aria-valuetext": `event ${version} of ${last}` },
    on: { input: (event) => moveTo(Number((event.target as HTMLInputElement).value)) },
  });
  const controls = el("div", { className: "history-controls" },
    button("◀", () => moveTo(version - 1), "secondary", { "aria-label": "One event earlier" }),
    slider,
    button("▶", () => moveTo(version + 1), "secondary", { "aria-label": "One event later" }),
    button("Now", () => moveTo(last), "secondary"));
  const when = el("p", { className: "history-when", attrs: { id: "history-when", "aria-live": "polite" } },
    el("strong", { text: moment.at ? `As it stood on ${dateAndTime(moment.at)}` : "Before anything happened" }),
    ` · event ${version} of ${last}${version === last ? " (now)" : ""}`);
  const check = el("p", { className: "history-server", attrs: { id: "history-server" } });
  byId("history").replaceChildren(controls, when, check,
    el("div", { className: "history-columns" }, pastConversation(moment), auditTrail(events, version)));
  // Both columns show the moment: the newest message then, and the event the slider is on.
  byId("past-messages").lastElementChild?.scrollIntoView({ block: "nearest" });
  byId("audit-trail").querySelector(".current")?.scrollIntoView({ block: "nearest" });
  // The server rebuilds the same moment with the projection that keeps the live view; asked once the slider rests.
  clearTimeout(serverCheck);
  serverCheck = setTimeout(() => void checkWithServer(shown!.conversationId, version, check), 250);
}

async function checkWithServer(conversationId: string, version: number, into: HTMLElement) {
  try {
    const then = await rest().getConversation({ path: { id: conversationId }, query: { version } });
    into.textContent = `The server's projection at event ${version}: ${then.participantIds.length} participants, ` +
      `your unread count ${then.unreadCount}, last message #${then.lastMessage?.sequence ?? "none"}.`;
  } catch (error) {
    into.textContent = errorText(error);
  }
}

function pastConversation(moment: Moment) {
  const seenAt = new Map<number, string[]>();  // message sequence -> who had read up to exactly there
  for (const [reader, upTo] of moment.readUpTo) seenAt.set(upTo, [...(seenAt.get(upTo) ?? []), reader]);
  const people = moment.participants.map((id) => (id === session?.userId ? "you" : displayName(id))).join(", ");
  // Focusable, so the column scrolls by keyboard too.
  return el("section", { className: "past", attrs: { "aria-label": "The conversation then", tabindex: "0" } },
    el("h2", { text: moment.title ? `“${moment.title}” then` : "The conversation then" }),
    el("p", { className: "subtitle", text: moment.participants.length ? `With ${people}` : "Not started yet" }),
    moment.erased ? el("p", { className: "hint", text: "Its content had been erased by then." }) : null,
    el("ol", { className: "past-messages", attrs: { id: "past-messages" } }, ...moment.messages.map((message) => {
      const mine = message.senderId === session?.userId;
      const text = message.redacted ? "(text withheld: the message was deleted later)" : message.content;
      const readers = seenAt.get(message.sequence);
      return el("li", { className: `past-message${mine ? " mine" : ""}${message.deleted ? " deleted" : ""}`, attrs: { "data-sequence": String(message.sequence) } },
        el("span", { className: "sender", text: displayName(message.senderId), attrs: nameAttrs(message.senderId) }),
        el("span", { className: "bubble", text: message.deleted ? `deleted (was: ${text})` : text }),
        el("span", { className: "meta", text: [
          timeOfDay(message.sentAt),
          message.attachments.length ? `📎 ${message.attachments.join(", ")}` : "",
          message.edits ? `edited ${message.edits}×` : "",
        ].filter(Boolean).join(" · ") }),
        readers ? el("span", { className: "seen", text: `Read up to here by ${readers.map(displayName).join(", ")}` }) : null);
    })));
}

function auditTrail(events: HistoryEvent[], version: number) {
  return el("section", { className: "audit", attrs: { "aria-label": "Audit trail" } },
    el("h2", { text: "Audit trail" }),
    el("ol", { className: "audit-trail", attrs: { id: "audit-trail" } }, ...events.map((event) =>
      el("li", { className: `${event.version === version ? "current" : ""}${event.version > version ? " later" : ""}`, attrs: { "data-version": String(event.version) } },
        el("button", { className: "link", attrs: { type: "button", title: "Show the conversation as it stood after this event" },
          on: { click: () => moveTo(event.version) } },
          el("span", { className: "event-number", text: `#${event.version}` }),
          el("time", { text: dateAndTime(event.timestamp), attrs: { datetime: event.timestamp } }),
          el("span", { className: "event-type", text: event.type }),
          el("span", { className: "event-text", text: describe(event, displayName) }))))));
}
