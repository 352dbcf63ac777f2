// print() and trace() in the gateway: the engine puts what a decision printed on the decision
// (bounded per evaluation), and the gateway logs it at debug level under the decision id, through
// the secret redaction.
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { decisionOutputLog } from "../../../gateway/decision-output-log.ts";
import { createSessionServer } from "../../../gateway/mcp/session-server.ts";
import { RedactingLogger, type Logger, type LogLevel } from "../../../gateway/log.ts";
import { buildDecisionInput, PolicyEngine, type Decision } from "../../../gateway/policy/index.ts";
import { Redactor } from "../../../gateway/redaction.ts";
import type { RequestFacts } from "../../../gateway/observer.ts";
import { useTempDir } from "../../helpers/temp-dir.ts";
import { MCP_HEADERS, openSession, rawRequest, startStandInGateway } from "../server/helpers.ts";

const tmp = useTempDir("gatehouse-print");

const POLICY = `package gatehouse

decision := {"allow": allow, "reasons": ["printed"]}

default allow := false

allow if {
	print("deciding for", input.principal.sub, input.principal.missing)
	trace("checked the principal")
	input.principal.sub == "alice"
}

allow if {
	input.principal.sub == "flood"
	some i in numbers.range(1, 1000)
	print("line", i)
	false
}
`;

function inputFor(sub: string) {
  return buildDecisionInput({
    request: { id: "req-1" },
    principal: { sub, groups: [], auth: "jwt" },
    mcp: { method: "tools/call", server: "s", tool: "t", arguments: {} },
  });
}

describe("print and trace in gateway decisions", { timeout: 120_000 }, () => {
  it("puts what each decision printed on it, bounded per evaluation", async () => {
    tmp.put("policies/decision.rego", POLICY);
    const engine = await PolicyEngine.fromDirectories([`${tmp.path}/policies`]);
    const alice = engine.decide(inputFor("alice"));
    expect(alice.allow).toBe(true);
    expect(alice.output).toEqual([
      "deciding for alice <undefined>",
      "trace: checked the principal",
    ]);
    const bob = engine.decide(inputFor("bob"));
    expect(bob.allow).toBe(false);
    expect(bob.output).toEqual(["deciding for bob <undefined>", "trace: checked the principal"]);
    const flood = engine.decide(inputFor("flood")).output!;
    expect(flood).toHaveLength(101);
    expect(flood[100]).toBe("(output truncated: at most 100 lines and 16384 bytes per evaluation)");
  });

  it("logs a decision's output at debug level with its decision id, secrets masked", () => {
    const lines: { level: LogLevel; message: string; fields?: Record<string, unknown> }[] = [];
    const inner: Logger = {
      log: (level, message, fields) => lines.push({ level, message, fields }),
    };
    const observer = decisionOutputLog(new RedactingLogger(inner, new Redactor()));
    const request = observer.startRequest({} as RequestFacts);
    const decision = {
      allow: true,
      decisionId: "d-1",
      output: ["token for alice: Bearer abcdefghijklmnop", "plain line"],
    } as Decision;
    request.decided({ decision, input: inputFor("alice"), bundleDigest: "x" });
    // a decision that printed nothing logs nothing
    request.decided({
      decision: { ...decision, output: undefined },
      input: inputFor("alice"),
      bundleDigest: "x",
    });
    expect(lines).toEqual([
      {
        level: "debug",
        message: "policy output",
        fields: { decisionId: "d-1", output: ["token for alice: [redacted]", "plain line"] },
      },
    ]);
  });

  it("is logged by a running gateway, one debug line per decision", async () => {
    tmp.put("policies/decision.rego", POLICY);
    const policy = await PolicyEngine.fromDirectories([`${tmp.path}/policies`]);
    const lines: { level: LogLevel; message: string; fields?: Record<string, unknown> }[] = [];
    const log: Logger = { log: (level, message, fields) => lines.push({ level, message, fields }) };
    const gateway = await startStandInGateway({}, { policy, log, createSessionServer });
    const printed = () => lines.filter((l) => l.message === "policy output");
    try {
      const session = await openSession(gateway.url);
      const before = printed().length;
      const list = await rawRequest(gateway.url, {
        headers: {
          ...MCP_HEADERS,
          "mcp-session-id": session,
          "mcp-protocol-version": LATEST_PROTOCOL_VERSION,
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list", params: {} }),
      });
      expect(list.status).toBe(200);
      const logged = printed().slice(before);
      expect(logged).toHaveLength(1);
      expect(logged[0]!.level).toBe("debug");
      expect(logged[0]!.fields).toEqual({
        decisionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        output: ["deciding for dev <undefined>", "trace: checked the principal"],
      });
    } finally {
      await gateway.close();
    }
  });
});
