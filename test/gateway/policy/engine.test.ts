// The decision engine with the repository's own policies/ (alice, mallory and sam as in
// policies/gatehouse/decision_test.rego), and the input size bound.
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import {
  buildDecisionInput,
  decisionIdTime,
  PolicyEngine,
  type PrincipalPart,
} from "../../../gateway/policy/index.ts";
import { schemaDeclaring } from "./helpers.ts";

const policies = fileURLToPath(new URL("../../../policies", import.meta.url));

const alice: PrincipalPart = {
  sub: "alice",
  iss: "https://idp.example.com",
  groups: ["eng"],
  auth: "jwt",
};
const mallory: PrincipalPart = { sub: "mallory", groups: ["contractors"], auth: "jwt" };
const sam: PrincipalPart = { sub: "sam", groups: ["security"], auth: "jwt" };

function call(
  principal: PrincipalPart,
  server: string,
  tool: string,
  risk: "read" | "write" | "destructive",
  args: Record<string, unknown>,
) {
  return buildDecisionInput({
    request: { id: "req-1", time: new Date("2026-11-24T10:00:00Z") },
    principal,
    mcp: {
      method: "tools/call",
      server,
      tool,
      arguments: args,
      inputSchema: schemaDeclaring(args),
    },
    tool: { risk },
    server: { name: server },
  });
}

let engine: PolicyEngine;
beforeAll(async () => {
  engine = await PolicyEngine.fromDirectories([policies]);
}, 120_000);

describe("PolicyEngine with policies/", () => {
  it("lets alice (group eng) write a file inside /sandbox", () => {
    const d = engine.decide(
      call(alice, "filesystem", "write_file", "write", {
        path: "/sandbox/notes.txt",
        content: "hi",
      }),
    );
    expect(d.allow).toBe(true);
    expect(d.reasons).toEqual(["alice holds role developer"]);
    expect(d.obligations).toEqual({
      redact_arguments: [],
      redact_result: [],
      confirm: false,
      rate_limit: { requests: 60, per: "1m" }, // data.access.risk_rate_limits.write
    });
    expect(d.error).toBeUndefined();
  });

  it("denies alice a write outside the allowed paths, saying why", () => {
    const d = engine.decide(
      call(alice, "filesystem", "write_file", "write", { path: "/etc/passwd", content: "x" }),
    );
    expect(d.allow).toBe(false);
    expect(d.reasons).toEqual([
      `argument path=/etc/passwd is outside the allowed paths ["/sandbox", "/tmp/gatehouse"]`,
    ]);
    expect(d.error).toBeUndefined();
  });

  it("denies a destructive tool without a grant, and allows it with one under confirmation", () => {
    const denied = engine.decide(
      call(alice, "filesystem", "delete_file", "destructive", { path: "/sandbox/a" }),
    );
    expect(denied.allow).toBe(false);
    expect(denied.reasons).toEqual([
      "alice may not call delete_file on server filesystem (risk destructive)",
    ]);

    const granted = engine.decide(
      call(sam, "filesystem", "delete_file", "destructive", { path: "/sandbox/a" }),
    );
    expect(granted.allow).toBe(true);
    expect(granted.obligations.confirm).toBe(true);
  });

  it("returns obligations: argument redaction and rate limits", () => {
    const d = engine.decide(
      call(alice, "fetch", "fetch", "read", { url: "https://api.example.com/", api_token: "t" }),
    );
    expect(d.allow).toBe(true);
    expect(d.obligations.redact_arguments).toEqual(["api_token"]);
    expect(d.obligations.rate_limit).toEqual({ requests: 60, per: "1m" });
  });

  it("filters tools/list in one evaluation (visible_tools)", () => {
    const input = buildDecisionInput({
      request: { id: "req-2" },
      principal: mallory,
      mcp: { method: "tools/list" },
      list: [
        { server: "github", name: "search_repositories", risk: "read" },
        { server: "github", name: "create_issue", risk: "write" },
        { server: "everything", name: "printEnv", risk: "read" },
        { server: "postgres", name: "query" },
      ],
    });
    const d = engine.decide(input);
    expect(d.allow).toBe(true);
    expect(d.visible_tools).toEqual(["github__search_repositories", "postgres__query"]);

    const forAlice = engine.decide({
      ...input,
      principal: { ...input.principal, sub: "alice", groups: ["eng"] },
    });
    expect(forAlice.visible_tools).toEqual([
      "github__create_issue",
      "github__search_repositories",
      "postgres__query",
    ]);
  });

  it("denies unauthenticated requests", () => {
    const d = engine.decide(
      call({ sub: "anonymous", auth: "none" }, "github", "search_repositories", "read", {}),
    );
    expect(d.allow).toBe(false);
    expect(d.reasons).toContain("unauthenticated requests are not allowed");
  });

  it("tags every decision with a fresh time-ordered id, the revision and the evaluation time", () => {
    const before = Date.now();
    const a = engine.decide(call(alice, "github", "search_repositories", "read", {}));
    const b = engine.decide(call(alice, "github", "search_repositories", "read", {}));
    expect(a.decisionId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(a.decisionId).not.toBe(b.decisionId);
    expect(decisionIdTime(a.decisionId)).toBeGreaterThanOrEqual(before);
    expect(a.revision).toBe(engine.revision);
    expect(engine.revision).toBe(`sha256:${engine.bundleDigest.slice(0, 12)}`);
    expect(engine.bundleDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(Number.isInteger(a.evalMicros) && a.evalMicros >= 0).toBe(true);
  });
});

describe("input bounds", () => {
  const normal = () =>
    call(alice, "filesystem", "write_file", "write", { path: "/sandbox/n.txt", content: "x" });

  it("denies an input over 1 MiB by default, then decides normal inputs again", () => {
    const big = call(alice, "filesystem", "write_file", "write", {
      path: "/sandbox/big.txt",
      content: "x".repeat(1024 * 1024),
    });
    const d = engine.decide(big);
    expect(d.allow).toBe(false);
    expect(d.reasons).toEqual([
      "input rejected: the input is larger than the limit of 1048576 bytes",
    ]);
    expect(d.error?.kind).toBe("input");
    expect(engine.decide(normal()).allow).toBe(true);
  });

  it("counts UTF-8 bytes, not characters, against a configured limit", async () => {
    const small = await PolicyEngine.fromDirectories([policies], {
      maxInputBytes: 4096,
      revision: "r-small",
    });
    expect(small.revision).toBe("r-small");
    expect(small.decide(normal()).allow).toBe(true);
    // 1500 characters, 4500 bytes in UTF-8
    const d = small.decide(
      call(alice, "filesystem", "write_file", "write", {
        path: "/sandbox/a",
        content: "€".repeat(1500),
      }),
    );
    expect(d.allow).toBe(false);
    expect(d.reasons[0]).toMatch(
      /^input rejected: the input is \d+ bytes, more than the limit of 4096 bytes$/,
    );
  }, 120_000);

  it("denies inputs that are not JSON objects", () => {
    for (const bad of [undefined, null, "x", [1], 3]) {
      const d = engine.decide(bad);
      expect(d.allow).toBe(false);
      expect(d.reasons).toEqual(["input rejected: the input must be a JSON object"]);
    }
    const cyclic: Record<string, unknown> = { version: 1 };
    cyclic.self = cyclic;
    expect(engine.decide(cyclic).reasons[0]).toMatch(
      /^input rejected: the input is not serializable as JSON: /,
    );
  });
});
