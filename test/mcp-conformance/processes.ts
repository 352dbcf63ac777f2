// Child processes for the conformance run and the bench: the fixture and the gateway, each a
// TypeScript entry run by Node with TYPESCRIPT_NODE_FLAGS (argv arrays, no shell), found ready by the URL
// they print on stdout.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { TYPESCRIPT_NODE_FLAGS } from "../../rego/node-typescript.ts";
import type { FixtureUpstream } from "./gateway-files.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FIXTURE_ENTRY = fileURLToPath(
  new URL("../fixtures/conformance-server/main.ts", import.meta.url),
);
/** The fixture as a stdio upstream: the command a gateway's catalog (or a stdio client) runs. */
export function stdioFixtureUpstream(): Extract<FixtureUpstream, { type: "stdio" }> {
  return {
    type: "stdio",
    command: process.execPath,
    args: [...TYPESCRIPT_NODE_FLAGS, FIXTURE_ENTRY, "--stdio"],
    cwd: REPO_ROOT,
  };
}
const CLI_ENTRY = fileURLToPath(new URL("../../cli/main.ts", import.meta.url));
const STARTUP_TIMEOUT_MS = 60_000;
const STDERR_KEPT = 40;

export interface RunningProcess {
  /** the MCP endpoint the process printed */
  url: string;
  child: ChildProcess;
  /** the last lines it wrote to stderr, for diagnostics */
  stderrTail(): string;
  stop(): Promise<void>;
}

/** Runs `entry` (TypeScript) under Node and waits for a stdout line matching `ready` (group 1 = URL). */
export function startTsProcess(
  entry: string,
  args: string[],
  ready: RegExp,
  name: string,
): Promise<RunningProcess> {
  const child = spawn(process.execPath, [...TYPESCRIPT_NODE_FLAGS, entry, ...args], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NODE_NO_WARNINGS: "1" },
  });
  const tail: string[] = [];
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    tail.push(...chunk.split("\n").filter((l) => l !== ""));
    tail.splice(0, Math.max(0, tail.length - STDERR_KEPT));
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const force = setTimeout(() => child.kill("SIGKILL"), 15_000);
      child.once("exit", () => {
        clearTimeout(force);
        resolve();
      });
      child.kill("SIGTERM");
    });
  return new Promise((resolve, reject) => {
    let buffered = "";
    const fail = (why: string) => {
      clearTimeout(timer);
      void stop();
      reject(new Error(`${name}: ${why}\n${tail.join("\n")}`));
    };
    const timer = setTimeout(
      () => fail(`not ready after ${STARTUP_TIMEOUT_MS} ms`),
      STARTUP_TIMEOUT_MS,
    );
    child.once("exit", (code, signal) => fail(`exited during startup (${signal ?? code})`));
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      buffered += chunk;
      const match = ready.exec(buffered);
      if (!match) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      child.stdout!.removeAllListeners("data");
      child.stdout!.resume();
      resolve({ url: match[1]!, child, stderrTail: () => tail.join("\n"), stop });
    });
  });
}

export function startFixtureProcess(): Promise<RunningProcess> {
  return startTsProcess(
    FIXTURE_ENTRY,
    ["--port", "0"],
    /^(http:\/\/\S+\/mcp)$/m,
    "conformance fixture",
  );
}

/** `gatehouse serve --config <file>` (a loopback bind with the dev principal); the URL is its /mcp. */
export function startGatewayProcess(configFile: string): Promise<RunningProcess> {
  return startTsProcess(
    CLI_ENTRY,
    ["serve", "--config", configFile],
    /gatehouse: serving (http:\/\/\S+\/mcp)/,
    "gateway",
  );
}
