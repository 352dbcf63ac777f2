// A real MCP client flow: the SDK's Client with its client-credentials OAuth provider meets the
// gateway's 401, discovers the protected-resource metadata and the provider from it, obtains a
// token from the real OpenID provider and lists tools through a real gateway (the repo's policies,
// a stdio upstream). Also: a session id presented by another principal is refused.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ClientCredentialsProvider } from "@modelcontextprotocol/sdk/client/auth-extensions.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../gateway/config.ts";
import { Gateway } from "../../../gateway/gateway.ts";
import { silentLogger } from "../../../gateway/log.ts";
import {
  CC_CLIENT,
  OTHER_CC_CLIENT,
  startTestProvider,
  type TestProvider,
} from "../../fixtures/oidc/provider.ts";
import { catalogOf, scriptedServer, stdio, waitFor } from "../upstream/helpers.ts";
import { bearer, initializeBody, listToolsBody, post, resourceOnFreePort } from "./helpers.ts";
import { LOOPBACK_EGRESS } from "../../helpers/egress.ts";

let provider: TestProvider;
let gateway: Gateway;
let resource: string;

beforeAll(async () => {
  const chosen = await resourceOnFreePort();
  resource = chosen.resource;
  provider = await startTestProvider({ resources: [resource] });
  const catalog = catalogOf({ scripted: stdio([scriptedServer]) });
  catalog.servers.get("scripted")!.tools = { echo: { risk: "read", tags: [] } };
  const config = loadConfig({
    flags: {
      port: chosen.port,
      auth: { issuers: [{ issuer: provider.issuer }], requiredScopes: ["mcp:tools"] },
      egress: LOOPBACK_EGRESS,
    },
  });
  gateway = await Gateway.start(config, { log: silentLogger, catalog });
  await waitFor(
    "upstream ready",
    () => gateway.pool.status().every((s) => s.state === "ready"),
    30_000,
  );
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await provider?.close();
});

describe("the SDK client's OAuth flow through the gateway", () => {
  it("discovers the metadata from the 401, gets a token and lists tools", async () => {
    const authProvider = new ClientCredentialsProvider({
      clientId: CC_CLIENT.client_id,
      clientSecret: CC_CLIENT.client_secret,
      expectedIssuer: provider.issuer,
      // the SDK's client-credentials grant requests the scope configured here
      scope: "mcp:tools",
    });
    const client = new Client({ name: "oauth-e2e", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url), { authProvider }));
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain("scripted__echo");
      const token = authProvider.tokens()!;
      const claims = JSON.parse(
        Buffer.from(token.access_token.split(".")[1]!, "base64url").toString(),
      );
      expect(claims).toMatchObject({
        iss: provider.issuer,
        aud: resource,
        scope: "mcp:tools",
        client_id: "machine",
      });
      const result = await client.callTool({ name: "scripted__echo", arguments: { text: "hi" } });
      expect(result.isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });
});

describe("sessions are bound to their principal", () => {
  it("refuses a session id presented by another client of the same issuer", async () => {
    const mine = await provider.clientCredentialsToken(resource, "mcp:tools", CC_CLIENT.client_id);
    const theirs = await provider.clientCredentialsToken(
      resource,
      "mcp:tools",
      OTHER_CC_CLIENT.client_id,
    );
    const init = await post(gateway.url, initializeBody, bearer(mine));
    expect(init.status).toBe(200);
    const session = { "mcp-session-id": init.headers["mcp-session-id"] as string };
    const stolen = await post(gateway.url, listToolsBody, { ...bearer(theirs), ...session });
    expect(stolen.status).toBe(404);
    expect(stolen.json.error.code).toBe(-32001);
    // a fresh token of the same principal keeps the session
    const again = await provider.clientCredentialsToken(resource, "mcp:tools", CC_CLIENT.client_id);
    expect(again).not.toBe(mine);
    const own = await post(gateway.url, listToolsBody, { ...bearer(again), ...session });
    expect(own.status).toBe(200);
    expect(own.json.result.tools.map((t: { name: string }) => t.name)).toContain("scripted__echo");
  });
});
