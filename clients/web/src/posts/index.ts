// Posts: a feed of everyone's posts, newest first, with likes and comments arriving in real time. The feed follows
// every post it shows (join-post), so a like or comment anywhere on screen appears as it happens.
import { button, byId, dateAndTime, el } from "../dom.js";
import { client, errorText, onSignIn, rest, session, whileConnected, type Schemas } from "../server.js";
import { displayName, nameAttrs } from "../users.js";

type Post = Schemas["Post"];
type Comment = Schemas["Comment"];

const posts = new Map<string, { post: Post; node: HTMLElement; comments: Map<string, Comment>; open: boolean }>();
const feed = { cursor: null as string | null, showing: false };

const view = () => byId("posts-view");

onSignIn((chat) => {
  const update = (postId: string, change: (post: Post) => void) => {
    const shown = posts.get(postId);
    if (!shown) return;
    change(shown.post);
    renderPost(postId);
  };
  chat.onHub("post-liked", ({ postId, userId, likeCount }) => update(postId, (post) => {
    post.likeCount = likeCount;
    if (!post.likedBy.includes(userId)) post.likedBy.push(userId);
  }));
  chat.onHub("post-unliked", ({ postId, userId, likeCount }) => update(postId, (post) => {
    post.likeCount = likeCount;
    post.likedBy = post.likedBy.filter((id) => id !== userId);
  }));
  chat.onHub("post-commented", ({ postId, comment, commentCount }) => {
    posts.get(postId)?.comments.set(comment.id, comment);
    update(postId, (post) => { post.commentCount = commentCount; });
  });
});

export async function show() {
  feed.showing = true;
  const content = el("textarea", { attrs: { id: "post-content", maxlength: "4000", rows: "3", required: "", placeholder: "Share something with everyone…", "aria-label": "New post" } });
  const compose = el("form", { className: "post-compose", attrs: { id: "post-form" } }, content, el("button", { text: "Post" }));
  compose.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const post = await rest().createPost({ body: { content: content.value } });
      content.value = "";
      addPosts([post], "top");
    } catch (failure) {
      showError(errorText(failure));
    }
  });
  view().replaceChildren(
    el("div", { className: "section-head" }, el("h1", { text: "Posts" }), button("Refresh", () => void show(), "secondary")),
    compose,
    el("p", { className: "error", attrs: { id: "posts-error", role: "alert" } }),
    el("ol", { className: "feed", attrs: { id: "feed", "aria-label": "Feed" } }),
    el("div", { attrs: { id: "feed-more" } }));
  posts.clear();
  feed.cursor = null;
  await loadPage();
  // Follows belong to the connection: follow what is shown now, and again after a reconnect.
  whileConnected(() => { for (const postId of posts.keys()) follow(postId); }, () => feed.showing);
}

export function hide() {
  feed.showing = false;
  for (const postId of posts.keys()) client?.invoke("leave-post", { postId }).catch(() => {});
}

async function loadPage() {
  try {
    const page = await rest().listPosts({ query: { limit: 20, ...(feed.cursor ? { before: feed.cursor } : {}) } });
    feed.cursor = page.hasMore ? page.cursor : null;
    addPosts(page.items, "bottom");

  } catch (failure) {
    showError(errorText(failure));
  }
}

function addPosts(list: Post[], where: "top" | "bottom") {
  const nodes = list.filter((post) => !posts.has(post.id)).map((post) => {
    const node = el("li", { className: "post", attrs: { "data-post-id": post.id } });
    posts.set(post.id, { post, node, comments: new Map(post.recentComments.map((comment) => [comment.id, comment])), open: false });
    renderPost(post.id);
    if (client?.state === "connected") follow(post.id);
    return node;
  });
  if (where === "top") byId("feed").prepend(...nodes);
  else byId("feed").append(...nodes);
  byId("feed-more").replaceChildren(feed.cursor ? button("Older posts", () => void loadPage(), "secondary")
    : el("p", { className: "hint", text: posts.size ? "That's everything." : "No posts yet. Write the first!" }));
}

function follow(postId: string) {
  client?.invoke("join-post", { postId }).catch(() => { /* the post still shows; its counts refresh on the next visit */ });
}

function renderPost(postId: string) {
  const shown = posts.get(postId)!;
  const { post } = shown;
  const liked = post.likedBy.includes(session!.userId);
  const comments = [...shown.comments.values()].sort((a, b) => a.sequence - b.sequence);
  const input = el("input", { attrs: { maxlength: "2000", placeholder: "Write a comment…", "aria-label": "Comment" } });
  const commentForm = el("form", { className: "composer-row comment-form" }, input, el("button", { text: "Comment" }));
  commentForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!input.value.trim()) return;
    try {
      const result = await client!.invoke("comment-post", { postId, content: input.value });
      shown.comments.set(result.comment.id, result.comment);
      post.commentCount = result.commentCount;
      shown.open = true;
      renderPost(postId);
    } catch (failure) {
      showError(errorText(failure));
    }
  });
  shown.node.replaceChildren(
    el("div", { className: "post-head" },
      el("span", { className: "author", text: displayName(post.authorId), attrs: nameAttrs(post.authorId) }),
      el("time", { text: dateAndTime(post.createdAt), attrs: { datetime: post.createdAt } })),
    el("p", { className: "post-content", text: post.content }),
    el("div", { className: "post-actions" },
      // The heart is decoration; the name is the words, so what is read out is what is shown.
      el("button", { className: `like${liked ? " liked" : ""}`, attrs: { type: "button", "aria-pressed": String(liked) }, on: { click: () => void toggleLike(postId, liked) } },
        el("span", { text: liked ? "♥ " : "♡ ", attrs: { "aria-hidden": "true" } }), `${liked ? "Liked" : "Like"} ${post.likeCount}`),
      el("span", { className: "likers" }, ...likedBy(post)),
      el("button", { className: "link comments-toggle", attrs: { type: "button", "aria-expanded": String(shown.open) }, on: { click: () => { shown.open = !shown.open; renderPost(postId); } } },
        el("span", { text: "💬 ", attrs: { "aria-hidden": "true" } }), `${post.commentCount} ${post.commentCount === 1 ? "comment" : "comments"}`)),
    shown.open ? el("div", { className: "comments" },
      el("ol", { className: "comment-list" }, ...comments.map((comment) => el("li", { className: "comment", attrs: { "data-comment-id": comment.id } },
        el("span", { className: "author", text: displayName(comment.authorId), attrs: nameAttrs(comment.authorId) }),
        el("span", { className: "text", text: comment.content })))),
      commentForm) : "");
}

/** "liked by Ann, Bob and 3 more": the latest three likers by name (each fills in when its name is known). */
function likedBy(post: Post): (Node | string)[] {
  const latest = post.likedBy.slice(-3);
  if (!latest.length) return [];
  const names = latest.flatMap((userId, index) => [index ? ", " : "", el("span", { text: displayName(userId), attrs: nameAttrs(userId) })]);
  const more = post.likeCount - latest.length;
  return ["liked by ", ...names, more > 0 ? ` and ${more} more` : ""];
}

async function toggleLike(postId: string, liked: boolean) {
  try {
    const result = await client!.invoke(liked ? "unlike-post" : "like-post", { postId });
    const shown = posts.get(postId);
    if (!shown) return;
    shown.post.likeCount = result.likeCount;
    shown.post.likedBy = liked ? shown.post.likedBy.filter((id) => id !== session!.userId) : [...new Set([...shown.post.likedBy, session!.userId])];
    renderPost(postId);
  } catch (failure) {
    showError(errorText(failure));
  }
}

function showError(text: string) {
  const box = document.getElementById("posts-error");
  if (box) box.textContent = text;
}
