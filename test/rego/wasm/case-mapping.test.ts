// lower/upper map each code point as Go's unicode.ToLower/ToUpper do (OPA's strings.ToLower and
// ToUpper): the simple case mappings of Unicode 15.0.0, with no context rules such as Greek final
// sigma. Checked on every code point against the Unicode data the runtime's table is built from.
import { beforeAll, describe, expect, it } from "vitest";
import lowercase from "@unicode/unicode-15.0.0/Simple_Case_Mapping/Lowercase/code-points.mjs";
import uppercase from "@unicode/unicode-15.0.0/Simple_Case_Mapping/Uppercase/code-points.mjs";
import { Runtime } from "./runtime-harness.ts";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.load({ memory: { initial: 64 } });
});

const call = (name: string, s: string): unknown =>
  JSON.parse(rt.builtin(name, JSON.stringify(s)) ?? "null");

/** The code points of planes 0 and 1 (where all cased letters are) but the surrogates, and the
 * last of plane 16, in runs of `size`. */
function* codePointRuns(size: number): Generator<number[]> {
  for (let first = 0; first < 0x20000; first += size) {
    const run: number[] = [];
    for (let c = first; c < first + size; c++) {
      if (c < 0xd800 || c > 0xdfff) run.push(c);
    }
    yield run;
  }
  yield [0x10fffe, 0x10ffff];
}

describe("lower and upper", () => {
  it("map Greek letter by letter, with no final-sigma rule", () => {
    expect(call("lower", "ὈΔΥΣΣΕΎΣ")).toBe("ὀδυσσεύσ");
    expect(call("upper", "ὀδυσσεύς")).toBe("ὈΔΥΣΣΕΎΣ");
  });

  it("use the simple mappings where the full ones take more characters", () => {
    expect(call("upper", "ß ŉ ﬀ ᾀ")).toBe("ß ŉ ﬀ ᾈ");
    expect(call("lower", "İ ᾈ ẞ")).toBe("i ᾀ ß");
  });

  it("map every code point as Unicode 15.0.0's simple case mapping", () => {
    const mapped = [...lowercase.keys(), ...uppercase.keys()];
    expect(Math.max(...mapped)).toBeLessThan(0x20000);
    for (const [name, mapping] of [
      ["lower", lowercase],
      ["upper", uppercase],
    ] as const) {
      const wrong: string[] = [];
      for (const run of codePointRuns(0x4000)) {
        const got = Array.from(call(name, String.fromCodePoint(...run)) as string);
        run.forEach((c, i) => {
          const want = mapping.get(c) ?? c;
          const actual = got[i]?.codePointAt(0);
          if (actual !== want && wrong.length < 10) {
            wrong.push(
              `${name}(U+${c.toString(16)}): U+${actual?.toString(16)}, want U+${want.toString(16)}`,
            );
          }
        });
        expect(got.length).toBe(run.length);
      }
      expect(wrong).toEqual([]);
    }
  });
});
