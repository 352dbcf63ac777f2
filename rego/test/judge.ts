// Decides a test's outcome from its entrypoint's result set, as `opa test` does: a test passes when
// its value is `true`; a test with a variable head (`test_x[note] if ...`) has one sub-test per key.
import type { SubResult } from "./types.ts";

export interface Verdict {
  fail: boolean;
  sub_results?: Record<string, SubResult>;
}

export function judgeResultSet(resultSet: unknown, hasSubResults: boolean): Verdict {
  if (!Array.isArray(resultSet) || resultSet.length === 0) return { fail: true };
  const value = (resultSet[0] as { result?: unknown }).result;
  if (hasSubResults && isObject(value)) {
    const sub_results = subResults(value);
    return { fail: Object.values(sub_results).some((s) => s.fail), sub_results };
  }
  return { fail: value !== true };
}

function subResults(value: Record<string, unknown>): Record<string, SubResult> {
  const out: Record<string, SubResult> = {};
  for (const key of Object.keys(value).sort()) {
    const v = value[key];
    if (isObject(v)) {
      const nested = subResults(v);
      const fail = Object.values(nested).some((s) => s.fail);
      out[key] = { name: key, ...(fail ? { fail } : {}), sub_results: nested };
    } else {
      out[key] = v === true ? { name: key } : { name: key, fail: true };
    }
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
