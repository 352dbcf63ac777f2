// semver.compare and semver.is_valid, with OPA's parsing rules (optional "v" prefix,
// major.minor.patch as Go int64s, dot-separated pre-release and build identifiers).
import { builtinError, stringOperand } from "./errors.ts";
import type { HostBuiltinTable } from "./types.ts";

interface Version {
  major: bigint;
  minor: bigint;
  patch: bigint;
  preRelease: string;
}

const IDENTIFIERS = /^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$/;
const INT64 = /^[+-]?\d+$/;
const MAX_INT64 = (1n << 63n) - 1n;

function cut(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ""] : [s.slice(0, i), s.slice(i + 1)];
}

function parseInt64(s: string): bigint | undefined {
  if (!INT64.test(s)) return undefined;
  const n = BigInt(s);
  return n > MAX_INT64 || n < -MAX_INT64 - 1n ? undefined : n;
}

export function parseSemver(text: string): Version | undefined {
  let rest = text.startsWith("v") ? text.slice(1) : text;
  let metadata: string, preRelease: string;
  [rest, metadata] = cut(rest, "+");
  if (metadata !== "" && !IDENTIFIERS.test(metadata)) return undefined;
  [rest, preRelease] = cut(rest, "-");
  if (preRelease !== "" && !IDENTIFIERS.test(preRelease)) return undefined;
  const parts = rest.split(".");
  if (parts.length !== 3) return undefined;
  const [major, minor, patch] = parts.map(parseInt64);
  if (major === undefined || minor === undefined || patch === undefined) return undefined;
  return { major, minor, patch, preRelease };
}

const sign = (a: bigint | string, b: bigint | string): number => (a > b ? 1 : a < b ? -1 : 0);
const isNumeric = (s: string) => /^\d+$/.test(s);

function comparePreRelease(a: string, b: string): number {
  if (a === b) return 0;
  if (a === "") return 1;
  if (b === "") return -1;
  const as = a.split(".");
  const bs = b.split(".");
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const [x, y] = [as[i]!, bs[i]!];
    const [xn, yn] = [isNumeric(x), isNumeric(y)];
    if (xn !== yn) return xn ? -1 : 1;
    const c = xn ? sign(BigInt(x), BigInt(y)) : sign(x, y);
    if (c !== 0) return c;
  }
  return sign(BigInt(as.length), BigInt(bs.length));
}

export function compareSemver(a: Version, b: Version): number {
  return (
    sign(a.major, b.major) ||
    sign(a.minor, b.minor) ||
    sign(a.patch, b.patch) ||
    comparePreRelease(a.preRelease, b.preRelease)
  );
}

function versionOperand(value: unknown, pos: number): Version {
  const text = stringOperand(value, pos);
  const version = parseSemver(text);
  if (!version)
    throw builtinError(`operand ${pos}: string ${JSON.stringify(text)} is not a valid SemVer`);
  return version;
}

export const semverBuiltins: HostBuiltinTable = {
  "semver.compare": ([a, b]) => {
    const va = versionOperand(a, 1);
    return compareSemver(va, versionOperand(b, 2));
  },
  "semver.is_valid": ([v]) => typeof v === "string" && parseSemver(v) !== undefined,
};
