// MCP05 path arguments, through the quick start's gateway: every path a call names (single, in
// arrays, as file: URIs) is normalized and must lie inside the sandbox roots, the root itself
// included with or without its slash. What the policy cannot see (symbolic links on the
// upstream's disk) is left to the upstream's own check, shown here too.
import { readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  allowedCall,
  refusedCall,
  SANDBOX_ROOT,
  startDefaultGateway,
  type DefaultGateway,
} from "./mcp05-default-gateway.ts";

let gw: DefaultGateway;
/** a line of /etc/passwd: seeing it in any answer means the attack read the file */
const PASSWD = readFileSync("/etc/passwd", "utf8").split("\n")[0]!;
const OUTSIDE = `is outside the allowed paths ["/sandbox", "/tmp/gatehouse"]`;

beforeAll(async () => {
  gw = await startDefaultGateway();
  writeFileSync(join(gw.sandbox, "inside.txt"), "inside the sandbox");
}, 90_000);
afterAll(async () => {
  await gw?.close();
});

async function refusedRead(name: string, args: Record<string, unknown>): Promise<string[]> {
  const { reasons, message } = await refusedCall(gw, name, args);
  expect(`${message} ${reasons.join(" ")}`).not.toContain(PASSWD);
  return reasons;
}

describe("MCP05 path arguments", () => {
  it("`..` segments in a path are resolved before the check: /tmp/gatehouse/../../etc/passwd is refused", async () => {
    const reasons = await refusedRead("filesystem__read_text_file", {
      path: `${SANDBOX_ROOT}/../../etc/passwd`,
    });
    expect(reasons).toEqual([`argument path=/etc/passwd ${OUTSIDE}`]);
  });

  it("every path of read_multiple_files is checked: one escaping path refuses the call", async () => {
    const reasons = await refusedRead("filesystem__read_multiple_files", {
      paths: [join(gw.sandbox, "inside.txt"), `${gw.sandbox}/../../../etc/passwd`],
    });
    expect(reasons).toEqual([`argument paths/1=/etc/passwd ${OUTSIDE}`]);
  });

  it("a plain absolute path outside the sandbox in paths[] is refused", async () => {
    const reasons = await refusedRead("filesystem__read_multiple_files", {
      paths: ["/etc/passwd"],
    });
    expect(reasons).toEqual([`argument paths/0=/etc/passwd ${OUTSIDE}`]);
  });

  it("move_file's destination is checked like its source", async () => {
    const source = join(gw.sandbox, "inside.txt");
    const reasons = await refusedRead("filesystem__move_file", {
      source,
      destination: "/tmp/gatehouse-stolen.txt",
    });
    expect(reasons).toEqual([`argument destination=/tmp/gatehouse-stolen.txt ${OUTSIDE}`]);
    expect(readFileSync(source, "utf8")).toBe("inside the sandbox");
  });

  it("a sibling folder sharing the root's prefix (/tmp/gatehousex) is outside", async () => {
    const reasons = await refusedRead("filesystem__list_directory", { path: "/tmp/gatehousex" });
    expect(reasons).toEqual([`argument path=/tmp/gatehousex ${OUTSIDE}`]);
  });

  it("a relative path climbing out (../../etc/passwd) is refused", async () => {
    const reasons = await refusedRead("filesystem__read_text_file", { path: "../../etc/passwd" });
    expect(reasons).toEqual([`argument path=../../etc/passwd ${OUTSIDE}`]);
  });

  it("a home-relative path (~/.ssh/id_rsa) is refused", async () => {
    const reasons = await refusedRead("filesystem__read_text_file", { path: "~/.ssh/id_rsa" });
    expect(reasons).toEqual([`argument path=~/.ssh/id_rsa ${OUTSIDE}`]);
  });

  it("a NUL byte that would cut the path short is refused as unreadable", async () => {
    const reasons = await refusedRead("filesystem__read_text_file", {
      path: `${gw.sandbox}/a.txt\u0000/../../../../etc/passwd`,
    });
    expect(reasons).toEqual([
      "argument path cannot be checked as a path: it contains a NUL character",
    ]);
  });

  it("the sandbox root itself is inside, without the trailing slash (the first call a new user makes)", async () => {
    const listed = await allowedCall(gw, "filesystem__list_directory", { path: SANDBOX_ROOT });
    expect(listed.isError).toBe(false);
    expect(listed.text).toContain(gw.sandbox.slice(SANDBOX_ROOT.length + 1));
  });

  it("the sandbox root is inside with the trailing slash too", async () => {
    const listed = await allowedCall(gw, "filesystem__list_directory", {
      path: `${SANDBOX_ROOT}/`,
    });
    expect(listed.isError).toBe(false);
    expect(listed.text).toContain(gw.sandbox.slice(SANDBOX_ROOT.length + 1));
  });

  it("percent-encoded dots in a plain path stay literal: the upstream finds no such file, nothing leaks", async () => {
    // %2e%2e means ".." only in URIs; as a file name it is a folder literally named "%2e%2e"
    const result = await allowedCall(gw, "filesystem__read_text_file", {
      path: `${gw.sandbox}/%2e%2e/%2e%2e/%2e%2e/etc/passwd`,
    });
    expect(result.isError).toBe(true);
    expect(result.text).not.toContain(PASSWD);
  });

  it("a symlink inside the sandbox pointing out is lexically inside: the upstream's realpath check refuses it", async () => {
    // documented limit: the policy sees names, not the upstream's disk. server-filesystem resolves
    // links and refuses targets outside its allowed directories; this shows that second line holds.
    symlinkSync("/etc", join(gw.sandbox, "etc-link"));
    const result = await allowedCall(gw, "filesystem__read_text_file", {
      path: join(gw.sandbox, "etc-link", "passwd"),
    });
    expect(result.isError).toBe(true);
    expect(result.text).not.toContain(PASSWD);
    expect(result.text).toMatch(/outside allowed directories|Access denied/i);
  });
});
