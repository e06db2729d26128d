// Read receipts: marking what this tab shows as read, and "Seen" under my messages others have read.
import { el } from "../dom.js";
import { client, connected, rest, session, type Schemas } from "../server.js";
import { displayName } from "../users.js";
import { renderConversationList, upsertConversation } from "./list.js";
import { bySequence, chatState, conversations, isMine, seenBy } from "./state.js";

/** Marks the open conversation read up to its newest message, if the tab is visible and there is news. */
export async function markRead() {
  const opened = chatState.view;
  if (!opened?.conversationId || opened.hasNewer || document.visibilityState !== "visible") return;
  const newest = [...opened.messages.values()].sort(bySequence).at(-1);
  if (!newest || newest.sequence <= opened.markedSequence) return;
  const conversation = conversations.get(opened.conversationId);
  // My own newest message with nothing unread: there is nothing to mark.
  if (isMine(newest) && !(conversation && conversation.unreadCount > 0)) return;
  opened.markedSequence = newest.sequence;
  try {
    const result = connected()
      ? await client!.markRead(opened.conversationId, newest.id)
      : await rest().markRead({ path: { id: opened.conversationId }, body: { messageId: newest.id } });
    const current = conversations.get(opened.conversationId);
    if (current) {
      current.unreadCount = result.unreadCount;
      renderConversationList();
    }
  } catch {
    opened.markedSequence = 0;  // try again with the next message or visit
  }
}

export async function onMessageRead({ conversationId, messageId, readBy }: { conversationId: string; messageId: string; readBy: string }) {
  if (readBy === session?.userId) {
    // One of this user's tabs read it: refresh the unread badge.
    try {
      upsertConversation(await rest().getConversation({ path: { id: conversationId } }) as Schemas["Conversation"]);
    } catch { /* the next refresh will do */ }
    return;
  }
  if (!seenBy.has(conversationId)) seenBy.set(conversationId, new Map());
  seenBy.get(conversationId)!.set(readBy, { messageId });
  if (chatState.view?.conversationId === conversationId) renderSeen();
}

/** "Seen" under my newest message each other participant has read up to. */
export function renderSeen() {
  for (const node of document.querySelectorAll("#messages .seen")) node.remove();
  const view = chatState.view;
  const reads = view?.conversationId && seenBy.get(view.conversationId);
  if (!view || !reads) return;
  const mine = [...view.messages.values()].filter((message) => isMine(message) && !message.deletedAt).sort(bySequence);
  const readersByMessage = new Map<string, string[]>();
  for (const [readerId, read] of reads) {
    const upTo = Math.max(read.sequence ?? 0, (read.messageId && view.messages.get(read.messageId)?.sequence) || 0);
    if (!upTo) continue;  // not loaded here; rendered again when it is
    const target = mine.filter((message) => message.sequence <= upTo).at(-1);
    if (!target) continue;
    readersByMessage.set(target.id, [...(readersByMessage.get(target.id) ?? []), readerId]);
  }
  const direct = conversations.get(view.conversationId!)?.kind === "direct";
  for (const [messageId, readers] of readersByMessage) {
    const text = direct ? "Seen" : `Seen by ${readers.map(displayName).join(", ")}`;
    view.nodes.get(messageId)?.append(el("div", { className: "seen", text }));
  }
}
