// The `gatehouse` launcher (cli/bin/gatehouse.js): it runs the CLI in its own process (no child
// with flags), says which Node it needs instead of failing on a flag, and commands that compile
// no Rego never load the toolchain (binaryen, opa-wasm): only the command group named is imported.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { MINIMUM_NODE, unsupportedNode } from "../../rego/node-typescript-loader.js";
import { useTempDir } from "../helpers/temp-dir.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const launcher = join(root, "cli/bin/gatehouse.js");
const temp = useTempDir("gatehouse-launcher");

// Reports every module this process resolves, one `LOADED <url>` line on stderr each.
const traceModules = `data:text/javascript,${encodeURIComponent(`
import { registerHooks } from "node:module";
import { writeSync } from "node:fs";
registerHooks({ resolve(specifier, context, next) {
  const result = next(specifier, context);
  writeSync(2, "LOADED " + result.url + "\\n");
  return result;
} });`)}`;

function gatehouseTraced(args: string[]): { code: number | null; loaded: string[]; out: string } {
  const run = spawnSync(process.execPath, ["--import", traceModules, launcher, ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, GATEHOUSE_DATA_DIR: join(temp.path, "data") },
  });
  const loaded = run.stderr
    .split("\n")
    .filter((line) => line.startsWith("LOADED "))
    .map((line) => line.slice("LOADED ".length));
  return { code: run.status, loaded, out: run.stdout };
}

const toolchain = (loaded: string[]) =>
  loaded.filter((url) => /\/node_modules\/(binaryen|@open-policy-agent\/opa-wasm)\//.test(url));

describe("gatehouse launcher", { timeout: 180_000 }, () => {
  it.each([
    ["--help", ["--help"]],
    ["token", ["token", "--sub", "alice"]],
    ["status", ["status", "--url", "http://127.0.0.1:9"]],
    ["keys list", ["keys", "list"]],
    ["audit query", ["audit", "query", "--store", "/nonexistent/audit.db"]],
    ["catalog validate", ["catalog", "validate", "catalog"]],
  ])("%s loads neither binaryen nor opa-wasm, nor another command group", (_, args) => {
    const run = gatehouseTraced(args);
    expect(run.loaded.some((url) => url.endsWith("/cli/program.ts"))).toBe(true);
    expect(toolchain(run.loaded)).toEqual([]);
    const groups = run.loaded
      .map((url) => /\/cli\/commands\/([a-z-]+)\.ts$/.exec(url)?.[1])
      .filter((group) => group !== undefined);
    expect(groups).toEqual(args[0] === "--help" ? [] : [args[0]]);
  });

  it.each([
    // jose's entry point (all of jose), zod's translations of its messages (German among them)
    [
      "token",
      ["token", "--sub", "alice"],
      [/\/jose\/dist\/webapi\/index\.js$/, /\/zod\/v4\/locales\/de\.js$/],
    ],
    // PostgreSQL's client, for a SQLite store
    [
      "audit query",
      ["audit", "query", "--store", "/nonexistent/audit.db"],
      [/\/node_modules\/pg\//],
    ],
    // the egress guard's HTTP stack: the catalog's URLs are checked against the rules only
    [
      "catalog validate",
      ["catalog", "validate", "catalog"],
      [/\/gateway\/egress\/guard\.ts$/, /^node:https?$/],
    ],
    // the gateway itself
    ["serve --help", ["serve", "--help"], [/\/gateway\/gateway\.ts$/, /\/rego\/index\.ts$/]],
  ])("%s leaves out what it does not need", (_, args, unwanted) => {
    const run = gatehouseTraced(args as string[]);
    expect(run.code).not.toBe(null);
    expect(run.loaded.filter((url) => (unwanted as RegExp[]).some((re) => re.test(url)))).toEqual(
      [],
    );
  });

  it("loads the toolchain for a command that compiles Rego", () => {
    const run = gatehouseTraced(["policy", "test", "policies"]);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^PASS: \d+\/\d+$/m);
    expect(toolchain(run.loaded).length).toBeGreaterThan(0);
  });

  it("lists every command group in --help without loading them", () => {
    const run = gatehouseTraced(["--help"]);
    for (const group of [
      "policy",
      "catalog",
      "serve",
      "status",
      "promote",
      "keys",
      "token",
      "audit",
    ])
      expect(run.out).toMatch(new RegExp(`^  ${group} `, "m"));
    // and a group's own help shows its options, from its module
    expect(gatehouseTraced(["help", "serve"]).out).toContain("--api-keys-only");
  });

  it("npm's prepare loads every command's modules without running any (cli/bin/warm-caches.js)", () => {
    const run = spawnSync(process.execPath, [join(root, "cli/bin/warm-caches.js")], {
      cwd: root,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect({ code: run.status, out: run.stdout, err: run.stderr }).toEqual({
      code: 0,
      out: "",
      err: "",
    });
  });

  it("names the Node it needs instead of failing on a flag", () => {
    expect(unsupportedNode("20.11.1")).toBe(
      `Gatehouse needs Node.js >= ${MINIMUM_NODE} (this is v20.11.1); install Node 22 LTS or newer`,
    );
    expect(unsupportedNode("22.6.0")).toMatch(
      /^Gatehouse needs Node.js >= 22\.15 \(this is v22\.6\.0\)/,
    );
    // a recent version whose module API lacks the hooks is refused too
    expect(unsupportedNode("24.0.0", {})).toMatch(/needs Node.js/);
    expect(unsupportedNode(process.versions.node)).toBeUndefined();
  });

  // an older Node installed beside the one running the tests (the system's, on many machines)
  const olderNode = ["/usr/bin/node", "/usr/local/bin/node"].find((path) => {
    if (!existsSync(path)) return false;
    const version = spawnSync(path, ["-p", "process.versions.node"], { encoding: "utf8" });
    return version.status === 0 && unsupportedNode(version.stdout.trim()) !== undefined;
  });
  it.skipIf(olderNode === undefined)(
    "on an older Node, the launcher and npm's scripts print that message (exit 1)",
    () => {
      mkdirSync(temp.path, { recursive: true });
      for (const args of [[launcher, "--help"], [join(root, "cli/bin/prestart.js")]]) {
        const run = spawnSync(olderNode!, args, { cwd: temp.path, encoding: "utf8" });
        expect(run.status).toBe(1);
        expect(run.stderr).toMatch(/^Gatehouse needs Node.js >= 22\.15 \(this is v\d+\./);
        expect(run.stderr).not.toContain("bad option");
      }
    },
  );
});
