// The signed-in session and the one EventChatClient (the SDK) of this tab: every screen reaches the server here.
import { EventChatClient, EventChatError, localStorageCursorStore, type components, type RestClient } from "../../typescript/src/index.js";

export type Schemas = components["schemas"];
export { EventChatError };

export interface Session {
  token: string;
  userId: string;
  username: string;
  expiresAt: string;
  /** From the token: `user`, `moderator` or `admin`. Only shows or hides screens; the server decides every call. */
  role: string;
}

const sessionKey = "eventchat.session";

/** The tab's session. sessionStorage, not localStorage: each tab is its own user, so two tabs make the two-person demo. */
export let session: Session | null = loadSession();
/** The SDK's client while signed in; it keeps the connection, its token and the sync cursor (docs/sdk.md). */
export let client: EventChatClient | null = null;

const signInHandlers: ((client: EventChatClient) => void)[] = [];
const signOutHandlers: ((message?: string) => void)[] = [];

/**
 * Runs on every sign-in with its new client: the place to subscribe to its events. A screen loaded after the sign-in
 * (they load on first use) runs it at once for the client already there.
 */
export function onSignIn(handler: (client: EventChatClient) => void) {
  signInHandlers.push(handler);
  if (client) handler(client);
}
/** Runs on every sign-out: the place to forget what the last user saw. */
export const onSignOut = (handler: (message?: string) => void) => { signOutHandlers.push(handler); };

const endedMessage = "Your session has ended. Please log in again.";

// A 401 to a signed-in call means the token ended or the account went: sign out rather than fail screen by screen.
const watchingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (response.status === 401 && session) queueMicrotask(() => signOut(endedMessage));
  return response;
};

const anonymous = new EventChatClient({ baseUrl: location.origin, fetch: watchingFetch });

/** Every REST call, typed by operationId: as the signed-in user, or anonymous for logging in. */
export const rest = (): RestClient => (client ?? anonymous).rest;

export const connected = () => client?.state === "connected";

/** The user-safe text of a failure: every failed field of a validation problem, else the server's message. */
export function errorText(error: unknown): string {
  if (error instanceof EventChatError && error.errors) return Object.values(error.errors).flat().join(" ");
  return error instanceof Error ? error.message : String(error);
}

export function signIn(token: Schemas["AuthToken"]) {
  session = { ...token, role: roleIn(token.token) };
  sessionStorage.setItem(sessionKey, JSON.stringify(session));
  startClient();
}

/** Signs in again with the session a reload found. */
export function resume() {
  if (session) startClient();
}

function startClient() {
  const signedIn = session!;
  client = new EventChatClient({
    baseUrl: location.origin,
    fetch: watchingFetch,
    // This client's only way to a new token is a new login: the server closing with token_expired signs out.
    token: () => session?.token ?? null,
    // One cursor per user and browser, so a reload or a new tab catches up from where the last one was.
    cursorStore: localStorageCursorStore(`eventchat.cursor.${signedIn.userId}`),
  });
  client.on("error", ({ code }) => { if (code === "token_expired") signOut(endedMessage); });
  for (const handler of signInHandlers) handler(client);
}

export function signOut(message?: string) {
  sessionStorage.clear();
  session = null;
  // Clear `client` first, so a late event of the closing client finds nothing to update.
  const closing = client;
  client = null;
  closing?.disconnect().catch(() => {});
  for (const handler of signOutHandlers) handler(message);
}

/** Whether an event of `from` should still be acted on: a client being closed by a sign-out may still report. */
export const isCurrent = (from: EventChatClient) => client === from;

function loadSession(): Session | null {
  try {
    const saved = JSON.parse(sessionStorage.getItem(sessionKey) ?? "null") as Session | null;
    // An expired token would only earn 401s; ask for a fresh login instead.
    return saved && Date.parse(saved.expiresAt) > Date.now() ? saved : null;
  } catch {
    return null;
  }
}

/** The token's `role` claim. The token is the server's to check; reading it here only decides what to show. */
function roleIn(token: string): string {
  try {
    const payload = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))) as { role?: string };
    return payload.role ?? "user";
  } catch {
    return "user";
  }
}

export const isModerator = () => session?.role === "admin" || session?.role === "moderator";
export const isAdmin = () => session?.role === "admin";

/**
 * Runs `handler` now if connected, and again on every (re)connection while `until` says the caller still wants it:
 * rooms belong to a connection, so a screen that follows a room joins it again after each reconnect.
 */
export function whileConnected(handler: () => void, until: () => boolean) {
  const current = client;
  if (!current) return;
  if (connected()) handler();
  const stop = current.on("state", (state) => {
    if (!until() || !isCurrent(current)) return stop();
    if (state === "connected") handler();
  });
}
