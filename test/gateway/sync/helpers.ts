// A real Git "remote" for the sync tests: a bare repository in a temp folder, and a working clone
// the test commits in and pushes from (git through execFile with argument arrays).
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { scriptedServer } from "../upstream/helpers.ts";

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      PATH: process.env.PATH,
      HOME: cwd,
      GIT_AUTHOR_NAME: "Test",
      GIT_AUTHOR_EMAIL: "test@example.com",
      GIT_COMMITTER_NAME: "Test",
      GIT_COMMITTER_EMAIL: "test@example.com",
      GIT_CONFIG_NOSYSTEM: "1",
    },
  }).trim();
}

export class TestRepo {
  readonly remote: string;
  readonly work: string;

  constructor(root: string) {
    this.remote = join(root, "remote.git");
    this.work = join(root, "work");
    mkdirSync(this.remote, { recursive: true });
    git(this.remote, "init", "--quiet", "--bare", "--initial-branch=main");
    git(root, "clone", "--quiet", this.remote, this.work);
    git(this.work, "checkout", "--quiet", "-B", "main");
  }

  write(path: string, text: string): void {
    const full = join(this.work, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }

  remove(path: string): void {
    rmSync(join(this.work, path), { recursive: true, force: true });
  }

  /** Commits everything (signed with an SSH key when given) and pushes main; returns the SHA. */
  commit(message: string, signingKey?: string): string {
    git(this.work, "add", "--all");
    const signing = signingKey
      ? ["-c", "gpg.format=ssh", "-c", `user.signingkey=${signingKey}`, "commit", "-S"]
      : ["commit"];
    git(this.work, ...signing, "--quiet", "--allow-empty", "-m", message);
    git(this.work, "push", "--quiet", "--force", "origin", "HEAD:main");
    return git(this.work, "rev-parse", "HEAD");
  }

  /** Points main (local and remote) at an older commit: a force-push. */
  forcePush(commit: string): void {
    git(this.work, "reset", "--quiet", "--hard", commit);
    git(this.work, "push", "--quiet", "--force", "origin", "HEAD:main");
  }
}

/** A scripted stdio upstream as a catalog file. */
export function serverYaml(name: string, extraArgs: string[] = []): string {
  return [
    `name: ${name}`,
    "transport:",
    "  type: stdio",
    `  command: ${JSON.stringify(process.execPath)}`,
    `  args: ${JSON.stringify([scriptedServer, ...extraArgs])}`,
    "tools:",
    "  echo: { risk: read }",
    "  sample: { risk: read }",
    "",
  ].join("\n");
}

/**
 * A policy that allows every tool except those in `blocked`, and names the deciding revision
 * (input.policy.revision) in its reasons, so a test sees which commit decided.
 */
export function policyRego(blocked: string[]): string {
  return `package gatehouse

import rego.v1

blocked := ${JSON.stringify(blocked)}

allow if not input.mcp.tool in blocked

default allow := false

decision := {
  "allow": allow,
  "reasons": [sprintf("tool %v at revision %v", [input.mcp.tool, input.policy.revision])],
  "visible_tools": [name | some c in input.list; name := sprintf("%v__%v", [c.server, c.name])],
}
`;
}

export const POLICY_TEST = `package gatehouse_test

import rego.v1

test_other_tools_allowed if data.gatehouse.allow with input as {"mcp": {"tool": "no-such-tool"}}
`;

export const FAILING_TEST = `package gatehouse_test

import rego.v1

# fails while echo is allowed
test_fails if not data.gatehouse.allow with input as {"mcp": {"tool": "echo"}}
`;

/** Writes a whole good layout: one upstream, the policy, its test. */
export function writeGoodLayout(repo: TestRepo, blocked: string[] = []): void {
  repo.write("catalog/servers/scripted.yaml", serverYaml("scripted"));
  repo.write("policies/gatehouse/decision.rego", policyRego(blocked));
  repo.write("policies/gatehouse/decision_test.rego", POLICY_TEST);
}

export async function connectClient(url: string): Promise<Client> {
  const client = new Client({ name: "sync-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** Calls a tool; "ok" with the text, or the JSON-RPC error's message. */
export async function outcome(client: Client, name: string): Promise<string> {
  try {
    const result = await client.callTool({ name, arguments: { text: "hi" } });
    const content = result.content as Array<{ text?: string }>;
    return `ok ${content.map((c) => c.text ?? "").join("")}`;
  } catch (e) {
    if (e instanceof McpError) return `error ${e.message}`;
    throw e;
  }
}

/** GitHub's X-Hub-Signature-256 value for a body. */
export function signGithub(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** A GitHub push webhook to the gateway at `base` (http://host:port). */
export function postGithubPush(base: string, body: string, signature: string): Promise<Response> {
  return fetch(`${base}/-/sync`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-hub-signature-256": signature,
    },
    body,
  });
}
