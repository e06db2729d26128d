// Names. Messages, posts and conversations carry user ids only; names are looked up once and kept.
import { onSignOut, rest, type Schemas } from "./server.js";

type User = Schemas["UserSummary"];
const users = new Map<string, User>();
const pending = new Set<string>();
const listeners: ((userId: string) => void)[] = [];

onSignOut(() => { users.clear(); pending.clear(); });

/** Called when a name that showed "…" is known: re-render what showed it. */
export const onUserKnown = (listener: (userId: string) => void) => { listeners.push(listener); };

const remember = (user: User) => { users.set(user.userId, user); };

/** The display name, or "…" while it is looked up (onUserKnown says when it is known). */
export function displayName(userId: string | null | undefined): string {
  if (!userId) return "Unknown user";
  const user = users.get(userId);
  if (user) return user.displayName;
  void lookUp(userId);
  return "…";
}

async function lookUp(userId: string) {
  if (pending.has(userId)) return;
  pending.add(userId);
  try {
    users.set(userId, await rest().getUser({ path: { id: userId } }));
  } catch {
    // Only contacts are named; someone who left every shared conversation is not.
    users.set(userId, { userId, username: "", displayName: "Unknown user" } as User);
  }
  pending.delete(userId);
  for (const node of document.querySelectorAll(`[data-user-id="${CSS.escape(userId)}"]`)) node.textContent = users.get(userId)!.displayName;
  for (const listener of listeners) listener(userId);
}

/** A user by username, with a sentence a person can act on when there is none. */
export async function findUser(username: string): Promise<User> {
  try {
    const user = await rest().findUser({ query: { username } });
    remember(user);
    return user;
  } catch (error) {
    throw new Error((error as Error).message === "User was not found." ? `There is no user named "${username}".` : (error as Error).message);
  }
}

/** A name element that fills itself in when the name is known. */
export const nameAttrs = (userId: string) => ({ "data-user-id": userId });
