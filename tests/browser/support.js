// What every browser test file shares: one EventChat server on a throwaway PostgreSQL, one Chromium, and a client
// per person that fails the test on anything a careful user or their browser's console would complain about.
//
// The console gate. Each client records every console error and warning, every uncaught exception and every
// dialog; assertClean(user) fails on any of them. A test that causes noise on purpose (stopping the server makes
// the browser log refused connections) says so with user.expectConsole(pattern) for the moment it lasts.
//
// Accessibility. checkAccessibility(user, screen) runs axe-core (from npm, pinned) in the page as it stands and
// fails on any serious or critical violation. It is run through page.evaluate, which the page's Content-Security-
// Policy does not apply to, so the policy stays on for everything the app itself does.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { ThrowawayEventChat } from "../support/eventchat-server.js";

const here = path.dirname(fileURLToPath(import.meta.url));
export const artifacts = path.join(here, "artifacts");
export const password = "correct horse battery";
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export const eventchat = new ThrowawayEventChat("browser", path.join(artifacts, "server.log"), {
  EventChat__Limits__MessageBurst: "200",  // the paging test sends a long history at once
  EventChat__Admins__0: "root",            // the admin console's tests sign in as the bootstrap admin "root"
});
let browser;

export async function startAll() {
  await eventchat.start();
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // Debian's Chromium as root, offline: no sandbox, and no calls home that this network refuses.
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

export async function stopAll() {
  await browser?.close();
  await eventchat.destroy();
}


/**
 * A new browser context (its own sessionStorage, like a separate browser) with the app open. `viewport` defaults to a
 * laptop; { width: 390, height: 844 } is a phone.
 */
export async function openClient({ viewport = { width: 1100, height: 680 }, hash = "" } = {}) {
  const context = await browser.newContext({ viewport, baseURL: eventchat.url });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const user = { context, page, dialogs: [], errors: [], allowed: [] };
  user.expectConsole = (pattern) => {
    user.allowed.push(pattern);
    return () => { user.allowed = user.allowed.filter((allowed) => allowed !== pattern); };
  };
  // Any alert() would mean a message ran as HTML; any uncaught error is a bug in the app.
  page.on("dialog", (dialog) => { user.dialogs.push(dialog.message()); dialog.dismiss(); });
  page.on("pageerror", (error) => user.errors.push(`uncaught: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() !== "error" && message.type() !== "warning") return;
    const text = `${message.type()}: ${message.text()} (${message.location().url})`;
    if (!user.allowed.some((pattern) => pattern.test(text))) user.errors.push(text);
  });
  await page.goto(`/${hash}`);
  return user;
}

export async function register(user, username, displayName) {
  const { page } = user;
  await page.locator("#auth-username").fill(username);
  await page.locator("#auth-password").fill(password);
  await page.locator("#auth-display-name").fill(displayName);
  await page.locator("#register-button").click();
  await page.locator("#me-name", { hasText: username }).waitFor();
}

export async function logIn(user, username) {
  const { page } = user;
  await page.locator("#auth-username").fill(username);
  await page.locator("#auth-password").fill(password);
  await page.locator("#login-button").click();
  await page.locator("#me-name", { hasText: username }).waitFor();
}

/** The user's token, for setting a scene over REST faster than clicking would. */
export const tokenOf = (user) => user.page.evaluate(() => JSON.parse(sessionStorage.getItem("eventchat.session")).token);

/** A REST call as `user`; fails the test unless the status is `status`. */
export async function api(user, method, route, body, status) {
  const response = await fetch(`${eventchat.url}${route}`, {
    method,
    headers: { Authorization: `Bearer ${await tokenOf(user)}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (status !== undefined) assert.equal(response.status, status, `${method} ${route}: ${await response.clone().text()}`);
  return response.status === 204 ? null : response.json().catch(() => null);
}

export function assertClean(user) {
  assert.deepEqual(user.errors, [], "no console errors or warnings, no uncaught errors");
  assert.deepEqual(user.dialogs, [], "no dialogs");
}

/** Fails on any serious or critical axe-core violation on the page as it is now. */
export async function checkAccessibility(user, screen) {
  await user.page.evaluate(`${axeSource}\n;0`);
  const violations = await user.page.evaluate(async () => {
    const result = await globalThis.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical")
      .map((violation) => `${violation.id} (${violation.impact}): ${violation.help}\n    ${violation.nodes.slice(0, 3).map((node) => node.target.join(" ")).join("\n    ")}`);
  });
  assert.deepEqual(violations, [], `accessibility of ${screen}`);
}

/** A picture of the page, into artifacts/ and, for ./eventchat screenshots, into docs/images too. */
export async function screenshot(user, name) {
  await user.page.screenshot({ path: path.join(artifacts, `${name}.png`) });
  if (process.env.EVENTCHAT_SCREENSHOTS) await user.page.screenshot({ path: path.join(process.env.EVENTCHAT_SCREENSHOTS, `${name}.png`) });
}
