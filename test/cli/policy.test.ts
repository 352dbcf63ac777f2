import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { describe, expect, it } from "vitest";
import { readBundle } from "../../rego/bundle/index.ts";
import { readTar } from "../../rego/bundle/tar.ts";
import { hostBuiltins } from "../../rego/index.ts";
import { useTempDir } from "../helpers/temp-dir.ts";

const launcher = fileURLToPath(new URL("../../cli/bin/gatehouse.js", import.meta.url));
const tmpDir = useTempDir("gatehouse-cli");
const put = (path: string, text: string): string => tmpDir.put(path, text);

function gatehouse(...args: string[]) {
  const run = spawnSync(process.execPath, [launcher, ...args], {
    cwd: tmpDir.path,
    encoding: "utf8",
    timeout: 170_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function writeAuthzPolicy(): void {
  put(
    "policies/authz/authz.rego",
    [
      "package authz",
      "",
      "default allow := false",
      "",
      "allow if input.user in data.authz.admins",
      "",
    ].join("\n"),
  );
  put("policies/authz/data.json", JSON.stringify({ admins: ["alice"] }));
}

describe("gatehouse policy build", { timeout: 180_000 }, () => {
  it("writes an OPA bundle whose policy.wasm loads in opa-wasm and evaluates", async () => {
    writeAuthzPolicy();
    const run = gatehouse(
      "policy",
      "build",
      "policies",
      "-e",
      "authz/allow",
      "-o",
      "out.tar.gz",
      "--revision",
      "r1",
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);

    const archive = readFileSync(join(tmpDir.path, "out.tar.gz"));
    const names = readTar(gunzipSync(archive)).map((e) => e.name);
    expect(names).toEqual(["/.manifest", "/data.json", "/policy.wasm", "/authz/authz.rego"]);

    const bundle = readBundle(archive);
    expect(bundle.manifest).toEqual({
      revision: "r1",
      roots: [""],
      wasm: [{ entrypoint: "authz/allow", module: "/policy.wasm" }],
    });
    expect(bundle.data).toEqual({ authz: { admins: ["alice"] } });

    const policy = await loadPolicy(
      bundle.wasm!,
      undefined,
      hostBuiltins({ strictBuiltinErrors: false }),
    );
    policy.setData(bundle.data);
    expect(policy.evaluate({ user: "alice" }, "authz/allow")).toEqual([{ result: true }]);
    expect(policy.evaluate({ user: "mallory" }, "authz/allow")).toEqual([{ result: false }]);
  });

  it("bakes --budget into the module as its default, and --no-meter builds one without a budget", async () => {
    put(
      "metered/loop.rego",
      "package loop\n\nn := count([x | some x in numbers.range(1, 100000)])\n",
    );
    const limited = gatehouse(
      "policy",
      "build",
      "metered",
      "-e",
      "loop/n",
      "-o",
      "limited.tar.gz",
      "--budget",
      "1000",
    );
    expect(limited.stderr).toBe("");
    const unmetered = gatehouse(
      "policy",
      "build",
      "metered",
      "-e",
      "loop/n",
      "-o",
      "free.tar.gz",
      "--no-meter",
    );
    expect(unmetered.stderr).toBe("");
    const load = async (file: string) => {
      const wasm = readBundle(readFileSync(join(tmpDir.path, file))).wasm!;
      const exported = WebAssembly.Module.exports(
        new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>),
      ).map((e) => e.name);
      const policy = await loadPolicy(wasm, undefined, hostBuiltins());
      return { policy, limits: exported.filter((name) => name.startsWith("gatehouse_")) };
    };
    const withBudget = await load("limited.tar.gz");
    expect(withBudget.limits).toEqual([
      "gatehouse_budget_set",
      "gatehouse_budget_used",
      "gatehouse_text_limit_set",
    ]);
    expect(() => withBudget.policy.evaluate({}, "loop/n")).toThrow(
      "eval_budget_exceeded: the evaluation used more than its budget of 1000 instructions",
    );
    const free = await load("free.tar.gz");
    expect(free.limits).toEqual([]);
    expect(free.policy.evaluate({}, "loop/n")).toEqual([{ result: 100000 }]);
    const both = gatehouse(
      "policy",
      "build",
      "metered",
      "-e",
      "loop/n",
      "--budget",
      "5",
      "--no-meter",
    );
    expect(both.code).toBe(1);
    expect(both.stderr.trim()).toBe(
      "--budget and --no-meter exclude each other: an unmetered module has no budget",
    );
  });

  it("prints every Rego error as file:row:col: code: message and exits 1", () => {
    put("broken/bad.rego", "package bad\n\nallow if {\n  input.x ==\n}\n");
    const run = gatehouse("policy", "build", "broken", "-e", "bad/allow", "-o", "out.tar.gz");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(`^broken/bad\\.rego:\\d+:\\d+: rego_parse_error: .+`, "m"),
    );
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  it("names a missing folder and exits 1", () => {
    const run = gatehouse("policy", "build", "nowhere", "-e", "a/b");
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe("nowhere: no such file or directory");
  });
});

describe("gatehouse policy eval", { timeout: 180_000 }, () => {
  it("prints the query's result set as JSON", () => {
    writeAuthzPolicy();
    put("input.json", JSON.stringify({ user: "alice" }));
    const run = gatehouse(
      "policy",
      "eval",
      "policies",
      "--query",
      "x = data.authz.allow",
      "--input",
      "input.json",
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([{ x: true }]);
  });

  it("writes print() and trace() output to stderr, keeping stdout the result set", () => {
    put(
      "printing/p.rego",
      [
        "package p",
        "",
        "allow if {",
        '\tprint("user", input.user, input.missing, {"groups": {"b", "a"}})',
        '\ttrace("checked")',
        '\tinput.user == "alice"',
        "}",
        "",
      ].join("\n"),
    );
    put("input.json", JSON.stringify({ user: "alice" }));
    const run = gatehouse("policy", "eval", "printing", "-q", "data.p.allow", "-i", "input.json");
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('user alice <undefined> {"groups": {"a", "b"}}\ntrace: checked\n');
    expect(JSON.parse(run.stdout)).toEqual([{ result: true }]);
  });

  it("reports a query that is a lone term under `result`", () => {
    writeAuthzPolicy();
    put("input.json", JSON.stringify({ user: "mallory" }));
    const run = gatehouse(
      "policy",
      "eval",
      "policies",
      "--query",
      "data.authz.allow",
      "--input",
      "input.json",
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([{ result: false }]);
  });

  it("merges --data at the root of data", () => {
    put("p/q.rego", "package q\n\nnames contains n if some n in data.extra\n");
    put("extra.yaml", "extra: [b, a]\n");
    const run = gatehouse(
      "policy",
      "eval",
      "p",
      "--query",
      "x = data.q.names",
      "--data",
      "extra.yaml",
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([{ x: ["a", "b"] }]);
  });

  it("reports a runtime error with its location and exits 1", () => {
    put("p/conflict.rego", "package c\n\nv := 1 if input.a\nv := 2 if input.a\n");
    put("input.json", JSON.stringify({ a: true }));
    const run = gatehouse(
      "policy",
      "eval",
      "p",
      "--query",
      "x = data.c.v",
      "--input",
      "input.json",
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /eval_conflict_error: complete rules must not produce multiple outputs/,
    );
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  it("stops a query at --budget, and at --max-memory, exiting 1 with the limit and the flag to raise it", () => {
    put(
      "limits/heavy.rego",
      [
        "package heavy",
        "",
        "pairs := count([1 | some x in numbers.range(1, 1000); some y in numbers.range(1, 1000); x == y])",
        "",
        "many := count(numbers.range(1, 2000000))",
        "",
      ].join("\n"),
    );
    const query = (q: string, ...flags: string[]) =>
      gatehouse("policy", "eval", "limits", "--query", q, ...flags);
    const limited = query("x = data.heavy.pairs", "--budget", "10000");
    expect(limited.code).toBe(1);
    expect(limited.stdout).toBe("");
    expect(limited.stderr.trim()).toBe(
      "eval_budget_exceeded: the evaluation used more than its budget of 10000 instructions (raise it with --budget <units>)",
    );
    const enough = query("x = data.heavy.pairs", "--budget", "100000000");
    expect(enough.stderr).toBe("");
    expect(JSON.parse(enough.stdout)).toEqual([{ x: 1000 }]);
    const memory = query("x = data.heavy.many", "--max-memory", "4");
    expect(memory.code).toBe(1);
    expect(memory.stderr.trim()).toBe(
      "the policy ran out of memory: it may use at most 4 MiB (limit 4 MiB; opa_malloc: failed) (raise it with --max-memory <MiB>)",
    );
    const bad = query("x = data.heavy.pairs", "--budget", "lots");
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe('--budget "lots": give an integer from 1 to 9007199254740991');
  });

  it("refuses an input nested deeper than 1000 levels instead of evaluating without it", () => {
    put("deep/allow.rego", "package deep\n\ndefault allow := true\n\nallow := false if input.x\n");
    put("deep.json", `{"x": ${"[".repeat(1000)}${"]".repeat(1000)}}`);
    const run = gatehouse(
      "policy",
      "eval",
      "deep",
      "--query",
      "x = data.deep.allow",
      "--input",
      "deep.json",
    );
    expect(run.stdout).toBe("");
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe("input nests deeper than 1000 levels (limit 1000)");
  });

  it("names a missing input file and exits 1", () => {
    writeAuthzPolicy();
    const run = gatehouse(
      "policy",
      "eval",
      "policies",
      "--query",
      "x = data.authz.allow",
      "--input",
      "nope.json",
    );
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe("nope.json: input file not found");
  });
});
