import * as signalR from "@microsoft/signalr";
import { memoryCursorStore, type CursorStore } from "./cursor-store.js";
import { EventChatError } from "./errors.js";
import { hubEventNames, type HubEvents, type HubMethods } from "./generated/hub.js";
import type { components } from "./generated/openapi.js";
import { restClient, type RestClient } from "./rest.js";
import { MessageOrder } from "./resume.js";
import { Typist } from "./typing.js";

type Schemas = components["schemas"];
export type Message = Schemas["Message"];
export type Conversation = Schemas["Conversation"];
export type MessageDelivery = Schemas["MessageDelivery"];
export type SyncItem = Schemas["SyncItem"];
export type SendMessageRequest = Schemas["SendMessageRequest"];

export type ConnectionState = "disconnected" | "connecting" | "connected" | "reconnecting";

/** A read pointer moved: `readBy` has read everything in the conversation up to and including `messageId`. */
export interface Read {
  conversationId: string;
  readBy: string;
  messageId: string;
}

/** The SDK's own events, with their handlers' arguments. The hub's raw events are on `onHub`. */
export interface ClientEvents {
  /** Each message once, each conversation's in `sequence` order; `conversation` is null for one brought by sync. */
  message: [message: Message, conversation: Conversation | null];
  /** An edit or delete of a message already handed over: replace it by id. */
  messageChanged: [message: Message];
  read: [read: Read];
  /** A conversation started, or someone joined or left one (sync items `ConversationStarted`, `Participant…`). */
  membership: [item: SyncItem];
  state: [state: ConnectionState];
  /** An error not answering a call of this client: the connection refused or closed (`token_expired`, `unauthorized`). */
  error: [error: EventChatError];
}

export interface EventChatClientOptions {
  /** The server, e.g. `https://chat.example.com`. */
  baseUrl: string;
  /** Gives a valid token; called for every connection, reconnection and REST call, so it may refresh as it likes. */
  token?: () => string | null | Promise<string | null>;
  /** Where the sync cursor is kept; memory by default. */
  cursorStore?: CursorStore;
  /** The waits before each reconnection attempt, in ms; the last repeats for ever. */
  reconnectDelays?: number[];
  /** How often to catch up while connected, in ms, for a lost push of a conversation's last message. */
  catchUpEveryMs?: number;
  fetch?: typeof fetch;
  /** Passed to SignalR's withUrl (e.g. a WebSocket implementation); the token factory is the SDK's. */
  signalr?: Partial<signalR.IHttpConnectionOptions>;
  /** SignalR's own console logging; off by default, since the SDK reports through its state and error events. */
  logLevel?: signalR.LogLevel;
}

type Handler<E extends keyof ClientEvents> = (...args: ClientEvents[E]) => void;
type PayloadArg<M extends keyof HubMethods> = null extends HubMethods[M]["payload"] ? [HubMethods[M]["payload"]?] : [HubMethods[M]["payload"]];

const syncPageSize = 500;
const lastCatchUpMs = 3_000;

/**
 * One user's connection to EventChat: typed REST (`rest`) and hub calls (`invoke`, `onHub`), and the `message` event,
 * which hands the app every message exactly once and each conversation's in order, across any disconnect
 * (docs/sdk.md, "Resume").
 */
export class EventChatClient {
  /** Every REST operation, named by its operationId. */
  readonly rest: RestClient;
  readonly #options: Required<Pick<EventChatClientOptions, "reconnectDelays" | "catchUpEveryMs" | "cursorStore">> & EventChatClientOptions;
  readonly #connection: signalR.HubConnection;
  // Each set holds the handlers of its event, typed by on() and #emit().
  readonly #handlers = new Map<keyof ClientEvents, Set<Function>>();
  readonly #order: MessageOrder;
  readonly #typist: Typist;
  // Hub error events wait here for the failed invocation they explain; the server sends the event first.
  readonly #callsInFlight = new Map<string, number>();
  readonly #errorEvents = new Map<string, HubEvents["error"][]>();
  #state: ConnectionState = "disconnected";
  #stopped = true;
  #catchUp?: Promise<void>;
  #catchUpAgain = false;
  #catchUpTimer?: ReturnType<typeof setInterval>;
  #connectedWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(options: EventChatClientOptions) {
    this.#options = { reconnectDelays: [0, 1_000, 2_000, 5_000, 10_000], catchUpEveryMs: 60_000, cursorStore: memoryCursorStore(), ...options };
    const token = async () => (await options.token?.()) ?? null;
    this.rest = restClient(options.baseUrl, token, options.fetch ?? globalThis.fetch.bind(globalThis));
    this.#connection = new signalR.HubConnectionBuilder()
      .withUrl(new URL("/hubs/chat", options.baseUrl).href, { ...options.signalr, accessTokenFactory: async () => (await token()) ?? "" })
      .configureLogging(options.logLevel ?? signalR.LogLevel.None)
      .build();
    this.#order = new MessageOrder({
      message: (message, conversation) => this.#emit("message", message, conversation),
      catchUpNeeded: () => this.#catchUpInBackground(),
    });
    this.#typist = new Typist((method, conversationId) => void this.invoke(method, { conversationId }).catch(() => { /* typing is best effort */ }));
    this.#listen();
  }

  get state(): ConnectionState {
    return this.#state;
  }

  on<E extends keyof ClientEvents>(event: E, handler: Handler<E>): () => void {
    const handlers = this.#handlers.get(event) ?? new Set();
    handlers.add(handler);
    this.#handlers.set(event, handlers);
    return () => handlers.delete(handler);
  }

  /** A raw hub event, typed; messages are better taken from `on("message")`, which orders and de-duplicates them. */
  onHub<E extends keyof HubEvents>(event: E, handler: (payload: HubEvents[E]) => void): () => void {
    this.#connection.on(event, handler);
    return () => this.#connection.off(event, handler);
  }

  /** Calls a hub method; a refusal throws an EventChatError with the server's code. */
  async invoke<M extends keyof HubMethods>(method: M, ...[payload]: PayloadArg<M>): Promise<HubMethods[M]["result"]> {
    this.#callsInFlight.set(method, (this.#callsInFlight.get(method) ?? 0) + 1);
    try {
      return await this.#connection.invoke(method, payload ?? {});
    } catch (e) {
      const event = this.#errorEvents.get(method)?.shift();
      if (event) throw new EventChatError(event.code, event.message, { method });
      const closed = this.#connection.state !== signalR.HubConnectionState.Connected;
      throw new EventChatError(closed ? EventChatError.disconnected : "hub_error", (e as Error).message, { method });
    } finally {
      const left = this.#callsInFlight.get(method)! - 1;
      this.#callsInFlight.set(method, left);
      if (left === 0) this.#errorEvents.delete(method);
    }
  }

  /** Connects, then catches up on everything since the stored cursor before it resolves. Reconnects by itself. */
  async connect(): Promise<void> {
    this.#stopped = false;
    this.#setState("connecting");
    try {
      await this.#connection.start();
    } catch (e) {
      this.#stopped = true;
      this.#setState("disconnected");
      throw new EventChatError("connect_failed", (e as Error).message, { method: "connect" });
    }
    this.#catchUpTimer = setInterval(() => this.#catchUpInBackground(), this.#options.catchUpEveryMs);
    await this.#connected();
  }

  /**
   * Disconnects, after a last catch-up of a few seconds at most: messages handed over by push lie beyond the stored
   * cursor until a sync passes them, so a client started again from the same store would hand them over again.
   */
  async disconnect(): Promise<void> {
    if (this.#connection.state === signalR.HubConnectionState.Connected) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.catchUp().catch(() => {}), new Promise((resolve) => { timer = setTimeout(resolve, lastCatchUpMs); })]);
      clearTimeout(timer);
    }
    this.#stopped = true;
    clearInterval(this.#catchUpTimer);
    this.#typist.stopAll();
    for (const waiter of this.#connectedWaiters.splice(0)) waiter.reject(new EventChatError(EventChatError.disconnected, "The client was disconnected."));
    await this.#connection.stop();
    this.#setState("disconnected");
  }

  /**
   * Sends a message exactly once: it carries a fresh `clientMessageId` (unless given), and if the connection drops
   * before the answer it is sent again with the same id once connected, which the server stores only once.
   */
  async send(request: SendMessageRequest): Promise<MessageDelivery> {
    const payload = { ...request, clientMessageId: request.clientMessageId ?? crypto.randomUUID() };
    if (request.conversationId) this.#typist.stopped(request.conversationId);
    for (;;) {
      try {
        return await this.invoke("sendMessage", payload);
      } catch (e) {
        if (!(e instanceof EventChatError) || e.code !== EventChatError.disconnected || this.#stopped) throw e;
        await this.#whenConnected();
      }
    }
  }

  /** A page of a conversation's history: the latest `limit` before a sequence, or the first after one. */
  messages(conversationId: string, page: { before?: number; after?: number; limit?: number } = {}) {
    return this.rest.getMessages({ path: { id: conversationId }, query: page });
  }

  /** The caller's conversations, most recently active first. */
  conversations(page: { before?: string; limit?: number } = {}) {
    return this.rest.listConversations({ query: page });
  }

  /** Marks everything up to and including `messageId` read. */
  markRead(conversationId: string, messageId: string) {
    return this.invoke("messageRead", { conversationId, messageId });
  }

  /** Call on every keystroke: typing is signalled within the server's limits (see Typist). */
  typing(conversationId: string): void {
    this.#typist.keyPressed(conversationId);
  }

  /** The user stopped typing before the pause that would say so (emptied the box, left the conversation). */
  stopTyping(conversationId: string): void {
    this.#typist.stopped(conversationId);
  }

  /** Brings everything since the stored cursor now; runs by itself after every (re)connect and every minute. */
  catchUp(): Promise<void> {
    if (this.#catchUp) {
      this.#catchUpAgain = true;
      return this.#catchUp;
    }
    this.#catchUp = this.#catchUps().finally(() => { this.#catchUp = undefined; });
    return this.#catchUp;
  }

  async #catchUps(): Promise<void> {
    do {
      this.#catchUpAgain = false;
      if (this.#connection.state !== signalR.HubConnectionState.Connected) return;  // the reconnection catches up
      const catchUp = this.#order.catchUpStarted();
      try {
        await this.#syncToTheEnd();
      } catch (e) {
        if (e instanceof EventChatError && e.code === EventChatError.disconnected) return;
        throw e;
      }
      this.#order.catchUpEnded(catchUp);
    } while (this.#catchUpAgain);
  }

  async #syncToTheEnd(): Promise<void> {
    const store = this.#options.cursorStore;
    let cursor = await store.load();
    for (;;) {
      let page;
      try {
        page = await this.invoke("sync", { since: cursor ?? undefined, limit: syncPageSize });
      } catch (e) {
        // A cursor the server no longer accepts (its signing key was rotated, or another user's): start over.
        if (!(e instanceof EventChatError) || e.code !== "validation" || cursor === null) throw e;
        cursor = null;
        await store.save(null);
        continue;
      }
      for (const item of page.items) this.#synced(item);
      cursor = page.cursor;
      await store.save(cursor);
      if (!page.hasMore) return;
      // More is committed behind a write still in flight: give it a moment.
      if (page.items.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  #synced(item: SyncItem): void {
    switch (item.type) {
      case "MessageSent":
        this.#order.synced(item.message!);
        break;
      case "MessageEdited":
      case "MessageDeleted":
        // The feed is in commit order: the message itself came first, in this page or before the cursor.
        this.#emit("messageChanged", item.message!);
        break;
      case "MessagesMarkedRead":
        this.#emit("read", { conversationId: item.conversationId, readBy: item.receipt!.readBy, messageId: item.receipt!.messageId });
        break;
      default:
        this.#emit("membership", item);
    }
  }

  #listen(): void {
    // Every event gets a handler, so SignalR never warns of one it has no method for.
    for (const event of hubEventNames) this.#connection.on(event, () => {});
    const pushed = (delivery: MessageDelivery) => this.#order.push(delivery);
    this.#connection.on("messageSent", pushed);
    this.#connection.on("newMessage", pushed);
    // A change to a message not handed over yet waits for the catch-up that hands it over with its later state.
    const changed = ({ message }: HubEvents["messageEdited"]) => {
      if (this.#order.mayChange(message)) this.#emit("messageChanged", message);
      else this.#catchUpInBackground();
    };
    this.#connection.on("messageEdited", changed);
    this.#connection.on("messageDeleted", changed);
    this.#connection.on("messageRead", (receipt: HubEvents["messageRead"]) =>
      this.#emit("read", { conversationId: receipt.conversationId, readBy: receipt.readBy, messageId: receipt.messageId }));
    this.#connection.on("error", (event: HubEvents["error"]) => {
      if ((this.#callsInFlight.get(event.method) ?? 0) > 0) {
        this.#errorEvents.set(event.method, [...(this.#errorEvents.get(event.method) ?? []), event]);
        return;
      }
      this.#emit("error", new EventChatError(event.code, event.message, { method: event.method }));
    });
    // Closed by the server (token_expired, a restart) or by the network: connect again, with a fresh token.
    this.#connection.onclose(() => void this.#reconnect());
  }

  async #reconnect(): Promise<void> {
    const delays = this.#options.reconnectDelays;
    for (let attempt = 0; !this.#stopped; attempt++) {
      this.#setState("reconnecting");
      await new Promise((resolve) => setTimeout(resolve, delays[Math.min(attempt, delays.length - 1)]));
      if (this.#stopped) return;
      try {
        await this.#connection.start();
      } catch {
        continue;  // the server is still away, or the token provider failed: try again after the next delay
      }
      await this.#connected().catch((e) => this.#reportError(e));
      return;
    }
  }

  #catchUpInBackground(): void {
    this.catchUp().catch((e) => this.#reportError(e));
  }

  #reportError(e: unknown): void {
    this.#emit("error", e instanceof EventChatError ? e : new EventChatError("client_error", String(e)));
  }

  async #connected(): Promise<void> {
    this.#setState("connected");
    for (const waiter of this.#connectedWaiters.splice(0)) waiter.resolve();
    await this.catchUp();
  }

  #whenConnected(): Promise<void> {
    if (this.#state === "connected") return Promise.resolve();
    return new Promise((resolve, reject) => this.#connectedWaiters.push({ resolve, reject }));
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#emit("state", state);
  }

  #emit<E extends keyof ClientEvents>(event: E, ...args: ClientEvents[E]): void {
    for (const handler of this.#handlers.get(event) ?? []) (handler as Handler<E>)(...args);
  }
}
