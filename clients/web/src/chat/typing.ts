// Who else is typing, per conversation, shown in the open conversation and the list.
import { byId } from "../dom.js";
import { onSignOut, session } from "../server.js";
import { displayName } from "../users.js";
import { renderConversationList } from "./list.js";
import { chatState } from "./state.js";

// Drop someone's "typing…" if their stop was lost (the server sends one after 8 s without a keystroke).
const forgetAfterMs = 10_000;
const typing = new Map<string, Map<string, ReturnType<typeof setTimeout>>>();  // conversationId -> userId -> timer

onSignOut(() => {
  for (const typers of typing.values()) for (const timer of typers.values()) clearTimeout(timer);
  typing.clear();
});

export function onTyping({ conversationId, userId, isTyping }: { conversationId: string; userId: string; isTyping: boolean }) {
  if (userId === session?.userId) return;
  forgetTyping(conversationId, userId);
  if (isTyping) {
    if (!typing.has(conversationId)) typing.set(conversationId, new Map());
    typing.get(conversationId)!.set(userId, setTimeout(() => forgetTyping(conversationId, userId), forgetAfterMs));
  }
  renderTyping();
  renderConversationList();
}

export function forgetTyping(conversationId: string, userId: string) {
  const typers = typing.get(conversationId);
  if (!typers?.has(userId)) return;
  clearTimeout(typers.get(userId));
  typers.delete(userId);
  renderTyping();
  renderConversationList();
}

/** "Alice is typing…", "Alice and Bob are typing…", or "" when nobody is. */
export function typingNames(conversationId: string) {
  const names = [...(typing.get(conversationId)?.keys() ?? [])].map(displayName);
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return "Several people are typing…";
}

export function renderTyping() {
  const id = chatState.view?.conversationId;
  byId("typing").textContent = id ? typingNames(id) : "";
}
