// MCP05 file:// resource URIs, through the quick start's gateway with one more upstream: a naive
// file server that reads any path a file: URI names (test/security/mcp05-file-resources-server.ts,
// a stand-in for such a server; it records every read). resources/read follows the same path
// rules as tool arguments: the URI is decoded and normalized, then must lie inside the sandbox.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  refused,
  SANDBOX_ROOT,
  startDefaultGateway,
  type DefaultGateway,
} from "./mcp05-default-gateway.ts";

const FILE_SERVER = fileURLToPath(new URL("./mcp05-file-resources-server.ts", import.meta.url));
const PASSWD = readFileSync("/etc/passwd", "utf8").split("\n")[0]!;

let gw: DefaultGateway;
let recordDir: string;
let recordFile: string;

beforeAll(async () => {
  recordDir = mkdtempSync(join(tmpdir(), "gatehouse-mcp05-reads-"));
  recordFile = join(recordDir, "reads.log");
  writeFileSync(recordFile, "");
  const files = [
    "name: files",
    "transport:",
    "  type: stdio",
    `  command: ${JSON.stringify(process.execPath)}`,
    `  args: [${JSON.stringify(FILE_SERVER)}]`,
    "  env:",
    `    RECORD_FILE: ${JSON.stringify(recordFile)}`,
    "tool_defaults:",
    "  risk: read",
    "",
  ].join("\n");
  gw = await startDefaultGateway({ files });
  writeFileSync(join(gw.sandbox, "notes.txt"), "inside the sandbox");
}, 90_000);
afterAll(async () => {
  await gw?.close();
  if (recordDir) rmSync(recordDir, { recursive: true, force: true });
});

/** URIs the file server was asked to read. */
const reads = () => readFileSync(recordFile, "utf8").split("\n").filter(Boolean);

async function refusedRead(uri: string): Promise<string[]> {
  const before = reads().length;
  const { reasons, message } = await refused(gw, gw.client.readResource({ uri }));
  expect(`${message} ${reasons.join(" ")}`).not.toContain(PASSWD);
  expect(reads()).toHaveLength(before);
  return reasons;
}

const OUTSIDE = `is outside the allowed paths ["/sandbox", "/tmp/gatehouse"]`;

describe("MCP05 file:// resource URIs", () => {
  it("file:///tmp/gatehouse/../../etc/passwd is refused and never forwarded", async () => {
    expect(await refusedRead(`file://${SANDBOX_ROOT}/../../etc/passwd`)).toEqual([
      `argument uri=/etc/passwd ${OUTSIDE}`,
    ]);
  });

  it("percent-encoded dot segments (%2e%2e) in a file: URI are refused", async () => {
    expect(await refusedRead(`file://${SANDBOX_ROOT}/%2e%2e/%2E%2E/etc/passwd`)).toEqual([
      `argument uri=/etc/passwd ${OUTSIDE}`,
    ]);
  });

  it("percent-encoded slashes hiding `..` (..%2F..%2F) in a file: URI are refused", async () => {
    expect(await refusedRead(`file://${SANDBOX_ROOT}/..%2F..%2Fetc/passwd`)).toEqual([
      `argument uri=/etc/passwd ${OUTSIDE}`,
    ]);
  });

  it("an encoded NUL (%00) that would cut the path short is refused as unreadable", async () => {
    // a C reader would open /tmp/gatehouse/x: the policy does not guess which file is meant
    expect(await refusedRead(`file://${SANDBOX_ROOT}/x%00.txt`)).toEqual([
      "argument uri cannot be checked as a path: it contains a NUL character",
    ]);
  });

  it("a file: URI of a sibling folder sharing the root's prefix is refused", async () => {
    expect(await refusedRead("file:///tmp/gatehousex/secret")).toEqual([
      `argument uri=/tmp/gatehousex/secret ${OUTSIDE}`,
    ]);
  });

  it("a file inside the sandbox can be read (the control: the server really reads files)", async () => {
    const uri = `file://${gw.sandbox}/notes.txt`;
    const { contents } = await gw.client.readResource({ uri });
    expect((contents[0] as { text: string }).text).toBe("inside the sandbox");
    expect(reads()).toContain(uri);
    expect(existsSync(recordFile)).toBe(true);
  });
});
