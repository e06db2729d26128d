// What the chat screen has on screen. Everything the server knows is refetched on demand; this is only the view.
import { onSignOut, session, type Schemas } from "../server.js";

export type Message = Schemas["Message"];
export type Conversation = Schemas["Conversation"];

export const pageSize = 50;

export const conversations = new Map<string, Conversation>();
/** The list comes in pages. `cursor` is where the loaded part ends (null: nothing more); `pastFirst` says pages after
 *  the first were loaded, whose end a refresh of the first must not forget. */
export const morePages = { cursor: null as string | null, pastFirst: false, loading: false };
/** userIds of contacts with an open connection. */
export const online = new Set<string>();
/** conversationId -> readerId -> what they have read up to (a pushed receipt names a message; the list, a sequence). */
export const seenBy = new Map<string, Map<string, { messageId?: string; sequence?: number }>>();

/**
 * The open conversation. A draft is a direct chat with someone never written to: it has a receiverId and no
 * conversationId until the first message creates the conversation.
 */
export interface View {
  conversationId: string | null;
  receiverId: string | null;
  messages: Map<string, Message>;
  nodes: Map<string, HTMLLIElement>;
  /** Older messages exist on the server. */
  hasMore: boolean;
  /** Newer messages exist on the server: the view was opened at a message in the middle (a search hit). */
  hasNewer: boolean;
  loading: boolean;
  /** The newest message this tab has marked read. */
  markedSequence: number;
}

export const chatState = { view: null as View | null };

export function newView(conversationId: string | null, receiverId: string | null = null): View {
  return { conversationId, receiverId, messages: new Map(), nodes: new Map(), hasMore: false, hasNewer: false, loading: false, markedSequence: 0 };
}

export const isMine = (message: { senderId?: string | null }) => message.senderId === session?.userId;
export const bySequence = (a: Message, b: Message) => a.sequence - b.sequence;
export const others = (conversation: Conversation) => conversation.participantIds.filter((id) => id !== session?.userId);

onSignOut(() => {
  for (const store of [conversations, online, seenBy]) store.clear();
  Object.assign(morePages, { cursor: null, pastFirst: false, loading: false });
  chatState.view = null;
});
