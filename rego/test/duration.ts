import { parseDuration as parseGoDuration } from "../builtins/host/time/duration.ts";

// Durations printed the way Go's time.Duration prints them (what `opa test` shows): 0s, 850ns,
// 12.5µs, 1.234567ms, 2.5s, 1m3.000000001s.

export function formatDuration(ns: number): string {
  ns = Math.max(0, Math.round(ns));
  if (ns === 0) return "0s";
  if (ns < 1e3) return `${ns}ns`;
  if (ns < 1e6) return `${fixed(ns, 3)}µs`;
  if (ns < 1e9) return `${fixed(ns, 6)}ms`;
  const hours = Math.floor(ns / 3.6e12);
  const minutes = Math.floor((ns % 3.6e12) / 6e10);
  const seconds = `${fixed(ns % 6e10, 9)}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}

/** `value / 10^digits` with the fraction's trailing zeros (and a bare point) dropped. */
function fixed(value: number, digits: number): string {
  const scale = 10 ** digits;
  const whole = Math.floor(value / scale);
  const fraction = String(value % scale)
    .padStart(digits, "0")
    .replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : `${whole}`;
}

/**
 * Go's duration syntax (`opa test --timeout 5s`, the same parser as `time.parse_duration_ns`):
 * e.g. `1m30s`, `1.5s`, `250ms`, `0`, without a sign. Nanoseconds; undefined for other text.
 */
export function parseDuration(text: string): number | undefined {
  if (/^[+-]/.test(text)) return undefined; // a timeout has no sign
  try {
    return Number(parseGoDuration(text));
  } catch {
    return undefined;
  }
}
