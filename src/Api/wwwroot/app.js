// EventChat web client: plain JavaScript, no framework and no build step of its own.
// It reaches the hub through the TypeScript SDK (clients/typescript), which the Api's build bundles into
// lib/eventchat-client.js as the global EventChat: the SDK keeps the connection, its token and the sync cursor, and
// hands over every message once, each conversation's in order (docs/sdk.md). REST calls are plain fetch, as in
// docs/api.md.
//
// Safety rule for the whole file: text that users wrote (messages, names, titles) is only ever put on
// the page with textContent, never innerHTML, so "<img src=x onerror=alert(1)>" shows as those characters.
"use strict";

const SESSION_KEY = "eventchat.session";
const OPEN_KEY = "eventchat.open";  // the open conversation, so a reload comes back to it
const PAGE_SIZE = 50;
const TYPING_FORGET_MS = 10000;  // drop someone's "typing…" if their stop was lost (the server sends one at 8 s)

const $ = (id) => document.getElementById(id);

/** Makes an element. Text goes in as textContent, so it is never parsed as HTML. */
function el(tag, { className, text, attrs } = {}, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attrs ?? {})) node.setAttribute(name, value);
  node.append(...children.filter((child) => child !== null && child !== undefined && child !== ""));
  return node;
}

// ---------------------------------------------------------------------------------------------------------
// State. Everything the server knows is refetched on demand; this is only what is on screen.

// { token, userId, username, expiresAt }. sessionStorage, not localStorage: each tab is its own user,
// so two tabs of one browser make the two-person demo.
let session = null;
let chat = null;                  // the SDK's EventChatClient while signed in
const users = new Map();          // userId -> { userId, username, displayName }
const pendingUsers = new Set();   // userIds being looked up
const conversations = new Map();  // conversationId -> conversation object, as the API returns it
// The conversation list comes in pages. morePages.cursor is where the loaded part ends (null: nothing more to
// load); pastFirst says the user has loaded pages after the first, whose end a refresh of the first must not forget.
const morePages = { cursor: null, pastFirst: false, loading: false };
const online = new Set();         // userIds of contacts with an open connection
const typing = new Map();         // conversationId -> Map(userId -> timer that forgets them)
const seenBy = new Map();         // conversationId -> Map(readerId -> { messageId?, sequence? } they have read up to)

// The open conversation. A draft is a direct chat with someone you have never written to: it has a
// receiverId and no conversationId until the first message creates the conversation.
let view = null;
let framedView = null;  // the view whose messages #messages shows

function newView({ conversationId = null, receiverId = null }) {
  return {
    conversationId,
    receiverId,
    messages: new Map(),  // messageId -> message
    nodes: new Map(),     // messageId -> <li>
    hasMore: false,       // older messages exist on the server
    loadingOlder: false,
    markedSequence: 0,    // the newest message this tab has marked read
    ready: null,          // the first page's load; catching up starts from its newest message
  };
}

const isMine = (message) => message.senderId === session.userId;
const bySequence = (a, b) => a.sequence - b.sequence;
const connected = () => chat?.state === "connected";

// ---------------------------------------------------------------------------------------------------------
// REST

async function api(method, path, body) {
  const headers = {};
  if (session) headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 401 && session) {
    signOut("Your session has ended. Please log in again.");
    throw new Error("Your session has ended.");
  }
  if (!response.ok) throw new Error(await problemText(response));
  return response.status === 204 ? null : response.json();
}

/** The user-safe text of a problem-details answer: every failed field, else its detail or title. */
async function problemText(response) {
  try {
    const problem = await response.json();
    if (problem.errors) return Object.values(problem.errors).flat().join(" ");
    return problem.detail || problem.title || `Request failed (${response.status}).`;
  } catch {
    return `Request failed (${response.status}).`;
  }
}

function showError(text) {
  $("chat-error").textContent = text ?? "";
}

// ---------------------------------------------------------------------------------------------------------
// Signing in and out

function loadSession() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY));
    // An expired token would only earn 401s; ask for a fresh login instead.
    return saved && Date.parse(saved.expiresAt) > Date.now() ? saved : null;
  } catch {
    return null;
  }
}

async function submitAuth(event) {
  event.preventDefault();
  const register = event.submitter?.value === "register";
  const body = { username: $("auth-username").value.trim(), password: $("auth-password").value };
  const displayName = $("auth-display-name").value.trim();
  if (register && displayName) body.displayName = displayName;
  $("auth-error").textContent = "";
  try {
    const result = await api("POST", register ? "/api/auth/register" : "/api/auth/login", body);
    session = { token: result.token, userId: result.userId, username: result.username, expiresAt: result.expiresAt };
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
    $("auth-password").value = "";
    enterChat();
  } catch (error) {
    $("auth-error").textContent = error.message;
  }
}

function renderMe() {
  const me = users.get(session.userId);
  $("me-name").replaceChildren(me.displayName, " ", el("span", { className: "username", text: `@${me.username}` }));
}

function signOut(message) {
  sessionStorage.removeItem(SESSION_KEY);
  sessionStorage.removeItem(OPEN_KEY);
  session = null;
  stopTyping();
  // Clear `chat` first, so a late event of the closing client finds nothing to update.
  const closing = chat;
  chat = null;
  closing?.disconnect().catch(() => {});
  for (const store of [users, conversations, online, seenBy, pendingUsers]) store.clear();
  Object.assign(morePages, { cursor: null, pastFirst: false, loading: false });
  for (const typers of typing.values()) for (const timer of typers.values()) clearTimeout(timer);
  typing.clear();
  view = null;
  $("chat-view").hidden = true;
  $("auth-view").hidden = false;
  $("auth-error").textContent = message ?? "";
  $("auth-username").focus();
}

async function enterChat() {
  $("auth-view").hidden = true;
  $("chat-view").hidden = false;
  users.set(session.userId, { userId: session.userId, username: session.username, displayName: session.username });
  renderMe();
  // The token names the username only; the display name comes from the user lookup.
  api("GET", `/api/users/${session.userId}`).then((me) => { users.set(me.userId, me); renderMe(); }).catch(() => {});
  renderHeader();
  renderMessagesFrame();
  try {
    await refreshConversations();
    const reopen = sessionStorage.getItem(OPEN_KEY);
    // The conversation open before the reload may be further down the list than its first page.
    if (reopen && !conversations.has(reopen)) {
      await api("GET", `/api/chat/conversations/${encodeURIComponent(reopen)}`).then(upsertConversation).catch(() => {});
    }
    if (conversations.has(reopen)) openConversation(reopen);
  } catch (error) {
    showError(error.message);
  }
  connect();
}

// ---------------------------------------------------------------------------------------------------------
// Real time

function connect() {
  const client = new EventChat.EventChatClient({
    baseUrl: location.origin,
    // This client's only way to a new token is a new login: the server closing with token_expired signs out.
    token: () => session?.token ?? null,
    // One cursor per user and browser, so a reload or a new tab catches up from where the last one was.
    cursorStore: EventChat.localStorageCursorStore(`eventchat.cursor.${session.userId}`),
  });
  chat = client;
  // A client being closed by a sign-out may still report: what it says then is for nobody.
  const live = (handler) => (...args) => { if (chat === client) handler(...args); };
  // Each message once, each conversation's in order, live or caught up after a disconnect.
  client.on("message", live((message, conversation) => onDelivery({ message, conversation })));
  client.on("messageChanged", live(onMessageChanged));
  client.on("read", live(onMessageRead));
  client.on("state", live((state) => {
    if (state === "reconnecting") showStatus("Connection lost. Reconnecting…");
    if (state === "connected") {
      showStatus(null);
      refreshAfterConnecting();
    }
  }));
  client.on("error", live(({ code, message, method }) => {
    if (code === "token_expired") return signOut("Your session has ended. Please log in again.");
    if (method === "connect") showError(message);
  }));
  // Every message so far now reads "[erased]": reload the list, and the conversation if it is open.
  client.onHub("conversationErased", live(({ conversationId }) => {
    const work = [refreshConversations()];
    if (view?.conversationId === conversationId) work.push(openConversation(conversationId, true));
    Promise.allSettled(work);
  }));
  // userTyping covers every conversation (the list shows it); typingIndicator comes from the open
  // conversation's room. Same payload and the handler is idempotent, so getting both is harmless.
  client.onHub("userTyping", live(onTyping));
  client.onHub("typingIndicator", live(onTyping));
  client.onHub("userOnline", live(({ userId }) => setOnline(userId, true)));
  client.onHub("userOffline", live(({ userId }) => setOnline(userId, false)));
  startConnection(client, 0);
}

/** The first connection; once open, the SDK reconnects by itself for as long as the tab is signed in. */
function startConnection(client, delay) {
  setTimeout(async () => {
    if (chat !== client) return;
    try {
      await client.connect();
    } catch (error) {
      if (chat !== client) return;
      // A refused negotiation reports its status only in the message text.
      if (/\b401\b/.test(String(error?.message))) return signOut("Your session has ended. Please log in again.");
      showStatus("Cannot reach the server. Retrying…");
      startConnection(client, 3000);
    }
  }, delay);
}

function showStatus(text) {
  $("connection-status").textContent = text ?? "";
  $("connection-status").hidden = !text;
}

/**
 * After (re)connecting. The SDK brings the messages missed meanwhile; rooms belong to the old connection, and unread
 * counts and presence moved on: re-join the open conversation's room, refetch the conversations, ask who is online.
 */
async function refreshAfterConnecting() {
  const work = [refreshConversations(), refreshPresence()];
  if (view?.conversationId) work.push(joinRoom(view.conversationId));
  const results = await Promise.allSettled(work);
  const failed = results.find((result) => result.status === "rejected");
  if (failed) showError(failed.reason?.message ?? String(failed.reason));
}

async function joinRoom(conversationId) {
  if (connected()) await chat.invoke("joinRoom", { conversationId });
}

async function refreshPresence() {
  if (!connected()) return;
  const { onlineUsers } = await chat.invoke("getOnlineUsers", {});
  online.clear();
  for (const userId of onlineUsers) online.add(userId);
  renderConversationList();
  renderHeader();
}

function setOnline(userId, isOnline) {
  if (isOnline) online.add(userId);
  else online.delete(userId);
  renderConversationList();
  renderHeader();
}

// ---------------------------------------------------------------------------------------------------------
// Names. Messages and conversations carry user ids only; names are looked up once and kept.

function displayName(userId) {
  if (!userId) return "Unknown user";
  const user = users.get(userId);
  if (user) return user.displayName;
  lookUpUser(userId);
  return "…";
}

async function lookUpUser(userId) {
  if (pendingUsers.has(userId)) return;
  pendingUsers.add(userId);
  try {
    users.set(userId, await api("GET", `/api/users/${encodeURIComponent(userId)}`));
  } catch {
    // Only contacts are named; someone who left every shared conversation is not.
    users.set(userId, { userId, username: "", displayName: "Unknown user" });
  }
  pendingUsers.delete(userId);
  // Re-render whatever showed the placeholder.
  renderConversationList();
  renderHeader();
  for (const node of document.querySelectorAll(`[data-user-id="${CSS.escape(userId)}"]`)) {
    node.textContent = users.get(userId).displayName;
  }
  renderTyping();
  renderSeen();
}

async function findUser(username) {
  try {
    return await api("GET", `/api/users?username=${encodeURIComponent(username)}`);
  } catch (error) {
    throw new Error(error.message === "User was not found." ? `There is no user named "${username}".` : error.message);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Conversations

/** The first page of the conversation list, again: unread counts and last messages of the most active ones. */
async function refreshConversations() {
  const page = await api("GET", `/api/chat/conversations?limit=${PAGE_SIZE}`);
  if (!morePages.pastFirst) morePages.cursor = page.hasMore ? page.cursor : null;
  receiveConversations(page.items);
}

/** The next page of the list, below the loaded ones (on scrolling to its end, or its "more" button). */
async function loadMoreConversations() {
  if (!morePages.cursor || morePages.loading) return;
  morePages.loading = true;
  try {
    const page = await api("GET", `/api/chat/conversations?limit=${PAGE_SIZE}&before=${encodeURIComponent(morePages.cursor)}`);
    Object.assign(morePages, { cursor: page.hasMore ? page.cursor : null, pastFirst: true });
    receiveConversations(page.items);
  } catch (error) {
    showError(error.message);
  } finally {
    morePages.loading = false;
    renderConversationList();
  }
}

/** A page of conversations: stored, then presence asked once for all the new ones and the list drawn once. */
function receiveConversations(list) {
  const anyNew = list.some((conversation) => !conversations.has(conversation.id));
  for (const conversation of list) storeConversation(conversation);
  if (anyNew) refreshPresence().catch(() => {});
  // An open draft may have become a real conversation while this tab was away.
  for (const conversation of list) adoptDraft(conversation);
  renderConversationList();
}

function upsertConversation(conversation) {
  const isNew = !conversations.has(conversation.id);
  storeConversation(conversation);
  // A new conversation may mean new contacts, and contacts are not told about each other's presence
  // when they become contacts: ask again.
  if (isNew) refreshPresence().catch(() => {});
  renderConversationList();
}

function storeConversation(conversation) {
  conversations.set(conversation.id, conversation);
  rememberReadPointers(conversation);
  if (view?.conversationId === conversation.id) renderHeader();
}

/** The server's read pointers (sequences) show "seen" after a reload too, not only for receipts pushed live. */
function rememberReadPointers(conversation) {
  if (!conversation.readUpTo) return;
  if (!seenBy.has(conversation.id)) seenBy.set(conversation.id, new Map());
  const reads = seenBy.get(conversation.id);
  for (const [readerId, sequence] of Object.entries(conversation.readUpTo)) {
    if (readerId === session?.userId) continue;
    const known = reads.get(readerId);
    if (!known || (known.sequence ?? 0) < sequence) reads.set(readerId, { ...known, sequence });
  }
  if (view?.conversationId === conversation.id) renderSeen();
}

/** A draft chat with someone becomes their direct conversation as soon as it exists. */
function adoptDraft(conversation) {
  if (!view?.receiverId || view.conversationId || conversation.kind !== "direct") return;
  if (!conversation.participantIds.includes(view.receiverId)) return;
  view.conversationId = conversation.id;
  joinRoom(conversation.id).catch(() => {});
  renderHeader();
  view.ready = loadNewest(view);
  view.ready.catch((error) => showError(error.message));
}

const others = (conversation) => conversation.participantIds.filter((id) => id !== session.userId);

function conversationTitle(conversation) {
  if (conversation.kind === "group") {
    return conversation.title || others(conversation).map(displayName).join(", ") || "Group";
  }
  return displayName(others(conversation)[0]);
}

function previewText(conversation) {
  const typers = typingNames(conversation.id);
  if (typers) return typers;
  const last = conversation.lastMessage;
  if (!last) return "No messages yet";
  if (last.deletedAt) return "Message deleted";
  const who = isMine(last) ? "You: " : conversation.kind === "group" ? `${displayName(last.senderId)}: ` : "";
  return who + last.content;
}

// The server's order (latest message or membership change first), so a page loaded later goes below the others.
function activity(conversation) {
  return Date.parse(conversation.lastActivityAt ?? conversation.lastMessage?.sentAt ?? conversation.createdAt);
}

function renderConversationList() {
  const list = $("conversation-list");
  const sorted = [...conversations.values()].sort((a, b) => activity(b) - activity(a));
  list.replaceChildren(...sorted.map((conversation) => {
    const direct = conversation.kind === "direct";
    const dot = el("span", { className: `dot ${direct ? (online.has(others(conversation)[0]) ? "online" : "") : "none"}` });
    const item = el("li", { className: "conversation-item", attrs: { "data-conversation-id": conversation.id, tabindex: "0" } },
      dot,
      el("span", { className: "title", text: conversationTitle(conversation) }),
      conversation.unreadCount > 0 ? el("span", { className: "badge", text: String(conversation.unreadCount) }) : el("span"),
      el("span", { className: "preview", text: previewText(conversation) }));
    if (view?.conversationId === conversation.id) item.classList.add("active");
    item.addEventListener("click", () => openConversation(conversation.id));
    item.addEventListener("keydown", (event) => { if (event.key === "Enter") openConversation(conversation.id); });
    return item;
  }));
  if (morePages.cursor) {
    const more = el("button", { className: "link", text: morePages.loading ? "Loading…" : "More conversations" });
    more.addEventListener("click", loadMoreConversations);
    list.append(el("li", { className: "more-conversations" }, more));
  }
}

async function startDirectChat(event) {
  event.preventDefault();
  showError(null);
  const username = $("direct-username").value.trim();
  try {
    const user = await findUser(username);
    if (user.userId === session.userId) throw new Error("That is you. Pick someone else to chat with.");
    users.set(user.userId, user);
    $("direct-username").value = "";
    const existing = [...conversations.values()]
      .find((conversation) => conversation.kind === "direct" && conversation.participantIds.includes(user.userId));
    if (existing) openConversation(existing.id);
    else openDraft(user);
  } catch (error) {
    showError(error.message);
  }
}

async function createGroup(event) {
  event.preventDefault();
  showError(null);
  const names = [...new Set($("group-usernames").value.split(",").map((name) => name.trim()).filter(Boolean))];
  try {
    const found = await Promise.all(names.map(findUser));
    for (const user of found) users.set(user.userId, user);
    const conversation = await api("POST", "/api/chat/conversations", {
      participantIds: found.map((user) => user.userId),
      title: $("group-title").value.trim() || null,
    });
    $("group-usernames").value = "";
    $("group-title").value = "";
    upsertConversation(conversation);
    openConversation(conversation.id);
  } catch (error) {
    showError(error.message);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The open conversation

function leaveView() {
  stopTyping();
  if (view?.conversationId && connected()) chat.invoke("leaveRoom", { conversationId: view.conversationId }).catch(() => {});
}

/** Opens a conversation; `reload` reads it again even when it is the open one (after an erasure). */
async function openConversation(conversationId, reload = false) {
  if (!reload && view?.conversationId === conversationId) return;
  leaveView();
  const opened = view = newView({ conversationId });
  sessionStorage.setItem(OPEN_KEY, conversationId);
  showError(null);
  renderConversationList();
  renderHeader();
  renderMessagesFrame();
  joinRoom(conversationId).catch(() => {});
  opened.ready = loadNewest(opened);
  $("message-input").focus();
  try {
    await opened.ready;
  } catch (error) {
    showError(error.message);
  }
}

/** The newest page of messages, scrolled to the end. */
async function loadNewest(opened) {
  const page = await api("GET", `/api/chat/conversations/${opened.conversationId}/messages?limit=${PAGE_SIZE}`);
  if (view !== opened) return;  // the user moved on meanwhile
  opened.hasMore = page.hasMore;
  for (const message of page.items) upsertMessage(message);
  renderMessagesFrame();
  scrollToBottom();
  markRead();
  loadOlderIfNoScrollbar();
}

function openDraft(user) {
  leaveView();
  view = newView({ receiverId: user.userId });
  renderConversationList();
  renderHeader();
  renderMessagesFrame();
  $("message-input").focus();
}

function renderHeader() {
  const title = $("conversation-title");
  const subtitle = $("conversation-subtitle");
  const dot = $("header-dot");
  $("composer").hidden = !view;
  dot.hidden = true;
  if (!view) {
    title.textContent = "No conversation open";
    subtitle.textContent = "Pick one on the left, or start a chat by username.";
    return;
  }
  const conversation = conversations.get(view.conversationId);
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
    const names = conversation.participantIds.map((id) => (id === session.userId ? "you" : displayName(id)));
    const here = others(conversation).filter((id) => online.has(id)).length;
    subtitle.textContent = `${names.join(", ")} · ${here} online`;
  }
}

/** The line at the top of the messages: whether scrolling up can load more. */
function renderMessagesFrame() {
  const list = $("messages");
  if (!view) {
    list.replaceChildren();
    framedView = null;
    return;
  }
  if (framedView !== view) {
    // Another conversation: start from an empty list.
    list.replaceChildren();
    framedView = view;
  }
  let top = list.querySelector(".older");
  if (!top) {
    top = el("li", { className: "older", attrs: { "data-sequence": "-1" } });
    list.prepend(top);
  }
  top.textContent = view.hasMore ? "Scroll up for older messages"
    : view.messages.size ? "Start of the conversation" : "No messages yet. Say hello!";
}

function upsertMessage(message) {
  if (!view || message.conversationId !== view.conversationId) return;
  view.messages.set(message.id, message);
  const node = renderMessage(message);
  const old = view.nodes.get(message.id);
  view.nodes.set(message.id, node);
  if (old) {
    old.replaceWith(node);
  } else {
    // Keep sequence order whatever order pages and pushes arrive in.
    const list = $("messages");
    const after = [...list.children].find((child) => Number(child.dataset.sequence) > message.sequence);
    list.insertBefore(node, after ?? null);
  }
  renderSeen();
}

function renderMessage(message) {
  const mine = isMine(message);
  const group = conversations.get(message.conversationId)?.kind === "group";
  const deleted = Boolean(message.deletedAt);
  const node = el("li", {
    className: `message${mine ? " mine" : ""}${deleted ? " deleted" : ""}`,
    attrs: { "data-message-id": message.id, "data-sequence": String(message.sequence) },
  });
  if (group && !mine) {
    node.append(el("div", { className: "sender", text: displayName(message.senderId), attrs: { "data-user-id": message.senderId } }));
  }
  const bubble = el("div", { className: "bubble", text: deleted ? "This message was deleted" : message.content });
  // Replies and files (sent by other clients: this one sends text) are named, as text like the rest.
  if (message.replyTo && !deleted) {
    const quoted = message.replyTo.excerpt ?? "a deleted message";
    bubble.prepend(el("div", { className: "reply", text: `↪ ${displayName(message.replyTo.senderId)}: ${quoted}` }));
  }
  for (const file of deleted ? [] : message.attachments ?? []) {
    bubble.append(el("div", { className: "attachment", text: `📎 ${file.fileName}` }));
  }
  const time = new Date(message.sentAt).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const meta = el("div", { className: "meta" }, el("time", { text: time, attrs: { datetime: message.sentAt } }));
  if (message.editedAt && !deleted) meta.append(" · edited");
  if (mine && !deleted) {
    // Before the time, so the time stays in line with the bubble's edge while the buttons are hidden.
    const edit = el("button", { className: "link", text: "Edit", attrs: { type: "button" } });
    edit.addEventListener("click", () => startEdit(node, bubble, message));
    meta.prepend(edit, " ", deleteButton(message), " ");
  }
  node.append(bubble, meta);
  return node;
}

/** Delete asks once more on the button itself: a second click within 3 s deletes. */
function deleteButton(message) {
  const button = el("button", { className: "link", text: "Delete", attrs: { type: "button" } });
  let timer = null;
  button.addEventListener("click", async () => {
    if (!timer) {
      button.textContent = "Delete?";
      button.classList.add("confirm");
      timer = setTimeout(() => {
        timer = null;
        button.textContent = "Delete";
        button.classList.remove("confirm");
      }, 3000);
      return;
    }
    clearTimeout(timer);
    try {
      await api("DELETE", `/api/chat/messages/${message.id}`);
      // messageDeleted will say the same; show it now rather than wait for the push.
      onMessageChanged({ ...message, content: "", deletedAt: new Date().toISOString() });
    } catch (error) {
      showError(error.message);
    }
  });
  return button;
}

function startEdit(node, bubble, message) {
  const input = el("input", { attrs: { maxlength: "4000", "aria-label": "Edit message" } });
  input.value = message.content;
  const cancel = el("button", { className: "secondary", text: "Cancel", attrs: { type: "button" } });
  const form = el("form", { className: "edit-box" }, input, el("button", { text: "Save" }), cancel);
  const restore = () => upsertMessage(view?.messages.get(message.id) ?? message);
  cancel.addEventListener("click", restore);
  input.addEventListener("keydown", (event) => { if (event.key === "Escape") restore(); });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (input.value === message.content) return restore();
    try {
      onMessageChanged(await api("PATCH", `/api/chat/messages/${message.id}`, { content: input.value }));
    } catch (error) {
      showError(error.message);
    }
  });
  bubble.replaceWith(form);
  input.focus();
}

function scrollToBottom() {
  const list = $("messages");
  list.scrollTop = list.scrollHeight;
}

function nearBottom() {
  const list = $("messages");
  return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
}

async function loadOlder() {
  const opened = view;
  if (!opened?.conversationId || !opened.hasMore || opened.loadingOlder) return;
  opened.loadingOlder = true;
  try {
    const oldest = Math.min(...[...opened.messages.values()].map((message) => message.sequence));
    const page = await api("GET", `/api/chat/conversations/${opened.conversationId}/messages?before=${oldest}&limit=${PAGE_SIZE}`);
    if (view !== opened) return;
    // Keep the reader's place: what was on screen stays put while older messages appear above it.
    const list = $("messages");
    const fromBottom = list.scrollHeight - list.scrollTop;
    opened.hasMore = page.hasMore;
    for (const message of page.items) upsertMessage(message);
    renderMessagesFrame();
    list.scrollTop = list.scrollHeight - fromBottom;
  } catch (error) {
    showError(error.message);
  } finally {
    opened.loadingOlder = false;
  }
  loadOlderIfNoScrollbar();
}

/** Without a scrollbar the user cannot scroll up, so fill the pane until there is one. */
function loadOlderIfNoScrollbar() {
  const list = $("messages");
  if (view?.hasMore && list.scrollHeight <= list.clientHeight) loadOlder();
}

/** After a reconnect: every message after the newest one here, then the newest page again for edits and deletes. */
// ---------------------------------------------------------------------------------------------------------
// Sending

// A send the server refused gives its text back. One whose connection dropped is sent again by the SDK, with the
// same clientMessageId, so the server stores it once; resending refused text keeps its id for the same reason.
let unsent = null;  // { content, clientMessageId }

async function sendMessage(event) {
  event.preventDefault();
  const input = $("message-input");
  const content = input.value;
  if (!view || !content.trim()) return;
  const sending = view;
  const body = {
    content,
    // randomUUID needs a secure context (https or localhost); elsewhere any unique string will do.
    clientMessageId: unsent?.content === content ? unsent.clientMessageId
      : crypto.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`,
  };
  unsent = null;
  if (sending.conversationId) body.conversationId = sending.conversationId;
  else body.receiverId = sending.receiverId;
  input.value = "";
  stopTyping();
  showError(null);
  try {
    // The hub when connected; REST otherwise, which stores and pushes exactly the same.
    const delivery = connected() ? await chat.send(body) : await api("POST", "/api/chat/messages", body);
    onDelivery(delivery);
  } catch (error) {
    unsent = { content, clientMessageId: body.clientMessageId };
    if (view === sending && !input.value) input.value = content;  // give the text back, nothing is lost
    showError(error.message);
  }
}

/**
 * A message from the SDK (pushed, with its conversation; or caught up, without) or the answer to a send. A caught-up
 * message older than the open view's first page is history, which scrolling up pages in.
 */
function onDelivery({ message, conversation }) {
  if (conversation) {
    upsertConversation(conversation);
    adoptDraft(conversation);
  }
  forgetTyping(message.conversationId, message.senderId);
  if (view?.conversationId !== message.conversationId) return;
  const oldestShown = Math.min(...[...view.messages.values()].map((shown) => shown.sequence));
  if (!conversation && message.sequence < oldestShown) return;
  // Your own send follows to the end; what a catch-up brings again, even yours, leaves the reader where they are.
  const follow = (conversation && isMine(message)) || nearBottom();
  upsertMessage(message);
  renderMessagesFrame();
  if (follow) scrollToBottom();
  markRead();
}

function onMessageChanged(message) {
  const conversation = conversations.get(message.conversationId);
  if (conversation?.lastMessage?.id === message.id) {
    conversation.lastMessage = message;
    renderConversationList();
  }
  if (view?.messages.has(message.id)) upsertMessage(message);
}

// ---------------------------------------------------------------------------------------------------------
// Read receipts

/** Marks the open conversation read up to its newest message, if the tab is visible and there is news. */
async function markRead() {
  const opened = view;
  if (!opened?.conversationId || document.visibilityState !== "visible") return;
  const newest = [...opened.messages.values()].sort(bySequence).at(-1);
  if (!newest || newest.sequence <= opened.markedSequence) return;
  const conversation = conversations.get(opened.conversationId);
  // Your own newest message with nothing unread: there is nothing to mark.
  if (isMine(newest) && !(conversation?.unreadCount > 0)) return;
  opened.markedSequence = newest.sequence;
  const body = { conversationId: opened.conversationId, messageId: newest.id };
  try {
    const result = connected()
      ? await chat.markRead(opened.conversationId, newest.id)
      : await api("POST", `/api/chat/conversations/${opened.conversationId}/read`, { messageId: newest.id });
    const current = conversations.get(opened.conversationId);
    if (current) {
      current.unreadCount = result.unreadCount;
      renderConversationList();
    }
  } catch {
    opened.markedSequence = 0;  // try again with the next message or visit
  }
}

async function onMessageRead({ conversationId, messageId, readBy }) {
  if (readBy === session.userId) {
    // One of this user's tabs read it: refresh the unread badge.
    try {
      upsertConversation(await api("GET", `/api/chat/conversations/${conversationId}`));
    } catch { /* the next refresh will do */ }
    return;
  }
  if (!seenBy.has(conversationId)) seenBy.set(conversationId, new Map());
  seenBy.get(conversationId).set(readBy, { messageId });
  if (view?.conversationId === conversationId) renderSeen();
}

/** "Seen" under my newest message each other participant has read up to. */
function renderSeen() {
  for (const node of document.querySelectorAll("#messages .seen")) node.remove();
  const reads = view?.conversationId && seenBy.get(view.conversationId);
  if (!reads) return;
  const mine = [...view.messages.values()].filter((message) => isMine(message) && !message.deletedAt).sort(bySequence);
  const readersByMessage = new Map();
  for (const [readerId, read] of reads) {
    const upTo = Math.max(read.sequence ?? 0, view.messages.get(read.messageId)?.sequence ?? 0) || undefined;
    if (upTo === undefined) continue;  // not loaded here; rendered again when it is
    const target = mine.filter((message) => message.sequence <= upTo).at(-1);
    if (!target) continue;
    if (!readersByMessage.has(target.id)) readersByMessage.set(target.id, []);
    readersByMessage.get(target.id).push(readerId);
  }
  const direct = conversations.get(view.conversationId)?.kind === "direct";
  for (const [messageId, readers] of readersByMessage) {
    const text = direct ? "Seen" : `Seen by ${readers.map(displayName).join(", ")}`;
    view.nodes.get(messageId)?.append(el("div", { className: "seen", text }));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Typing

// The SDK turns keystrokes into as few typing signals as the server's typing budget allows (docs/sdk.md); this
// remembers where this tab is typing, to stop it there when the box is emptied or the user leaves.
let typingIn = null;

function onComposerInput() {
  const conversationId = view?.conversationId;
  // A draft has no conversation yet, and typing needs one.
  if (!conversationId || !connected()) return;
  if (!$("message-input").value) return stopTyping();
  typingIn = conversationId;
  chat.typing(conversationId);
}

function stopTyping() {
  if (typingIn) chat?.stopTyping(typingIn);
  typingIn = null;
}

function onTyping({ conversationId, userId, isTyping }) {
  if (userId === session.userId) return;
  forgetTyping(conversationId, userId);
  if (isTyping) {
    if (!typing.has(conversationId)) typing.set(conversationId, new Map());
    typing.get(conversationId).set(userId, setTimeout(() => forgetTyping(conversationId, userId), TYPING_FORGET_MS));
  }
  renderTyping();
  renderConversationList();
}

function forgetTyping(conversationId, userId) {
  const typers = typing.get(conversationId);
  if (!typers?.has(userId)) return;
  clearTimeout(typers.get(userId));
  typers.delete(userId);
  renderTyping();
  renderConversationList();
}

/** "Alice is typing…", "Alice and Bob are typing…", or "" when nobody is. */
function typingNames(conversationId) {
  const names = [...(typing.get(conversationId)?.keys() ?? [])].map(displayName);
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return "Several people are typing…";
}

function renderTyping() {
  $("typing").textContent = view?.conversationId ? typingNames(view.conversationId) : "";
}

// ---------------------------------------------------------------------------------------------------------
// Wiring

$("auth-form").addEventListener("submit", submitAuth);
$("logout-button").addEventListener("click", () => signOut());
$("direct-form").addEventListener("submit", startDirectChat);
$("group-form").addEventListener("submit", createGroup);
$("composer").addEventListener("submit", sendMessage);
$("message-input").addEventListener("input", onComposerInput);
$("messages").addEventListener("scroll", () => { if ($("messages").scrollTop < 60) loadOlder(); });
$("conversation-list").addEventListener("scroll", () => {
  const list = $("conversation-list");
  if (list.scrollHeight - list.scrollTop - list.clientHeight < 60) loadMoreConversations();
});
// Coming back to a hidden tab is when its messages get seen.
document.addEventListener("visibilitychange", markRead);
// Pushes can be lost while the connection stays open (with several server nodes, while their Redis is down:
// docs/operations.md), and nothing tells the client. The SDK catches up once a minute; a tab shown again catches up
// at once, and refreshes its list.
document.addEventListener("visibilitychange", () => {
  if (document.hidden || !connected()) return;
  chat.catchUp().catch(() => {});
  refreshConversations().catch(() => {});
});

session = loadSession();
if (session) enterChat();
else signOut();
