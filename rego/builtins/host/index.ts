// The host-side builtins, in the shape @open-policy-agent/opa-wasm takes as `customBuiltins`.
import { builtins, hostImportName } from "../registry.ts";
import { encodingBuiltins } from "./encoding.ts";
import { BuiltinError } from "./errors.ts";
import { globBuiltins } from "./glob.ts";
import { globsMatchBuiltins } from "./globs-match.ts";
import { jwtBuiltins } from "./jwt/index.ts";
import { cryptoBuiltins } from "./crypto/index.ts";
import { graphBuiltins } from "./graph.ts";
import { awsBuiltins } from "./aws-sign.ts";
import { uuidBuiltins } from "./uuid.ts";
import { randBuiltins } from "./rand.ts";
import { jsonPatchBuiltins } from "./json-patch.ts";
import { jsonSchemaBuiltins } from "./json-schema.ts";
import { templateBuiltins } from "./template.ts";
import { graphqlBuiltins } from "./graphql/index.ts";
import { bitsBuiltins } from "./bits.ts";
import { netBuiltins } from "./net.ts";
import { regexBuiltins } from "./regex.ts";
import { regoModuleBuiltins } from "./rego-module.ts";
import { restrictedBuiltins } from "./restricted.ts";
import { semverBuiltins } from "./semver.ts";
import { timeBuiltins } from "./time/index.ts";
import type { HostBuiltin } from "./types.ts";
import { unitsBuiltins } from "./units.ts";
import { perEvaluation } from "./per-evaluation.ts";
import type { EvaluationOutput } from "./evaluation-output.ts";
import { printBuiltins } from "./print.ts";
import { withRegoValueText } from "./rego-value-text.ts";
import { testOnlyBuiltins } from "./test-only.ts";

export interface HostBuiltinOptions {
  /** Throw on builtin errors (OPA's strict-builtin-errors); default: the call is undefined. */
  strictBuiltinErrors?: boolean;
  /** Clock for time.now_ns, in nanoseconds since the epoch. */
  now?: () => bigint;
  /** Allow OPA's test-only builtins (test.sleep): for test runners, never for the gateway. */
  testBuiltins?: boolean;
  /** Where print() and trace() write; without it they write nothing. */
  output?: EvaluationOutput;
}

export type CustomBuiltin = (...args: unknown[]) => unknown;

// Wall clock with sub-millisecond resolution: the epoch at load plus the monotonic clock since.
const hrtimeAtStart = process.hrtime.bigint();
const epochNsAtStart = BigInt(Date.now()) * 1_000_000n;
const systemClock = (): bigint => process.hrtime.bigint() - hrtimeAtStart + epochNsAtStart;

function implementations(
  now: () => bigint,
  testBuiltins = false,
  output?: EvaluationOutput,
): Record<string, HostBuiltin> {
  return {
    ...regexBuiltins,
    ...globBuiltins,
    ...globsMatchBuiltins,
    ...timeBuiltins(now),
    ...netBuiltins,
    ...semverBuiltins,
    ...unitsBuiltins,
    ...encodingBuiltins,
    ...bitsBuiltins,
    ...jwtBuiltins,
    ...cryptoBuiltins,
    ...graphBuiltins,
    ...awsBuiltins,
    ...uuidBuiltins,
    ...randBuiltins(),
    ...jsonPatchBuiltins,
    ...jsonSchemaBuiltins,
    ...templateBuiltins,
    ...graphqlBuiltins,
    ...restrictedBuiltins,
    ...regoModuleBuiltins,
    ...testOnlyBuiltins(testBuiltins),
    ...printBuiltins(output),
  };
}

/** Names of the registry's host builtins that have no implementation here (expected: none). */
export function missingHostBuiltins(): string[] {
  const impl = implementations(systemClock);
  return [...builtins.values()]
    .filter((b) => b.placement === "host" && !(b.name in impl))
    .map((b) => b.name);
}

/**
 * Every host builtin of the registry, keyed by its import name (hostImportName); `regoValues`
 * builtins take and return Rego value text (rego-value-text.ts). Errors read like
 * OPA's: "<code>: <builtin>: <message>"; outside strict mode a failing call is undefined instead.
 */
export function hostBuiltins(options: HostBuiltinOptions = {}): Record<string, CustomBuiltin> {
  const strict = options.strictBuiltinErrors ?? false;
  // OPA reads the clock once per query: every time.now_ns (and decode_verify) of one evaluation
  // sees the same instant
  const context = { now: perEvaluation(options.now ?? systemClock) };
  const out: Record<string, CustomBuiltin> = {};
  for (const [name, json] of Object.entries(
    implementations(context.now, options.testBuiltins ?? false, options.output),
  )) {
    const impl = builtins.get(name)?.regoValues ? withRegoValueText(json) : json;
    out[hostImportName(name)] = (...args: unknown[]) => {
      try {
        return impl(args, context);
      } catch (err) {
        if (!(err instanceof BuiltinError)) throw err;
        if (!strict) return undefined;
        throw new Error(`${err.code}: ${name}: ${err.message}`);
      }
    };
  }
  return out;
}
