// The open conversation: its header, its messages (paged both ways), and what can be done to one message.
import { button, byId, el, timeOfDay, dateAndTime } from "../dom.js";
import { client, connected, errorText, rest, session } from "../server.js";
import { displayName, nameAttrs } from "../users.js";
import { attachmentView } from "./attachments.js";
import { closeHistory, historyOpen } from "./history.js";
import { composer } from "./composer.js";
import { conversationTitle, renderConversationList } from "./list.js";
import { markRead, renderSeen } from "./receipts.js";
import { chatState, conversations, isMine, newView, online, others, pageSize, type Conversation, type Message, type View } from "./state.js";
import { renderTyping } from "./typing.js";

/** Where to open a conversation in its middle: a message's id and sequence. */
export type MessageAt = Pick<Message, "id" | "sequence">;

const openKey = "eventchat.open";  // the open conversation, so a reload comes back to it
let framedView: View | null = null;  // the view whose messages #messages shows

const messagesList = () => byId<HTMLOListElement>("messages");

export function showError(text: string | null) {
  byId("chat-error").textContent = text ?? "";
}

export const reopenedConversation = () => sessionStorage.getItem(openKey);

function leaveView() {
  closeHistory();
  composer.leave();
  const id = chatState.view?.conversationId;
  if (id && connected()) client!.invoke("leaveRoom", { conversationId: id }).catch(() => {});
}

export async function joinRoom(conversationId: string) {
  if (connected()) await client!.invoke("joinRoom", { conversationId });
}

/**
 * Opens a conversation at its newest messages, or around one message (`at`, a search hit or a quoted reply), which
 * is then highlighted. `reload` reads it again even when it is the open one (after an erasure).
 */
export async function openConversation(conversationId: string, { reload = false, at }: { reload?: boolean; at?: MessageAt } = {}) {
  if (!reload && !at && chatState.view?.conversationId === conversationId) return showConversationPane();
  leaveView();
  const opened = chatState.view = newView(conversationId);
  sessionStorage.setItem(openKey, conversationId);
  showError(null);
  renderConversationList();
  renderHeader();
  renderMessagesFrame();
  showConversationPane();
  joinRoom(conversationId).catch(() => {});
  composer.focus();
  try {
    if (at) await loadAround(opened, at);
    else await loadNewest(opened);
  } catch (error) {
    showError(errorText(error));
  }
}

/** Small screens show the list or the conversation, not both; the header's back button returns to the list. */
export function showConversationPane() {
  byId("chat-view").classList.add("conversation-open");
}

export function showListPane() {
  byId("chat-view").classList.remove("conversation-open");
}

export function openDraft(receiverId: string) {
  leaveView();
  chatState.view = newView(null, receiverId);
  renderConversationList();
  renderHeader();
  renderMessagesFrame();
  showConversationPane();
  composer.focus();
}

/** A draft chat with someone becomes their direct conversation as soon as it exists. */
export function adoptDraft(conversation: Conversation) {
  const view = chatState.view;
  if (!view?.receiverId || view.conversationId || conversation.kind !== "direct") return;
  if (!conversation.participantIds.includes(view.receiverId)) return;
  view.conversationId = conversation.id;
  sessionStorage.setItem(openKey, conversation.id);
  joinRoom(conversation.id).catch(() => {});
  renderHeader();
  loadNewest(view).catch((error) => showError(errorText(error)));
}

async function loadNewest(opened: View) {
  const page = await rest().getMessages({ path: { id: opened.conversationId! }, query: { limit: pageSize } });
  if (chatState.view !== opened) return;  // the user moved on meanwhile
  opened.hasMore = page.hasMore;
  for (const message of page.items) upsertMessage(message);
  renderMessagesFrame();
  scrollToBottom();
  void markRead();
  fillPane();
}

/** The page around one message: half a page before it, and what follows; scrolled to it and highlighted. */
async function loadAround(opened: View, at: MessageAt) {
  const half = Math.floor(pageSize / 2);
  const [before, from] = await Promise.all([
    rest().getMessages({ path: { id: opened.conversationId! }, query: { before: at.sequence, limit: half } }),
    rest().getMessages({ path: { id: opened.conversationId! }, query: { after: at.sequence - 1, limit: half } }),
  ]);
  if (chatState.view !== opened) return;
  opened.hasMore = before.hasMore;
  opened.hasNewer = from.hasMore;
  for (const message of [...before.items, ...from.items]) upsertMessage(message);
  renderMessagesFrame();
  highlight(at.id);
  fillPane();
}

/** Scrolls a loaded message into the middle of the pane and marks it for a moment. */
export function highlight(messageId: string) {
  const node = chatState.view?.nodes.get(messageId);
  if (!node) return false;
  node.scrollIntoView({ block: "center" });
  node.classList.add("highlight");
  setTimeout(() => node.classList.remove("highlight"), 2500);
  return true;
}

/** Shows a quoted message: in place when loaded, else the conversation opened around it. */
export async function jumpTo(conversationId: string, messageId: string) {
  if (highlight(messageId)) return;
  try {
    // A message's first version carries its sequence, which is where to open the conversation.
    const { items } = await rest().getMessageVersions({ path: { id: messageId } });
    if (items[0]) await openConversation(conversationId, { at: { id: messageId, sequence: items[0].sequence } });
  } catch (error) {
    showError(errorText(error));
  }
}

/**
 * The next page above (older) or below (newer) the loaded messages, as the reader scrolls towards it. Below is only
 * ever missing after a jump into the middle of a conversation (a search hit, a quote).
 */
async function loadMore(direction: "older" | "newer") {
  const opened = chatState.view;
  const older = direction === "older";
  if (!opened?.conversationId || !(older ? opened.hasMore : opened.hasNewer) || opened.loading) return;
  opened.loading = true;
  try {
    const sequences = [...opened.messages.values()].map((message) => message.sequence);
    const query = older ? { before: Math.min(...sequences), limit: pageSize } : { after: Math.max(...sequences), limit: pageSize };
    const page = await rest().getMessages({ path: { id: opened.conversationId }, query });
    if (chatState.view !== opened) return;
    // Keep the reader's place: what was on screen stays put while older messages appear above it.
    const list = messagesList();
    const fromBottom = list.scrollHeight - list.scrollTop;
    if (older) opened.hasMore = page.hasMore;
    else opened.hasNewer = page.hasMore;
    for (const message of page.items) upsertMessage(message);
    renderMessagesFrame();
    if (older) list.scrollTop = list.scrollHeight - fromBottom;
    else void markRead();
  } catch (error) {
    showError(errorText(error));
  } finally {
    opened.loading = false;
  }
  if (older) fillPane();
}

/** Without a scrollbar the reader cannot scroll, so fill the pane until there is one. */
function fillPane() {
  const list = messagesList();
  if (list.scrollHeight > list.clientHeight) return;
  if (chatState.view?.hasMore) void loadMore("older");
  else if (chatState.view?.hasNewer) void loadMore("newer");
}

export function onMessagesScroll() {
  const list = messagesList();
  if (list.scrollTop < 60) void loadMore("older");
  if (list.scrollHeight - list.scrollTop - list.clientHeight < 60) void loadMore("newer");
}

export function scrollToBottom() {
  const list = messagesList();
  list.scrollTop = list.scrollHeight;
}

export function nearBottom() {
  const list = messagesList();
  return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
}

export function renderHeader() {
  const view = chatState.view;
  const title = byId("conversation-title");
  const subtitle = byId("conversation-subtitle");
  const dot = byId("header-dot");
  byId("composer").hidden = !view || historyOpen();
  byId("history-button").hidden = !view?.conversationId;
  dot.hidden = true;
  if (!view) {
    title.textContent = "No conversation open";
    subtitle.textContent = "Pick one on the left, or start a chat by username.";
    return;
  }
  const conversation = view.conversationId ? conversations.get(view.conversationId) : undefined;
  if (!conversation) {
    title.textContent = displayName(view.receiverId);
    subtitle.textContent = "New chat: your first message starts it.";
    return;
  }
  title.textContent = conversationTitle(conversation);
  if (conversation.kind === "direct") {
    const isOnline = online.has(others(conversation)[0]);
    dot.hidden = false;
    dot.className = `dot ${isOnline ? "online" : ""}`;
    subtitle.textContent = isOnline ? "online" : "offline";
  } else {
    const names = conversation.participantIds.map((id) => (id === session?.userId ? "you" : displayName(id)));
    const here = others(conversation).filter((id) => online.has(id)).length;
    subtitle.textContent = `${names.join(", ")} · ${here} online`;
  }
}

/** The lines at the ends of the messages: whether scrolling can load more. */
export function renderMessagesFrame() {
  const list = messagesList();
  const view = chatState.view;
  if (!view) {
    list.replaceChildren();
    framedView = null;
    return;
  }
  if (framedView !== view) {
    list.replaceChildren();  // another conversation: start from an empty list
    framedView = view;
  }
  let top = list.querySelector<HTMLLIElement>(".older");
  if (!top) list.prepend(top = el("li", { className: "older", attrs: { "data-sequence": "-1" } }));
  top.textContent = view.hasMore ? "Scroll up for older messages"
    : view.messages.size ? "Start of the conversation" : "No messages yet. Say hello!";
  let bottom = list.querySelector<HTMLLIElement>(".newer");
  if (view.hasNewer && !bottom) list.append(bottom = el("li", { className: "newer", text: "Scroll down for newer messages", attrs: { "data-sequence": String(Number.MAX_SAFE_INTEGER) } }));
  if (!view.hasNewer) bottom?.remove();
}

export function upsertMessage(message: Message) {
  const view = chatState.view;
  if (!view || message.conversationId !== view.conversationId) return;
  view.messages.set(message.id, message);
  const node = renderMessage(message);
  const old = view.nodes.get(message.id);
  view.nodes.set(message.id, node);
  if (old) {
    old.replaceWith(node);
  } else {
    // Keep sequence order whatever order pages and pushes arrive in.
    const list = messagesList();
    const after = [...list.children].find((child) => Number((child as HTMLElement).dataset.sequence) > message.sequence);
    list.insertBefore(node, after ?? null);
  }
  renderSeen();
}

function renderMessage(message: Message): HTMLLIElement {
  const mine = isMine(message);
  const group = conversations.get(message.conversationId)?.kind === "group";
  const deleted = Boolean(message.deletedAt);
  const node = el("li", {
    className: `message${mine ? " mine" : ""}${deleted ? " deleted" : ""}`,
    attrs: { "data-message-id": message.id, "data-sequence": String(message.sequence) },
  });
  if (group && !mine) node.append(el("div", { className: "sender", text: displayName(message.senderId), attrs: nameAttrs(message.senderId) }));
  const bubble = el("div", { className: "bubble", text: deleted ? "This message was deleted" : message.content });
  if (message.replyTo && !deleted) {
    const quoted = message.replyTo.excerpt ?? "a deleted message";
    const replyTo = message.replyTo;
    bubble.prepend(el("button", {
      className: "reply", attrs: { type: "button", title: "Show the message this replies to" },
      on: { click: () => void jumpTo(message.conversationId, replyTo.id) },
    }, el("span", { text: displayName(replyTo.senderId), attrs: nameAttrs(replyTo.senderId) }), `: ${quoted}`));
  }
  if (!deleted) for (const file of message.attachments ?? []) bubble.append(attachmentView(file));
  const meta = el("div", { className: "meta" }, el("time", { text: timeOfDay(message.sentAt), attrs: { datetime: message.sentAt, title: dateAndTime(message.sentAt) } }));
  if (message.editedAt && !deleted) meta.append(" · ", button("edited", () => void showVersions(node, message), "link versions", { "aria-label": "edited: show earlier versions" }));
  if (!deleted && message.conversationId) {
    // Before the time, so the time stays in line with the bubble's edge while the buttons are hidden.
    const actions = [button("Reply", () => composer.replyTo(message), "link", { "aria-label": "Reply to this message" })];
    if (mine) actions.push(button("Edit", () => startEdit(node, bubble, message)), deleteButton(message));
    meta.prepend(...actions.flatMap((action) => [action, " "]));
  }
  node.append(bubble, meta);
  return node;
}

/** An edited message's versions, oldest first, under it until closed. */
async function showVersions(node: HTMLLIElement, message: Message) {
  node.querySelector(".versions-list")?.remove();
  try {
    const versions = await rest().getMessageVersions({ path: { id: message.id } });
    const list = el("ol", { className: "versions-list", attrs: { "aria-label": "Versions of this message" } },
      ...versions.items.map((version, index) => el("li", {},
        el("time", { text: dateAndTime(version.at), attrs: { datetime: version.at } }),
        el("span", { className: "version-label", text: index === 0 ? " sent: " : " edited to: " }),
        el("span", { className: "version-text", text: version.content }))));
    list.append(el("li", {}, button("Close", () => list.remove())));
    node.append(list);
  } catch (error) {
    showError(errorText(error));
  }
}

/** Delete asks once more on the button itself: a second click within 3 s deletes. */
function deleteButton(message: Message) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const remove = button("Delete", async () => {
    if (!timer) {
      remove.textContent = "Delete?";
      remove.classList.add("confirm");
      timer = setTimeout(() => {
        timer = null;
        remove.textContent = "Delete";
        remove.classList.remove("confirm");
      }, 3000);
      return;
    }
    clearTimeout(timer);
    try {
      await rest().deleteMessage({ path: { id: message.id } });
      // messageDeleted will say the same; show it now rather than wait for the push.
      onMessageChanged({ ...message, content: "", deletedAt: new Date().toISOString() });
    } catch (error) {
      showError(errorText(error));
    }
  });
  return remove;
}

function startEdit(node: HTMLLIElement, bubble: HTMLElement, message: Message) {
  const input = el("input", { attrs: { maxlength: "4000", "aria-label": "Edit message" } });
  input.value = message.content;
  const restore = () => upsertMessage(chatState.view?.messages.get(message.id) ?? message);
  const form = el("form", { className: "edit-box" }, input, el("button", { text: "Save" }), button("Cancel", restore, "secondary"));
  input.addEventListener("keydown", (event) => { if (event.key === "Escape") restore(); });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (input.value === message.content) return restore();
    try {
      onMessageChanged(await rest().editMessage({ path: { id: message.id }, body: { content: input.value } }));
    } catch (error) {
      showError(errorText(error));
    }
  });
  bubble.replaceWith(form);
  node.classList.add("editing");
  input.focus();
}

export function onMessageChanged(message: Message) {
  const conversation = conversations.get(message.conversationId);
  if (conversation?.lastMessage?.id === message.id) {
    conversation.lastMessage = message;
    renderConversationList();
  }
  if (chatState.view?.messages.has(message.id)) upsertMessage(message);
}

/** A message from the SDK (pushed with its conversation, or caught up without one) or the answer to a send. */
export function onDelivery(message: Message, conversation: Conversation | null, { ownSend = false } = {}) {
  const view = chatState.view;
  if (view?.conversationId !== message.conversationId) return;
  // Older than the first page, or past the end of a page opened in the middle: history, which scrolling pages in.
  const sequences = [...view.messages.values()].map((shown) => shown.sequence);
  if (!conversation && !ownSend && message.sequence < Math.min(...sequences)) return;
  if (view.hasNewer) return;
  // Your own send follows to the end; what a catch-up brings again, even yours, leaves the reader where they are.
  const follow = ownSend || (conversation !== null && isMine(message)) || nearBottom();
  upsertMessage(message);
  renderMessagesFrame();
  if (follow) scrollToBottom();
  void markRead();
  renderTyping();
}
