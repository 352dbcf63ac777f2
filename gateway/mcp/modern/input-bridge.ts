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

export class InputBridge {
  private readonly asked = new Map<string, { method: string; params?: Params }>();

  /** `answered`: what the client answered in earlier rounds and this one, by key;
   * `capabilities`: what the client declared in the request's `_meta`. */
  constructor(
    readonly answered: Readonly<Record<string, Params>>,
    readonly round: number,
    private readonly capabilities: Params,
  ) {}

  /** The client's answer to `request`, when it gave one. */
  answerFor(request: { method: string; params?: Params }): Params | undefined {
    const key = inputKey(request);
    return Object.hasOwn(this.answered, key) ? this.answered[key] : undefined;
  }

  private missing: string | undefined;

  /** The capability the client must have declared to answer `request` in-band; undefined for a
   * request no client can answer in-band. */
  capabilityFor(request: { method: string }): string | undefined {
    return Object.hasOwn(INPUT_METHODS, request.method) ? INPUT_METHODS[request.method] : undefined;
  }

  /** Whether the request is one the client can answer in-band (and said it would). */
  accepts(request: { method: string }): boolean {
    const capability = this.capabilityFor(request);
    return capability !== undefined && this.capabilities[capability] !== undefined;
  }

  /** Notes that the call needs a capability the client did not declare (answered -32021). */
  requireCapability(capability: string): void {
    this.missing ??= capability;
  }

  /** The capability the call needed and the client lacks, if any. */
  missingCapability(): string | undefined {
    return this.missing;
  }

  /** Notes a request the client must answer before the call can go on. */
  ask(request: { method: string; params?: Params }): void {
    this.asked.set(inputKey(request), { method: request.method, params: request.params });
  }

  /** The requests to send in the `input_required` answer, by key; undefined when none. */
  inputRequests(): Record<string, { method: string; params?: Params }> | undefined {
    return this.asked.size === 0 ? undefined : Object.fromEntries(this.asked);
  }
}
