/**
 * Every failure the server reports, from REST (an RFC 7807 problem) or from the hub (the `error` event sent before the
 * failed invocation completes), as one type: switch on `code` (`validation`, `not_found`, `rate_limited`,
 * `unauthorized`, `token_expired`, …), never on the text. `disconnected` means the connection closed before an
 * answer came; it is the one code the SDK itself makes.
 */
export class EventChatError extends Error {
  readonly code: string;
  /** The HTTP status, for a REST call. */
  readonly status?: number;
  /** The hub method, for a hub call (`connect` for a refused or closed connection). */
  readonly method?: string;
  /** Each broken rule by field, for a REST `validation` problem. */
  readonly errors?: Record<string, string[]>;

  constructor(code: string, message: string, details: { status?: number; method?: string; errors?: Record<string, string[]> } = {}) {
    super(message);
    this.name = "EventChatError";
    this.code = code;
    Object.assign(this, details);
  }

  static readonly disconnected = "disconnected";
}
