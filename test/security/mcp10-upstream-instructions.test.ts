// MCP10 context over-sharing through the initialize handshake: an upstream's `instructions` are
// text written for whoever uses its tools, and a client that may use none of that server's tools,
// prompts or resources must not receive it. What a client receives is labelled with the server it
// came from and quoted, so an upstream cannot pass its words off as the gateway's or another
// server's. Two catalog servers run the real server-everything (which sends instructions):
// `everything` and `jira`; a policy that shows each group the servers it lists (the repository's
// policies let every signed-in principal read every server's prompts and resources).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogOf, everythingEntry, stdio } from "../gateway/upstream/helpers.ts";
import {
  auth,
  request,
  rpc,
  startIdentityGateway,
  type IdentityGateway,
} from "./identity-gateway.ts";

let gw: IdentityGateway;
let policyDir: string;

const POLICY = `# Shows each group the servers it lists (tools, prompts, resources); allows every request.
package gatehouse

servers_of := {"support": {"jira"}, "security": {"everything", "jira"}}

visible_servers contains server if {
	some group in input.principal.groups
	some server in servers_of[group]
}

decision := {
	"allow": true,
	"reasons": ["allowed by the instructions test policy"],
	"visible_tools": [name |
		some c in input.list
		c.server in visible_servers
		name := concat("__", [c.server, c.name])
	],
}
`;

beforeAll(async () => {
  policyDir = mkdtempSync(join(tmpdir(), "gatehouse-instructions-policy-"));
  writeFileSync(join(policyDir, "decision.rego"), POLICY);
  const catalog = catalogOf({
    everything: stdio([everythingEntry, "stdio"]),
    jira: stdio([everythingEntry, "stdio"]),
  });
  for (const server of catalog.servers.values()) server.isolation = "shared";
  gw = await startIdentityGateway({
    catalog,
    flags: { policyDirs: [policyDir] },
    waitFor: ["everything", "jira"],
  });
}, 120_000);

afterAll(async () => {
  await gw?.close();
  if (policyDir) rmSync(policyDir, { recursive: true, force: true });
});

/** The instructions of a new session of a user in `groups`. */
async function instructionsFor(login: string, groups: string[]): Promise<string> {
  const token = await gw.userToken(login, groups);
  const answer = await rpc(
    gw.gateway.url,
    auth(token),
    request("initialize", {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "instructions-test", version: "1" },
    }),
  );
  expect(answer.status).toBe(200);
  return answer.json.result.instructions as string;
}

const label = (server: string) => `Instructions of upstream server "${server}"`;

describe("MCP10 upstream instructions reach only clients that may use the server", () => {
  it("a principal who may use jira but nothing of everything gets jira's instructions only", async () => {
    const text = await instructionsFor("sam", ["support"]);
    expect(text).toContain(label("jira"));
    expect(text).not.toContain(label("everything"));
    // the shared text (both servers are server-everything) is there once: jira's
    const full = await instructionsFor("sec", ["security"]);
    const upstreamPart = full.split(label("everything"))[1]!.split("\n\n")[0]!;
    const firstLine = upstreamPart.split("\n")[1]!;
    expect(firstLine.startsWith("> ")).toBe(true);
    expect(text.split(firstLine).length - 1).toBe(1);
  });

  it("a principal who may use no upstream at all gets the gateway's own line and no upstream text", async () => {
    const text = await instructionsFor("guest", ["visitors"]);
    expect(text).not.toContain("Instructions of upstream server");
    expect(text.split("\n")).toHaveLength(1);
    expect(text).toMatch(/^Gatehouse MCP gateway\./);
  });

  it("every line an upstream wrote is quoted under its server's label: none reads as the gateway's", async () => {
    const text = await instructionsFor("sec-2", ["security"]);
    expect(text).toContain(label("everything"));
    expect(text).toContain(label("jira"));
    const own = /^(Gatehouse MCP gateway\.|Instructions of upstream server "(everything|jira)")/;
    for (const line of text.split("\n"))
      if (line !== "") expect(own.test(line) || line.startsWith("> "), line).toBe(true);
  });
});
