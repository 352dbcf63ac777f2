// API keys: created, listed and revoked through the CLI's functions in a temporary data dir, kept
// hashed in a 0600 file, and accepted by a running gateway (Authorization: Bearer or X-API-Key)
// until revoked or expired.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ApiKeyStore } from "../../../gateway/auth/api-keys.ts";
import type { Gateway } from "../../../gateway/gateway.ts";
import { createKey, listKeys, revokeKey } from "../../../cli/commands/keys.ts";
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

const temp = useTempDir("gatehouse-keys");
let gateway: Gateway | undefined;

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

const keyOf = (printed: string) => printed.split("\n")[0]!;
const idOf = (key: string) => key.split("_")[1]!;

async function keyGateway(auth = {}): Promise<Gateway> {
  gateway = await startAuthGateway((await resourceOnFreePort()).port, auth, { dataDir: temp.path });
  return gateway;
}

describe("gatehouse keys", () => {
  it("creates a key shown once, stores only its digest in a 0600 file, lists without it", () => {
    const printed = createKey({
      sub: "ci-bot",
      name: "ci",
      groups: "eng, release",
      scopes: "mcp:tools",
      expires: "30d",
      dataDir: temp.path,
    });
    const key = keyOf(printed);
    expect(key).toMatch(/^ghk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(printed).toMatch(/shown once/);
    const file = join(temp.path, "api-keys.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(temp.path).mode & 0o777).toBe(0o700);
    const stored = readFileSync(file, "utf8");
    expect(stored).not.toContain(key.slice(21));
    const listed = listKeys({ dataDir: temp.path });
    expect(listed).toMatch(
      new RegExp(`${idOf(key)}\\s+active\\s+ci-bot\\s+ci\\s+eng,release\\s+mcp:tools`),
    );
    expect(listed).not.toContain(key.slice(21));
    const json = JSON.parse(listKeys({ dataDir: temp.path, json: true }));
    expect(json[0]).not.toHaveProperty("digest");
    expect(json[0].groups).toEqual(["eng", "release"]);
  });

  it("refuses bad options and unknown ids with a clear message", () => {
    expect(() => createKey({ sub: "x", expires: "soon", dataDir: temp.path })).toThrow(
      /--expires: expected a duration/,
    );
    expect(() => revokeKey("0123456789abcdef", { dataDir: temp.path })).toThrow(
      /no API key with id "0123456789abcdef"/,
    );
    writeFileSync(join(temp.path, "api-keys.json"), "{not json");
    expect(() => listKeys({ dataDir: temp.path })).toThrow(/api-keys.json: not valid JSON/);
  });
});

describe("API keys at the gateway", () => {
  it("accepts a key as a bearer token and as X-API-Key, until it is revoked", async () => {
    const key = keyOf(createKey({ sub: "ci-bot", groups: "eng", dataDir: temp.path }));
    const url = (await keyGateway()).url;
    expect(await principalSeenBy(url, bearer(key))).toBe("for ci-bot");
    expect(await principalSeenBy(url, { "x-api-key": key })).toBe("for ci-bot");
    // a key created while the gateway runs works at once
    const second = keyOf(createKey({ sub: "deployer", dataDir: temp.path }));
    expect(await principalSeenBy(url, { "x-api-key": second })).toBe("for deployer");

    expect(revokeKey(idOf(key), { dataDir: temp.path })).toMatch(
      /^revoked [0-9a-f]{16} \(sub=ci-bot\)/,
    );
    expect(listKeys({ dataDir: temp.path })).toMatch(/revoked\s+ci-bot/);
    const res = await post(url, initializeBody, bearer(key));
    expect(res.status).toBe(401);
    expect(challengeParams(res.headers["www-authenticate"]).error_description).toBe(
      "the API key is not valid",
    );
    expect(await principalSeenBy(url, { "x-api-key": second })).toBe("for deployer");
  });

  it("refuses expired keys, wrong secrets, both headers at once, and keys when disabled", async () => {
    const store = new ApiKeyStore(temp.path);
    const { key } = store.create({ sub: "old", ttlMs: 1000 }, new Date(Date.now() - 60_000));
    const { key: good } = store.create({ sub: "good" });
    const url = (await keyGateway()).url;
    expect((await post(url, initializeBody, bearer(key))).status).toBe(401);
    const wrongSecret = `${good.slice(0, 21)}${"A".repeat(43)}`;
    expect((await post(url, initializeBody, bearer(wrongSecret))).status).toBe(401);
    expect((await post(url, initializeBody, bearer(`${good}x`))).status).toBe(401);
    const both = await post(url, initializeBody, { ...bearer(good), "x-api-key": good });
    expect(both.status).toBe(401);
    expect(both.json.error.message).toMatch(/either Authorization or X-API-Key/);
    await gateway!.close();
    const disabled = (await keyGateway({ apiKeys: false })).url;
    const res = await post(disabled, initializeBody, bearer(good));
    expect(res.status).toBe(401);
    expect(res.json.error.message).toMatch(/API keys are not accepted/);
  });

  it("maps the key to a principal bound to the key id", () => {
    const store = new ApiKeyStore(temp.path);
    const { key, record } = store.create({
      sub: "svc",
      groups: ["ops"],
      roles: ["deployer"],
      scopes: ["mcp:tools"],
    });
    const found = store.lookup(key);
    expect(found).toEqual({
      ok: true,
      principal: {
        sub: "svc",
        iss: null,
        clientId: record.id,
        groups: ["ops"],
        roles: ["deployer"],
        scopes: ["mcp:tools"],
        claims: { key_id: record.id, key_name: null },
        auth: "api_key",
      },
    });
  });
});
