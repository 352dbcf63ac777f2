// Session hijacking: a session id is bound to the identity that opened it (issuer, subject,
// client, how it authenticated). Whoever else presents it, with whatever valid credential, gets
// 404 as for an unknown session, and nothing of the session's traffic: no answer, no stream data,
// no decision made under the owner's name. A real gateway (no --dev) trusting a real OpenID
// provider, with API keys; a scripted stdio upstream that can announce a tools/list_changed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ToolMetadata } from "../../gateway/catalog/index.ts";
import { catalogOf, scriptedServer, stdio } from "../gateway/upstream/helpers.ts";
import {
  auth,
  handshake,
  openStream,
  request,
  rpc,
  startIdentityGateway,
  type IdentityGateway,
} from "./identity-gateway.ts";

const meta = (risk: ToolMetadata["risk"]): ToolMetadata => ({ risk, tags: [] });

let gw: IdentityGateway;
let alice: Record<string, string>;
let session: string;

beforeAll(async () => {
  const catalog = catalogOf({ scripted: stdio([scriptedServer]) });
  const scripted = catalog.servers.get("scripted")!;
  scripted.isolation = "shared"; // one process for every caller: this file is about sessions
  scripted.tools = { echo: meta("read"), "add-tool": meta("read") };
  gw = await startIdentityGateway({ catalog, waitFor: ["scripted"] });
  alice = auth(await gw.userToken("alice", ["eng"]));
  session = await handshake(gw.gateway.url, alice);
}, 120_000);

afterAll(async () => {
  await gw?.close();
});

const echo = (text: string) =>
  request("tools/call", { name: "scripted__echo", arguments: { text } });

/** Presents alice's session id with `intruder`: refused as unknown, nothing answered, nothing
 * decided in the session under anyone's name. */
async function refusedOnAlicesSession(intruder: Record<string, string>): Promise<void> {
  const before = (await gw.records()).filter((r) => r.session_id === session).length;
  const call = await rpc(gw.gateway.url, intruder, echo("hijack"), session);
  expect(call.status).toBe(404);
  expect(call.json.error.code).toBe(-32001);
  expect(call.text).not.toContain("echo: hijack");
  const stream = await openStream(gw.gateway.url, intruder, session);
  expect(stream.status).toBe(404);
  await stream.ended;
  expect(stream.text()).not.toContain("event:");
  // alice's own call still works, and is the only new record of the session
  const own = await rpc(gw.gateway.url, alice, echo("mine"), session);
  expect(own.json.result.content[0].text).toBe("echo: mine");
  let records = (await gw.records()).filter((r) => r.session_id === session);
  for (let i = 0; i < 100 && records.length < before + 1; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    records = (await gw.records()).filter((r) => r.session_id === session);
  }
  expect(records.slice(before).map((r) => r.principal?.sub)).toEqual(["alice"]);
  expect(JSON.stringify(records)).not.toContain("hijack");
}

describe("session binding", () => {
  it("another user's valid token on alice's session is refused (404) and gets no stream data", async () => {
    const mallory = auth(await gw.userToken("mallory", ["eng"]));
    // alice's GET stream is open and receives the upstream's announcements
    const alicesStream = await openStream(gw.gateway.url, alice, session);
    expect(alicesStream.status).toBe(200);
    await refusedOnAlicesSession(mallory);
    alicesStream.close();
    expect(gw.log.lines.some((l) => l.includes("session id presented by another principal"))).toBe(
      true,
    );
  });

  it("alice's subject from another OAuth client (another client_id) is refused", async () => {
    const otherClient = auth(
      await gw.craftedToken({ sub: "alice", groups: ["eng"], client_id: "other-agent" }),
    );
    await refusedOnAlicesSession(otherClient);
  });

  it("an API key issued to subject alice is not alice's token session", async () => {
    const { key } = gw.apiKey("alice", ["eng"]);
    await refusedOnAlicesSession(auth(key));
  });

  it("a request with no credential at all on alice's session gets 401, not the session", async () => {
    const call = await rpc(gw.gateway.url, {}, echo("anonymous"), session);
    expect(call.status).toBe(401);
    expect(call.text).not.toContain("echo: anonymous");
  });

  it("a guessed session id is as unknown as a foreign one", async () => {
    const call = await rpc(gw.gateway.url, alice, echo("guess"), crypto.randomUUID());
    expect(call.status).toBe(404);
    expect(call.json.error.code).toBe(-32001);
  });
});
