// The tools/call fast path. A plain tools/call (one request, no progress token) is the gateway's
// hottest request; going through the SDK's server transport costs more than the policy decision
// and the upstream call together (web-stream adapters, an SSE response per call, schema parsing of
// every message). Here such a call is dispatched through the same handler and policy code as any
// other request, and answered with one `application/json` write. When the call needs its stream
// (an upstream's sampling or elicitation request, a log message, a confirmation), the response
// turns into an SSE stream on the spot, with events kept in the session's event store so a client
// can resume it. The client's answers to requests sent this way, and its cancellations of these
// calls, are picked up here before they would reach the SDK transport (which never saw the call).
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ErrorCode, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { Extra } from "./calls.ts";
import type { CallChannel } from "./channel.ts";
import type { BoundedEventStore } from "./event-store.ts";
import type { Principal } from "./contracts.ts";
import { rpcError } from "./errors.ts";
import { authInfoFor } from "./request-principal.ts";
import { dispatch, type SessionHandle } from "./session-server.ts";
import { noteRequest, type RequestNote, type SessionState } from "./session-state.ts";

type Params = Record<string, unknown>;
type Id = string | number;

interface JsonRpcRequest {
  jsonrpc: "2.0";
  id: Id;
  method: string;
  params?: Params;
}

/** How long the client has to answer a request relayed on a fast call's stream. */
const RELAY_ANSWER_TIMEOUT_MS = 10 * 60_000;
/** Relayed requests awaiting the client's answer, per session. */
const MAX_PENDING_RELAYS = 64;

function isObject(value: unknown): value is Params {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A well-formed JSON-RPC request, checked without building a schema parse (the common case). */
export function isPlainRequest(body: unknown): body is JsonRpcRequest {
  if (!isObject(body) || body.jsonrpc !== "2.0" || typeof body.method !== "string") return false;
  const id = body.id;
  if (typeof id !== "string" && !(typeof id === "number" && Number.isSafeInteger(id))) return false;
  return body.params === undefined || isObject(body.params);
}

function hasProgressToken(params: Params | undefined): boolean {
  const meta = params?._meta;
  return isObject(meta) && meta.progressToken !== undefined;
}

/** A request the fast path answers: tools/call without a progress token (progress needs the SDK's
 * token bookkeeping, so those calls stay on the SDK path). */
export function isFastCall(body: unknown): body is JsonRpcRequest {
  return isPlainRequest(body) && body.method === "tools/call" && !hasProgressToken(body.params);
}

interface RelayWaiter {
  resolve(result: Params): void;
  reject(error: Error): void;
}

const relayWaiters = new WeakMap<SessionState, Map<string, RelayWaiter>>();

function waitersOf(state: SessionState): Map<string, RelayWaiter> {
  let waiters = relayWaiters.get(state);
  if (!waiters) {
    waiters = new Map();
    relayWaiters.set(state, waiters);
  }
  return waiters;
}

/**
 * Handles the client messages that belong to fast calls: answers to requests relayed on a fast
 * call's stream, and cancellations of fast calls. Returns true when it answered the HTTP request.
 */
export function absorbFastCallTraffic(
  state: SessionState,
  body: unknown,
  res: ServerResponse,
): boolean {
  const messages = Array.isArray(body) ? body : [body];
  const waiters = relayWaiters.get(state);
  const ours = (m: unknown): boolean => {
    if (!isObject(m)) return false;
    if (m.method === undefined && typeof m.id === "string") return waiters?.has(m.id) ?? false;
    if (m.method === "notifications/cancelled" && m.id === undefined) {
      const requestId = (m.params as Params | undefined)?.requestId;
      return (
        (typeof requestId === "string" || typeof requestId === "number") &&
        state.fastCalls.has(requestId)
      );
    }
    return false;
  };
  if (messages.length === 0 || !messages.every(ours)) return false;
  for (const m of messages as Params[]) {
    if (m.method === "notifications/cancelled") {
      const params = m.params as Params;
      (state.fastCalls.get(params.requestId as Id) as FastCallStream | undefined)?.cancel(
        typeof params.reason === "string" ? params.reason : undefined,
      );
      continue;
    }
    const waiter = waiters!.get(m.id as string)!;
    waiters!.delete(m.id as string);
    if (isObject(m.error)) {
      const { code, message, data } = m.error;
      waiter.reject(
        rpcError(
          typeof code === "number" ? code : ErrorCode.InternalError,
          typeof message === "string" ? message : "the client answered with an error",
          data,
        ),
      );
    } else waiter.resolve(isObject(m.result) ? m.result : {});
  }
  res.writeHead(202).end();
  return true;
}

/** The HTTP facts of every request in a body bound for the SDK transport, for its handler. */
export function noteMessages(state: SessionState, body: unknown, note: RequestNote): void {
  for (const m of Array.isArray(body) ? body : [body])
    if (isPlainRequest(m)) noteRequest(state, m.id, note);
}

/** One fast call's response: JSON until something must be streamed, then SSE. */
class FastCallStream implements CallChannel {
  private streamId: string | undefined;
  private readonly aborter = new AbortController();

  constructor(
    private readonly state: SessionState,
    private readonly res: ServerResponse,
    private readonly sessionId: string,
    private readonly eventStore: BoundedEventStore | undefined,
  ) {}

  get signal(): AbortSignal {
    return this.aborter.signal;
  }

  cancel(reason: string | undefined): void {
    this.aborter.abort(reason ?? "cancelled by the client");
  }

  async notify(notification: { method: string; params?: Params }): Promise<void> {
    await this.writeEvent({ jsonrpc: "2.0", ...notification } as JSONRPCMessage);
  }

  async request(
    request: { method: string; params?: Params },
    signal: AbortSignal,
  ): Promise<Params> {
    const waiters = waitersOf(this.state);
    if (waiters.size >= MAX_PENDING_RELAYS)
      throw rpcError(ErrorCode.InternalError, "too many requests are waiting for this client");
    const id = `gatehouse-${randomUUID()}`;
    const answer = new Promise<Params>((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        waiters.delete(id);
      };
      const onAbort = () => {
        finish();
        reject(rpcError(ErrorCode.InternalError, `${request.method} was cancelled`));
      };
      const timer = setTimeout(() => {
        finish();
        reject(rpcError(ErrorCode.RequestTimeout, `the client did not answer ${request.method}`));
      }, RELAY_ANSWER_TIMEOUT_MS);
      timer.unref();
      signal.addEventListener("abort", onAbort, { once: true });
      waiters.set(id, {
        resolve: (result) => {
          finish();
          resolve(result);
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      });
    });
    await this.writeEvent({ jsonrpc: "2.0", id, ...request } as JSONRPCMessage);
    return answer;
  }

  /** The final answer: one JSON write, or the last event of the stream. */
  async answer(message: JSONRPCMessage): Promise<void> {
    if (this.streamId === undefined) {
      const body = JSON.stringify(message);
      this.res.writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        "mcp-session-id": this.sessionId,
      });
      this.res.end(body);
      return;
    }
    await this.writeEvent(message);
    this.res.end();
  }

  endWithoutAnswer(): void {
    if (this.streamId === undefined) this.res.writeHead(202, { "mcp-session-id": this.sessionId });
    this.res.end();
  }

  private async writeEvent(message: JSONRPCMessage): Promise<void> {
    if (this.res.writableEnded || this.res.destroyed) return;
    if (this.streamId === undefined) {
      this.streamId = randomUUID();
      this.res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        connection: "keep-alive",
        "mcp-session-id": this.sessionId,
      });
    }
    const eventId = this.eventStore
      ? await this.eventStore.storeEvent(this.streamId, message)
      : undefined;
    this.res.write(
      `event: message\n${eventId !== undefined ? `id: ${eventId}\n` : ""}data: ${JSON.stringify(message)}\n\n`,
    );
  }
}

/** Answers a fast call (see isFastCall) through the session's handler. */
export async function serveFastCall(
  handle: SessionHandle,
  session: { id: string; eventStore?: BoundedEventStore },
  message: JsonRpcRequest,
  http: { req: IncomingMessage; res: ServerResponse; note: RequestNote; principal: Principal },
): Promise<void> {
  const { state } = handle;
  const stream = new FastCallStream(state, http.res, session.id, session.eventStore);
  noteRequest(state, message.id, http.note);
  state.fastCalls.set(message.id, stream);
  const extra = {
    requestId: message.id,
    signal: stream.signal,
    sessionId: session.id,
    _meta: message.params?._meta as Params | undefined,
    requestInfo: { headers: http.req.headers },
    // the call is decided with the principal of its own credential (request-principal.ts)
    authInfo: authInfoFor(http.principal),
    sendNotification: (notification: { method: string; params?: Params }) =>
      stream.notify(notification),
    sendRequest: (request: { method: string; params?: Params }) =>
      stream.request(request, stream.signal),
  } as unknown as Extra;
  let reply: JSONRPCMessage;
  try {
    const result = await dispatch(handle, message, extra);
    reply = { jsonrpc: "2.0", id: message.id, result } as JSONRPCMessage;
  } catch (e) {
    reply = { jsonrpc: "2.0", id: message.id, error: errorObject(e) } as JSONRPCMessage;
  } finally {
    state.fastCalls.delete(message.id);
  }
  // a cancelled request is not answered (the client has stopped waiting for it)
  if (stream.signal.aborted) stream.endWithoutAnswer();
  else await stream.answer(reply);
}

/** A thrown error as the JSON-RPC error object the SDK would have sent for it. */
function errorObject(e: unknown): { code: number; message: string; data?: unknown } {
  const error = e as { code?: unknown; message?: unknown; data?: unknown };
  const code =
    typeof error?.code === "number" && Number.isSafeInteger(error.code)
      ? error.code
      : ErrorCode.InternalError;
  const message = typeof error?.message === "string" ? error.message : "Internal error";
  return { code, message, ...(error?.data !== undefined ? { data: error.data } : {}) };
}
