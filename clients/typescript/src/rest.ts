import { EventChatError } from "./errors.js";
import type { operations } from "./generated/openapi.js";
import { routes } from "./generated/routes.js";

/** A REST operation, by its operationId in /openapi/v1.json. */
export type OperationId = keyof operations;

type PathOf<T> = T extends { parameters: { path: infer P } } ? ([P] extends [never | undefined] ? {} : { path: P }) : {};
type QueryOf<T> = T extends { parameters: { query?: infer Q } } ? ([Exclude<Q, undefined>] extends [never] ? {} : { query?: Exclude<Q, undefined> }) : {};
type BodyOf<T> = T extends { requestBody: { content: { "application/json": infer B } } } ? { body: B }
  : T extends { requestBody?: { content: { "application/json": infer B } } } ? { body?: B }
  : T extends { requestBody: { content: { "multipart/form-data": unknown } } } ? { body: FormData }
  : {};
/** What an operation takes: `path` and `query` parameters and a `body`, each only where it has them. */
export type RestArgs<K extends OperationId> = PathOf<operations[K]> & QueryOf<operations[K]> & BodyOf<operations[K]>;

type Success<T> = T extends { responses: infer R } ? R[Extract<keyof R, 200 | 201 | 202 | 204>] : never;
/** What an operation answers on success: its JSON, a Blob for a file, nothing for 204. */
export type RestResult<K extends OperationId> = Success<operations[K]> extends { content: { "application/json": infer J } } ? J
  : Success<operations[K]> extends { content: Record<string, unknown> } ? Blob
  : void;

/** Every REST operation as a method named by its operationId: `rest.getMessages({ path: { id }, query: { limit: 50 } })`. */
export type RestClient = {
  [K in OperationId]: (...args: {} extends RestArgs<K> ? [RestArgs<K>?] : [RestArgs<K>]) => Promise<RestResult<K>>;
};

type Call = { path?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };

export function restClient(baseUrl: string, token: (() => Promise<string | null>), fetchImpl: typeof fetch): RestClient {
  const call = async (operation: OperationId, { path = {}, query = {}, body }: Call = {}) => {
    const [method, template] = routes[operation];
    const url = new URL(template.replace(/\{(\w+)(?::[^}]*)?\??\}/g, (_, name: string) => encodeURIComponent(String(path[name] ?? ""))), baseUrl);
    for (const [name, value] of Object.entries(query))
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = {};
    const bearer = await token();
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (body !== undefined && !(body instanceof FormData)) headers["content-type"] = "application/json";
    const response = await fetchImpl(url, {
      method, headers,
      body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
    });
    if (!response.ok) throw await problem(response);
    if (response.status === 204) return undefined;
    return response.headers.get("content-type")?.includes("json") ? response.json() : response.blob();
  };
  return Object.fromEntries(Object.keys(routes).map((operation) =>
    [operation, (args?: Call) => call(operation as OperationId, args)])) as unknown as RestClient;
}

async function problem(response: Response): Promise<EventChatError> {
  const body = await response.json().catch(() => ({})) as { code?: string; detail?: string; title?: string; errors?: Record<string, string[]> };
  return new EventChatError(body.code ?? `http_${response.status}`, body.detail ?? body.title ?? response.statusText,
    { status: response.status, errors: body.errors });
}
