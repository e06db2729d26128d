// The chat screen's fuller features, as Dan and Erin use them: search that jumps into a long history, files
// (picked, dropped) with previews, replies, an edited message's versions, the conversation's history with its time
// slider, and the phone layout.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, assertClean, checkAccessibility, openClient, register, screenshot } from "./support.js";

let dan, erin, conversationId;

const bubble = (user, text) => user.page.locator("#messages .message .bubble").getByText(text, { exact: true });
const message = (user, text) => user.page.locator("#messages .message").filter({ has: user.page.locator(".bubble", { hasText: text }) });
const conversationItem = (user, title) => user.page.locator(".conversation-item", { has: user.page.locator(".title", { hasText: title }) });

/** Scrolls the messages to the bottom, page after page, until `text` has loaded. */
async function scrollDownUntil(user, text) {
  const list = user.page.locator("#messages");
  for (let pages = 0; pages < 10 && (await bubble(user, text).count()) === 0; pages++) {
    const loaded = await user.page.locator("#messages .message").count();
    await list.evaluate((node) => { node.scrollTop = node.scrollHeight; });
    await user.page.waitForFunction((before) => document.querySelectorAll("#messages .message").length > before, loaded);
  }
}

async function send(user, text) {
  await user.page.locator("#message-input").fill(text);
  await user.page.locator("#send-button").click();
  await bubble(user, text).waitFor();
}

test("search finds a message deep in the history and opens the conversation around it", async () => {
  dan = await openClient();
  erin = await openClient();
  await register(dan, "dan", "Dan");
  await register(erin, "erin", "Erin");
  const danId = await dan.page.evaluate(() => JSON.parse(sessionStorage.getItem("eventchat.session")).userId);
  // A history of 120 messages, the one Dan will look for near the start.
  const first = await api(erin, "POST", "/api/chat/messages", { receiverId: danId, content: "Planning the offsite" }, 201);
  conversationId = first.conversation.id;
  for (let i = 1; i <= 120; i++) {
    const content = i === 10 ? "The venue has a pineapple-shaped pool & a <b>sauna</b>" : `Offsite note ${i}`;
    await api(erin, "POST", "/api/chat/messages", { conversationId, content }, 201);
  }
  await conversationItem(dan, "Erin").waitFor();

  await dan.page.locator("#search-input").fill("pineapple pool");
  await dan.page.locator("#search-input").press("Enter");
  const hit = dan.page.locator(".search-hit");
  await hit.waitFor();
  assert.equal(await hit.count(), 1);
  // The matches are highlighted, and the text that looks like HTML is only text.
  assert.deepEqual(await hit.locator("mark").allTextContents(), ["pineapple", "pool"]);
  assert.match(await hit.locator(".snippet").textContent(), /& a <b>sauna<\/b>$/);
  await checkAccessibility(dan, "search results");

  await hit.click();
  const found = message(dan, "pineapple-shaped pool");
  await found.and(dan.page.locator(".highlight")).waitFor();
  assert.ok(await found.isVisible(), "the hit is on screen");
  // Opened in the middle: the newest messages are not loaded until Dan scrolls down to them.
  await dan.page.locator("#messages .newer").waitFor();
  assert.equal(await bubble(dan, "Offsite note 120").count(), 0);
  await scrollDownUntil(dan, "Offsite note 120");
  await bubble(dan, "Offsite note 120").waitFor();
  await dan.page.locator("#messages .newer").waitFor({ state: "detached" });
  // Every message between is there once, in order.
  const sequences = await dan.page.locator("#messages .message").evaluateAll((nodes) => nodes.map((node) => Number(node.dataset.sequence)));
  assert.deepEqual(sequences, [...sequences].sort((a, b) => a - b));
  assert.equal(new Set(sequences).size, sequences.length);
  await dan.page.locator(".results-heading button", { hasText: "Clear" }).click();
  await conversationItem(dan, "Erin").waitFor();
  assertClean(dan);
});

test("files: a picked file and a dropped image upload with progress, and arrive with a preview and a download", async () => {
  await conversationItem(erin, "Dan").click();
  await conversationItem(dan, "Erin").click();
  await bubble(erin, "Offsite note 120").waitFor();
  // A picked file...
  await erin.page.locator("#file-input").setInputFiles({ name: "agenda.txt", mimeType: "text/plain", buffer: Buffer.from("09:00 coffee\n10:00 planning\n") });
  await erin.page.locator(".pending-file", { hasText: "agenda.txt" }).locator(".uploaded").waitFor();
  // ...and an image dropped on the conversation, drawn in the page so it is a real PNG.
  await erin.page.evaluate(async () => {
    const canvas = document.createElement("canvas");
    canvas.width = 320; canvas.height = 180;
    const paint = canvas.getContext("2d");
    const sky = paint.createLinearGradient(0, 0, 0, 180);
    sky.addColorStop(0, "#74c0fc"); sky.addColorStop(1, "#e7f5ff");
    paint.fillStyle = sky; paint.fillRect(0, 0, 320, 180);
    paint.fillStyle = "#fab005"; paint.beginPath(); paint.arc(250, 50, 28, 0, Math.PI * 2); paint.fill();
    paint.fillStyle = "#2b8a3e"; paint.fillRect(0, 130, 320, 50);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
    const files = new DataTransfer();
    files.items.add(new File([blob], "venue.png", { type: "image/png" }));
    const pane = document.getElementById("conversation-pane");
    pane.dispatchEvent(new DragEvent("dragover", { dataTransfer: files, bubbles: true, cancelable: true }));
    pane.dispatchEvent(new DragEvent("drop", { dataTransfer: files, bubbles: true, cancelable: true }));
  });
  await erin.page.locator(".pending-file", { hasText: "venue.png" }).locator(".uploaded").waitFor();
  await erin.page.locator("#message-input").fill("Agenda and the venue");
  await erin.page.locator("#send-button").click();
  await erin.page.locator(".pending-file").first().waitFor({ state: "detached" });

  // Dan sees the image itself (fetched with his token, shown from a blob) and the other file as a download.
  const arrived = message(dan, "Agenda and the venue");
  const image = arrived.locator("img.preview-image[alt='venue.png']");
  await image.waitFor();
  await dan.page.waitForFunction(() => document.querySelector("img.preview-image[alt='venue.png']")?.naturalWidth === 320);
  const [download] = await Promise.all([
    dan.page.waitForEvent("download"),
    arrived.getByRole("button", { name: /agenda\.txt/ }).click(),
  ]);
  assert.equal(download.suggestedFilename(), "agenda.txt");
  const { readFile } = await import("node:fs/promises");
  assert.equal(await readFile(await download.path(), "utf8"), "09:00 coffee\n10:00 planning\n");
  assert.match(await conversationItem(dan, "Erin").locator(".preview").textContent(), /📎 agenda\.txt, venue\.png Agenda and the venue/);
  assertClean(dan);
  assertClean(erin);
});

test("a reply quotes its message, and the quote leads back to it", async () => {
  const original = message(dan, "Offsite note 119");
  await original.hover();
  await original.getByRole("button", { name: "Reply to this message" }).click();
  await dan.page.locator("#reply-bar", { hasText: "Replying to Erin: Offsite note 119" }).waitFor();
  await dan.page.locator("#message-input").fill("Count me in for that one");
  await dan.page.locator("#send-button").click();
  await dan.page.locator("#reply-bar").waitFor({ state: "hidden" });

  const reply = message(erin, "Count me in for that one");
  await reply.locator(".reply", { hasText: "Erin: Offsite note 119" }).waitFor();
  // Erin is scrolled to the end; the quote takes her to the message it answers.
  await reply.locator(".reply").click();
  await message(erin, "Offsite note 119").and(erin.page.locator(".highlight")).waitFor();
  assertClean(dan);
  assertClean(erin);
});

test("an edited message shows its versions, and the history shows the conversation as it stood before the edit", async () => {
  await send(dan, "Lets meet at 9");
  const mine = message(dan, "Lets meet at 9");
  for (const text of ["Let's meet at 9", "Let's meet at 10"]) {
    const current = message(dan, text === "Let's meet at 9" ? "Lets meet at 9" : "Let's meet at 9");
    await current.hover();
    await current.getByRole("button", { name: "Edit", exact: true }).click();
    await dan.page.getByLabel("Edit message").fill(text);
    await dan.page.getByRole("button", { name: "Save" }).click();
    await message(erin, text).waitFor();
  }
  assert.equal(await mine.count(), 0);

  // Erin asks what it said before.
  await message(erin, "Let's meet at 10").getByRole("button", { name: "edited: show earlier versions" }).click();
  const versions = erin.page.locator(".versions-list .version-text");
  await versions.first().waitFor();
  assert.deepEqual(await versions.allTextContents(), ["Lets meet at 9", "Let's meet at 9", "Let's meet at 10"]);

  // The history: every event, and a slider back through them.
  await erin.page.getByRole("button", { name: "History" }).click();
  const trail = erin.page.locator("#audit-trail li");
  await trail.last().locator(".event-type", { hasText: "MessageEdited" }).waitFor();
  const events = await trail.count();
  assert.ok(events >= 126, `the whole history is listed (${events} events)`);
  assert.equal(await erin.page.locator("#history-slider").inputValue(), String(events));
  assert.match(await erin.page.locator("#past-messages .past-message").last().textContent(), /Let's meet at 10.*edited 2×/);
  // Two events back, before both edits: the message had its first text.
  await erin.page.getByRole("button", { name: "One event earlier" }).click();
  await erin.page.getByRole("button", { name: "One event earlier" }).click();
  await erin.page.locator("#history-when", { hasText: `event ${events - 2} of ${events}` }).waitFor();
  const then = erin.page.locator("#past-messages .past-message").last();
  assert.match(await then.locator(".bubble").textContent(), /^Lets meet at 9$/);
  assert.equal(await trail.nth(events - 1).getAttribute("class"), " later");
  // The server's projection of the same moment agrees on the last message.
  const sequence = await then.getAttribute("data-sequence");
  await erin.page.locator("#history-server", { hasText: `last message #${sequence}` }).waitFor();
  // Back to the very first event: only the conversation's start.
  await erin.page.locator("#history-slider").fill("1");
  await erin.page.locator("#history-when", { hasText: "event 1 of" }).waitFor();
  assert.equal(await erin.page.locator("#past-messages .past-message").count(), 0);
  await erin.page.locator("#history-slider").fill(String(events - 2));
  await erin.page.locator("#history-server", { hasText: `last message #${sequence}` }).waitFor();
  await checkAccessibility(erin, "the history view");

  await erin.page.getByRole("button", { name: "Back to chat" }).click();
  await message(erin, "Let's meet at 10").waitFor();
  assertClean(dan);
  assertClean(erin);
});

test("on a phone the list and the conversation take turns, with a way back", async () => {
  const phone = await openClient({ viewport: { width: 390, height: 844 } });
  await phone.page.locator("#auth-username").fill("dan");
  await phone.page.locator("#auth-password").fill("correct horse battery");
  await phone.page.locator("#login-button").click();
  await conversationItem(phone, "Erin").waitFor();
  assert.equal(await phone.page.locator("#conversation-pane").isVisible(), false, "only the list at first");
  await checkAccessibility(phone, "the phone's conversation list");

  await conversationItem(phone, "Erin").click();
  await bubble(phone, "Let's meet at 10").waitFor();
  assert.equal(await phone.page.locator(".sidebar").isVisible(), false, "the conversation fills the screen");
  const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `nothing wider than the phone (${width}px)`);
  await screenshot(phone, "phone");
  await checkAccessibility(phone, "the phone's conversation");

  await phone.page.getByRole("button", { name: "Back to conversations" }).click();
  await conversationItem(phone, "Erin").waitFor();
  assert.equal(await phone.page.locator("#conversation-pane").isVisible(), false);
  assertClean(phone);
  await phone.context.close();
});
