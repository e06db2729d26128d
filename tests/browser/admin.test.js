// The admin console, after the other files have left a history of chats, files, a live session and posts behind:
// root (an admin by the server's configuration, support.js) reads the charts, downloads the CSV, makes someone a
// moderator and rebuilds a read model; everyone else never sees the console.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { assertClean, checkAccessibility, logIn, openClient, register, screenshot } from "./support.js";

test("the admin console charts the analytics, downloads them as CSV, and sets a role", async () => {
  const root = await openClient({ viewport: { width: 1280, height: 900 }, hash: "#/admin" });
  await register(root, "root", "Root");
  await root.page.locator("#admin-link").waitFor();
  await root.page.getByRole("heading", { name: "Admin console" }).waitFor();
  // The analytics come from an asynchronous projection: ask again (as an admin would) until today's messages show.
  for (let tries = 0; tries < 30; tries++) {
    await root.page.locator("#messages-chart .summary").waitFor();
    if (!/^0 messages/.test(await root.page.locator("#messages-chart .summary").textContent())) break;
    await root.page.getByRole("button", { name: "7 days" }).click();
    await root.page.getByRole("button", { name: "30 days" }).click();
  }
  assert.match(await root.page.locator("#messages-chart .summary").textContent(), /^[1-9]\d* messages in 30 days$/);
  for (const chart of ["messages-chart", "senders-chart", "replies-chart", "peaks-chart"]) {
    const drawn = await root.page.locator(`#${chart} canvas`).evaluate((canvas) => canvas.width > 0 && canvas.height > 0);
    assert.ok(drawn, `${chart} is drawn`);
  }
  await root.page.locator("#peaks-chart .summary", { hasText: /sessions?; the biggest peaked at 3 viewers/ }).waitFor();
  // The numbers are there as text too.
  await root.page.locator("#peaks-chart summary").click();
  await root.page.locator("#peaks-chart table", { hasText: "Launch day Q&A" }).waitFor();

  const [download] = await Promise.all([root.page.waitForEvent("download"), root.page.getByRole("button", { name: "Download CSV" }).click()]);
  const csv = await readFile(await download.path(), "utf8");
  assert.match(csv, /^date,messages_sent,active_senders,conversations_started,first_replies,median_first_reply_seconds\r\n/);
  assert.equal(csv.trim().split("\r\n").length, 31, "a header and 30 days");

  await root.page.locator("#role-username").fill("gina");
  await root.page.locator("#role-select").selectOption("moderator");
  await root.page.getByRole("button", { name: "Set role" }).click();
  await root.page.locator("#role-result", { hasText: "gina is now moderator." }).waitFor();

  // The picture for the README: a week, so the days with activity are wide enough to see.
  await root.page.getByRole("button", { name: "7 days" }).click();
  await root.page.locator("#messages-chart .summary", { hasText: "in 7 days" }).waitFor();
  await screenshot(root, "admin");
  await checkAccessibility(root, "the admin console");
  assertClean(root);
  await root.context.close();
});

test("projections show their lag, and a rebuild shows its progress until it is done", async () => {
  const root = await openClient({ hash: "#/admin" });
  await logIn(root, "root");
  const row = root.page.locator("#projections tr", { has: root.page.locator("td", { hasText: /^MessageView$/ }) });
  await row.locator(".lag", { hasText: /^0 events behind$/ }).waitFor();
  await row.getByRole("button", { name: "Rebuild" }).click();
  await row.locator("progress").waitFor();
  await row.locator(".done", { hasText: /rebuilt in/ }).waitFor({ timeout: 60_000 });
  await row.locator(".lag", { hasText: /^0 events behind$/ }).waitFor();
  assertClean(root);
  await root.context.close();
});

test("anyone but an admin never sees the console", async () => {
  const gina = await openClient({ hash: "#/admin" });
  await logIn(gina, "gina");
  await gina.page.locator("#chat-view").waitFor();
  assert.equal(await gina.page.locator("#admin-link").isVisible(), false);
  assert.equal(await gina.page.locator("#admin-view").isVisible(), false);
  assertClean(gina);
  await gina.context.close();
});
