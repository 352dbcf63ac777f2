// The tools/call fast path. A plain tools/call (one request, no progress token) is the gateway's
// hottest request; going through the SDK's server transport costs more than the policy decision
// and the upstream call together (web-stream adapters, an SSE response per call, schema parsing of
// every message). Here such a call is dispatched through the same handler and policy code as any
// other request, and answered with one `application/json` write. When the call needs its stream
// (an upstream's sampling or elicitation request, a log message, a confirmation), the response
// turns into an SSE stream on the spot, with events kept in the session's event store so a client
// can resume it. The client's answers to requests sent this way, and its cancellations of these
// calls, are picked up here before they would reach the SDK transport (which never saw the call).
import type { IncomingMessage, ServerResponse } from "node:http";
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import type { BoundedEventStore } from "./event-store.ts";
import type { Principal } from "./contracts.ts";
import { rpcError } from "./errors.ts";
import { answerOnStream, pendingRelays, ResponseStream } from "./response-stream.ts";
import type { SessionHandle } from "./session-server.ts";
import { noteRequest, type RequestNote, type SessionState } from "./session-state.ts";

type Params = Record<string, unknown>;
type Id = string | number;

interface JsonRpcRequest {
  jsonrpc: "2.0";
  id: Id;
  method: string;
  params?: Params;
}

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
  const waiters = pendingRelays(state);
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
      (state.fastCalls.get(params.requestId as Id) as ResponseStream | undefined)?.cancel(
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

/** Answers a fast call (see isFastCall) through the session's handler. */
export async function serveFastCall(
  handle: SessionHandle,
  session: { id: string; eventStore?: BoundedEventStore },
  message: JsonRpcRequest,
  http: { req: IncomingMessage; res: ServerResponse; note: RequestNote; principal: Principal },
): Promise<void> {
  const stream = new ResponseStream(handle.state, http.res, {
    sessionId: session.id,
    eventStore: session.eventStore,
    relaysRequests: true,
  });
  await answerOnStream(handle, message, stream, http);
}
