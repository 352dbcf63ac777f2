// Development tokens: signed by `gatehouse token` with a key kept in the data dir, trusted by a
// --dev gateway for loopback requests only. The dev principal still serves requests without any
// credentials on --dev; a request with a bad token is refused, never downgraded to it.
import { statSync } from "node:fs";
import { join } from "node:path";
import type { Context } from "koa";
import { afterEach, describe, expect, it } from "vitest";
import { Authenticator } from "../../../gateway/auth/authenticator.ts";
import { loadConfig } from "../../../gateway/config.ts";
import type { Gateway } from "../../../gateway/gateway.ts";
import { silentLogger } from "../../../gateway/log.ts";
import { devToken } from "../../../cli/commands/token.ts";
import { useTempDir } from "../../helpers/temp-dir.ts";
import {
  bearer,
  challengeParams,
  initializeBody,
  post,
  principalSeenBy,
  resourceOnFreePort,
  startAuthGateway,
} from "./helpers.ts";

const temp = useTempDir("gatehouse-dev-token");
let gateway: Gateway | undefined;

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

async function tokenFor(
  sub: string,
  extra: { groups?: string; ttl?: string; audience?: string } = {},
  port?: number,
) {
  return devToken({
    sub,
    groups: extra.groups,
    ttl: extra.ttl ?? "1h",
    audience: extra.audience ?? `http://127.0.0.1:${port}/mcp`,
    dataDir: temp.path,
  });
}

describe("dev tokens", () => {
  it("are accepted by a --dev gateway from loopback; no token still means the dev principal", async () => {
    const { port } = await resourceOnFreePort();
    const token = await tokenFor("alice", { groups: "eng,security" }, port);
    expect(statSync(join(temp.path, "dev-signing-key.json")).mode & 0o777).toBe(0o600);
    gateway = await startAuthGateway(port, {}, { dev: true, dataDir: temp.path });
    expect(await principalSeenBy(gateway.url, bearer(token))).toBe("for alice");
    expect(await principalSeenBy(gateway.url, {})).toBe("for dev");
  });

  it("never downgrades a bad token to the dev principal", async () => {
    const { port } = await resourceOnFreePort();
    const wrongAudience = await tokenFor("alice", { audience: "http://127.0.0.1:1/mcp" }, port);
    gateway = await startAuthGateway(port, {}, { dev: true, dataDir: temp.path });
    for (const headers of [
      bearer(wrongAudience),
      bearer("garbage.token.value"),
      { authorization: "Basic eDp5" },
    ]) {
      const res = await post(gateway.url, initializeBody, headers);
      expect(res.status).toBe(401);
      expect(challengeParams(res.headers["www-authenticate"]).error).toBe("invalid_token");
    }
  });

  it("are not trusted by a gateway without --dev", async () => {
    const { port } = await resourceOnFreePort();
    const token = await tokenFor("alice", {}, port);
    gateway = await startAuthGateway(port, {}, { dataDir: temp.path });
    const res = await post(gateway.url, initializeBody, bearer(token));
    expect(res.status).toBe(401);
    expect(challengeParams(res.headers["www-authenticate"]).error_description).toBe(
      "the token's issuer is not trusted",
    );
  });

  it("are not trusted from a non-loopback address, even on --dev", async () => {
    // one host cannot send the gateway a request from a non-loopback address, so this case talks
    // to the Authenticator with a request context that carries one
    const config = loadConfig({ flags: { dev: true, dataDir: temp.path } });
    const authenticator = new Authenticator({
      config,
      defaultResource: () => "http://127.0.0.1:8080/mcp",
      log: silentLogger,
    });
    const token = await tokenFor("alice", {}, 8080);
    const ctx = (remoteAddress: string, authorization?: string) =>
      ({
        req: { socket: { remoteAddress } },
        path: "/mcp",
        state: {},
        get: (name: string) => (name === "authorization" ? (authorization ?? "") : ""),
      }) as unknown as Context;
    const view = { kind: "all" } as const;
    expect(
      await authenticator.authenticate(ctx("127.0.0.1", `Bearer ${token}`), view),
    ).toMatchObject({ sub: "alice", auth: "jwt" });
    expect(
      await authenticator.authenticate(ctx("10.1.2.3", `Bearer ${token}`), view),
    ).toMatchObject({ refused: true, status: 401 });
    expect(await authenticator.authenticate(ctx("10.1.2.3"), view)).toMatchObject({
      refused: true,
      status: 401,
    });
    expect(await authenticator.authenticate(ctx("::ffff:127.0.0.1"), view)).toMatchObject({
      sub: "dev",
      auth: "dev",
    });
  });

  it("refuses lifetimes beyond seven days", async () => {
    await expect(tokenFor("alice", { ttl: "30d" }, 1)).rejects.toThrow(/lifetime must be between/);
    await expect(tokenFor("alice", { ttl: "later" }, 1)).rejects.toThrow(
      /--ttl: expected a duration/,
    );
  });
});
