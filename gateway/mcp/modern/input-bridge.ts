// Server-to-client requests for a 2026-07-28 client, which has none: an upstream's elicitation,
// sampling or roots request during the client's call (or the gateway's own confirmation) becomes
// an `input_required` answer, and the client retries the call with `inputResponses`. The retry
// runs the call again; each request asked on the way is matched to its answer by a key made from
// what it asks (or a stable key its sender gives), so any replica can continue the call.
import { createHash } from "node:crypto";

type Params = Record<string, unknown>;

/** `_meta` field a sender sets when what it asks changes between runs (a decision id in the
 * text) but the question does not: the gateway's confirmation. */
export const INPUT_KEY_META = "io.gatehouse/input-key";

/** Rounds of input one call may ask for before the gateway stops it. */
export const MAX_INPUT_ROUNDS = 8;

/** The methods a 2026-07-28 client answers in-band, and the capability it must have declared. */
const INPUT_METHODS: Readonly<Record<string, string>> = {
  "elicitation/create": "elicitation",
  "sampling/createMessage": "sampling",
  "roots/list": "roots",
};

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Params)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value) ?? "null";
}

/** The digest that binds a sealed state to one call: its method and parameters, without the
 * round's own fields (`_meta`, `inputResponses`, `requestState`). */
export function callDigest(method: string, params: Params | undefined): string {
  const { _meta, inputResponses, requestState, ...rest } = params ?? {};
  return createHash("sha256")
    .update(canonical({ method, params: rest }))
    .digest("hex");
}

export function inputKey(request: { method: string; params?: Params }): string {
  const given = (request.params?._meta as Params | undefined)?.[INPUT_KEY_META];
  if (typeof given === "string" && given.length <= 200) return given;
  return `in-${createHash("sha256").update(canonical(request)).digest("hex").slice(0, 24)}`;
}

/** What became of a request to the client: its earlier answer, or the call must stop (the
 * request is asked for, or the client lacks the capability to answer it). */
export type InputOutcome = { answer: Params } | { stop: true };

export class InputBridge {
  private readonly asked = new Map<string, { method: string; params?: Params }>();
  private missing: string | undefined;

  /** `answered`: what the client answered in earlier rounds and this one, by key;
   * `capabilities`: what the client declared in the request's `_meta`. */
  constructor(
    readonly answered: Readonly<Record<string, Params>>,
    private readonly capabilities: Params,
  ) {}

  /** Whether the request is one the client can answer in-band (and said it would). */
  accepts(request: { method: string }): boolean {
    const capability = capabilityFor(request);
    return capability !== undefined && this.capabilities[capability] !== undefined;
  }

  /** A request to the client during the call; undefined when no client answers it in-band. */
  take(request: { method: string; params?: Params }): InputOutcome | undefined {
    const capability = capabilityFor(request);
    if (capability === undefined) return undefined;
    if (!this.accepts(request)) {
      this.missing ??= capability; // answered MissingRequiredClientCapability
      return { stop: true };
    }
    const key = inputKey(request);
    if (Object.hasOwn(this.answered, key)) return { answer: this.answered[key]! };
    this.asked.set(key, { method: request.method, params: request.params });
    return { stop: true };
  }

  /** The capability the call needed and the client lacks, if any. */
  missingCapability(): string | undefined {
    return this.missing;
  }

  /** The requests to send in the `input_required` answer, by key; undefined when none. */
  inputRequests(): Record<string, { method: string; params?: Params }> | undefined {
    return this.asked.size === 0 ? undefined : Object.fromEntries(this.asked);
  }
}

/** The capability a client must have declared to answer `request` in-band. */
function capabilityFor(request: { method: string }): string | undefined {
  return Object.hasOwn(INPUT_METHODS, request.method) ? INPUT_METHODS[request.method] : undefined;
}
