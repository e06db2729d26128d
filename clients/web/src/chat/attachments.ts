// Files on messages: image previews and downloads (both need the token, so they go through a blob), and uploads with
// progress.
import { el, saveBlob } from "../dom.js";
import { EventChatError, rest, session, type Schemas } from "../server.js";

export type Attachment = Schemas["MessageAttachment"];

// Images a browser shows safely from a blob. SVG can carry script, so it is offered as a download like any file.
const previewable = new Set(["image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"]);

const sizeText = (bytes: number) => bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(0)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** A file of a message: a preview for an image, a download button for anything else. */
export function attachmentView(file: Attachment): HTMLElement {
  const label = `📎 ${file.fileName} (${sizeText(file.size)})`;
  const download = el("button", { className: "attachment link", text: label, attrs: { type: "button", title: `Download ${file.fileName}` },
    on: { click: () => void saveFile(file) } });
  if (!previewable.has(file.contentType.split(";")[0])) return download;
  const image = el("img", { className: "preview-image", attrs: { alt: file.fileName } });
  void blobOf(file).then((blob) => { image.src = URL.createObjectURL(blob); }).catch(() => image.replaceWith(download));
  image.addEventListener("click", () => void saveFile(file));
  return el("figure", { className: "attachment-image" }, image, el("figcaption", {}, download));
}

// One download per file and page: a list re-rendered by an edit shows the same blob again.
const blobs = new Map<string, Promise<Blob>>();
const blobOf = (file: Attachment) => {
  if (!blobs.has(file.id)) blobs.set(file.id, rest().downloadAttachment({ path: { id: file.id } }) as Promise<Blob>);
  return blobs.get(file.id)!;
};

const saveFile = async (file: Attachment) => saveBlob(await blobOf(file), file.fileName);

/**
 * Uploads one file, reporting progress from 0 to 1. XMLHttpRequest, not fetch: fetch cannot report how much of a
 * request body has been sent.
 */
export function upload(file: File, progress: (fraction: number) => void): { done: Promise<Attachment>; cancel: () => void } {
  const request = new XMLHttpRequest();
  const done = new Promise<Attachment>((resolve, reject) => {
    request.open("POST", "/api/chat/attachments");
    request.setRequestHeader("Authorization", `Bearer ${session?.token ?? ""}`);
    request.responseType = "json";
    request.upload.addEventListener("progress", (event) => { if (event.lengthComputable) progress(event.loaded / event.total); });
    request.addEventListener("load", () => {
      if (request.status === 201) return resolve(request.response as Attachment);
      // The same error a REST call of the SDK would throw, so errorText words it the same way.
      const problem = request.response as { code?: string; detail?: string; title?: string; errors?: Record<string, string[]> } | null;
      reject(new EventChatError(problem?.code ?? `http_${request.status}`, problem?.detail ?? problem?.title ?? `Upload failed (${request.status}).`,
        { status: request.status, errors: problem?.errors }));
    });
    request.addEventListener("error", () => reject(new Error("The upload failed: the connection was lost.")));
    request.addEventListener("abort", () => reject(new Error("Upload cancelled.")));
    const form = new FormData();
    form.append("file", file, file.name);
    request.send(form);
  });
  return { done, cancel: () => request.abort() };
}

