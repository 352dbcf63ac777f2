// Supply chain through the catalog: a stdio server started by a package runner without an exact
// version runs whatever the registry serves at the next start (a compromised or look-alike
// release), and an HTTP upstream URL can point the gateway at a metadata or internal address.
// The catalog is refused wherever it is loaded: `gatehouse catalog validate`, the gateway's start,
// and each synced revision; each refusal names the file and field and says what to do, and
// nothing is spawned or fetched.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CatalogError, loadCatalog } from "../../gateway/catalog/index.ts";
import { loadConfig } from "../../gateway/config.ts";
import { Gateway } from "../../gateway/gateway.ts";
import { silentLogger } from "../../gateway/log.ts";
import { startGateway, type RunningGateway } from "../../gateway/sync/index.ts";
import { TestRepo, writeGoodLayout } from "../gateway/sync/helpers.ts";
import { childPids } from "../gateway/upstream/helpers.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
let dir: string;
let count = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "gatehouse-mcp04-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A catalog folder holding one server file; returns the folder. */
function catalogWith(server: string): string {
  const catalogDir = join(dir, `catalog-${++count}`);
  mkdirSync(join(catalogDir, "servers"), { recursive: true });
  writeFileSync(join(catalogDir, "servers", "tool.yaml"), server);
  return catalogDir;
}

function stdioServer(command: string, args: string[]): string {
  return `name: tool\ntransport:\n  type: stdio\n  command: ${command}\n  args: ${JSON.stringify(args)}\n`;
}

/** The catalog's problems (it must be refused). */
function problemsOf(catalogDir: string): string[] {
  try {
    loadCatalog(catalogDir);
  } catch (e) {
    if (e instanceof CatalogError) return e.problems;
    throw e;
  }
  throw new Error(`${catalogDir} was accepted`);
}

const unpinned = (field: string, runner: string, spec: string) =>
  new RegExp(
    `servers/tool\\.yaml: transport\\.${field.replace(/[[\]]/g, "\\$&")}: ${runner} fetches "${spec.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&")}" without an exact version: .*pin the version \\(`,
  );

describe("unpinned package runners in the catalog", () => {
  it("npx -y <pkg> without a version is refused, naming the field and the fix", () => {
    const problems = problemsOf(catalogWith(stdioServer("npx", ["-y", "mcp-server-evil"])));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(unpinned("args[1]", "npx", "mcp-server-evil"));
    expect(problems[0]).toContain("mcp-server-evil@1.2.3");
  });

  it("npx <pkg>@latest (a moving tag) is refused", () => {
    expect(problemsOf(catalogWith(stdioServer("npx", ["--yes", "@acme/mcp@latest"])))[0]).toMatch(
      unpinned("args[1]", "npx", "@acme/mcp@latest"),
    );
  });

  it("npx <pkg>@^1.2.0 (a range) is refused", () => {
    expect(problemsOf(catalogWith(stdioServer("npx", ["-y", "mcp-tools@^1.2.0"])))[0]).toMatch(
      unpinned("args[1]", "npx", "mcp-tools@^1.2.0"),
    );
  });

  it("uvx <pkg> without a version is refused (Python runners too)", () => {
    const problem = problemsOf(catalogWith(stdioServer("uvx", ["mcp-server-fetch"])))[0];
    expect(problem).toMatch(unpinned("args[0]", "uvx", "mcp-server-fetch"));
    expect(problem).toContain("mcp-server-fetch==1.2.3");
  });

  it("pnpm dlx <pkg> without a version is refused", () => {
    expect(problemsOf(catalogWith(stdioServer("pnpm", ["dlx", "mcp-remote"])))[0]).toMatch(
      unpinned("args[1]", "pnpm dlx", "mcp-remote"),
    );
  });

  it("bunx <pkg> by absolute path is refused", () => {
    expect(problemsOf(catalogWith(stdioServer("/usr/local/bin/bunx", ["mcp-remote"])))[0]).toMatch(
      unpinned("args[0]", "bunx", "mcp-remote"),
    );
  });

  it("npx hidden in a shell script (sh -c '... && exec npx -y pkg') is refused", () => {
    for (const script of ["npx -y mcp-server-evil", "cd /tmp && exec npx -y mcp-server-evil"]) {
      const problems = problemsOf(catalogWith(stdioServer("sh", ["-c", script])));
      expect(problems[0]).toMatch(unpinned("args[1]", "npx", "mcp-server-evil"));
    }
  });

  it("env VAR=x npx <pkg> (a wrapper in front) is refused", () => {
    expect(
      problemsOf(catalogWith(stdioServer("env", ["NODE_OPTIONS=", "npx", "-y", "mcp-x"])))[0],
    ).toMatch(unpinned("args[3]", "npx", "mcp-x"));
  });

  it("npx github:owner/repo (a branch, no commit) is refused", () => {
    expect(problemsOf(catalogWith(stdioServer("npx", ["github:evil/mcp"])))[0]).toMatch(
      unpinned("args[0]", "npx", "github:evil/mcp"),
    );
  });

  it("the gateway refuses to start on such a catalog, and spawns nothing", async () => {
    const before = childPids();
    const catalogDir = catalogWith(stdioServer("npx", ["-y", "mcp-server-evil"]));
    const config = loadConfig({ flags: { port: 0, dev: true, catalogDir } });
    await expect(Gateway.start(config, { log: silentLogger })).rejects.toThrow(
      /tool\.yaml: transport\.args\[1\]: npx fetches "mcp-server-evil" without an exact version/,
    );
    expect(childPids()).toEqual(before);
  });
});

describe("HTTP upstream URLs in the catalog", () => {
  it("an upstream at the metadata address is refused, naming transport.url", () => {
    const problems = problemsOf(
      catalogWith("name: tool\ntransport: { type: http, url: 'http://169.254.169.254/' }\n"),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /servers\/tool\.yaml: transport\.url: egress refused: http:\/\/169\.254\.169\.254\/ \(address 169\.254\.169\.254\): cloud metadata endpoint/,
      ),
    ]);
  });

  it("an upstream over plain http to a public host is refused (https required)", () => {
    expect(
      problemsOf(
        catalogWith("name: tool\ntransport: { type: sse, url: 'http://mcp.example.com/sse' }\n"),
      )[0],
    ).toMatch(/transport\.url: egress refused: http:\/\/mcp\.example\.com\/sse: plain http/);
  });

  it("a token endpoint on a private address (credentials.token_url) is refused", () => {
    const problems = problemsOf(
      catalogWith(
        [
          "name: tool",
          "transport: { type: http, url: 'https://mcp.example.com/mcp' }",
          "credentials:",
          "  type: oauth_client_credentials",
          "  token_url: https://10.0.0.5/token",
          "  client_id: gatehouse",
          "  client_secret: env:TOOL_SECRET",
          "",
        ].join("\n"),
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /credentials\.token_url: egress refused: https:\/\/10\.0\.0\.5\/token .*private address/,
      ),
    ]);
  });

  it("gatehouse catalog validate exits 1 on an unpinned npx and a metadata URL, naming both", () => {
    const catalogDir = join(dir, "validate");
    mkdirSync(join(catalogDir, "servers"), { recursive: true });
    writeFileSync(
      join(catalogDir, "servers", "a.yaml"),
      stdioServer("npx", ["-y", "mcp-evil"]).replace("tool", "a"),
    );
    writeFileSync(
      join(catalogDir, "servers", "b.yaml"),
      "name: b\ntransport: { type: http, url: 'http://169.254.169.254/' }\n",
    );
    const run = spawnSync(
      process.execPath,
      [join(root, "cli/bin/gatehouse.js"), "catalog", "validate", catalogDir],
      {
        cwd: root,
        encoding: "utf8",
        timeout: 60_000,
        env: { PATH: process.env.PATH },
      },
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(
        /servers\/a\.yaml: transport\.args\[1\]: npx fetches "mcp-evil" without an exact version/,
      ),
      expect.stringMatching(
        /servers\/b\.yaml: transport\.url: egress refused: http:\/\/169\.254\.169\.254\/ .*cloud metadata endpoint/,
      ),
    ]);
  });
});

describe("a synced revision", () => {
  let running: RunningGateway | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it("adding an unpinned npx server through Git is refused; the active revision stays, nothing spawned", async () => {
    const repo = new TestRepo(join(dir, "repo"));
    writeGoodLayout(repo);
    const good = repo.commit("good");
    running = await startGateway(
      loadConfig({
        flags: {
          port: 0,
          dev: true,
          dataDir: join(dir, "sync-data"),
          sync: { repo: repo.remote, branch: "main", poll: "1h" },
        },
      }),
      { log: silentLogger },
    );
    const before = childPids();
    repo.write(
      "catalog/servers/evil.yaml",
      stdioServer("npx", ["-y", "mcp-server-evil"]).replace("tool", "evil"),
    );
    const bad = repo.commit("add an unpinned server");
    await running.sync!.trigger("manual");
    const status = running.sync!.status();
    expect(status.active?.revision).toBe(good);
    expect(status.lastAttempt).toMatchObject({
      revision: bad,
      outcome: "refused",
      stage: "catalog",
    });
    expect(status.lastAttempt?.problems).toEqual([
      expect.stringMatching(
        /catalog\/servers\/evil\.yaml: transport\.args\[1\]: npx fetches "mcp-server-evil"/,
      ),
    ]);
    expect(running.gateway.current().catalog.servers.has("evil")).toBe(false);
    expect(childPids().filter((pid) => !before.includes(pid))).toEqual([]);
  }, 120_000);
});
