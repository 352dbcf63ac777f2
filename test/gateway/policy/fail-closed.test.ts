// Purpose-built policies for the paths where the engine must deny in the policy's place.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyEngine } from "../../../gateway/policy/index.ts";

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "gatehouse-engine-"));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

async function engineFor(name: string, rego: string): Promise<PolicyEngine> {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "decision.rego"), `package gatehouse\n\n${rego}\n`);
  return PolicyEngine.fromDirectories([dir]);
}

const noObligations = { redact_arguments: [], redact_result: [], confirm: false, rate_limit: null };

describe("fail closed", () => {
  it("denies when the decision is undefined", async () => {
    const engine = await engineFor("undefined", `decision := {"allow": true} if input.go == true`);
    const d = engine.decide({ go: false });
    expect(d.allow).toBe(false);
    expect(d.reasons).toEqual([
      "policy decision is undefined: no rule of data.gatehouse.decision applied",
    ]);
    expect(d.error).toEqual({ kind: "undefined", message: "data.gatehouse.decision is undefined" });
    expect(d.visible_tools).toEqual([]);
    expect(engine.decide({ go: true }).allow).toBe(true);
  });

  it('denies a malformed decision such as {"allow": "yes"}, saying what was wrong', async () => {
    const engine = await engineFor(
      "malformed",
      `decision := {"allow": "yes", "visible_tools": ["a__b"]}`,
    );
    const d = engine.decide({});
    expect(d.allow).toBe(false);
    expect(d.reasons).toEqual([
      'policy decision is malformed: allow must be a boolean, got string "yes"',
    ]);
    expect(d.error?.kind).toBe("malformed");
    expect(d.visible_tools).toEqual([]);
    expect(d.obligations).toEqual(noObligations);
  });

  it("denies an allow whose obligations the gateway could not enforce", async () => {
    const engine = await engineFor(
      "bad-obligations",
      `decision := {"allow": true, "obligations": {"confirm": "maybe", "redact_arguments": "token"}}`,
    );
    const d = engine.decide({});
    expect(d.allow).toBe(false);
    expect(d.reasons).toEqual([
      'policy decision is malformed: obligations.confirm must be a boolean, got string "maybe"; ' +
        'obligations.redact_arguments must be a list of strings, got string "token"',
    ]);
  });

  it("denies on an evaluation error, records it, and keeps deciding afterwards", async () => {
    const engine = await engineFor(
      "conflict",
      [
        `decision := {"allow": true, "reasons": ["a"]} if input.a`,
        `decision := {"allow": false, "reasons": ["b"]} if input.b`,
      ].join("\n"),
    );
    for (let round = 0; round < 20; round++) {
      const failed = engine.decide({ a: true, b: true });
      expect(failed.allow).toBe(false);
      expect(failed.reasons).toHaveLength(1);
      expect(failed.reasons[0]).toMatch(
        /^policy evaluation failed: .*complete rules must not produce multiple outputs/,
      );
      expect(failed.error?.kind).toBe("evaluation");
      expect(failed.reasons[0]).toBe(`policy evaluation failed: ${failed.error?.message}`);

      const ok = engine.decide({ a: true });
      expect(ok.allow).toBe(true);
      expect(ok.reasons).toEqual(["a"]);
      expect(ok.error).toBeUndefined();
    }
  });

  it("denies a builtin error with its message instead of a silent undefined", async () => {
    const engine = await engineFor(
      "builtin-error",
      `decision := {"allow": true, "reasons": [sprintf("quota %d", [100 / input.n])]}`,
    );
    const failed = engine.decide({ n: 0 });
    expect(failed.allow).toBe(false);
    expect(failed.reasons[0]).toMatch(
      /^policy evaluation failed: .*eval_builtin_error: div: divide by zero/,
    );
    expect(engine.decide({ n: 4 })).toMatchObject({ allow: true, reasons: ["quota 25"] });
  });

  it("bounds the policy's memory: an evaluation that needs more is denied, the next one works", async () => {
    const dir = join(tmp, "memory");
    mkdirSync(dir, { recursive: true });
    const rego = `decision := {"allow": count([x | some x in numbers.range(1, input.n)]) > 0}`;
    writeFileSync(join(dir, "decision.rego"), `package gatehouse\n\n${rego}\n`);
    const engine = await PolicyEngine.fromDirectories([dir], { maxMemoryPages: 64 });
    for (let round = 0; round < 2; round++) {
      const failed = engine.decide({ n: 5_000_000 });
      expect(failed.allow).toBe(false);
      expect(failed.error?.kind).toBe("evaluation");
      expect(failed.reasons).toEqual([`policy evaluation failed: ${failed.error?.message}`]);
      expect(engine.decide({ n: 10 }).allow).toBe(true);
    }
  });

  it("treats missing optional fields as empty, but only the boolean true as allow", async () => {
    const engine = await engineFor("minimal", `decision := {"allow": input.allow}`);
    const allowed = engine.decide({ allow: true });
    expect(allowed).toMatchObject({
      allow: true,
      reasons: [],
      obligations: noObligations,
      visible_tools: [],
    });
    expect(allowed.error).toBeUndefined();
    for (const value of [1, "true", null, [true], { x: true }]) {
      const d = engine.decide({ allow: value });
      expect(d.allow).toBe(false);
      expect(d.error?.kind).toBe("malformed");
    }
    expect(engine.decide({}).error?.message).toBe("data.gatehouse.decision is undefined");
  });

  it("denies every request of a policy set that never defines data.gatehouse.decision", async () => {
    const dir = join(tmp, "other");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "p.rego"), "package other\n\nallow := true\n");
    const engine = await PolicyEngine.fromDirectories([dir]);
    expect(engine.decide({}).error?.kind).toBe("undefined");
  });

  it("refuses to load folders without any Rego module", async () => {
    const dir = join(tmp, "data-only");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "data.json"), "{}");
    await expect(PolicyEngine.fromDirectories([dir])).rejects.toThrow(
      `no .rego files found in ${dir}`,
    );
  });
});
