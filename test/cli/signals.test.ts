// Whatever pid a user or a service manager starts, SIGTERM to that pid stops the gateway
// gracefully: `npm start`, the `gatehouse` launcher (cli/bin/gatehouse.js) and `node cli/main.ts`
// with the TypeScript flags. Each is started on a free loopback port with its own data dir; after
// the signal its port is closed and none of the processes it started (npm's shell, node, the
// stdio upstreams) is left. Linux: processes are found through /proc.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TYPESCRIPT_NODE_FLAGS } from "../../rego/node-typescript.ts";
import { useTempDir } from "../helpers/temp-dir.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const temp = useTempDir("gatehouse-signals");
const hasProc = existsSync("/proc/self/stat");

/** pid -> parent pid of every live (non-zombie) process. */
function processTable(): Map<number, number> {
  const table = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (state !== "Z") table.set(Number(name), Number(ppid));
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

function descendantsOf(pid: number): number[] {
  const table = processTable();
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of table) {
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

function alive(pids: number[]): number[] {
  const table = processTable();
  return pids.filter((pid) => table.has(pid));
}

/** Resolves with the /mcp URL once the output says the gateway serves (bounded). */
function serving(child: ChildProcess, output: () => string, limitMs = 150_000): Promise<URL> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`not serving within ${limitMs} ms:\n${output()}`)),
      limitMs,
    );
    const check = () => {
      const match = /gatehouse: serving (http:\/\/\S+\/mcp)/.exec(output());
      if (!match) return;
      clearTimeout(timer);
      resolve(new URL(match[1]!));
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before serving:\n${output()}`));
    });
  });
}

/** How the process ended: "code 0", or "signal SIGKILL", ... */
function exited(child: ChildProcess, limitMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`still running ${limitMs} ms after SIGTERM`)),
      limitMs,
    );
    // "close": the process ended and every holder of its output pipes (the gateway) closed them
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve(signal ? `signal ${signal}` : `code ${code}`);
    });
  });
}

function portOpen(url: URL): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

const ways: [string, (env: NodeJS.ProcessEnv) => ChildProcess][] = [
  [
    "npm start",
    // npm forwards the signal to its script, which `exec`s the gateway (no shell in between)
    (env) => spawn("npm", ["start", "--silent", "--", "--port", "0"], { cwd: root, env }),
  ],
  [
    "the gatehouse launcher",
    (env) =>
      spawn(process.execPath, ["cli/bin/gatehouse.js", "serve", "--dev", "--port", "0"], {
        cwd: root,
        env,
      }),
  ],
  [
    "node cli/main.ts serve",
    (env) =>
      spawn(
        process.execPath,
        [...TYPESCRIPT_NODE_FLAGS, "cli/main.ts", "serve", "--dev", "--port", "0"],
        { cwd: root, env },
      ),
  ],
];

describe.skipIf(!hasProc)("SIGTERM to the started pid", { timeout: 300_000 }, () => {
  it.each(ways)("%s: stops the gateway gracefully and leaves no process", async (_, start) => {
    const child = start({ ...process.env, GATEHOUSE_DATA_DIR: join(temp.path, "data") });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    let started: number[] = [];
    try {
      const url = await serving(child, () => output);
      expect(await portOpen(url)).toBe(true);
      started = descendantsOf(child.pid!);

      child.kill("SIGTERM");
      expect(await exited(child)).toBe("code 0");
      expect(output).toContain("gatehouse: SIGTERM: shutting down");
      expect(output).toContain('"msg":"gateway stopped"');
      expect(await portOpen(url)).toBe(false);
      expect(alive(started)).toEqual([]);
    } finally {
      // a failed run must not leave its gateway behind either
      for (const pid of alive([child.pid!, ...started])) process.kill(pid, "SIGKILL");
    }
  });
});
