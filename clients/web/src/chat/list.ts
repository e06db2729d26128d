// The conversation list: pages of it, presence dots, unread badges, and starting a direct or group chat.
import { byId, el } from "../dom.js";
import { client, connected, errorText, rest, session } from "../server.js";
import { displayName, findUser } from "../users.js";
import { chatState, conversations, isMine, morePages, online, others, pageSize, seenBy, type Conversation } from "./state.js";
import { typingNames } from "./typing.js";
import { renderSeen } from "./receipts.js";
import { openConversation, openDraft, renderHeader, showError, adoptDraft } from "./view.js";

/** The first page of the list, again: unread counts and last messages of the most active conversations. */
export async function refreshConversations() {
  const page = await rest().listConversations({ query: { limit: pageSize } });
  if (!morePages.pastFirst) morePages.cursor = page.hasMore ? page.cursor ?? null : null;
  receiveConversations(page.items);
}

/** The next page, below the loaded ones (on scrolling to the list's end, or its "more" button). */
export async function loadMoreConversations() {
  if (!morePages.cursor || morePages.loading) return;
  morePages.loading = true;
  try {
    const page = await rest().listConversations({ query: { limit: pageSize, before: morePages.cursor } });
    Object.assign(morePages, { cursor: page.hasMore ? page.cursor : null, pastFirst: true });
    receiveConversations(page.items);
  } catch (error) {
    showError(errorText(error));
  } finally {
    morePages.loading = false;
    renderConversationList();
  }
}

/** A page of conversations: stored, then presence asked once for all the new ones, and the list drawn once. */
function receiveConversations(list: Conversation[]) {
  const anyNew = list.some((conversation) => !conversations.has(conversation.id));
  for (const conversation of list) storeConversation(conversation);
  if (anyNew) refreshPresence().catch(() => {});
  // An open draft may have become a real conversation while this tab was away.
  for (const conversation of list) adoptDraft(conversation);
  renderConversationList();
}

export function upsertConversation(conversation: Conversation) {
  const isNew = !conversations.has(conversation.id);
  storeConversation(conversation);
  // A new conversation may mean new contacts, who are not told about each other's presence: ask again.
  if (isNew) refreshPresence().catch(() => {});
  adoptDraft(conversation);
  renderConversationList();
}

function storeConversation(conversation: Conversation) {
  conversations.set(conversation.id, conversation);
  rememberReadPointers(conversation);
  if (chatState.view?.conversationId === conversation.id) renderHeader();
}

/** The server's read pointers (sequences) show "Seen" after a reload too, not only for receipts pushed live. */
function rememberReadPointers(conversation: Conversation) {
  if (!conversation.readUpTo) return;
  if (!seenBy.has(conversation.id)) seenBy.set(conversation.id, new Map());
  const reads = seenBy.get(conversation.id)!;
  for (const [readerId, sequence] of Object.entries(conversation.readUpTo)) {
    if (readerId === session?.userId) continue;
    const known = reads.get(readerId);
    if (!known || (known.sequence ?? 0) < sequence) reads.set(readerId, { ...known, sequence });
  }
  if (chatState.view?.conversationId === conversation.id) renderSeen();
}

export async function refreshPresence() {
  if (!connected()) return;
  const { onlineUsers } = await client!.invoke("getOnlineUsers", {});
  online.clear();
  for (const userId of onlineUsers) online.add(userId);
  renderConversationList();
  renderHeader();
}

export function setOnline(userId: string, isOnline: boolean) {
  if (isOnline) online.add(userId);
  else online.delete(userId);
  renderConversationList();
  renderHeader();
}

export function conversationTitle(conversation: Conversation) {
  if (conversation.kind === "group") return conversation.title || others(conversation).map(displayName).join(", ") || "Group";
  return displayName(others(conversation)[0]);
}

function previewText(conversation: Conversation) {
  const typers = typingNames(conversation.id);
  if (typers) return typers;
  const last = conversation.lastMessage;
  if (!last) return "No messages yet";
  if (last.deletedAt) return "Message deleted";
  const who = isMine(last) ? "You: " : conversation.kind === "group" ? `${displayName(last.senderId)}: ` : "";
  const files = last.attachments?.length ? `📎 ${last.attachments.map((file) => file.fileName).join(", ")} ` : "";
  return who + files + last.content;
}

// The server's order (latest message or membership change first), so a page loaded later goes below the others.
const activity = (conversation: Conversation) =>
  Date.parse(conversation.lastActivityAt ?? conversation.lastMessage?.sentAt ?? conversation.createdAt);

export function renderConversationList() {
  const list = byId("conversation-list");
  const sorted = [...conversations.values()].sort((a, b) => activity(b) - activity(a));
  list.replaceChildren(...sorted.map((conversation) => {
    const direct = conversation.kind === "direct";
    const isOnline = direct && online.has(others(conversation)[0]);
    const unread = conversation.unreadCount > 0;
    // A button in a list item: the list stays a list for screen readers, and the item is reachable by keyboard.
    return el("li", {}, el("button", {
      className: `conversation-item${chatState.view?.conversationId === conversation.id ? " active" : ""}`,
      attrs: { type: "button", "data-conversation-id": conversation.id },
      on: { click: () => void openConversation(conversation.id) },
    },
      el("span", { className: `dot ${direct ? (isOnline ? "online" : "") : "none"}`, attrs: { "aria-hidden": "true" } }),
      el("span", { className: "title", text: conversationTitle(conversation) }),
      unread ? el("span", { className: "badge", text: String(conversation.unreadCount) }, el("span", { className: "visually-hidden", text: " unread" })) : el("span"),
      el("span", { className: "preview", text: previewText(conversation) })));
  }));
  if (morePages.cursor) {
    const more = el("button", { className: "link", text: morePages.loading ? "Loading…" : "More conversations", attrs: { type: "button" },
      on: { click: () => void loadMoreConversations() } });
    list.append(el("li", { className: "more-conversations" }, more));
  }
}

export async function startDirectChat(event: SubmitEvent) {
  event.preventDefault();
  showError(null);
  const input = byId<HTMLInputElement>("direct-username");
  try {
    const user = await findUser(input.value.trim());
    if (user.userId === session?.userId) throw new Error("That is you. Pick someone else to chat with.");
    input.value = "";
    const existing = [...conversations.values()]
      .find((conversation) => conversation.kind === "direct" && conversation.participantIds.includes(user.userId));
    if (existing) void openConversation(existing.id);
    else openDraft(user.userId);
  } catch (error) {
    showError(errorText(error));
  }
}

export async function createGroup(event: SubmitEvent) {
  event.preventDefault();
  showError(null);
  const usernames = byId<HTMLInputElement>("group-usernames");
  const title = byId<HTMLInputElement>("group-title");
  const names = [...new Set(usernames.value.split(",").map((name) => name.trim()).filter(Boolean))];
  try {
    const found = await Promise.all(names.map(findUser));
    const conversation = await rest().createGroupConversation({
      body: { participantIds: found.map((user) => user.userId), ...(title.value.trim() ? { title: title.value.trim() } : {}) },
    });
    usernames.value = "";
    title.value = "";
    upsertConversation(conversation);
    void openConversation(conversation.id);
  } catch (error) {
    showError(errorText(error));
  }
}
