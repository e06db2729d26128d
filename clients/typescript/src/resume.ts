import type { components } from "./generated/openapi.js";

type Message = components["schemas"]["Message"];
type Conversation = components["schemas"]["Conversation"];
type MessageDelivery = components["schemas"]["MessageDelivery"];

/** Where the merged stream goes: each message once, each conversation's in `sequence` order. */
export interface Delivery {
  message(message: Message, conversation: Conversation | null): void;
  /** Something before a held push may be missing: run a catch-up (sync from the cursor). */
  catchUpNeeded(): void;
}

interface Held {
  delivery: MessageDelivery;
  /** The number of catch-ups started before it was held: one started after it settles it. */
  heldAfter: number;
}

const rememberedIds = 10_000;

/**
 * Merges pushed messages and sync pages into one stream with no duplicate and no gap, each conversation in order, as
 * docs/sdk.md ("Resume") describes. It does no I/O: the client feeds it pushes and sync items and runs the catch-ups
 * it asks for, which keeps the rules in one place and testable without a server.
 *
 * A push names the message before it (`previousSequence`), so a push that follows on from the last message handed
 * over can go at once; any other is held until a sync has brought what came before it.
 */
export class MessageOrder {
  /** Per conversation, the sequence of the last message handed over in this session. */
  readonly #delivered = new Map<string, number>();
  /** The ids handed over, oldest first (a Set keeps insertion order), at most `rememberedIds`. */
  readonly #handedOver = new Set<string>();
  readonly #held = new Map<string, Held[]>();
  #catchUpsStarted = 0;

  constructor(private readonly out: Delivery) {}

  /** A `messageSent` or `newMessage` push. */
  push(delivery: MessageDelivery): void {
    const { message } = delivery;
    if (this.#isHandedOver(message)) return;
    if (this.#followsOn(delivery)) {
      this.#handOver(message, delivery.conversation);
      return;
    }
    const held = this.#held.get(message.conversationId) ?? [];
    held.push({ delivery, heldAfter: this.#catchUpsStarted });
    this.#held.set(message.conversationId, held);
    this.out.catchUpNeeded();
  }

  /** A `MessageSent` item of a sync page; pages come in commit order, so each conversation's in sequence order. */
  synced(message: Message): void {
    if (!this.#isHandedOver(message)) this.#handOver(message, null);
  }

  /**
   * Whether a live edit or delete of `message` may go to the app: it was handed over, or it is older than what was
   * (history the app pages through REST). One still to come is dropped, and the catch-up that brings it brings its
   * later state too.
   */
  mayChange(message: Message): boolean {
    return this.#isHandedOver(message);
  }

  /** Answers the catch-up's number, for `catchUpEnded`. */
  catchUpStarted(): number {
    return ++this.#catchUpsStarted;
  }

  /**
   * A catch-up read the feed to its end. A held push that still does not follow on, held before this catch-up began,
   * is handed over: a message is committed before it is pushed, so this sync brought everything before it that the
   * user may see, and what is missing is history they cannot (from before they joined). One held since waits for
   * another catch-up.
   */
  catchUpEnded(catchUp: number): void {
    for (const [conversationId, held] of this.#held) {
      held.sort((a, b) => a.delivery.message.sequence - b.delivery.message.sequence);
      const settled = held.filter((h) => h.heldAfter < catchUp);
      for (const { delivery } of settled)
        if (!this.#isHandedOver(delivery.message)) this.#handOver(delivery.message, delivery.conversation);
      const waiting = held.filter((h) => h.heldAfter >= catchUp && !this.#isHandedOver(h.delivery.message));
      if (waiting.length === 0) this.#held.delete(conversationId);
      else this.#held.set(conversationId, waiting);
    }
    if (this.#held.size > 0) this.out.catchUpNeeded();
  }

  #followsOn({ message, previousSequence }: MessageDelivery): boolean {
    const delivered = this.#delivered.get(message.conversationId);
    return delivered === undefined ? previousSequence === 0 : previousSequence === delivered;
  }

  #isHandedOver(message: Message): boolean {
    const delivered = this.#delivered.get(message.conversationId);
    return this.#handedOver.has(message.id) || (delivered !== undefined && message.sequence <= delivered);
  }

  #handOver(message: Message, conversation: Conversation | null): void {
    this.#delivered.set(message.conversationId, message.sequence);
    this.#handedOver.add(message.id);
    if (this.#handedOver.size > rememberedIds) this.#handedOver.delete(this.#handedOver.values().next().value!);
    this.out.message(message, conversation);
    this.#releaseFollowers(message.conversationId);
  }

  /** Held pushes of the conversation that now follow on, in order. */
  #releaseFollowers(conversationId: string): void {
    const held = this.#held.get(conversationId);
    if (!held) return;
    held.sort((a, b) => a.delivery.message.sequence - b.delivery.message.sequence);
    // Each hand-over comes back here for the next one; what is left is handed over or still waiting.
    const next = held.find((h) => !this.#isHandedOver(h.delivery.message) && this.#followsOn(h.delivery));
    const waiting = held.filter((h) => h !== next && !this.#isHandedOver(h.delivery.message));
    if (waiting.length === 0) this.#held.delete(conversationId);
    else this.#held.set(conversationId, waiting);
    if (next) this.#handOver(next.delivery.message, next.delivery.conversation);
  }
}
