// sync.verify.allowedSigners: only commits signed by an allowed SSH key are activated
// (`git verify-commit`, real keys made with ssh-keygen).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../gateway/config.ts";
import { silentLogger } from "../../../gateway/log.ts";
import { startGateway, type RunningGateway } from "../../../gateway/sync/index.ts";
import { useTempDir } from "../../helpers/temp-dir.ts";
import { TestRepo, writeGoodLayout } from "./helpers.ts";

const temp = useTempDir("gatehouse-signed");
let running: RunningGateway | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
});

function newKey(name: string): string {
  const path = join(temp.path, name);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path]);
  return path;
}

describe("signed commits", () => {
  it("activates commits signed by an allowed key and refuses unsigned or foreign ones", async () => {
    const allowed = newKey("allowed");
    const foreign = newKey("foreign");
    const signers = join(temp.path, "allowed_signers");
    writeFileSync(signers, `test@example.com ${readFileSync(`${allowed}.pub`, "utf8")}`);

    const repo = new TestRepo(temp.path);
    writeGoodLayout(repo);
    const signed = repo.commit("signed", allowed);
    const config = loadConfig({
      flags: {
        port: 0,
        dev: true,
        dataDir: join(temp.path, "data"),
        sync: {
          repo: repo.remote,
          branch: "main",
          poll: "1h",
          verify: { allowedSigners: signers },
        },
      },
    });
    running = await startGateway(config, { log: silentLogger });
    expect(running.gateway.current().policy.revision).toBe(signed);

    writeGoodLayout(repo, ["echo"]);
    const unsigned = repo.commit("unsigned");
    await running.sync!.trigger("manual");
    expect(running.sync!.status().lastAttempt).toMatchObject({
      revision: unsigned,
      outcome: "refused",
      stage: "signature",
    });

    const wrongKey = repo.commit("signed by someone else", foreign);
    await running.sync!.trigger("manual");
    expect(running.sync!.status().lastAttempt).toMatchObject({
      revision: wrongKey,
      stage: "signature",
    });
    expect(running.gateway.current().policy.revision).toBe(signed);

    const next = repo.commit("signed again", allowed);
    await running.sync!.trigger("manual");
    expect(running.gateway.current().policy.revision).toBe(next);
  });
});
