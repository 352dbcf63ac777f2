// npm run bench:cli [-- --runs 5] [--only <part of a row's name>]
// How long each `gatehouse` command takes to start, as a user runs it (node cli/bin/gatehouse.js):
// the median wall time and the median user+sys CPU time of the process over several runs. CPU time
// is less sensitive to other work on the machine than wall time, so the load average is printed
// beside the figures. Targets (idle machine): commands that compile no Rego in under 300 ms,
// `policy test policies` in under 2 s, and the quick start ready in under 5 s: from `npm start`
// (and from `serve --dev` itself) to the first 200 of GET /readyz.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { get } from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SqliteAuditStore } from "../../gateway/audit/sqlite-store.ts";
import { freePort } from "../gateway/upstream/helpers.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const launcher = join(root, "cli/bin/gatehouse.js");

function runsOption(): number {
  const at = process.argv.indexOf("--runs");
  if (at < 0) return 5;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error("--runs: expected a positive integer");
  return value;
}

interface Sample {
  wallMs: number;
  cpuMs: number;
}

/** Whether GET /readyz on 127.0.0.1:`port` answers 200 now. */
function isReady(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get({ host: "127.0.0.1", port, path: "/readyz", agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on("error", () => resolve(false));
  });
}

/**
 * Runs `command` under `sh -c '...; times'`: the shell's `times` reports the user and system CPU
 * its children used (POSIX), which Node cannot read for a child itself. With `servesOn` (a port
 * the command serves on), the wall time is until GET /readyz there first answers 200; the run
 * then ends with SIGTERM (its CPU time covers the whole run: shutdown and upstream processes too).
 */
function runOnce(command: string[], env: NodeJS.ProcessEnv, servesOn?: number): Promise<Sample> {
  const quoted = command.map((a) => `'${a.replace(/'/g, "'\\''")}'`);
  // the command's stdout goes to the shell's stderr, so `times` is alone on stdout; a SIGTERM to
  // the shell is passed on to the command, and the shell waits for it to end before `times`
  const script = `${quoted.join(" ")} 1>&2 & pid=$!; trap 'kill -TERM $pid; wait $pid' TERM; wait $pid; times`;
  const started = performance.now();
  const child = spawn("sh", ["-c", script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let wallMs: number | undefined;
  let exited = false;
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const poll = async (port: number) => {
    while (!exited && wallMs === undefined) {
      if (await isReady(port)) {
        wallMs = performance.now() - started;
        child.kill("SIGTERM");
      } else await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  if (servesOn !== undefined) void poll(servesOn);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", () => {
      exited = true;
      if (servesOn !== undefined && wallMs === undefined)
        return reject(new Error(`${command.join(" ")}: exited before it was ready:\n${err}${out}`));
      wallMs ??= performance.now() - started;
      // `times` prints the shell's own times, then its children's: "0m0.120s 0m0.030s"
      const children = out.trim().split("\n").at(-1) ?? "";
      const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map(
        (m) => Number(m[1]) * 60 + Number(m[2]),
      );
      if (seconds.length !== 2)
        return reject(new Error(`${command.join(" ")}: unexpected output:\n${err}${out}`));
      resolve({ wallMs, cpuMs: (seconds[0]! + seconds[1]!) * 1000 });
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Case {
  name: string;
  /** the launcher's arguments */
  args: string[];
  targetMs: number;
  /** run through npm: `npm <args>` instead of the launcher */
  npm?: boolean;
  /** a server: `--port <free port>` is added, and the run lasts until it is ready */
  serves?: boolean;
}

const runs = runsOption();
const scratch = mkdtempSync(join(tmpdir(), "gatehouse-bench-cli-"));
try {
  const dataDir = join(scratch, "data");
  mkdirSync(dataDir);
  const store = join(scratch, "audit.db");
  await new SqliteAuditStore(store).close();
  mkdirSync("/tmp/gatehouse", { recursive: true }); // the default catalog's filesystem root
  const cases: Case[] = [
    { name: "--help", args: ["--help"], targetMs: 300 },
    { name: "token", args: ["token", "--sub", "alice", "--data-dir", dataDir], targetMs: 300 },
    // nothing listens on port 9 (discard): the command starts, fails to connect, says so
    { name: "status", args: ["status", "--url", "http://127.0.0.1:9"], targetMs: 300 },
    { name: "keys list", args: ["keys", "list", "--data-dir", dataDir], targetMs: 300 },
    { name: "audit query", args: ["audit", "query", "--store", store], targetMs: 300 },
    {
      name: "audit verify",
      args: ["audit", "verify", "--store", store, "--chain-only"],
      targetMs: 300,
    },
    { name: "catalog validate", args: ["catalog", "validate", "catalog"], targetMs: 300 },
    { name: "policy test policies", args: ["policy", "test", "policies"], targetMs: 2000 },
    // what `npm start` runs, then `npm start` itself (its prestart: the Node check, the runtime
    // build, skipped when its inputs are unchanged, and the sandbox folder)
    { name: "serve --dev to ready", args: ["serve", "--dev"], targetMs: 5000, serves: true },
    { name: "npm start to ready", args: ["start", "--"], targetMs: 5000, npm: true, serves: true },
  ];
  const before = loadavg()[0]!;
  console.log(
    `gatehouse CLI start-up, median of ${runs} runs; load average ${before.toFixed(2)} on ${cpus().length} cores at the start`,
  );
  console.log(`${"command".padEnd(24)} ${"wall ms".padStart(8)} ${"cpu ms".padStart(8)}  target`);
  const only = process.argv.indexOf("--only");
  for (const c of cases) {
    if (only >= 0 && !c.name.includes(process.argv[only + 1] ?? "")) continue;
    const samples: Sample[] = [];
    for (let i = 0; i < runs; i++) {
      const port = c.serves ? await freePort() : undefined;
      const args = port === undefined ? c.args : [...c.args, "--port", String(port)];
      const command = c.npm ? ["npm", ...args] : [process.execPath, launcher, ...args];
      // a fresh data dir each time: serve starts as after a clone (no sync cache, no audit store)
      samples.push(await runOnce(command, { GATEHOUSE_DATA_DIR: join(dataDir, `run-${i}`) }, port));
    }
    const wall = median(samples.map((s) => s.wallMs));
    const cpu = median(samples.map((s) => s.cpuMs));
    console.log(
      `${c.name.padEnd(24)} ${wall.toFixed(0).padStart(8)} ${cpu.toFixed(0).padStart(8)}  < ${c.targetMs} ms on an idle machine`,
    );
  }
  console.log(`load average ${loadavg()[0]!.toFixed(2)} at the end`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
