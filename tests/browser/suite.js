// The browser tests: Debian's Chromium, driven by playwright-core, against a real EventChat server on a throwaway
// PostgreSQL, both started here and shared by every file. Run by ./eventchat test (after the Release build), or
// alone: cd tests/browser && npm ci && npm test.
//
// npm test runs this one file in one process (node suite.js, not node --test, which would run each file in a child
// of its own), so a signal reaches the process that started the server and PostgreSQL, and its handler stops them.
// The files' tests run in the order they are imported here, each file's in its own order.
import { after, before } from "node:test";
import { startAll, stopAll } from "./support.js";

before(startAll);
after(stopAll);

await import("./chat.test.js");
await import("./features.test.js");
await import("./live.test.js");
await import("./posts.test.js");
await import("./admin.test.js");
