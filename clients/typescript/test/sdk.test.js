// The TypeScript SDK against a real EventChat server (the Release build, on a throwaway PostgreSQL), over a real
// socket with the real SignalR client: what an app sees through it. Run by ./eventchat test, or alone after a
// Release build: cd clients/typescript && npm ci && npm run build && npm test.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { EventChatClient, EventChatError } from "../dist/index.js";
import { generate } from "../scripts/generate.js";
import { ThrowawayEventChat } from "../../../tests/support/eventchat-server.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const sdkDir = path.resolve(here, "..");
const artifacts = path.join(here, "artifacts");
const serverSecret = randomBytes(24).toString("base64");
const eventchat = new ThrowawayEventChat("sdk", path.join(artifacts, "server.log"), {
  EventChat__Limits__MessageBurst: "500",  // the burst test sends 200 at once
  ServerApi__Secret: serverSecret,         // the token-expiry test mints short-lived tokens
  Jwt__ClockSkew: "00:00:00",              // so a token expires when it says
});
const clients = [];

before(() => eventchat.start());
after(async () => {
  await Promise.all(clients.map((client) => client.disconnect()));
  await eventchat.destroy();
});

// ---------------------------------------------------------------------------------------------------------
// Helpers

/** A new user with their own account; answers { id, token }. */
async function newUser(name) {
  const anonymous = new EventChatClient({ baseUrl: eventchat.url });
  const username = `${name}_${randomUUID().slice(0, 8)}`;
  const { userId, token } = await anonymous.rest.register({ body: { username, password: "correct horse battery", displayName: name } });
  return { id: userId, token };
}

/** A connected client for `user`, stopped after the tests. */
async function connect(user, options = {}) {
  const client = new EventChatClient({ baseUrl: eventchat.url, token: () => user.token, ...options });
  clients.push(client);
  await client.connect();
  return client;
}

/** Resolves with the first `count` arguments lists of `event`, or rejects after `ms`. */
function collect(client, event, count, ms = 60_000) {
  const seen = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${event}: ${seen.length} of ${count} within ${ms} ms`)), ms);
    client.on(event, (...args) => {
      seen.push(args);
      if (seen.length === count) {
        clearTimeout(timer);
        resolve(seen);
      }
    });
  });
}

/** Resolves once `client` reaches `state`. */
const reaches = (client, state) => new Promise((resolve) => {
  const off = client.on("state", (s) => { if (s === state) { off(); resolve(); } });
});

/** A WebSocket whose open instances a test can cut, as a network failure would (no close handshake). */
class CuttableWebSocket extends WebSocket {
  static open = new Set();
  constructor(...args) {
    super(...args);
    CuttableWebSocket.open.add(this);
    this.on("close", () => CuttableWebSocket.open.delete(this));
  }
  static cutAll() {
    for (const socket of CuttableWebSocket.open) socket.terminate();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Tests

test("two apps send and receive through the SDK, each message once", async () => {
  const [alice, bob] = await Promise.all([newUser("alice"), newUser("bob")]);
  const [aliceChat, bobChat] = await Promise.all([connect(alice), connect(bob)]);
  const bobSees = collect(bobChat, "message", 1);
  const aliceSees = collect(aliceChat, "message", 1);

  const sent = await aliceChat.send({ receiverId: bob.id, content: "Hi Bob" });

  const [[message, conversation]] = await bobSees;
  assert.equal(message.content, "Hi Bob");
  assert.equal(message.id, sent.message.id);
  assert.equal(conversation.kind, "direct");
  assert.match(message.clientMessageId, /^[0-9a-f-]{36}$/, "the SDK gave the send an id, so a retry is stored once");
  assert.equal((await aliceSees)[0][0].id, sent.message.id, "the sender's other tabs see it too, through messageSent");
  const page = await bobChat.messages(message.conversationId, { limit: 10 });
  assert.deepEqual(page.items.map((m) => m.content), ["Hi Bob"]);
});

test("a connection cut in the middle of a 200-message burst across three conversations loses and repeats nothing", async () => {
  const [alice, bob, carol] = await Promise.all([newUser("alice"), newUser("bob"), newUser("carol")]);
  const aliceChat = await connect(alice);
  const bobChat = await connect(bob, { signalr: { WebSocket: CuttableWebSocket }, reconnectDelays: [300] });
  const firstArrives = collect(bobChat, "message", 1);
  const direct = (await aliceChat.send({ receiverId: bob.id, content: "first" })).message.conversationId;
  await firstArrives;
  const groups = await Promise.all([[bob.id], [bob.id, carol.id]].map(async (participantIds) =>
    (await aliceChat.rest.createGroupConversation({ body: { participantIds } })).id));
  const conversations = [direct, ...groups];

  const received = [];
  let fromSync = 0;
  bobChat.on("message", (message, conversation) => {
    received.push(message);
    if (conversation === null) fromSync++;
  });
  const allArrived = collect(bobChat, "message", 200);
  const reconnecting = reaches(bobChat, "reconnecting");
  const sent = [];
  for (let i = 0; i < 200; i++) {
    if (i === 60) CuttableWebSocket.cutAll();
    sent.push((await aliceChat.send({ conversationId: conversations[i % 3], content: `m${i}` })).message);
  }
  await reconnecting;
  await allArrived;
  await bobChat.catchUp();  // one more pass over the feed, which brings every message again: none may repeat

  assert.equal(received.length, 200);
  assert.equal(new Set(received.map((m) => m.id)).size, 200, "no message twice");
  assert.deepEqual(new Set(received.map((m) => m.id)), new Set(sent.map((m) => m.id)), "every message sent");
  for (const conversationId of conversations) {
    const sequences = received.filter((m) => m.conversationId === conversationId).map((m) => m.sequence);
    assert.deepEqual(sequences, [...sequences].sort((a, b) => a - b), `conversation ${conversationId} in order`);
  }
  assert.ok(fromSync > 0, "the cut made some messages come by sync");
});

test("a token that expires mid-session is replaced through the provider", async () => {
  const externalId = `app|${randomUUID()}`;
  const server = new EventChatClient({ baseUrl: eventchat.url, fetch: (url, init) =>
    fetch(url, { ...init, headers: { ...init.headers, "x-api-secret": serverSecret } }) });
  const mint = (expiresInSeconds) => server.rest.mintAppUserToken({ path: { externalId }, body: { expiresInSeconds } });
  // As an app would: the token it holds while that is valid, else a fresh one from its backend.
  let current = await mint(2);
  const userId = current.userId;
  let minted = 1;
  const provider = async () => {
    if (Date.parse(current.expiresAt) <= Date.now()) {
      current = await mint(3600);
      minted++;
    }
    return current.token;
  };
  const chat = new EventChatClient({ baseUrl: eventchat.url, token: provider, reconnectDelays: [0] });
  clients.push(chat);
  const expired = new Promise((resolve) => chat.on("error", (error) => { if (error.code === "token_expired") resolve(error); }));
  await chat.connect();

  await expired;
  await reaches(chat, "connected");
  const alice = await newUser("alice");
  const arrives = collect(chat, "message", 1);
  await (await connect(alice)).send({ receiverId: userId, content: "still there?" });

  assert.equal((await arrives)[0][0].content, "still there?");
  assert.equal(minted, 2, "the provider was asked again once the first token had expired");
});

test("a refusal surfaces as an EventChatError with the server's code, from the hub and from REST", async () => {
  const bob = await newUser("bob");
  const chat = await connect(bob);

  await assert.rejects(chat.send({ conversationId: randomUUID(), content: "hello?" }),
    (e) => e instanceof EventChatError && e.code === "not_found" && e.method === "sendMessage");
  await assert.rejects(chat.rest.getConversation({ path: { id: randomUUID() } }),
    (e) => e instanceof EventChatError && e.code === "not_found" && e.status === 404);
  await assert.rejects(chat.send({ receiverId: bob.id, content: "" }),
    (e) => e instanceof EventChatError && e.code === "validation");
});

test("the SDK's generated types are what the running server describes", async () => {
  const files = await generate(eventchat.url);
  for (const [file, text] of Object.entries(files))
    assert.ok(readFileSync(path.join(sdkDir, file), "utf8") === text, `${file} is out of date: run npm run generate against this server`);
});

test("a TypeScript client generated from /openapi/v1.json type-checks a program that uses it", async () => {
  const scratch = mkdtempSync(path.join(tmpdir(), "eventchat-generated-client-"));
  try {
    execFileSync(process.execPath, [path.join(sdkDir, "node_modules/openapi-typescript/bin/cli.js"), `${eventchat.url}/openapi/v1.json`, "-o", path.join(scratch, "api.ts")], { stdio: "pipe" });
    writeFileSync(path.join(scratch, "program.ts"), `
import createClient from "openapi-fetch";
import type { paths } from "./api.js";

const client = createClient<paths>({ baseUrl: "http://localhost:5080" });

export async function nextPage(conversationId: string) {
  const { data } = await client.GET("/api/chat/conversations/{id}/messages", { params: { path: { id: conversationId }, query: { limit: 50 } } });
  const last = data!.items.at(-1)!;
  const after: number = last.sequence + 1;                     // integers are numbers
  const kind: "direct" | "group" = (await client.GET("/api/chat/conversations/{id}", { params: { path: { id: conversationId } } })).data!.kind;
  await client.POST("/api/chat/messages", { body: { conversationId, content: "hi", messageType: "image" } });
  // @ts-expect-error messageType is one of a closed set
  await client.POST("/api/chat/messages", { body: { conversationId, content: "hi", messageType: "gif" } });
  // @ts-expect-error password is required
  await client.POST("/api/auth/register", { body: { username: "ann" } });
  // @ts-expect-error a request offers no null to send
  await client.POST("/api/chat/messages", { body: { conversationId, content: null } });
  return { after, kind };
}
`);
    writeFileSync(path.join(scratch, "tsconfig.json"), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", lib: ["ES2022", "DOM"], types: [] },
      files: ["program.ts"],
    }));
    writeFileSync(path.join(scratch, "package.json"), JSON.stringify({ type: "module" }));
    symlinkSync(path.join(sdkDir, "node_modules"), path.join(scratch, "node_modules"));  // openapi-fetch
    typeCheck(scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

test("the packed package installs into a fresh project, type-checks, connects and sends", async () => {
  const [alice, bob] = await Promise.all([newUser("alice"), newUser("bob")]);
  const scratch = mkdtempSync(path.join(tmpdir(), "eventchat-sdk-smoke-"));
  try {
    execFileSync("npm", ["pack", "--silent", "--pack-destination", scratch], { cwd: sdkDir, stdio: "pipe" });
    const tarball = readdirSync(scratch).find((f) => f.endsWith(".tgz"));
    writeFileSync(path.join(scratch, "package.json"), JSON.stringify({ name: "smoke", private: true, type: "module" }));
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", `./${tarball}`], { cwd: scratch, stdio: "pipe" });
    writeFileSync(path.join(scratch, "smoke.ts"), `
import { EventChatClient, type Message } from "@eventchat/client";

declare const process: { env: Record<string, string | undefined> };

const chat = new EventChatClient({ baseUrl: process.env.EVENTCHAT_URL!, token: () => process.env.EVENTCHAT_TOKEN! });
await chat.connect();
const sent: Message = (await chat.send({ receiverId: process.env.RECEIVER!, content: "from the packed SDK" })).message;
console.log(sent.id);
await chat.disconnect();
`);
    writeFileSync(path.join(scratch, "tsconfig.json"), JSON.stringify({
      compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", lib: ["ES2022", "DOM"], types: [], skipLibCheck: false, outDir: "out" },
      files: ["smoke.ts"],
    }));
    typeCheck(scratch, { emit: true });
    const id = execFileSync(process.execPath, ["out/smoke.js"], {
      cwd: scratch, encoding: "utf8", env: { ...process.env, EVENTCHAT_URL: eventchat.url, EVENTCHAT_TOKEN: alice.token, RECEIVER: bob.id },
    }).trim();

    const bobChat = new EventChatClient({ baseUrl: eventchat.url, token: () => bob.token });
    const [conversation] = (await bobChat.conversations()).items;
    assert.equal(conversation.lastMessage.id, id);
    assert.equal(conversation.lastMessage.content, "from the packed SDK");
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

/** tsc over a scratch project, with the SDK's own TypeScript; fails the test with the compiler's output. */
function typeCheck(dir, { emit = false } = {}) {
  try {
    execFileSync(process.execPath, [path.join(sdkDir, "node_modules/typescript/bin/tsc"), "-p", dir, ...(emit ? [] : ["--noEmit"])], { cwd: dir, encoding: "utf8", stdio: "pipe" });
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
}

mkdirSync(artifacts, { recursive: true });
