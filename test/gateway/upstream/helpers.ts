// Shared by the upstream pool tests: catalogs built in code, a recording logger, waiting, ports.
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Catalog, CatalogServer, Transport } from "../../../gateway/catalog/index.ts";
import type { Logger } from "../../../gateway/mcp/upstream/index.ts";

export const scriptedServer = fileURLToPath(
  new URL("../../fixtures/upstreams/scripted-server.ts", import.meta.url),
);

export const everythingEntry = join(
  dirname(
    createRequire(import.meta.url).resolve("@modelcontextprotocol/server-everything/package.json"),
  ),
  "dist/index.js",
);

/** Fields of a server file a test may set besides its transport. */
export type ServerSettings = Partial<
  Pick<CatalogServer, "isolation" | "max_connections" | "idle_timeout_seconds" | "tools">
>;

export function catalogOf(
  servers: Record<string, Transport>,
  settings: Record<string, ServerSettings> = {},
): Catalog {
  const map = new Map<string, CatalogServer>();
  for (const [name, transport] of Object.entries(servers)) {
    map.set(name, {
      name,
      description: "",
      tags: [],
      transport,
      tools: {},
      tool_defaults: { risk: "write", tags: [] },
      source: `${name}.yaml`,
      ...settings[name],
    });
  }
  return { dir: "(test)", servers: map, virtualServers: new Map() };
}

export function stdio(args: string[], env: Record<string, string> = {}): Transport {
  return { type: "stdio", command: process.execPath, args, env };
}

export interface LogEntry {
  level: "info" | "warn" | "error";
  message: string;
  fields?: Record<string, unknown>;
}

export function recordingLogger(): Logger & { entries: LogEntry[]; text(): string } {
  const entries: LogEntry[] = [];
  return {
    entries,
    info: (message, fields) => void entries.push({ level: "info", message, fields }),
    warn: (message, fields) => void entries.push({ level: "warn", message, fields }),
    error: (message, fields) => void entries.push({ level: "error", message, fields }),
    text: () => entries.map((e) => `${e.message} ${JSON.stringify(e.fields ?? {})}`).join("\n"),
  };
}

export async function waitFor(
  what: string,
  condition: () => boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Live (non-zombie) child processes of this process, from /proc. */
export function childPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === process.pid && fields[0] !== "Z") pids.push(Number(entry));
    } catch {
      // the process went away while we looked
    }
  }
  return pids;
}

export function textOf(result: Record<string, unknown>): string {
  const content = result.content as Array<{ type: string; text?: string }>;
  return content.map((c) => c.text ?? "").join("");
}

/** server-everything as an HTTP child process (`streamableHttp` or `sse` mode) on `port`. */
export async function startEverythingHttp(
  mode: "streamableHttp" | "sse",
  port: number,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [everythingEntry, mode], {
    env: { PATH: process.env.PATH, PORT: String(port) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server-everything ${mode} did not start`)),
      10_000,
    );
    let output = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (new RegExp(`port ${port}`).test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server-everything ${mode} exited (${code}): ${output}`));
    });
  });
  return child;
}

export async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}
