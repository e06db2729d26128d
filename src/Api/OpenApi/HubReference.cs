namespace EventChat.Api.OpenApi;

/// <summary>
/// The description of the OpenAPI document, shown at the top of <c>/docs</c>: how to authenticate, and the
/// SignalR hub, which OpenAPI cannot describe. A summary of docs/api.md; keep the two in step. A test checks that
/// every hub method and every event the server pushes is listed here.
/// </summary>
public static class HubReference
{
    public const string Markdown = """
        The REST API and real-time hub of EventChat. JSON is camelCase, ids are UUID strings, times are
        ISO 8601 in UTC. The full reference, with every rule and error, is `docs/api.md` in the repository.

        **Authentication.** `POST /api/auth/register` or `POST /api/auth/login` answers a JWT `token`. Send it as
        `Authorization: Bearer <token>` on every other call (in this page: *Authentication* → Bearer). The hub
        also takes it as `?access_token=<token>`, since browsers cannot set headers on WebSocket requests.

        **Errors** are RFC 7807 problem details (`application/problem+json`) with a `code`: `validation` (400),
        `unauthorized` (401), `forbidden` (403), `not_found` (404), `conflict` (409), `rate_limited` (429, with
        `Retry-After` in seconds: 1 for a spent message budget, 10 for the budget of group creations and additions,
        longer for a login locked after failures), `internal` (500). A validation problem lists every failed field
        under `errors`. A
        resource the caller may not see answers `404`.

        **Operations** (anonymous, not in this document): `GET /health/live`, `GET /health/ready`, `GET /metrics`
        (Prometheus); see `docs/operations.md`.

        ## Real-time hub: `/hubs/chat`

        SignalR with the JSON protocol, e.g. the `@microsoft/signalr` client:
        `new HubConnectionBuilder().withUrl("/hubs/chat", { accessTokenFactory: () => token })`. Every method takes
        one argument, a JSON object, and returns a result or fails; a failed call stores and pushes nothing and
        sends the caller the `error` event. All of a user's connections (tabs, devices) receive that user's pushes.
        REST calls that do the same thing (send, read, edit, delete, likes, comments) push the same events.

        For generators: `GET /asyncapi/v1.json` describes the hub as an AsyncAPI 3 document, and every hub payload and
        event object is a schema of this document (`Models`). The SDKs (`@eventchat/client` for TypeScript,
        `EventChat.Client` for .NET; `docs/sdk.md`) do resume after a disconnect for you.

        ### Methods (client to server)

        | method | payload | result |
        |---|---|---|
        | `sendMessage` | `{ receiverId?, conversationId?, content, messageType?, clientMessageId?, attachmentIds?, replyToId? }`; exactly one of `receiverId` / `conversationId` | `{ message, conversation, status: "sent", previousSequence }` |
        | `messageRead` | `{ conversationId, messageId }` | `{ conversationId, messageId, unreadCount }` |
        | `typingStart` / `typingStop` | `{ conversationId?, receiverId? }`, at least one | nothing |
        | `getOnlineUsers` | `{ userIds? }`, `{}`, `null` or no argument | `{ onlineUsers: [userId] }` |
        | `joinRoom` / `leaveRoom` | `{ conversationId }` | `{ conversationId }` |
        | `join-stream` | `{ sessionId }` | `{ sessionId, viewerCount, recentMessages }` |
        | `leave-stream` | `{ sessionId }` | `{ sessionId, viewerCount }` |
        | `stream-chat` | `{ sessionId, content }` | `{ sessionId, message }` |
        | `like-post` / `unlike-post` | `{ postId }` | `{ postId, likeCount }` |
        | `comment-post` | `{ postId, content }` | `{ postId, comment, commentCount }` |
        | `join-post` / `leave-post` | `{ postId }` | `{ postId }` |
        | `sync` | `{ since?, limit? }`, or no argument | `{ items, cursor, hasMore }`, as `GET /api/chat/sync` |

        ### Events (server to client)

        | event | payload | who gets it |
        |---|---|---|
        | `messageSent` | `{ message, conversation, status: "sent", previousSequence }` | every connection of the sender |
        | `newMessage` | `{ message, conversation, status: "delivered", previousSequence }` | every connection of every other participant |
        | `receiveMessage` | `{ message, conversation }` | every connection of every other participant, right after `newMessage` |
        | `messageRead` | `{ conversationId, messageId, readBy, readAt }` | every participant, the reader included |
        | `messageEdited` / `messageDeleted` | `{ message }` | every participant |
        | `conversationErased` | `{ conversationId, erasedBy, erasedAt }` | every participant, when the conversation's content is erased |
        | `userTyping` | `{ conversationId, userId, isTyping }` | the other participants |
        | `typingIndicator` | `{ conversationId, userId, isTyping }` | the conversation's room (`joinRoom`), less the typer |
        | `onlineUsers` | `{ onlineUsers: [userId] }` | the connection that called `getOnlineUsers` |
        | `userOnline` / `userOffline` | `{ userId, timestamp }` | the user's contacts, when their first connection opens / last one closes |
        | `stream-chat` | `{ sessionId, message }` | the live session's room (`join-stream`) |
        | `stream-viewers` | `{ sessionId, viewerCount }` | the live session's room |
        | `stream-ended` | `{ sessionId }` | the live session's room |
        | `stream-message-removed` | `{ sessionId, messageId }` | the live session's room |
        | `post-liked` / `post-unliked` | `{ postId, userId, likeCount }` | the post's followers (`join-post`) and its author |
        | `post-commented` | `{ postId, comment, commentCount }` | the post's followers and its author |
        | `error` | `{ message, code, method }` | the connection whose call failed (`code` as on REST, less `unauthorized`) |

        Limits: at most 10 connections per user, about 40 KB per hub message (room for every call within the
        documented limits), a per-user budget of messages (sends, edits, stream chat, post writes), of typing calls
        and of group creations and additions; the server pings every 15 s and drops a connection silent for 30 s. Operators can change these (`docs/operations.md`).
        """;
}
