// The host builtins called with the argument values of OPA's conformance cases for their topics
// (../shared/conformance/opa/<topic>), in strict and default (non-strict) mode.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCases } from "../../conformance/cases.ts";
import { call, json, lenient, strict } from "./helpers.ts";

const CORPUS = join(import.meta.dirname, "../../../../shared/conformance/opa");
// the corpus sits next to the repository (../shared); a user's clone has none
const HAS_CORPUS = existsSync(CORPUS);
if (!HAS_CORPUS) console.log(`conformance corpus not found at ${CORPUS}: its value checks skipped`);

interface ValueCase {
  note: string;
  builtin: string;
  args: unknown[];
  /** expected JSON text of the result */
  want?: string;
  /** expected error: code and text the message must contain */
  error?: { code: string; text: string };
}

const LONG = "a".repeat(62) + "bc";
const NS_1517832000 = 1517832000 * 1000 * 1000 * 1000;

const cases: ValueCase[] = [
  {
    note: "regexmatch/re_match: undefined",
    builtin: "re_match",
    args: ["^[a-z]+\\[[0-9]+\\]$", 'foo["bar"]'],
    want: "false",
  },
  { note: "regexmatch/re_match: ref", builtin: "re_match", args: ["^b.*$", "bar"], want: "true" },
  { note: "regexmatch/re_match: ref", builtin: "re_match", args: ["^b.*$", "baz"], want: "true" },
  {
    note: "regexmatch/re_match: raw: undefined",
    builtin: "re_match",
    args: ["^[a-z]+\\[[0-9]+\\]$", 'foo["bar"]'],
    want: "false",
  },
  {
    note: "regexfindallstringsubmatch/multiple matches with captures-1",
    builtin: "regex.find_all_string_submatch_n",
    args: ["a(x*)b", "-ab-axb-", -1],
    want: json([
      ["ab", ""],
      ["axb", "x"],
    ]),
  },
  {
    note: "regexfindallstringsubmatch/large input",
    builtin: "regex.find_all_string_submatch_n",
    args: ["^.*$", LONG, -1],
    want: json([[LONG]]),
  },
  {
    note: "globmatch/glob match with : delimiter",
    builtin: "glob.match",
    args: ["*:github:com", [":"], "api:github:com"],
    want: "true",
  },
  {
    note: "globmatch/glob no match with character-range matchers",
    builtin: "glob.match",
    args: ["[a-c]at", [], "fat"],
    want: "false",
  },
  {
    note: "globmatch/glob no match with single wild-card and delimiter",
    builtin: "glob.match",
    args: ["?at", ["f"], "fat"],
    want: "false",
  },
  {
    note: "globmatch/glob match single with default delimiter",
    builtin: "glob.match",
    args: ["*", [], "foo"],
    want: "true",
  },
  {
    note: "globmatch/no deadlocks for glob match",
    builtin: "glob.match",
    args: ["*.github.com", ["."], "api.github.com"],
    want: "true",
  },
  {
    note: "globmatch/captured negative results, variable",
    builtin: "glob.match",
    args: ["*.github.com", ["."], "api.example.com"],
    want: "false",
  },
  {
    note: "globmatch/captured negative result, constant",
    builtin: "glob.match",
    args: ["*.github.com", ["."], "api.example.com"],
    want: "false",
  },
  ...(
    [
      ["1677-09-21T00:12:43.145224192-00:00", "-9223372036854775808"],
      ["1970-01-01T00:00:00-00:00", "0"],
      ["2017-06-02T19:00:00-07:00", "1496455200000000000"],
      ["2262-04-11T23:47:16.854775807-00:00", "9223372036854775807"],
    ] as const
  ).map(([value, want]) => ({
    note: "time/parse_rfc3339_nanos",
    builtin: "time.parse_rfc3339_ns",
    args: [value],
    want,
  })),
  {
    note: "time/parse_rfc3339_nanos_too_small",
    builtin: "time.parse_rfc3339_ns",
    args: ["1677-09-21T00:12:43.145224191-00:00"],
    error: { code: "eval_builtin_error", text: "time outside of valid range" },
  },
  {
    note: "time/parse_rfc3339_nanos_too_large",
    builtin: "time.parse_rfc3339_ns",
    args: ["2262-04-11T23:47:16.854775808-00:00"],
    error: { code: "eval_builtin_error", text: "time outside of valid range" },
  },
  {
    note: "time/date with empty tz",
    builtin: "time.date",
    args: [[NS_1517832000, ""]],
    want: "[2018,2,5]",
  },
  {
    note: "time/clock with NY tz",
    builtin: "time.clock",
    args: [[NS_1517832000, "America/New_York"]],
    want: "[7,0,0]",
  },
  { note: "time/weekday", builtin: "time.weekday", args: [1517918400000000000], want: '"Tuesday"' },
  {
    note: "time/weekday",
    builtin: "time.weekday",
    args: [1518264000000000000],
    want: '"Saturday"',
  },
  {
    note: "time/add_date negative values",
    builtin: "time.add_date",
    args: [1585852421593912000, -1, -1, -1],
    want: "1551465221593912000",
  },
  {
    note: "time/add_date too small result",
    builtin: "time.add_date",
    args: [-9223372036854775808, 0, 0, -1],
    error: { code: "eval_builtin_error", text: "time outside of valid range" },
  },
  {
    note: "netcidrcontains/cidr does not contain subnet partial",
    builtin: "net.cidr_contains",
    args: ["172.17.0.0/24", "172.17.0.0/16"],
    want: "false",
  },
  {
    note: "netcidrcontains/cidr contains subnet ipv6",
    builtin: "net.cidr_contains",
    args: ["2001:4860:4860::8888/32", "2001:4860:4860:1234::8888/40"],
    want: "true",
  },
  {
    note: "netcidrcontains/cidr does not contain subnet ipv6",
    builtin: "net.cidr_contains",
    args: ["2001:4860::/32", "fd1e:5bfe:8af3:9ddc::/64"],
    want: "false",
  },
  {
    note: "netcidrcontains/cidr contains ip",
    builtin: "net.cidr_contains",
    args: ["10.0.0.0/8", "10.1.2.3"],
    want: "true",
  },
  {
    note: "netcidrintersects/cidr subnet does not overlap",
    builtin: "net.cidr_intersects",
    args: ["192.168.1.0/24", "192.168.2.0/24"],
    want: "false",
  },
  {
    note: "netcidrintersects/cidr subnet overlap malformed cidr a",
    builtin: "net.cidr_intersects",
    args: ["not-a-cidr", "192.168.1.0/24"],
    error: { code: "eval_builtin_error", text: "" },
  },
  { note: "semvercompare/a < b", builtin: "semver.compare", args: ["1.0.0", "2.0.0"], want: "-1" },
  { note: "semvercompare/a == b", builtin: "semver.compare", args: ["1.0.0", "1.0.0"], want: "0" },
  {
    note: "semvercompare/invalid version b",
    builtin: "semver.compare",
    args: ["1.0.0", "1"],
    error: {
      code: "eval_builtin_error",
      text: 'semver.compare: operand 2: string "1" is not a valid SemVer',
    },
  },
  { note: "semverisvalid/valid", builtin: "semver.is_valid", args: ["1.0.0"], want: "true" },
  { note: "semverisvalid/invalid type", builtin: "semver.is_valid", args: [1], want: "false" },
];

describe("conformance argument values", () => {
  for (const c of cases) {
    const label = `${c.note}: ${c.builtin}(${json(c.args)})`;
    if (c.error) {
      it(`${label} fails in strict mode, is undefined otherwise`, () => {
        expect(() => strict[c.builtin]!(...c.args)).toThrow(`${c.error!.code}: `);
        expect(() => strict[c.builtin]!(...c.args)).toThrow(c.error!.text);
        expect(lenient[c.builtin]!(...c.args)).toBeUndefined();
      });
    } else {
      it(`${label} = ${c.want}`, () => {
        expect(json(call(c.builtin, ...c.args))).toBe(c.want);
        expect(json(lenient[c.builtin]!(...c.args))).toBe(c.want);
      });
    }
  }

  it.skipIf(!HAS_CORPUS)("covers every case of the host-builtin topics", () => {
    const topics = [
      "regexmatch",
      "regexfindallstringsubmatch",
      "globmatch",
      "time",
      "netcidrcontains",
      "netcidrintersects",
      "semvercompare",
      "semverisvalid",
    ];
    const notes = topics.flatMap((t) => loadCases(join(CORPUS, t)).map((c) => c.note));
    const covered = new Set(cases.map((c) => c.note));
    expect(notes.filter((n) => !covered.has(n))).toEqual([]);
  });
});

// units: every case is `units.parse*("...")` compared with a literal or another call; parse them.
describe.skipIf(!HAS_CORPUS)("units conformance cases", () => {
  const CALL = String.raw`units\.(parse_bytes|parse)\("((?:[^"\\]|\\.)*)"\)`;
  const COMPARISON = new RegExp(`^\\s*${CALL}\\s*(==|<|>)\\s*(?:${CALL}|(-?[\\d.]+))\\s*$`, "m");
  const BARE = new RegExp(`^\\s*${CALL}\\s*$`, "m");
  const units = HAS_CORPUS ? loadCases(join(CORPUS, "units")) : [];
  const evaluate = (fn: string, literal: string) =>
    Number(json(call(`units.${fn}`, JSON.parse(`"${literal}"`))));
  const exact = (fn: string, literal: string) =>
    json(call(`units.${fn}`, JSON.parse(`"${literal}"`)));

  it("has cases to check", () => expect(units.length).toBeGreaterThan(40));

  for (const c of units) {
    const body = c.modules![0]!;
    const comparison = COMPARISON.exec(body);
    const bare = BARE.exec(body);
    it(`${c.id}`, () => {
      if (comparison) {
        const [, fn, arg, op, fn2, arg2, literal] = comparison;
        if (literal !== undefined && op === "==") {
          // exact digits, also beyond 2^53
          const got = exact(fn!, arg!);
          expect(got.includes(".") ? Number(got) : BigInt(got)).toEqual(
            literal.includes(".") ? Number(literal) : BigInt(literal),
          );
          return;
        }
        const left = evaluate(fn!, arg!);
        const right = literal !== undefined ? Number(literal) : evaluate(fn2!, arg2!);
        const holds = op === "==" ? left === right : op === "<" ? left < right : left > right;
        expect(holds).toBe(c.want_result?.[0]?.x === true);
      } else if (bare && c.want_error) {
        const [, fn, arg] = bare;
        const args = [JSON.parse(`"${arg}"`)];
        expect(() => strict[`units.${fn}`]!(...args)).toThrow(`${c.want_error_code}: `);
        expect(() => strict[`units.${fn}`]!(...args)).toThrow(c.want_error);
        expect(lenient[`units.${fn}`]!(...args)).toBeUndefined();
      } else {
        throw new Error(`unrecognised case shape:\n${body}`);
      }
    });
  }
});
