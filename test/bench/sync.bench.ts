// npm run bench:sync [-- --pushes 20 --load 4]
// GitOps latency and safety: a gateway process (`gatehouse serve` following a bare repository in a
// temp folder, webhook on) under a steady tools/call load; the bench pushes a new policy commit
// and posts a signed GitHub push webhook, then measures the time until the first call decided by
// the new revision (a probe call whose denial reason names input.policy.revision). Prints p50/p90/
// max over the pushes, and the load's calls and failed calls during all the swaps (expected 0).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { startGatewayProcess, type RunningProcess } from "../mcp-conformance/processes.ts";
import {
  connectClient,
  git,
  policyRego,
  POLICY_TEST,
  postGithubPush,
  serverYaml,
  signGithub,
  TestRepo,
} from "../gateway/sync/helpers.ts";

const SECRET = "bench-webhook-secret";

function numberOption(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name}: expected a positive integer`);
  return value;
}

const pushes = numberOption("--pushes", 20);
const loadClients = numberOption("--load", 4);

function writeLayout(repo: TestRepo, push: number): void {
  repo.write("catalog/servers/scripted.yaml", serverYaml("scripted"));
  // echo: the load (always allowed); sample: the probe (always denied, the reason names the revision)
  repo.write("policies/gatehouse/decision.rego", `# push ${push}\n${policyRego(["sample"])}`);
  repo.write("policies/gatehouse/decision_test.rego", POLICY_TEST);
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function probeRevision(client: Client): Promise<string> {
  try {
    await client.callTool({ name: "scripted__sample", arguments: {} });
    return "allowed?";
  } catch (e) {
    const match = e instanceof McpError ? /at revision ([0-9a-f]{40})/.exec(e.message) : null;
    return match?.[1] ?? `unexpected: ${e instanceof Error ? e.message : String(e)}`;
  }
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "gatehouse-bench-sync-"));
  let gateway: RunningProcess | undefined;
  const clients: Client[] = [];
  try {
    const repo = new TestRepo(root);
    writeLayout(repo, 0);
    const first = repo.commit("push 0");
    const configFile = join(root, "gatehouse.yaml");
    writeFileSync(
      configFile,
      [
        "port: 0",
        "dev: true",
        `dataDir: ${JSON.stringify(join(root, "data"))}`,
        "sync:",
        `  repo: ${JSON.stringify(repo.remote)}`,
        "  branch: main",
        "  poll: 1h",
        "  webhookSecret: env:GATEHOUSE_BENCH_WEBHOOK",
        "",
      ].join("\n"),
    );
    process.env.GATEHOUSE_BENCH_WEBHOOK = SECRET;
    gateway = await startGatewayProcess(configFile);
    const base = gateway.url.replace(/\/mcp$/, "");

    const probe = await connectClient(gateway.url);
    clients.push(probe);
    if ((await probeRevision(probe)) !== first)
      throw new Error("the gateway does not serve the first commit");

    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    const loops: Promise<void>[] = [];
    for (let i = 0; i < loadClients; i++) {
      const client = await connectClient(gateway.url);
      clients.push(client);
      loops.push(
        (async () => {
          while (!stop) {
            try {
              await client.callTool({ name: "scripted__echo", arguments: { text: "load" } });
              ok++;
            } catch (e) {
              failures.push(e instanceof Error ? e.message : String(e));
            }
          }
        })(),
      );
    }

    const latencies: number[] = [];
    const loadStarted = performance.now();
    for (let push = 1; push <= pushes; push++) {
      writeLayout(repo, push);
      git(repo.work, "add", "--all");
      git(repo.work, "commit", "--quiet", "-m", `push ${push}`);
      const sha = git(repo.work, "rev-parse", "HEAD");
      const started = performance.now();
      git(repo.work, "push", "--quiet", "origin", "HEAD:main");
      const body = JSON.stringify({ ref: "refs/heads/main", after: sha });
      const hook = await postGithubPush(base, body, signGithub(body, SECRET));
      if (hook.status !== 202) throw new Error(`webhook answered ${hook.status}`);
      for (;;) {
        const seen = await probeRevision(probe);
        if (seen === sha) break;
        if (performance.now() - started > 120_000)
          throw new Error(`push ${push}: not active after 120 s (probe saw ${seen})`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const ms = performance.now() - started;
      latencies.push(ms);
      console.log(
        `push ${String(push).padStart(2)}: ${ms.toFixed(0)} ms to the first call decided by ${sha.slice(0, 12)}`,
      );
    }
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    stop = true;
    await Promise.all(loops);

    const sorted = [...latencies].sort((a, b) => a - b);
    console.log("");
    console.log(
      `push + webhook -> first call on the new revision, ${pushes} pushes: p50 ${quantile(sorted, 0.5).toFixed(0)} ms, p90 ${quantile(sorted, 0.9).toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms`,
    );
    console.log(
      `tools/call load during the ${pushes} swaps (${loadClients} clients, ${loadSeconds.toFixed(1)} s): ${ok} calls ok, ${failures.length} failed (${(ok / loadSeconds).toFixed(0)} calls/s)`,
    );
    for (const message of [...new Set(failures)].slice(0, 5)) console.log(`  failure: ${message}`);
    if (failures.length > 0) process.exitCode = 1;
  } finally {
    for (const client of clients) await client.close().catch(() => undefined);
    await gateway?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
