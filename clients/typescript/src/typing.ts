/** How typing is signalled within the server's limits (docs/api.md, typingStart / typingStop). */
export const typingTimings = {
  /** A start is sent again at most this often while keys keep coming; the server forgets typing after 8 s. */
  repeatStartAfterMs: 5_000,
  /** Without a key for this long, typing stops. */
  stopAfterMs: 4_000,
};

type Signal = (method: "typingStart" | "typingStop", conversationId: string) => void;

/**
 * Turns "a key was pressed" into the fewest typing signals: one `typingStart`, another only every 5 s while typing
 * goes on, and one `typingStop` after 4 s without a key or when the message is sent. Each signal spends a permit of
 * the user's typing budget, so a client that signalled every key, or around every send, would run out.
 */
export class Typist {
  readonly #typing = new Map<string, { startedAt: number; stop: ReturnType<typeof setTimeout> }>();

  constructor(private readonly signal: Signal) {}

  keyPressed(conversationId: string): void {
    const now = Date.now();
    const current = this.#typing.get(conversationId);
    if (current) clearTimeout(current.stop);
    const startedAt = !current || now - current.startedAt >= typingTimings.repeatStartAfterMs ? now : current.startedAt;
    if (startedAt === now) this.signal("typingStart", conversationId);
    this.#typing.set(conversationId, { startedAt, stop: setTimeout(() => this.stopped(conversationId), typingTimings.stopAfterMs) });
  }

  /** The user sent, or left the conversation: stop, if they were typing. */
  stopped(conversationId: string): void {
    const current = this.#typing.get(conversationId);
    if (!current) return;
    clearTimeout(current.stop);
    this.#typing.delete(conversationId);
    this.signal("typingStop", conversationId);
  }

  stopAll(): void {
    for (const { stop } of this.#typing.values()) clearTimeout(stop);
    this.#typing.clear();
  }
}
