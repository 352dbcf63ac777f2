// A gateway that is not in development mode needs a token issuer: without one, `serve` refuses to
// start and says how to configure one (or use --dev); `--api-keys-only` starts it for machine
// clients, and its RFC 9728 metadata then names no authorization server rather than an empty list.
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { useTempDir } from "../helpers/temp-dir.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const launcher = join(root, "cli/bin/gatehouse.js");
const temp = useTempDir("gatehouse-serve-issuer");

/** The environment without any GATEHOUSE_* setting, with a data dir of the test's own. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("GATEHOUSE_")),
  );
  return { ...env, GATEHOUSE_DATA_DIR: join(temp.path, "data") };
}

describe("serve without a token issuer", { timeout: 180_000 }, () => {
  it("refuses to start, saying how to configure an issuer, use API keys only, or use --dev", () => {
    const run = spawnSync(process.execPath, [launcher, "serve", "--port", "0", "--no-sync"], {
      cwd: root,
      env: cleanEnv(),
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain("gatehouse: serving");
    expect(run.stderr).toContain("serve: no token issuer is configured");
    expect(run.stderr).toContain("auth.issuers");
    expect(run.stderr).toContain("GATEHOUSE_AUTH_ISSUERS=");
    expect(run.stderr).toContain("--api-keys-only");
    expect(run.stderr).toContain("--dev");
  });

  it("starts with --api-keys-only, and its metadata names no authorization server", async () => {
    const child = spawn(
      process.execPath,
      [launcher, "serve", "--port", "0", "--no-sync", "--api-keys-only"],
      { cwd: root, env: cleanEnv() },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    try {
      const url = await new Promise<URL>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not serving:\n${output}`)), 150_000);
        child.stdout.on("data", () => {
          const match = /gatehouse: serving (http:\/\/\S+\/mcp)/.exec(output);
          if (!match) return;
          clearTimeout(timer);
          resolve(new URL(match[1]!));
        });
        child.once("exit", () => reject(new Error(`exited before serving:\n${output}`)));
      });
      const metadata = await fetch(new URL("/.well-known/oauth-protected-resource/mcp", url));
      expect(metadata.status).toBe(200);
      const document = (await metadata.json()) as Record<string, unknown>;
      expect(document.resource).toBe(url.href);
      expect(document).not.toHaveProperty("authorization_servers");
      // without a key, a client is refused and pointed at the metadata
      const refused = await fetch(url, { method: "POST", body: "{}" });
      expect(refused.status).toBe(401);
      expect(refused.headers.get("www-authenticate")).toContain("resource_metadata=");
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("close", resolve));
    }
  });
});
