export { EventChatClient } from "./client.js";
export type { ClientEvents, ConnectionState, Conversation, EventChatClientOptions, Message, MessageDelivery, Read, SendMessageRequest, SyncItem } from "./client.js";
export { localStorageCursorStore, memoryCursorStore } from "./cursor-store.js";
export type { CursorStore } from "./cursor-store.js";
export { EventChatError } from "./errors.js";
export type { HubEvents, HubMethods } from "./generated/hub.js";
export type { components, operations, paths } from "./generated/openapi.js";
export type { OperationId, RestArgs, RestClient, RestResult } from "./rest.js";
export { typingTimings } from "./typing.js";
