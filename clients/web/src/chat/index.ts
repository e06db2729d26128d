// The chat screen: conversations on the left, the open one on the right. This file wires the SDK's events and the
// page's controls to the modules that do the work.
import { byId } from "../dom.js";
import { client, connected, errorText, isCurrent, onSignIn, onSignOut, rest } from "../server.js";
import { onUserKnown } from "../users.js";
import { addFiles, onComposerInput, sendMessage } from "./composer.js";
import { closeHistory, openHistory } from "./history.js";
import { createGroup, loadMoreConversations, refreshConversations, refreshPresence, renderConversationList, setOnline, startDirectChat, upsertConversation } from "./list.js";
import { markRead, onMessageRead, renderSeen } from "./receipts.js";
import { clearSearch, runSearch } from "./search.js";
import { chatState, conversations } from "./state.js";
import { forgetTyping, onTyping, renderTyping } from "./typing.js";
import { joinRoom, onDelivery, onMessageChanged, onMessagesScroll, openConversation, renderHeader, renderMessagesFrame, reopenedConversation, showError, showListPane } from "./view.js";

onSignIn((chat) => {
  const live = <A extends unknown[]>(handler: (...args: A) => void) => (...args: A) => { if (isCurrent(chat)) handler(...args); };
  // Each message once, each conversation's in order, live or caught up after a disconnect (docs/sdk.md).
  chat.on("message", live((message, conversation) => {
    if (conversation) upsertConversation(conversation);
    forgetTyping(message.conversationId, message.senderId);
    onDelivery(message, conversation);
  }));
  chat.on("messageChanged", live(onMessageChanged));
  chat.on("read", live((read) => void onMessageRead(read)));
  chat.on("state", live((state) => {
    if (state === "reconnecting") showStatus("Connection lost. Reconnecting…");
    if (state === "connected") {
      showStatus(null);
      void refreshAfterConnecting();
    }
  }));
  chat.on("error", live(({ message, method }) => { if (method === "connect") showError(message); }));
  // Every message so far now reads "[erased]": reload the list, and the conversation if it is open.
  chat.onHub("conversationErased", live(({ conversationId }) => {
    const work: Promise<unknown>[] = [refreshConversations()];
    if (chatState.view?.conversationId === conversationId) work.push(openConversation(conversationId, { reload: true }));
    void Promise.allSettled(work);
  }));
  // userTyping covers every conversation (the list shows it); typingIndicator comes from the open conversation's
  // room. Same payload, and the handler is idempotent, so getting both is harmless.
  chat.onHub("userTyping", live(onTyping));
  chat.onHub("typingIndicator", live(onTyping));
  chat.onHub("userOnline", live(({ userId }) => setOnline(userId, true)));
  chat.onHub("userOffline", live(({ userId }) => setOnline(userId, false)));
  void loadFirstScreen();
  connectUntilOpen(chat, 0);
});

onSignOut(() => {
  clearSearch();
  closeHistory();
  renderConversationList();
  renderHeader();
  renderMessagesFrame();
  showStatus(null);
  showError(null);
});

async function loadFirstScreen() {
  renderHeader();
  renderMessagesFrame();
  try {
    await refreshConversations();
    const reopen = reopenedConversation();
    // The conversation open before the reload may be further down the list than its first page.
    if (reopen && !conversations.has(reopen)) {
      await rest().getConversation({ path: { id: reopen } }).then((conversation) => upsertConversation(conversation)).catch(() => {});
    }
    if (reopen && conversations.has(reopen)) await openConversation(reopen);
  } catch (error) {
    showError(errorText(error));
  }
}

/** The first connection; once open, the SDK reconnects by itself for as long as the tab is signed in. */
function connectUntilOpen(chat: NonNullable<typeof client>, delay: number) {
  setTimeout(async () => {
    if (!isCurrent(chat)) return;
    try {
      await chat.connect();
    } catch {
      if (!isCurrent(chat)) return;
      showStatus("Cannot reach the server. Retrying…");
      connectUntilOpen(chat, 3000);
    }
  }, delay);
}

function showStatus(text: string | null) {
  const status = byId("connection-status");
  status.textContent = text ?? "";
  status.hidden = !text;
}

/**
 * After (re)connecting. The SDK brings the messages missed meanwhile; rooms belong to the old connection, and unread
 * counts and presence moved on: re-join the open conversation's room, refetch the conversations, ask who is online.
 */
async function refreshAfterConnecting() {
  const work: Promise<unknown>[] = [refreshConversations(), refreshPresence()];
  const open = chatState.view?.conversationId;
  if (open) work.push(joinRoom(open));
  const failed = (await Promise.allSettled(work)).find((result) => result.status === "rejected");
  if (failed) showError(errorText((failed as PromiseRejectedResult).reason));
}

onUserKnown(() => {
  renderConversationList();
  renderHeader();
  renderTyping();
  renderSeen();
});

byId("direct-form").addEventListener("submit", (event) => void startDirectChat(event as SubmitEvent));
byId("group-form").addEventListener("submit", (event) => void createGroup(event as SubmitEvent));
byId("search-form").addEventListener("submit", (event) => void runSearch(event as SubmitEvent));
byId("composer").addEventListener("submit", (event) => void sendMessage(event as SubmitEvent));
byId("message-input").addEventListener("input", onComposerInput);
byId("messages").addEventListener("scroll", onMessagesScroll);
byId("back-button").addEventListener("click", showListPane);
byId("history-button").addEventListener("click", () => { const id = chatState.view?.conversationId; if (id) void openHistory(id); });
byId("conversation-list").addEventListener("scroll", () => {
  const list = byId("conversation-list");
  if (list.scrollHeight - list.scrollTop - list.clientHeight < 60) void loadMoreConversations();
});
// Files: the attach button's picker, dropped on the conversation, or pasted into the message box.
const picker = byId<HTMLInputElement>("file-input");
picker.addEventListener("change", () => { addFiles(picker.files ?? []); picker.value = ""; });
const pane = byId("conversation-pane");
pane.addEventListener("dragover", (event) => { if (chatState.view && event.dataTransfer?.types.includes("Files")) { event.preventDefault(); pane.classList.add("dropping"); } });
pane.addEventListener("dragleave", () => pane.classList.remove("dropping"));
pane.addEventListener("drop", (event) => {
  pane.classList.remove("dropping");
  if (!event.dataTransfer?.files.length) return;
  event.preventDefault();
  addFiles(event.dataTransfer.files);
});
byId("message-input").addEventListener("paste", (event) => {
  const files = (event as ClipboardEvent).clipboardData?.files;
  if (files?.length) {
    event.preventDefault();
    addFiles(files);
  }
});
// Coming back to a hidden tab is when its messages get seen. Pushes can also be lost while the connection stays open
// (several nodes while their Redis is down: docs/operations.md); the SDK catches up once a minute, and a tab shown
// again catches up at once and refreshes its list.
document.addEventListener("visibilitychange", () => {
  void markRead();
  if (document.hidden || !connected()) return;
  client!.catchUp().catch(() => {});
  refreshConversations().catch(() => {});
});
