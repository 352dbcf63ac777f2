// One request's response, written by the gateway itself (the tools/call fast path and every
// 2026-07-28 request): a single JSON write until something must be streamed, then SSE. Upstream
// notifications for the request (progress, log messages) and, on a handshake-era session, the
// upstream's requests to the client (sampling, elicitation) ride on it (CallChannel).
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ErrorCode, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { Extra } from "./calls.ts";
import type { CallChannel } from "./channel.ts";
import type { Principal } from "./contracts.ts";
import type { InputBridge } from "./modern/input-bridge.ts";
import { MODERN_ERROR } from "./modern/revision.ts";
import type { BoundedEventStore } from "./event-store.ts";
import { rpcError } from "./errors.ts";
import { authInfoFor } from "./request-principal.ts";
import { dispatch, type SessionHandle } from "./session-server.ts";
import { noteRequest, type RequestNote, type SessionState } from "./session-state.ts";

type Params = Record<string, unknown>;

/** How long the client has to answer a request relayed on a response stream. */
const RELAY_ANSWER_TIMEOUT_MS = 10 * 60_000;
/** Relayed requests awaiting the client's answer, per session. */
const MAX_PENDING_RELAYS = 64;

export interface RelayWaiter {
  resolve(result: Params): void;
  reject(error: Error): void;
}

const relayWaiters = new WeakMap<SessionState, Map<string, RelayWaiter>>();

/** The relayed requests of a session still waiting for the client's answer (by the id sent). */
export function pendingRelays(state: SessionState): Map<string, RelayWaiter> | undefined {
  return relayWaiters.get(state);
}

function waitersOf(state: SessionState): Map<string, RelayWaiter> {
  let waiters = relayWaiters.get(state);
  if (!waiters) {
    waiters = new Map();
    relayWaiters.set(state, waiters);
  }
  return waiters;
}

export interface ResponseStreamOptions {
  /** the handshake-era session the response belongs to (its Mcp-Session-Id header); none for
   * 2026-07-28, which has no sessions */
  sessionId?: string;
  /** where SSE events are kept for resumption (handshake era only) */
  eventStore?: BoundedEventStore;
  /** whether server-to-client requests may be sent on the stream: 2026-07-28 removed them */
  relaysRequests: boolean;
  /** 2026-07-28: log messages reach a request only when its `_meta` asks for a level */
  dropsLogMessages?: boolean;
  /** where a 2026-07-28 call's requests to the client go instead: answered from the client's
   * earlier input, or asked for in an input_required answer (modern/input-bridge.ts) */
  inputs?: InputBridge;
}

export class ResponseStream implements CallChannel {
  private streamId: string | undefined;
  private readonly aborter = new AbortController();

  constructor(
    private readonly state: SessionState,
    private readonly res: ServerResponse,
    private readonly options: ResponseStreamOptions,
  ) {}

  get signal(): AbortSignal {
    return this.aborter.signal;
  }

  cancel(reason: string | undefined): void {
    this.aborter.abort(reason ?? "cancelled by the client");
  }

  async notify(notification: { method: string; params?: Params }): Promise<void> {
    if (this.options.dropsLogMessages && notification.method === "notifications/message") return;
    await this.writeEvent({ jsonrpc: "2.0", ...notification } as JSONRPCMessage);
  }

  async request(
    request: { method: string; params?: Params },
    signal: AbortSignal,
  ): Promise<Params> {
    if (!this.options.relaysRequests) return this.askInBand(request);
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

  /** The capability the call needed that the client did not declare (2026-07-28). */
  missingCapability(): string | undefined {
    return this.options.inputs?.missingCapability();
  }

  /** The requests the client must answer before the call can go on (2026-07-28). */
  inputRequests(): Record<string, { method: string; params?: Params }> | undefined {
    return this.options.inputs?.inputRequests();
  }

  /** A request to a 2026-07-28 client: its earlier answer, or the call stops (answerOnStream
   * then answers input_required, or -32021 when the client cannot answer it). */
  private askInBand(request: { method: string; params?: Params }): Params {
    const outcome = this.options.inputs?.take(request);
    if (!outcome)
      throw rpcError(
        ErrorCode.MethodNotFound,
        `${request.method} cannot be asked of a protocol revision 2026-07-28 client`,
      );
    if ("answer" in outcome) return outcome.answer;
    this.aborter.abort("the call needs the client's input");
    throw rpcError(ErrorCode.InternalError, `${request.method} needs the client's input`);
  }

  /** The final answer: one JSON write, or the last event of the stream. */
  async answer(message: JSONRPCMessage, status = 200): Promise<void> {
    if (this.streamId === undefined) {
      const body = JSON.stringify(message);
      this.res.writeHead(status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        ...this.sessionHeader(),
      });
      this.res.end(body);
      return;
    }
    await this.writeEvent(message);
    this.res.end();
  }

  endWithoutAnswer(): void {
    if (this.streamId === undefined) this.res.writeHead(202, this.sessionHeader());
    this.res.end();
  }

  private sessionHeader(): Record<string, string> {
    return this.options.sessionId === undefined ? {} : { "mcp-session-id": this.options.sessionId };
  }

  private async writeEvent(message: JSONRPCMessage): Promise<void> {
    if (this.res.writableEnded || this.res.destroyed) return;
    if (this.streamId === undefined) {
      this.streamId = randomUUID();
      this.res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        connection: "keep-alive",
        ...this.sessionHeader(),
      });
    }
    const eventId = this.options.eventStore
      ? await this.options.eventStore.storeEvent(this.streamId, message)
      : undefined;
    this.res.write(
      `event: message\n${eventId !== undefined ? `id: ${eventId}\n` : ""}data: ${JSON.stringify(message)}\n\n`,
    );
  }
}

export interface AnswerShape {
  result?: (result: Params) => Params;
  error?: (error: RpcErrorObject) => RpcErrorObject;
  /** the answer when the call stopped to ask the client for input (2026-07-28) */
  inputRequired?: (requests: Record<string, { method: string; params?: Params }>) => Params;
}

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/**
 * Runs one request through the session's handler and answers it on `stream`: progress and log
 * messages for it ride on the stream, and a cancelled request is not answered. `shape` adjusts
 * the answer for the client's protocol revision.
 */
export async function answerOnStream(
  handle: SessionHandle,
  message: { id: string | number; method: string; params?: Params },
  stream: ResponseStream,
  http: { req: IncomingMessage; note: RequestNote; principal: Principal },
  shape: AnswerShape = {},
): Promise<void> {
  const { state } = handle;
  noteRequest(state, message.id, http.note);
  state.fastCalls.set(message.id, stream);
  const extra = {
    requestId: message.id,
    signal: stream.signal,
    sessionId: state.context.sessionId,
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
    reply = {
      jsonrpc: "2.0",
      id: message.id,
      result: shape.result ? shape.result(result) : result,
    } as JSONRPCMessage;
  } catch (e) {
    const error = errorObject(e);
    reply = {
      jsonrpc: "2.0",
      id: message.id,
      error: shape.error ? shape.error(error) : error,
    } as JSONRPCMessage;
  } finally {
    state.fastCalls.delete(message.id);
  }
  const missing = stream.missingCapability();
  if (missing !== undefined) {
    const error = {
      code: MODERN_ERROR.missingRequiredClientCapability,
      message: `this call needs the client capability ${missing}, which the request's _meta does not declare`,
      data: { requiredCapabilities: { [missing]: {} } },
    };
    // the revision answers it with 400, like its other refusals of the request as sent
    await stream.answer({ jsonrpc: "2.0", id: message.id, error } as JSONRPCMessage, 400);
    return;
  }
  const inputRequests = stream.inputRequests();
  if (inputRequests && shape.inputRequired) {
    reply = {
      jsonrpc: "2.0",
      id: message.id,
      result: shape.inputRequired(inputRequests),
    } as JSONRPCMessage;
    await stream.answer(reply);
    return;
  }
  // a cancelled request is not answered (the client has stopped waiting for it)
  if (stream.signal.aborted) stream.endWithoutAnswer();
  else await stream.answer(reply);
}

/** A thrown error as the JSON-RPC error object the SDK would have sent for it. */
export function errorObject(e: unknown): RpcErrorObject {
  const error = e as { code?: unknown; message?: unknown; data?: unknown };
  const code =
    typeof error?.code === "number" && Number.isSafeInteger(error.code)
      ? error.code
      : ErrorCode.InternalError;
  const message = typeof error?.message === "string" ? error.message : "Internal error";
  return { code, message, ...(error?.data !== undefined ? { data: error.data } : {}) };
}
