// Posts, with three browsers: Ivy posts, Jack likes and comments, and Kim, only reading the feed, sees it happen.
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertClean, checkAccessibility, openClient, register, screenshot } from "./support.js";

test("a post's likes and comments arrive in real time for everyone reading the feed", async () => {
  const ivy = await openClient({ hash: "#/posts" });
  const jack = await openClient({ hash: "#/posts" });
  const kim = await openClient({ hash: "#/posts" });
  await register(ivy, "ivy", "Ivy");
  await register(jack, "jack", "Jack");
  await register(kim, "kim", "Kim");

  await ivy.page.locator("#post-content").fill("We shipped EventChat 1.0 today 🎉");
  await ivy.page.getByRole("button", { name: "Post", exact: true }).click();
  const post = (user) => user.page.locator(".post", { hasText: "We shipped EventChat 1.0 today" });
  await post(ivy).waitFor();
  await ivy.page.locator("#feed-more", { hasText: "That's everything." }).waitFor();
  for (const user of [jack, kim]) {
    await user.page.getByRole("button", { name: "Refresh" }).click();
    await post(user).waitFor();
  }

  // Jack likes it: Ivy and Kim see the count and his name without reloading.
  await post(jack).getByRole("button", { name: "Like 0" }).click();
  await post(jack).getByRole("button", { name: "Liked 1", pressed: true }).waitFor();
  for (const user of [ivy, kim]) {
    await post(user).locator(".likers", { hasText: "liked by Jack" }).waitFor();
    await post(user).getByRole("button", { name: "Like 1", pressed: false }).waitFor();
  }

  // Jack comments: the count moves for everyone, and Ivy opens the comments to read it.
  await post(jack).getByRole("button", { name: "0 comments" }).click();
  await post(jack).getByRole("textbox", { name: "Comment" }).fill("Congratulations, team!");
  await post(jack).getByRole("button", { name: "Comment", exact: true }).click();
  await post(jack).locator(".comment", { hasText: "Congratulations, team!" }).waitFor();
  await post(kim).getByRole("button", { name: "1 comment" }).waitFor();
  await post(ivy).getByRole("button", { name: "1 comment" }).click();
  await post(ivy).locator(".comment", { hasText: "Jack" }).filter({ hasText: "Congratulations, team!" }).waitFor();

  // Kim likes too, then changes her mind: Ivy sees both.
  await post(kim).getByRole("button", { name: "Like 1" }).click();
  await post(ivy).locator(".likers", { hasText: "liked by Jack, Kim" }).waitFor();
  await post(kim).getByRole("button", { name: "Liked 2" }).click();
  await post(ivy).getByRole("button", { name: "Like 1" }).waitFor();
  assert.equal(await post(ivy).locator(".likers").textContent(), "liked by Jack");

  await screenshot(ivy, "posts");
  await checkAccessibility(ivy, "the posts feed");
  for (const user of [ivy, jack, kim]) {
    assertClean(user);
    await user.context.close();
  }
});
