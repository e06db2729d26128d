/**
 * Where the SDK keeps its last sync cursor ("you have everything up to here"). A cursor belongs to one user: key the
 * store by user when several may sign in on one device (a cursor of another user is refused, and the SDK starts over).
 */
export interface CursorStore {
  load(): string | null | Promise<string | null>;
  save(cursor: string | null): void | Promise<void>;
}

/** Kept for the life of the client: a new client catches up from the user's whole history. */
export function memoryCursorStore(): CursorStore {
  let cursor: string | null = null;
  return { load: () => cursor, save: (value) => { cursor = value; } };
}

/** Kept in the browser's localStorage under `key` (include the user's id in it), so a reload resumes where it was. */
export function localStorageCursorStore(key: string): CursorStore {
  return {
    load: () => localStorage.getItem(key),
    save: (cursor) => (cursor === null ? localStorage.removeItem(key) : localStorage.setItem(key, cursor)),
  };
}
