// Writing: the text box, files (picked, dropped or pasted, uploaded with progress), the message being replied to,
// and the typing signals the SDK keeps within the server's typing budget.
import { button, byId, el, uniqueId } from "../dom.js";
import { client, connected, errorText, rest } from "../server.js";
import { displayName } from "../users.js";
import { upload, type Attachment } from "./attachments.js";
import { upsertConversation } from "./list.js";
import { chatState, type Message } from "./state.js";
import { onDelivery, showError } from "./view.js";

const maxFiles = 10;  // the server's limit per message (docs/api.md, sendMessage)

interface PendingFile { file: File; node: HTMLElement; attachment?: Attachment; failed?: boolean; cancel: () => void }

let pending: PendingFile[] = [];
let replyingTo: Message | null = null;
// A send the server refused gives its text back, and keeps its clientMessageId, so sending it again stores it once.
let unsent: { content: string; clientMessageId: string } | null = null;
// Where this tab is typing, to stop it there when the box is emptied or the user leaves.
let typingIn: string | null = null;

const input = () => byId<HTMLInputElement>("message-input");

export const composer = {
  focus: () => input().focus(),
  /** Leaving a conversation: stop typing there, and drop the files and reply meant for it. */
  leave() {
    stopTyping();
    for (const file of pending) file.cancel();
    pending = [];
    replyingTo = null;
    render();
  },
  replyTo(message: Message) {
    replyingTo = message;
    render();
    input().focus();
  },
};

export function onComposerInput() {
  const conversationId = chatState.view?.conversationId;
  // A draft has no conversation yet, and typing needs one.
  if (!conversationId || !connected()) return;
  if (!input().value) return stopTyping();
  typingIn = conversationId;
  client!.typing(conversationId);
}

function stopTyping() {
  if (typingIn) client?.stopTyping(typingIn);
  typingIn = null;
}

export function addFiles(files: Iterable<File>) {
  if (!chatState.view) return;
  for (const file of files) {
    if (pending.length >= maxFiles) return showError(`A message carries at most ${maxFiles} files.`);
    const bar = el("progress", { attrs: { max: "1", value: "0", "aria-label": `Uploading ${file.name}` } });
    const node = el("li", { className: "pending-file" }, el("span", { className: "name", text: file.name }), bar);
    const { done, cancel } = upload(file, (fraction) => { bar.value = fraction; });
    const entry: PendingFile = { file, node, cancel };
    node.append(button("Remove", () => { cancel(); pending = pending.filter((other) => other !== entry); render(); }, "link", { "aria-label": `Remove ${file.name}` }));
    pending.push(entry);
    done.then((attachment) => {
      entry.attachment = attachment;
      bar.replaceWith(el("span", { className: "uploaded", text: "ready" }));
      render();
    }, (error) => {
      if (!pending.includes(entry)) return;  // removed by the user
      entry.failed = true;
      bar.replaceWith(el("span", { className: "error", text: errorText(error) }));
      render();
    });
  }
  render();
}

function render() {
  byId("pending-files").replaceChildren(...pending.map((entry) => entry.node));
  const bar = byId("reply-bar");
  bar.hidden = !replyingTo;
  if (replyingTo) {
    bar.replaceChildren(
      el("span", { text: `Replying to ${displayName(replyingTo.senderId)}: ` }),
      el("span", { className: "excerpt", text: replyingTo.content }),
      button("Cancel reply", () => { replyingTo = null; render(); }, "link"));
  }
  byId<HTMLButtonElement>("send-button").disabled = pending.some((entry) => !entry.attachment && !entry.failed);
}

export async function sendMessage(event: SubmitEvent) {
  event.preventDefault();
  const view = chatState.view;
  const content = input().value;
  const files = pending.filter((entry) => entry.attachment).map((entry) => entry.attachment!);
  if (!view || (!content.trim() && files.length === 0)) return;
  const body = {
    content,
    clientMessageId: unsent?.content === content ? unsent.clientMessageId : uniqueId(),
    ...(view.conversationId ? { conversationId: view.conversationId } : { receiverId: view.receiverId! }),
    ...(files.length ? { attachmentIds: files.map((file) => file.id), messageType: files.every((file) => file.contentType.startsWith("image/")) ? "image" as const : "file" as const } : {}),
    ...(replyingTo ? { replyToId: replyingTo.id } : {}),
  };
  const sentFiles = pending;
  const sentReply = replyingTo;
  unsent = null;
  input().value = "";
  pending = [];
  replyingTo = null;
  // The server ends this sender's typing when the message arrives; the SDK's send stops its own timer.
  typingIn = null;
  render();
  showError(null);
  try {
    // The hub when connected; REST otherwise, which stores and pushes exactly the same.
    const delivery = connected() ? await client!.send(body) : await rest().sendMessage({ body });
    upsertConversation(delivery.conversation);
    onDelivery(delivery.message, delivery.conversation, { ownSend: true });
  } catch (error) {
    unsent = { content, clientMessageId: body.clientMessageId };
    // Give it all back, nothing is lost.
    if (chatState.view === view && !input().value) {
      input().value = content;
      pending = sentFiles;
      replyingTo = sentReply;
      render();
    }
    showError(errorText(error));
  }
}
