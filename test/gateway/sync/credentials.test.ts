// Credentials for the sync source: the token reaches git's HTTP requests as a header (seen by a
// local HTTP server standing in for the Git host: a boundary we cannot reach in tests), and
// never appears in errors or log lines; a URL carrying a password is refused.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../gateway/config.ts";
import type { Logger } from "../../../gateway/log.ts";
import { redact } from "../../../gateway/sync/git.ts";
import { startGateway } from "../../../gateway/sync/index.ts";
import { useTempDir } from "../../helpers/temp-dir.ts";

const TOKEN = "ghp_supersecret_token_1234567890";
const temp = useTempDir("gatehouse-sync-credentials");
let host: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => (host ? host.close(resolve) : resolve(undefined)));
  host = undefined;
});

function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    log: (level, message, fields) =>
      lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`),
  };
}

describe("sync credentials", () => {
  it("sends the token as a Basic authorization header and keeps it out of every message", async () => {
    const seen: (string | undefined)[] = [];
    host = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(403, { "content-type": "text/plain" });
      res.end("denied\n");
    });
    await new Promise<void>((resolve) => host!.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(host.address() as AddressInfo).port}/acme/policy.git`;
    const log = recordingLog();
    const config = loadConfig({
      flags: {
        port: 0,
        dev: true,
        dataDir: join(temp.path, "data"),
        sync: { repo: url, branch: "main", auth: { token: "env:TEST_REPO_TOKEN" } },
      },
    });
    const started = startGateway(config, { log, env: { ...process.env, TEST_REPO_TOKEN: TOKEN } });
    const error = await started.then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.name).toBe("SyncStartError");
    expect(error?.message).toContain(`no revision of ${url} could be activated`);
    expect(error?.message).toMatch(/fetch: git clone: [^]*returned error: 403/);
    const basic = Buffer.from(`x-access-token:${TOKEN}`).toString("base64");
    expect(seen[0]).toBe(`Basic ${basic}`);
    for (const text of [error!.message, ...log.lines]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(basic);
    }
  });

  it("refuses a repository URL that carries a password", async () => {
    const config = loadConfig({
      flags: {
        port: 0,
        dataDir: join(temp.path, "data"),
        sync: { repo: "https://bot:hunter2@example.com/acme/policy.git" },
      },
    });
    await expect(startGateway(config, { log: recordingLog() })).rejects.toThrow(
      "sync.repo: the URL holds a password or token; put it in sync.auth.token (env: or file:) instead",
    );
  });

  it("redacts secrets and URL user info from git's messages", () => {
    expect(
      redact(`fatal: unable to access 'https://bot:${TOKEN}@example.com/x.git/': ${TOKEN}`, [
        TOKEN,
      ]),
    ).toBe("fatal: unable to access 'https://[redacted]@example.com/x.git/': [redacted]");
  });
});
