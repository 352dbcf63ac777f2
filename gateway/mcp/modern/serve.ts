// Serves one protocol revision 2026-07-28 request (routed by route.ts): a stateless context
// (stateless.ts), the same dispatch as every request, and the answer on its own response stream,
// shaped for the revision: `resultType`, cache hints on results that depend on the caller, and
// the server's identity in `_meta`.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import {
  CLIENT_CAPABILITIES_META_KEY,
  LOG_LEVEL_META_KEY,
  SERVER_INFO_META_KEY,
  TRACEPARENT_META_KEY,
  TRACESTATE_META_KEY,
  type JSONRPCRequest,
} from "@modelcontextprotocol/server";
import type { Principal, SessionView } from "../contracts.ts";
import { RESOURCE_NOT_FOUND } from "../errors.ts";
import { answerOnStream, ResponseStream, type RpcErrorObject } from "../response-stream.ts";
import { GATEHOUSE_SERVER_INFO } from "../server-info.ts";
import type { RequestNote } from "../session-state.ts";
import { principalKey } from "../sessions.ts";
import { callDigest, InputBridge, MAX_INPUT_ROUNDS } from "./input-bridge.ts";
import { RequestStateError, type RequestStateSealer } from "./request-state.ts";
import { CACHEABLE_METHODS, MODERN_ERROR, PRIVATE_CACHE_HINT } from "./revision.ts";
import type { StatelessRequests } from "./stateless.ts";

type Params = Record<string, unknown>;

export interface ModernHttp {
  req: IncomingMessage;
  res: ServerResponse;
  principal: Principal;
  view: SessionView;
  note: RequestNote;
}

function isObject(value: unknown): value is Params {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The request's trace context: `_meta` carries it in this revision; headers are the fallback. */
function traceNote(meta: Params, note: RequestNote): RequestNote {
  const text = (value: unknown) =>
    typeof value === "string" && value.length <= 512 ? value : null;
  const traceparent = text(meta[TRACEPARENT_META_KEY]);
  if (traceparent === null) return note;
  return { ...note, traceparent, tracestate: text(meta[TRACESTATE_META_KEY]) };
}

/** A result as this revision has it. Every answer of the gateway depends on who asks (the
 * policy filters lists and decides reads), so cache hints are always private. */
export function modernResult(method: string, result: Params): Params {
  const meta = isObject(result._meta) ? result._meta : {};
  return {
    ...result,
    resultType: typeof result.resultType === "string" ? result.resultType : "complete",
    ...(CACHEABLE_METHODS.has(method) && PRIVATE_CACHE_HINT),
    _meta: { ...meta, [SERVER_INFO_META_KEY]: GATEHOUSE_SERVER_INFO },
  };
}

/** An error as this revision codes it: resource-not-found is invalid params (-32602). */
export function modernError(error: RpcErrorObject): RpcErrorObject {
  return error.code === RESOURCE_NOT_FOUND ? { ...error, code: MODERN_ERROR.invalidParams } : error;
}

/** `_meta` without the revision's reserved keys (`io.modelcontextprotocol/...`). */
function withoutEnvelope(meta: Params): Params {
  return Object.fromEntries(
    Object.entries(meta).filter(([key]) => !key.startsWith("io.modelcontextprotocol/")),
  );
}

/** The round of input a retried call continues, from its requestState and inputResponses. */
function continuation(
  sealer: RequestStateSealer,
  params: Params,
  binding: () => string,
): { answered: Record<string, Params>; round: number } {
  const { requestState, inputResponses } = params;
  if (requestState === undefined && inputResponses === undefined) return { answered: {}, round: 0 };
  if (typeof requestState !== "string")
    throw new RequestStateError("inputResponses came without the requestState they answer");
  const sealed = sealer.open(requestState, binding());
  if (sealed.round + 1 >= MAX_INPUT_ROUNDS)
    throw new RequestStateError(
      `the call asked for the client's input ${MAX_INPUT_ROUNDS} times; the gateway stopped it`,
    );
  const responses = isObject(inputResponses) ? inputResponses : {};
  const answered: Record<string, Params> = { ...sealed.answered };
  for (const [key, response] of Object.entries(responses)) {
    if (!sealed.asked.includes(key) || !isObject(response))
      throw new RequestStateError(
        `inputResponses.${key.slice(0, 40)} answers nothing that was asked`,
      );
    answered[key] = response;
  }
  return { answered, round: sealed.round + 1 };
}

/** What became of a request: answered (a refused requestState included, with its reason), or
 * not taken because its principal already has as many in flight as allowed. */
export type ModernOutcome = { answered: true; refusedState?: string } | { answered: false };

export async function serveModernRequest(
  requests: StatelessRequests,
  message: JSONRPCRequest,
  revision: string,
  http: ModernHttp,
): Promise<ModernOutcome> {
  const meta = isObject(message.params?._meta) ? message.params._meta : {};
  const request = requests.begin(
    http.principal,
    http.view,
    { ip: http.req.socket.remoteAddress, userAgent: http.req.headers["user-agent"] },
    revision,
    meta,
  );
  if (!request) return { answered: false };
  try {
    const params = message.params ?? {};
    // a continuation is the same call by the same principal on the same view, nothing else;
    // worked out only for a call that continues or stops to ask (not on every request)
    let bound: string | undefined;
    const binding = () =>
      (bound ??= [
        principalKey(http.principal).toString("hex"),
        http.view.kind === "all" ? "all" : http.view.name,
        callDigest(message.method, params),
      ].join("\n"));
    let round;
    try {
      round = continuation(requests.sealer, params, binding);
    } catch (e) {
      if (!(e instanceof RequestStateError)) throw e;
      const stream = new ResponseStream(request.handle.state, http.res, { relaysRequests: false });
      await stream.answer({
        jsonrpc: "2.0",
        id: message.id,
        error: { code: MODERN_ERROR.invalidParams, message: e.message },
      } as JSONRPCMessage);
      return { answered: true, refusedState: e.message };
    }
    const { requestState: _state, inputResponses: _responses, ...rest } = params;
    // the envelope was read into the request's state; the upstream is called through its own
    // handshake, and a dual-era upstream would take these keys for a 2026-07-28 request
    const forwarded = { ...rest, _meta: withoutEnvelope(meta) };
    const capabilities = meta[CLIENT_CAPABILITIES_META_KEY];
    const inputs = new InputBridge(round.answered, isObject(capabilities) ? capabilities : {});
    const stream = new ResponseStream(request.handle.state, http.res, {
      relaysRequests: false,
      inputs,
      dropsLogMessages: meta[LOG_LEVEL_META_KEY] === undefined,
    });
    http.res.once("close", () => {
      // closing the response stream is how this revision cancels a request
      if (!http.res.writableFinished) stream.cancel("the client closed the response stream");
    });
    await answerOnStream(
      request.handle,
      { ...message, params: forwarded },
      stream,
      { req: http.req, note: traceNote(meta, http.note), principal: http.principal },
      {
        result: (result) => modernResult(message.method, result),
        error: modernError,
        inputRequired: (inputRequests) =>
          modernResult(message.method, {
            resultType: "input_required",
            inputRequests,
            requestState: requests.sealer.seal(
              { answered: round.answered, asked: Object.keys(inputRequests), round: round.round },
              binding(),
            ),
          }),
      },
    );
  } finally {
    request.end();
  }
  return { answered: true };
}
