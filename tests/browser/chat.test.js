// The chat screen, as two people use it: Alice and Bob meet, chat, reload, edit, and survive a server restart. The
// tests run in order and share the suite's server (suite.js) and these two users. Every wait is on a UI state, never
// a fixed sleep.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, assertClean, checkAccessibility, eventchat, openClient, register, screenshot } from "./support.js";

const xss = "<img src=x onerror=alert(1)>";
let alice, bob;  // { context, page, dialogs, errors }: the two people who meet here, shared by the tests below

async function send(user, text) {
  await user.page.locator("#message-input").fill(text);
  await user.page.locator("#send-button").click();
  await bubble(user, text).waitFor();
}

/** The message bubble showing exactly `text`. */
const bubble = (user, text) => user.page.locator("#messages .message .bubble").getByText(text, { exact: true });

/** The whole message (bubble, time, buttons, receipt) whose bubble shows exactly `text`. */
const message = (user, text, mine = "") =>
  user.page.locator(`#messages .message${mine}`).filter({ has: user.page.locator(".bubble").getByText(text, { exact: true }) });

const conversationItem = (user, title) => user.page.locator(".conversation-item", { has: user.page.locator(".title", { hasText: title }) });

// ---------------------------------------------------------------------------------------------------------
// Tests

test("two users chat both ways, with typing, online dots and the seen receipt", async () => {
  alice = await openClient();
  bob = await openClient();
  await alice.page.locator("#auth-form").waitFor();
  await checkAccessibility(alice, "the login form");
  await register(alice, "alice", "Alice");
  await register(bob, "bob", "Bob");

  // Alice starts a direct chat by username; her first message creates the conversation.
  await alice.page.locator("#direct-username").fill("bob");
  await alice.page.locator("#direct-form button").click();
  await alice.page.locator("#conversation-title", { hasText: "Bob" }).waitFor();
  await send(alice, "Hi Bob! Trying EventChat in the browser.");

  // Bob sees it arrive live: the conversation, its unread badge and last message, then the message.
  const fromAlice = conversationItem(bob, "Alice");
  await fromAlice.locator(".badge", { hasText: "1" }).waitFor();
  assert.equal(await fromAlice.locator(".preview").textContent(), "Hi Bob! Trying EventChat in the browser.");
  await fromAlice.click();
  await bubble(bob, "Hi Bob! Trying EventChat in the browser.").waitFor();
  await fromAlice.locator(".badge").waitFor({ state: "detached" });

  // Opening it marked it read: Alice sees "Seen". Both are online to each other.
  await alice.page.locator("#messages .seen", { hasText: "Seen" }).waitFor();
  await alice.page.locator("#header-dot.online").waitFor();
  await bob.page.locator("#header-dot.online").waitFor();

  // Bob types: Alice sees it, and Bob's reply ends it.
  await bob.page.locator("#message-input").pressSequentially("Hey Alice, ", { delay: 20 });
  await alice.page.locator("#typing", { hasText: "Bob is typing…" }).waitFor();
  await bob.page.locator("#message-input").pressSequentially("it works!", { delay: 20 });
  await bob.page.locator("#send-button").click();
  await bubble(alice, "Hey Alice, it works!").waitFor();
  await alice.page.locator("#typing", { hasText: "typing" }).waitFor({ state: "hidden" });

  // A few more turns, then the picture for the README: Alice's view, with Bob typing again.
  await send(alice, "Typing indicators, online dots and read receipts are all live.");
  await bubble(bob, "Typing indicators, online dots and read receipts are all live.").waitFor();
  await send(bob, "And every message is an event in PostgreSQL.");
  await bubble(alice, "And every message is an event in PostgreSQL.").waitFor();
  await send(alice, "Reload the page: the history is still there.");
  await message(alice, "Reload the page: the history is still there.").locator(".seen", { hasText: "Seen" }).waitFor();
  assert.equal(await alice.page.locator("#messages .seen").count(), 1, "one seen receipt, under the newest message Bob read");
  // Someone else writes meanwhile: Alice's list shows it unread, with its last message.
  const carol = await openClient();
  await register(carol, "carol", "Carol");
  await carol.page.locator("#direct-username").fill("alice");
  await carol.page.locator("#direct-form button").click();
  await send(carol, "Are we still on for the demo at 3?");
  await conversationItem(alice, "Carol").locator(".badge", { hasText: "1" }).waitFor();
  assertClean(carol);
  await carol.context.close();
  await bob.page.locator("#message-input").fill("Nice");
  await alice.page.locator("#typing", { hasText: "Bob is typing…" }).waitFor();
  await screenshot(alice, "chat");
  await checkAccessibility(alice, "the chat screen");
  await bob.page.locator("#message-input").fill("");

  assertClean(alice);
  assertClean(bob);
});

test("a message that looks like HTML is shown as text", async () => {
  const mallory = await openClient();
  await register(mallory, "mallory", "Mallory");
  await mallory.page.locator("#direct-username").fill("bob");
  await mallory.page.locator("#direct-form button").click();
  await send(mallory, xss);

  const fromMallory = conversationItem(bob, "Mallory");
  await fromMallory.locator(".preview").getByText(xss, { exact: true }).waitFor();
  await fromMallory.click();
  await bubble(bob, xss).waitFor();
  assert.equal(await bubble(bob, xss).textContent(), xss);
  // No element was made from it, on either side, and nothing ran.
  for (const user of [bob, mallory]) {
    assert.equal(await user.page.locator("#chat-view img").count(), 0, "no <img> element");
    assertClean(user);
  }
  await mallory.context.close();
  await conversationItem(bob, "Alice").click();
});

test("a reload keeps the session, the open conversation and its history", async () => {
  await bob.page.reload();
  await bob.page.locator("#me-name", { hasText: "bob" }).waitFor();
  await bob.page.locator("#conversation-title", { hasText: "Alice" }).waitFor();
  for (const text of ["Hi Bob! Trying EventChat in the browser.", "Hey Alice, it works!", "Reload the page: the history is still there."]) {
    await bubble(bob, text).waitFor();
  }
  assert.equal(await bob.page.locator("#messages .message").count(), 5);
  // The reload opened a new connection; messages still arrive on it.
  await send(alice, "Welcome back.");
  await bubble(bob, "Welcome back.").waitFor();
  assertClean(bob);

  // Read receipts survive a reload too: they come from the server's read pointers, not only from live pushes.
  await message(alice, "Welcome back.").locator(".seen", { hasText: "Seen" }).waitFor();
  await alice.page.reload();
  await conversationItem(alice, "Bob").click();
  await alice.page.locator("#conversation-title", { hasText: "Bob" }).waitFor();
  await message(alice, "Welcome back.").locator(".seen", { hasText: "Seen" }).waitFor();
  assertClean(alice);
});

test("edits and deletes show on the other side, and the history keeps the text as it was", async () => {
  const mine = message(alice, "Welcome back.", ".mine");
  await mine.hover();
  await mine.getByRole("button", { name: "Edit", exact: true }).click();
  await alice.page.getByLabel("Edit message").fill("Welcome back, Bob.");
  await alice.page.getByRole("button", { name: "Save" }).click();
  await message(bob, "Welcome back, Bob.").locator(".meta", { hasText: "edited" }).waitFor();

  // The history still knows: Bob moves the slider to just before the edit, and sees the message as it was then.
  await bob.page.getByRole("button", { name: "History" }).click();
  const edited = bob.page.locator("#audit-trail li", { has: bob.page.locator(".event-type", { hasText: "MessageEdited" }) });
  const editVersion = Number(await edited.getAttribute("data-version"));
  const lastPast = bob.page.locator("#past-messages .past-message").last();
  await lastPast.locator(".meta", { hasText: "edited 1×" }).waitFor();
  await bob.page.locator(`#audit-trail li[data-version="${editVersion - 1}"] button`).click();
  await bob.page.locator("#history-when", { hasText: `event ${editVersion - 1} of` }).waitFor();
  await lastPast.locator(".bubble", { hasText: /^Welcome back\.$/ }).waitFor();
  await bob.page.locator("#history-server", { hasText: "The server's projection" }).waitFor();
  await screenshot(bob, "history");
  await bob.page.getByRole("button", { name: "Back to chat" }).click();

  const again = message(alice, "Welcome back, Bob.", ".mine");
  await again.hover();
  await again.getByRole("button", { name: "Delete" }).click();
  await again.getByRole("button", { name: "Delete?" }).click();
  await bubble(bob, "This message was deleted").waitFor();
  await bubble(bob, "Welcome back, Bob.").waitFor({ state: "detached" });
  // Once deleted, its texts are withheld from the history too (only admins read them there).
  await bob.page.getByRole("button", { name: "History" }).click();
  await bob.page.locator(`#audit-trail li[data-version="${editVersion - 1}"] button`).click();
  await lastPast.locator(".bubble", { hasText: "text withheld: the message was deleted later" }).waitFor();
  await bob.page.getByRole("button", { name: "Back to chat" }).click();
  assertClean(alice);
  assertClean(bob);
});

test("a group chat by usernames, and older messages load on scroll", async () => {
  // A name that does not exist is refused before anything is created. The browser logs the lookup's 404 itself.
  const lookupRefused = alice.expectConsole(/404 .*username=nobody/);
  await alice.page.locator(".new-group summary").click();
  await alice.page.locator("#group-usernames").fill("bob, nobody");
  await alice.page.getByRole("button", { name: "Create group" }).click();
  await alice.page.locator("#chat-error", { hasText: 'There is no user named "nobody".' }).waitFor();
  lookupRefused();

  await alice.page.locator("#group-usernames").fill("bob, mallory");
  await alice.page.locator("#group-title").fill("Launch crew");
  await alice.page.getByRole("button", { name: "Create group" }).click();
  await alice.page.locator("#conversation-title", { hasText: "Launch crew" }).waitFor();
  await send(alice, "Welcome to the crew");
  // Bob learns of the group from its first message; in a group, messages name their sender.
  await conversationItem(bob, "Launch crew").locator(".badge", { hasText: "1" }).waitFor();
  await conversationItem(bob, "Launch crew").click();
  await message(bob, "Welcome to the crew").locator(".sender", { hasText: "Alice" }).waitFor();

  // A history longer than one page (50): Bob sends 60 more over REST, then Alice comes back to it.
  const conversationId = await bob.page.locator(".conversation-item.active").getAttribute("data-conversation-id");
  for (let i = 1; i <= 60; i++) await api(bob, "POST", "/api/chat/messages", { conversationId, content: `Update ${i}` }, 201);
  await alice.page.reload();
  await bubble(alice, "Update 60").waitFor();
  await alice.page.locator("#messages .older", { hasText: "Scroll up for older messages" }).waitFor();
  assert.equal(await alice.page.locator("#messages .message").count(), 50);

  await alice.page.locator("#messages").evaluate((list) => { list.scrollTop = 0; });
  await bubble(alice, "Welcome to the crew").waitFor();
  await alice.page.locator("#messages .older", { hasText: "Start of the conversation" }).waitFor();
  assert.equal(await alice.page.locator("#messages .message").count(), 61);

  // Back to the direct chat for the next test.
  await conversationItem(alice, "Bob").click();
  await conversationItem(bob, "Alice").click();
  await bubble(alice, "Reload the page: the history is still there.").waitFor();
  assertClean(alice);
  assertClean(bob);
});

test("a reader who scrolls up while the client is still catching up stays where they scrolled", async () => {
  // After a reload the SDK catches up (the hub's sync) once it connects. Hold that catch-up until Alice has scrolled
  // up to the start of the group's history: when it lands, it must not pull her back down to the newest message.
  await conversationItem(alice, "Launch crew").click();
  await bubble(alice, "Update 60").waitFor();
  // Pushed, so beyond Alice's sync cursor: the catch-up after the reload brings them again, her own one included.
  await send(alice, "Still following along");
  const group = await alice.page.locator(".conversation-item.active").getAttribute("data-conversation-id");
  await api(bob, "POST", "/api/chat/messages", { conversationId: group, content: "Update 61" }, 201);
  await bubble(alice, "Update 61").waitFor();
  // Alice's hub traffic goes through here: her sync calls wait while `held` is set, and every answer that carries a
  // sync cursor is reported. A route stays for the context's later sockets, so it forwards everything once released.
  let held = [], release, caughtUp;
  const landed = new Promise((resolve) => { caughtUp = resolve; });
  await alice.context.routeWebSocket(/\/hubs\/chat/, (page) => {
    const server = page.connectToServer();
    page.onMessage((frame) => (held && String(frame).includes('"target":"sync"') ? held.push(frame) : server.send(frame)));
    server.onMessage((frame) => {
      page.send(frame);
      if (String(frame).includes('"cursor"')) caughtUp();
    });
    release = () => { for (const frame of held ?? []) server.send(frame); held = null; };
  });
  try {
    await alice.page.reload();
    await bubble(alice, "Update 60").waitFor();
    await alice.page.locator("#messages").evaluate((list) => { list.scrollTop = 0; });
    await bubble(alice, "Welcome to the crew").waitFor();
    release();
    await landed;
    await alice.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve())));

    const fromBottom = await alice.page.locator("#messages").evaluate((list) => list.scrollHeight - list.scrollTop - list.clientHeight);
    assert.ok(fromBottom > 200, `pulled back down to the newest message (${fromBottom}px from the bottom)`);
    assert.equal(await bubble(alice, "Update 61").count(), 1, "what the catch-up brought again is shown once");
  } finally {
    // Whatever happened, the next tests get an unhindered client.
    release?.();
  }

  // Back to the direct chat for the next test.
  await conversationItem(alice, "Bob").click();
  await bubble(alice, "Reload the page: the history is still there.").waitFor();
  assertClean(alice);
});

test("after a server restart the client reconnects by itself and catches up on what it missed", async () => {
  // The browsers log the refused and held connections themselves while the server is down, and a connection id the
  // restarted server no longer knows (404) if a reconnect was half way through when it stopped.
  const restartNoise = /ERR_CONNECTION_REFUSED|ERR_FAILED|WebSocket connection|404 \(Not Found\) \(\S+\/hubs\/chat\?id=/;
  const expected = alice.expectConsole(restartNoise);
  const expectedByBob = bob.expectConsole(restartNoise);
  // Keep Alice offline until Bob has sent, so the message can only reach her by catching up.
  const holdAlice = (route) => route.abort();
  await alice.context.route("**/hubs/chat/negotiate**", holdAlice);
  await eventchat.stopServer();
  await alice.page.locator("#connection-status", { hasText: "Reconnecting" }).waitFor();
  await eventchat.startServer();

  // Bob's tab sends over REST until its own hub connection is back; either way it is stored and pushed.
  await send(bob, "Sent while you were away");
  await alice.page.locator("#connection-status").waitFor({ state: "visible" });
  assert.equal(await bubble(alice, "Sent while you were away").count(), 0, "not delivered while offline");

  await alice.context.unroute("**/hubs/chat/negotiate**", holdAlice);
  await bubble(alice, "Sent while you were away").waitFor({ timeout: 30_000 });
  await alice.page.locator("#connection-status").waitFor({ state: "hidden" });

  // And the new connection is live again, both ways.
  await bob.page.locator("#connection-status").waitFor({ state: "hidden", timeout: 30_000 });
  expected();
  expectedByBob();
  await send(alice, "Back online.");
  await bubble(bob, "Back online.").waitFor();
  assertClean(alice);
  assertClean(bob);
});

test("when both erase their chat, what they said reads as erased at once on both sides", async () => {
  await conversationItem(alice, "Bob").click();
  const conversationId = await bob.page.locator(".conversation-item.active").getAttribute("data-conversation-id");
  const erase = (user) => api(user, "DELETE", `/api/chat/conversations/${conversationId}/content`, undefined, 200);
  const first = await erase(alice);
  assert.equal(first.erased, false, "one participant's request waits for the other");
  await bubble(bob, "Back online.").waitFor();
  const second = await erase(bob);
  assert.equal(second.erased, true, JSON.stringify(second));

  // The conversationErased push reloads the open conversation: no reload of the page needed.
  await bubble(alice, "Back online.").waitFor({ state: "detached" });
  await bubble(bob, "Back online.").waitFor({ state: "detached" });
  await bubble(alice, "[erased]").first().waitFor();
  await bubble(bob, "[erased]").first().waitFor();
  assertClean(alice);
  assertClean(bob);
});
