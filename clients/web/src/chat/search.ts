// Search over the text of the user's conversations: results replace the list while there is a query, and a result
// opens its conversation around the message.
import { byId, el, dateAndTime } from "../dom.js";
import { errorText, rest, type Schemas } from "../server.js";
import { displayName } from "../users.js";
import { conversationTitle } from "./list.js";
import { conversations } from "./state.js";
import { openConversation, showError } from "./view.js";

let latest = 0;  // answers to an older query that arrive late are dropped

export async function runSearch(event: SubmitEvent) {
  event.preventDefault();
  const q = byId<HTMLInputElement>("search-input").value.trim();
  if (!q) return clearSearch();
  const asked = ++latest;
  showError(null);
  try {
    const { items } = await rest().searchMessages({ query: { q, limit: 50 } });
    if (asked !== latest) return;
    showResults(q, items);
  } catch (error) {
    showError(errorText(error));
  }
}

export function clearSearch() {
  latest++;
  byId<HTMLInputElement>("search-input").value = "";
  byId("search-results").hidden = true;
  byId("conversation-list").hidden = false;
}

function showResults(q: string, hits: Schemas["SearchHit"][]) {
  const results = byId("search-results");
  const heading = el("li", { className: "results-heading" },
    el("span", { text: hits.length ? `${hits.length} ${hits.length === 1 ? "result" : "results"} for “${q}”` : `Nothing found for “${q}”` }),
    el("button", { className: "link", text: "Clear", attrs: { type: "button" }, on: { click: clearSearch } }));
  results.replaceChildren(heading, ...hits.map((hit) => {
    const conversation = conversations.get(hit.conversationId);
    const open = () => void openConversation(hit.conversationId, { at: hit.message });
    return el("li", {}, el("button", { className: "search-hit", attrs: { type: "button", "data-message-id": hit.message.id }, on: { click: open } },
      el("span", { className: "title", text: conversation ? conversationTitle(conversation) : displayName(hit.message.senderId) }),
      el("time", { className: "when", text: dateAndTime(hit.message.sentAt), attrs: { datetime: hit.message.sentAt } }),
      el("span", { className: "snippet" }, ...snippetNodes(hit.snippet))));
  }));
  results.hidden = false;
  byId("conversation-list").hidden = true;
}

/**
 * The server's snippet is escaped text with <mark> around matches (docs/api.md, Search). Rather than trust it as HTML,
 * it is taken apart here into text nodes and <mark> elements, so the app's one rule holds: user text is only text.
 */
export function snippetNodes(snippet: string): Node[] {
  const unescape = (text: string) => text.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) =>
    ({ amp: "&", lt: "<", gt: ">", quot: "\"", "#39": "'" })[name]!);
  return snippet.split(/(<mark>.*?<\/mark>)/).filter(Boolean).map((part) =>
    part.startsWith("<mark>") ? el("mark", { text: unescape(part.slice(6, -7)) }) : document.createTextNode(unescape(part)));
}
