// The README's "The first ten minutes", run as written: every fenced `sh` block of that section, in
// order, in a clone of the repository (a temp folder: its own git history, catalog/, policies/
// and examples/ copied from this checkout; the code and node_modules linked, read-only), each
// block's output checked against the `text` block that follows it. Conventions of that section:
//   ```sh terminal=1   runs in the background for the rest of the walk (the gateway)
//   ```sh exit=N       the block's last command exits N (0 otherwise; any earlier failure fails)
//   ```text            every line appears in the output, in order; `…` stands for anything
//   ```text wait       the same, rerunning the block until it does (bounded)
// `127.0.0.1:8080` in a command becomes the test's free port (GATEHOUSE_PORT and GATEHOUSE_URL
// point the commands' defaults there).
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const SECTION = "## The first ten minutes";

interface Block {
  lang: string;
  attrs: Map<string, string>;
  body: string;
}

interface Step {
  script: string;
  exit: number;
  background: boolean;
  expected?: { lines: string[]; wait: boolean };
}

/** The fenced blocks of the README section, in order. */
function sectionBlocks(markdown: string, heading: string): Block[] {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no section "${heading}"`);
  const rest = markdown.slice(start + heading.length + 2);
  const end = rest.search(/^## /m);
  const lines = (end < 0 ? rest : rest.slice(0, end)).split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== "```"; i++) body.push(lines[i]!);
    const attrs = new Map<string, string>();
    for (const word of open[2]!.trim().split(/\s+/).filter(Boolean)) {
      const [key, value = ""] = word.split("=");
      attrs.set(key!, value);
    }
    blocks.push({ lang: open[1]!, attrs, body: body.join("\n") });
  }
  return blocks;
}

function stepsOf(blocks: Block[]): Step[] {
  const steps: Step[] = [];
  for (const block of blocks) {
    if (block.lang === "sh") {
      steps.push({
        script: block.body,
        exit: Number(block.attrs.get("exit") ?? 0),
        background: block.attrs.get("terminal") === "1",
      });
    } else if (block.lang === "text") {
      const step = steps.at(-1);
      if (!step || step.expected)
        throw new Error(`a text block must follow an sh block:\n${block.body}`);
      const lines = block.body
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "" && line !== "…");
      step.expected = { lines, wait: block.attrs.has("wait") };
    }
  }
  return steps;
}

/** Every expected line matches a later output line (trimmed); `…` matches anything. */
function missingLine(expected: string[], output: string): string | undefined {
  const lines = output.split("\n").map((line) => line.trim());
  let at = 0;
  for (const want of expected) {
    const pattern = new RegExp(
      `^${want
        .split("…")
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*")}$`,
    );
    while (at < lines.length && !pattern.test(lines[at]!)) at++;
    if (at === lines.length) return want;
    at++;
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs a block with `sh -e` in the clone; its exit code and its stdout and stderr, interleaved. */
function runBlock(
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  limitMs = 240_000,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-ec", script], { cwd, env });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`still running after ${limitMs} ms:\n${script}\n${output}`));
    }, limitMs);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const readme = readFileSync(join(root, "README.md"), "utf8");
const steps = stepsOf(sectionBlocks(readme, SECTION));

describe("README: the first ten minutes", { timeout: 1_200_000 }, () => {
  let clone = "";
  let env: NodeJS.ProcessEnv = {};
  let port = 0;
  let gateway: ChildProcess | undefined;
  let gatewayOutput = "";

  beforeAll(async () => {
    clone = mkdtempSync(join(tmpdir(), "gatehouse-walkthrough-"));
    for (const folder of ["catalog", "policies", "examples", ".gitignore"])
      cpSync(join(root, folder), join(clone, folder), { recursive: true });
    for (const shared of ["cli", "gateway", "rego", "node_modules", "package.json"])
      symlinkSync(join(root, shared), join(clone, shared));
    port = await freePort();
    const inherited = Object.entries(process.env).filter(
      ([name]) => !name.startsWith("GATEHOUSE_") && !name.startsWith("OTEL_"),
    );
    env = {
      ...Object.fromEntries(inherited),
      // the Node running the tests runs the walk too
      PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`,
      GATEHOUSE_PORT: String(port),
      GATEHOUSE_URL: `http://127.0.0.1:${port}/mcp`,
      GIT_AUTHOR_NAME: "Walkthrough",
      GIT_AUTHOR_EMAIL: "walkthrough@example.test",
      GIT_COMMITTER_NAME: "Walkthrough",
      GIT_COMMITTER_EMAIL: "walkthrough@example.test",
      GIT_CONFIG_NOSYSTEM: "1",
    };
    const git = (...args: string[]) => execFileSync("git", args, { cwd: clone, env });
    git("init", "--quiet", "--initial-branch=main");
    git("add", "--all");
    git("commit", "--quiet", "-m", "a clone of gatehouse");
  });

  const running = () => gateway !== undefined && gateway.exitCode === null && !gateway.signalCode;

  /** Ctrl-C in terminal 1: the whole process group gets SIGINT; resolves once all of it ended. */
  async function pressCtrlC(limitMs = 60_000): Promise<void> {
    if (!running()) return;
    const closed = new Promise((resolve) => gateway!.once("close", resolve));
    process.kill(-gateway!.pid!, "SIGINT");
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, limitMs))]);
  }

  afterAll(async () => {
    await pressCtrlC();
    if (running()) process.kill(-gateway!.pid!, "SIGKILL");
    if (clone) rmSync(clone, { recursive: true, force: true });
  });

  it("has the walk: a gateway in terminal 1, then commands with their output", () => {
    expect(steps.filter((s) => s.background)).toHaveLength(1);
    expect(steps.length).toBeGreaterThan(8);
  });

  steps.forEach((step, n) => {
    const first = step.script.split("\n")[0]!;
    it(`step ${n + 1}: ${first.length > 80 ? `${first.slice(0, 79)}…` : first}`, async () => {
      const script = step.script.replaceAll("127.0.0.1:8080", `127.0.0.1:${port}`);
      if (step.background) {
        gateway = spawn("sh", ["-ec", script], { cwd: clone, env, detached: true });
        gateway.stdout!.on("data", (chunk: Buffer) => (gatewayOutput += chunk.toString()));
        gateway.stderr!.on("data", (chunk: Buffer) => (gatewayOutput += chunk.toString()));
        const deadline = Date.now() + 240_000;
        while (!/gatehouse: serving http:\/\/\S+\/mcp/.test(gatewayOutput)) {
          if (gateway.exitCode !== null || Date.now() > deadline)
            throw new Error(`the gateway did not start:\n${gatewayOutput}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return;
      }
      const deadline = Date.now() + 120_000;
      for (;;) {
        const { code, output } = await runBlock(script, clone, env);
        const missing = step.expected && missingLine(step.expected.lines, output);
        if (code === step.exit && missing === undefined) return;
        if (!step.expected?.wait || Date.now() > deadline) {
          throw new Error(
            `${script}\nexited ${code} (expected ${step.exit})${missing ? `; no line matches: ${missing}` : ""}\n--- output:\n${output}\n--- gateway (last 3000 characters):\n${gatewayOutput.slice(-3000)}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    });
  });

  it("Ctrl-C in terminal 1 stops the gateway gracefully", async () => {
    await pressCtrlC();
    expect(running()).toBe(false);
    expect(gatewayOutput).toContain("gatehouse: SIGINT: shutting down");
    expect(gatewayOutput).toContain('"msg":"gateway stopped"');
    const refused = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => "refused");
    expect(refused).toBe("refused");
  });
});
