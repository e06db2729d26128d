// Live sessions, with three browsers: Frank goes live, Gina and Hank watch and chat, and Frank moderates.
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertClean, checkAccessibility, openClient, register, screenshot } from "./support.js";

let frank, gina, hank;

const chatLine = (user, text) => user.page.locator("#live-chat .live-message").filter({ has: user.page.locator(".text", { hasText: text }) });

async function say(user, text) {
  await user.page.locator("#live-input").fill(text);
  await user.page.locator("#live-chat-form button").click();
  await chatLine(user, text).waitFor();
}

test("a host goes live; viewers find the session, watch with a live viewer count, and chat", async () => {
  frank = await openClient({ hash: "#/live" });
  gina = await openClient({ hash: "#/live" });
  hank = await openClient({ hash: "#/live" });
  await register(frank, "frank", "Frank");
  await register(gina, "gina", "Gina");
  await register(hank, "hank", "Hank");

  await frank.page.locator("#live-list").getByText("Nobody is live right now").waitFor();
  await checkAccessibility(frank, "the live directory");
  await frank.page.locator("#live-title").fill("Launch day Q&A");
  await frank.page.getByRole("button", { name: "Go live" }).click();
  await frank.page.locator("#live-header h1", { hasText: "Launch day Q&A" }).waitFor();
  await frank.page.locator("#viewer-count", { hasText: "1 watching" }).waitFor();

  for (const viewer of [gina, hank]) {
    await viewer.page.getByRole("button", { name: "Refresh" }).click();
    await viewer.page.locator(".session-card", { hasText: "Launch day Q&A" }).click();
    await viewer.page.locator("#live-header h1", { hasText: "Launch day Q&A" }).waitFor();
  }
  for (const user of [frank, gina, hank]) await user.page.locator("#viewer-count", { hasText: "3 watching" }).waitFor();

  await say(frank, "Welcome everyone! Questions welcome.");
  await say(gina, "When does the beta open?");
  await say(hank, "First!!!");
  for (const user of [frank, gina, hank]) {
    for (const text of ["Welcome everyone! Questions welcome.", "When does the beta open?", "First!!!"]) await chatLine(user, text).waitFor();
  }
  await screenshot(gina, "live");
  await checkAccessibility(frank, "a live session, as its host");

  // Hank leaves for the directory: the others see the count drop.
  await hank.page.locator(".back-link").click();
  await frank.page.locator("#viewer-count", { hasText: "2 watching" }).waitFor();
  await hank.page.locator(".session-card", { hasText: "Launch day Q&A" }).click();
  await frank.page.locator("#viewer-count", { hasText: "3 watching" }).waitFor();
  for (const user of [frank, gina, hank]) assertClean(user);
});

test("the host takes a message down and bans its sender, who can still watch but no longer chat", async () => {
  const spam = chatLine(frank, "First!!!");
  await spam.hover();
  await spam.getByRole("button", { name: "Remove this message" }).click();
  for (const user of [frank, gina, hank]) await chatLine(user, "First!!!").waitFor({ state: "detached" });
  // Only the host moderates: viewers have no such buttons.
  assert.equal(await gina.page.locator("#live-chat .moderation").count(), 0);

  await say(hank, "Why was that removed?");
  const line = chatLine(frank, "Why was that removed?");
  await line.hover();
  await line.getByRole("button", { name: "Ban its sender from this chat" }).click();
  await frank.page.locator("#live-error", { hasText: "Hank can no longer chat here." }).waitFor();
  await hank.page.locator("#live-input").fill("Hello?");
  await hank.page.locator("#live-chat-form button").click();
  await hank.page.locator("#live-error", { hasText: "You have been banned from this session's chat." }).waitFor();
  assert.equal(await hank.page.locator("#live-input").inputValue(), "Hello?", "the refused text is given back");
  // Hank still receives the chat.
  await say(gina, "Thanks Frank!");
  await chatLine(hank, "Thanks Frank!").waitFor();
  for (const user of [frank, gina, hank]) assertClean(user);
});

test("the host ends the session: everyone sees it ended, and the chat closes", async () => {
  await frank.page.getByRole("button", { name: "End session" }).click();
  for (const user of [frank, gina, hank]) {
    await user.page.locator("#live-header .ended-badge").waitFor();
    await user.page.locator("#live-chat-form").waitFor({ state: "hidden" });
  }
  await gina.page.locator(".back-link").click();
  await gina.page.locator("#live-list").getByText("Nobody is live right now").waitFor();
  for (const user of [frank, gina, hank]) {
    assertClean(user);
    await user.context.close();
  }
});
