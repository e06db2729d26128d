// A conversation as it stood after any of its events, folded here from its event history
// (GET /api/chat/conversations/{id}/events; the events and their fields are in docs/events.md). Pure: events in, state
// out, so moving the time slider is only a fold of the first n events. The server's own projection of the same
// moment (getConversation with ?version=n) is shown beside it as the authority for counts.
import type { Schemas } from "../server.js";

export type HistoryEvent = Schemas["HistoryEvent"];

export interface PastMessage {
  id: string;
  senderId: string;
  content: string;
  sentAt: string;
  sequence: number;
  attachments: string[];  // file names
  replyToId: string | null;
  edits: number;
  deleted: boolean;
  redacted: boolean;
}

export interface Moment {
  version: number;
  at: string | null;
  title: string | null;
  participants: string[];
  messages: PastMessage[];
  /** reader -> the sequence they had read up to. */
  readUpTo: Map<string, number>;
  erased: boolean;
}

// Field names as the events endpoint writes them (camelCase); only what the view shows.
interface EventData {
  title?: string | null; participantIds?: string[]; userId?: string;
  messageId?: string; senderId?: string; content?: string; sentAt?: string; sequence?: number;
  attachments?: { fileName: string }[] | null; replyToId?: string | null;
  readerId?: string; upToSequence?: number;
}

/** The conversation after its first `version` events (all of them when `version` is past the end). */
export function stateAfter(events: HistoryEvent[], version: number): Moment {
  const moment: Moment = { version: 0, at: null, title: null, participants: [], messages: [], readUpTo: new Map(), erased: false };
  const byId = new Map<string, PastMessage>();
  for (const event of events) {
    if (event.version > version) break;
    moment.version = event.version;
    moment.at = event.timestamp;
    const data = (event.data ?? {}) as EventData;
    switch (event.type) {
      case "ConversationStarted":
        moment.title = data.title ?? null;
        moment.participants = [...(data.participantIds ?? [])];
        break;
      case "ParticipantAdded":
        if (data.userId && !moment.participants.includes(data.userId)) moment.participants.push(data.userId);
        break;
      case "ParticipantRemoved":
      case "ParticipantLeft":
        moment.participants = moment.participants.filter((id) => id !== data.userId);
        break;
      case "MessageSent": {
        const message: PastMessage = {
          id: data.messageId!, senderId: data.senderId!, content: data.content ?? "", sentAt: data.sentAt ?? event.timestamp,
          sequence: event.version, attachments: (data.attachments ?? []).map((file) => file.fileName), replyToId: data.replyToId ?? null,
          edits: 0, deleted: false, redacted: event.redacted,
        };
        byId.set(message.id, message);
        moment.messages.push(message);
        break;
      }
      case "MessageEdited": {
        const message = byId.get(data.messageId!);
        if (message) Object.assign(message, { content: data.content ?? "", edits: message.edits + 1, redacted: event.redacted });
        break;
      }
      case "MessageDeleted": {
        const message = byId.get(data.messageId!);
        if (message) message.deleted = true;
        break;
      }
      case "MessagesMarkedRead":
        if (data.readerId && data.upToSequence !== undefined) {
          moment.readUpTo.set(data.readerId, Math.max(moment.readUpTo.get(data.readerId) ?? 0, data.upToSequence));
        }
        break;
      case "ConversationContentErased":
        moment.erased = true;
        break;
    }
  }
  return moment;
}

/** One line that says what an event did, with the names filled in by `name`. */
export function describe(event: HistoryEvent, name: (userId: string | null | undefined) => string): string {
  const data = (event.data ?? {}) as EventData;
  const actor = name(event.actor);
  switch (event.type) {
    case "ConversationStarted": return `${actor} started the conversation${data.title ? ` “${data.title}”` : ""}`;
    case "MessageSent": return `${actor} sent a message${data.attachments?.length ? ` with ${data.attachments.length} file${data.attachments.length > 1 ? "s" : ""}` : ""}`;
    case "MessageEdited": return `${actor} edited a message`;
    case "MessageDeleted": return `${actor} deleted a message`;
    case "MessagesMarkedRead": return `${actor} read up to message ${data.upToSequence}`;
    case "ParticipantAdded": return `${actor} added ${name(data.userId)}`;
    case "ParticipantRemoved": return `${actor} removed ${name(data.userId)}`;
    case "ParticipantLeft": return `${name(data.userId)} left`;
    case "ConversationErasureConsented": return `${actor} asked to erase the conversation`;
    case "ConversationContentErased": return `${actor} erased the conversation's content`;
    default: return `${event.type} by ${actor}`;
  }
}
