// Bundles: what `gatehouse policy build` writes (writeBundle) and what OPA's `opa build -t wasm`
// writes must both load and decide exactly as the policy folders they came from.
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import {
  buildDecisionInput,
  BundleLoadError,
  PolicyEngine,
  type Decision,
} from "../../../gateway/policy/index.ts";
import { schemaDeclaring } from "./helpers.ts";
import {
  buildPolicy,
  loadPolicyDirectory,
  writeBundle,
  type PolicyDirectory,
} from "../../../rego/index.ts";
import { writeTar } from "../../../rego/bundle/tar.ts";

const policies = fileURLToPath(new URL("../../../policies", import.meta.url));
const encoder = new TextEncoder();

const inputs = [
  ["alice", ["eng"], "filesystem", "write_file", "write", { path: "/sandbox/a.txt", content: "x" }],
  ["alice", ["eng"], "filesystem", "write_file", "write", { path: "/etc/passwd", content: "x" }],
  ["alice", ["eng"], "filesystem", "delete_file", "destructive", { path: "/sandbox/a" }],
  ["sam", ["security"], "filesystem", "delete_file", "destructive", { path: "/sandbox/a" }],
  ["mallory", ["contractors"], "github", "create_issue", "write", { title: "t", token: "s" }],
  ["alice", ["eng"], "fetch", "fetch", "read", { url: "https://api.example.com/x" }],
] as const;

function inputFor([sub, groups, server, tool, risk, args]: (typeof inputs)[number]) {
  return buildDecisionInput({
    request: { id: "req", time: new Date("2026-11-24T10:00:00Z") },
    principal: { sub, groups: [...groups], auth: "jwt" },
    mcp: {
      method: "tools/call",
      server,
      tool,
      arguments: { ...args },
      inputSchema: schemaDeclaring(args),
    },
    tool: { risk },
    server: { name: server },
  });
}

/** The parts of a decision that come from the policy (ids and timings differ on every call). */
function verdict(d: Decision) {
  return {
    allow: d.allow,
    reasons: d.reasons,
    obligations: d.obligations,
    visible_tools: d.visible_tools,
    error: d.error,
  };
}

let folder: PolicyDirectory;
let wasm: Uint8Array;
let fromFolders: PolicyEngine;
beforeAll(async () => {
  folder = loadPolicyDirectory([policies]);
  wasm = buildPolicy(folder.files, {
    entrypoints: ["gatehouse/decision"],
    strictBuiltinErrors: true,
  }).wasm;
  fromFolders = await PolicyEngine.fromDirectories([policies]);
}, 120_000);

describe("PolicyEngine.fromBundle", () => {
  it("round trips writeBundle: same decisions, same digest, the manifest's revision", async () => {
    const archive = writeBundle({
      files: folder.files,
      data: folder.data,
      wasm,
      entrypoints: ["gatehouse/decision"],
      revision: "rev-42",
    });
    const fromBundle = await PolicyEngine.fromBundle(archive);
    expect(fromBundle.revision).toBe("rev-42");
    expect(fromBundle.bundleDigest).toBe(fromFolders.bundleDigest);
    const decisions = inputs.map((i) => verdict(fromBundle.decide(inputFor(i))));
    expect(decisions).toEqual(inputs.map((i) => verdict(fromFolders.decide(inputFor(i)))));
    expect(decisions.map((d) => d.allow)).toEqual([true, false, false, true, false, true]);
  });

  it("loads the layout of OPA's `opa build -t wasm` (plain or gzipped tar, OPA's manifest fields)", async () => {
    const manifest = {
      revision: "opa-rev",
      roots: [""],
      wasm: [{ entrypoint: "gatehouse/decision", module: "/policy.wasm" }],
      rego_version: 1,
      metadata: { built_by: "opa" },
    };
    const tar = writeTar([
      { name: "/data.json", data: encoder.encode(JSON.stringify(folder.data)) },
      { name: "/policy.wasm", data: wasm },
      { name: "/gatehouse/decision.rego", data: encoder.encode(folder.files[0]!.source) },
      { name: "/.manifest", data: encoder.encode(JSON.stringify(manifest)) },
    ]);
    for (const archive of [tar, gzipSync(tar)]) {
      const engine = await PolicyEngine.fromBundle(archive);
      expect(engine.revision).toBe("opa-rev");
      expect(engine.bundleDigest).toBe(fromFolders.bundleDigest);
      expect(inputs.map((i) => verdict(engine.decide(inputFor(i))))).toEqual(
        inputs.map((i) => verdict(fromFolders.decide(inputFor(i)))),
      );
    }
  });

  it("uses the module the manifest names for the decision entrypoint", async () => {
    const manifest = {
      revision: "",
      roots: [""],
      wasm: [{ entrypoint: "gatehouse/decision", module: "/wasm/decision/policy.wasm" }],
    };
    const archive = writeTar([
      { name: "/.manifest", data: encoder.encode(JSON.stringify(manifest)) },
      { name: "/data.json", data: encoder.encode(JSON.stringify(folder.data)) },
      {
        name: "/policy.wasm",
        data: new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]),
      },
      { name: "/wasm/decision/policy.wasm", data: wasm },
    ]);
    const engine = await PolicyEngine.fromBundle(archive);
    expect(engine.decide(inputFor(inputs[0])).allow).toBe(true);
    expect(engine.revision).toBe(`sha256:${engine.bundleDigest.slice(0, 12)}`);
  });

  it("refuses bundles that cannot decide: no wasm, no decision entrypoint, not a bundle", async () => {
    const regoOnly = writeTar([
      { name: "/gatehouse/decision.rego", data: encoder.encode("package gatehouse\n") },
    ]);
    await expect(PolicyEngine.fromBundle(regoOnly)).rejects.toThrow(
      new BundleLoadError("the bundle has no policy.wasm: build it with a wasm target"),
    );

    const other = buildPolicy([{ file: "p.rego", source: "package authz\n\nallow := true\n" }], {
      entrypoints: ["authz/allow"],
    });
    const wrongEntrypoint = writeBundle({
      files: [],
      data: {},
      wasm: other.wasm,
      entrypoints: ["authz/allow"],
    });
    await expect(PolicyEngine.fromBundle(wrongEntrypoint)).rejects.toThrow(
      "policy.wasm has no entrypoint gatehouse/decision (it has: authz/allow)",
    );

    await expect(PolicyEngine.fromBundle(gzipSync(encoder.encode("not a tar")))).rejects.toThrow(
      BundleLoadError,
    );
  });
});
