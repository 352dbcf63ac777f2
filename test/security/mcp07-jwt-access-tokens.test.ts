// MCP07 tokens that are signed by the trusted issuer but are not access tokens, or are dated
// ahead: an ID token or any other JWT of the issuer (header typ JWT, or none) must not open the
// gateway, since RFC 9068 types access tokens `at+jwt`; a token whose `iat` lies beyond the
// clock-skew leeway was not issued yet. Each is refused with 401 invalid_token before a session
// exists. A real gateway (no --dev) trusting a real OpenID provider, whose own tokens are typed
// at+jwt and are accepted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ToolMetadata } from "../../gateway/catalog/index.ts";
import { challengeParams, nowSeconds } from "../gateway/auth/helpers.ts";
import { catalogOf, scriptedServer, stdio } from "../gateway/upstream/helpers.ts";
import {
  auth,
  handshake,
  request,
  rpc,
  startIdentityGateway,
  type IdentityGateway,
} from "./identity-gateway.ts";

const meta = (risk: ToolMetadata["risk"]): ToolMetadata => ({ risk, tags: [] });

let gw: IdentityGateway;

beforeAll(async () => {
  const catalog = catalogOf({ scripted: stdio([scriptedServer]) });
  catalog.servers.get("scripted")!.isolation = "shared";
  catalog.servers.get("scripted")!.tools = { echo: meta("read") };
  gw = await startIdentityGateway({
    catalog,
    auth: { clockSkewSeconds: 30 },
    waitFor: ["scripted"],
  });
}, 120_000);

afterAll(async () => {
  await gw?.close();
});

const initialize = () =>
  request("initialize", {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "attacker", version: "1" },
  });

/** initialize with `token`: 401 invalid_token, no session, nothing recorded for its subject. */
async function refused(token: string, sub: string): Promise<string> {
  const answer = await rpc(gw.gateway.url, auth(token), initialize());
  expect(answer.status).toBe(401);
  expect(answer.headers["mcp-session-id"]).toBeUndefined();
  const params = challengeParams(answer.headers["www-authenticate"]);
  expect(params.error).toBe("invalid_token");
  expect((await gw.records()).some((r) => r.principal?.sub === sub)).toBe(false);
  return params.error_description!;
}

describe("MCP07 JWT access tokens (RFC 9068)", () => {
  it("the provider's own tokens are typed at+jwt and open a session (the baseline)", async () => {
    const token = await gw.userToken("typed-user", ["eng"]);
    expect(JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()).typ).toBe(
      "at+jwt",
    );
    await handshake(gw.gateway.url, auth(token));
  });

  it("a JWT of the trusted issuer typed JWT (an ID token's type) is refused", async () => {
    const token = await gw.craftedToken({ sub: "id-token-user", groups: ["eng"] }, { typ: "JWT" });
    expect(await refused(token, "id-token-user")).toBe(
      "the token is not a JWT access token (header typ must be at+jwt)",
    );
    expect(gw.log.lines.some((l) => l.includes('typ \\"JWT\\" refused'))).toBe(true);
  });

  it("a JWT of the trusted issuer without any typ is refused", async () => {
    const token = await gw.craftedToken({ sub: "untyped-user" }, { typ: undefined });
    expect(await refused(token, "untyped-user")).toMatch(/typ must be at\+jwt/);
  });

  it("a JWT typed as something else (dpop+jwt, logout+jwt) is refused", async () => {
    for (const typ of ["dpop+jwt", "logout+jwt", "secevent+jwt"]) {
      const token = await gw.craftedToken({ sub: `typed-${typ}` }, { typ });
      expect(await refused(token, `typed-${typ}`)).toMatch(/typ must be at\+jwt/);
    }
  });

  it("a token whose iat is an hour in the future is refused; one within the leeway is not", async () => {
    const ahead = await gw.craftedToken({
      sub: "time-traveller",
      iat: nowSeconds() + 3600,
      exp: nowSeconds() + 7200,
    });
    expect(await refused(ahead, "time-traveller")).toBe("the token is issued in the future");
    const withinLeeway = await gw.craftedToken({ sub: "slightly-ahead", iat: nowSeconds() + 10 });
    await handshake(gw.gateway.url, auth(withinLeeway));
  });

  it("the media type form application/at+jwt is an access token too, but a session cannot be reused with a JWT-typed token", async () => {
    const typed = auth(
      await gw.craftedToken({ sub: "media-type", groups: ["eng"] }, { typ: "application/at+jwt" }),
    );
    const session = await handshake(gw.gateway.url, typed);
    const untyped = await gw.craftedToken({ sub: "media-type", groups: ["eng"] }, { typ: "JWT" });
    const answer = await rpc(gw.gateway.url, auth(untyped), request("tools/list"), session);
    expect(answer.status).toBe(401);
    expect(answer.text).not.toContain("scripted__echo");
  });
});
