// The parts of the 2026-07-28 front that need no server: era routing, header values, the sealed
// requestState and the keys that match a question to its answer across runs of a call.
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  callDigest,
  INPUT_KEY_META,
  InputBridge,
  inputKey,
} from "../../../gateway/mcp/modern/input-bridge.ts";
import {
  loadStateKey,
  RequestStateError,
  RequestStateSealer,
  STATE_KEY_FILE,
} from "../../../gateway/mcp/modern/request-state.ts";
import { decodeHeaderValue, routePost } from "../../../gateway/mcp/modern/route.ts";

const envelope = (version = "2026-07-28") => ({
  "io.modelcontextprotocol/protocolVersion": version,
  "io.modelcontextprotocol/clientCapabilities": {},
});
const headers = { protocolVersion: "2026-07-28", mcpMethod: "tools/list" };

describe("routePost", () => {
  it("sends initialize, unclaimed requests and legacy claims to the handshake era", () => {
    const init = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25" },
    };
    expect(routePost(init, {}).kind).toBe("legacy");
    expect(routePost({ jsonrpc: "2.0", id: 1, method: "tools/list" }, {}).kind).toBe("legacy");
    const legacyClaim = {
      jsonrpc: "2.0",
      id: 1,
      method: "tools/list",
      params: { _meta: envelope("2025-11-25") },
    };
    expect(routePost(legacyClaim, {}).kind).toBe("legacy");
  });

  it("serves a well-formed 2026-07-28 request", () => {
    const body = { jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: envelope() } };
    expect(routePost(body, headers)).toMatchObject({
      kind: "modern-request",
      revision: "2026-07-28",
    });
  });

  it("refuses a batch holding a 2026-07-28 request", () => {
    const body = [{ jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: envelope() } }];
    expect(routePost(body, {})).toMatchObject({ kind: "reject", status: 400, code: -32600 });
  });

  it("takes a 2026-07-28 notification without answering it", () => {
    const body = {
      jsonrpc: "2.0",
      method: "notifications/cancelled",
      params: { _meta: envelope() },
    };
    expect(
      routePost(body, { protocolVersion: "2026-07-28", mcpMethod: "notifications/cancelled" }).kind,
    ).toBe("modern-notification");
  });
});

describe("decodeHeaderValue", () => {
  it("decodes the =?base64?…?= form and passes plain values", () => {
    expect(decodeHeaderValue("plain")).toBe("plain");
    expect(decodeHeaderValue(`=?base64?${Buffer.from("naïve").toString("base64")}?=`)).toBe(
      "naïve",
    );
  });

  it("refuses broken Base64 and bytes that are not UTF-8", () => {
    expect(decodeHeaderValue("=?base64?abc?=")).toBeUndefined();
    expect(
      decodeHeaderValue(`=?base64?${Buffer.from([0xff, 0xfe]).toString("base64")}?=`),
    ).toBeUndefined();
  });
});

describe("RequestStateSealer", () => {
  const key = Buffer.alloc(32, 7);
  const call = { answered: { a: { action: "accept" } }, asked: ["b"], round: 1 };

  it("opens what it sealed for the same binding, once", () => {
    const sealer = new RequestStateSealer(() => key);
    const state = sealer.seal(call, "alice\ncall-1");
    expect(sealer.open(state, "alice\ncall-1")).toEqual(call);
    expect(() => sealer.open(state, "alice\ncall-1")).toThrow(/used already/);
  });

  it("refuses another binding, another key and an expired state", () => {
    let now = 1_000;
    const sealer = new RequestStateSealer(
      () => key,
      60_000,
      () => now,
    );
    const state = sealer.seal(call, "alice\ncall-1");
    expect(() => sealer.open(state, "mallory\ncall-1")).toThrow(RequestStateError);
    expect(() =>
      new RequestStateSealer(() => Buffer.alloc(32, 8)).open(state, "alice\ncall-1"),
    ).toThrow(/does not verify/);
    now += 60_001;
    expect(() => sealer.open(state, "alice\ncall-1")).toThrow(/expired/);
  });

  it("refuses text it never issued", () => {
    const sealer = new RequestStateSealer(() => key);
    for (const text of ["", "g1.", "g2.AAAA", "g1.AAAA.BBBB", "g1." + "A".repeat(40)])
      expect(() => sealer.open(text, "x")).toThrow(RequestStateError);
  });
});

describe("loadStateKey", () => {
  it("makes a private key file once and reads it back", () => {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-state-key-"));
    try {
      const first = loadStateKey(undefined, dir);
      expect(first.length).toBe(32);
      expect(statSync(join(dir, STATE_KEY_FILE)).mode & 0o777).toBe(0o600);
      expect(loadStateKey(undefined, dir).equals(first)).toBe(true);
      expect(readFileSync(join(dir, STATE_KEY_FILE), "utf8").trim()).toBe(first.toString("base64"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a configured key that is not 32 bytes", () => {
    expect(() => loadStateKey(Buffer.alloc(16).toString("base64"), "/nonexistent")).toThrow(
      /32 bytes/,
    );
  });
});

describe("input keys", () => {
  it("are the same for the same question in any key order, and differ for another", () => {
    const a = {
      method: "elicitation/create",
      params: { message: "name?", requestedSchema: { type: "object" } },
    };
    const b = {
      method: "elicitation/create",
      params: { requestedSchema: { type: "object" }, message: "name?" },
    };
    expect(inputKey(a)).toBe(inputKey(b));
    expect(inputKey({ ...a, params: { ...a.params, message: "age?" } })).not.toBe(inputKey(a));
  });

  it("use the sender's stable key when it gives one", () => {
    const asked = {
      method: "elicitation/create",
      params: { _meta: { [INPUT_KEY_META]: "confirm:x" }, message: "1" },
    };
    expect(inputKey(asked)).toBe("confirm:x");
    expect(inputKey({ ...asked, params: { ...asked.params, message: "2" } })).toBe("confirm:x");
  });

  it("bind a state to the call's name and arguments, not to the round's fields", () => {
    const params = { name: "t", arguments: { a: 1 } };
    const digest = callDigest("tools/call", params);
    expect(
      callDigest("tools/call", { ...params, requestState: "s", inputResponses: {}, _meta: {} }),
    ).toBe(digest);
    expect(callDigest("tools/call", { ...params, arguments: { a: 2 } })).not.toBe(digest);
  });

  it("are asked only of a client that declared the capability", () => {
    const elicit = { method: "elicitation/create", params: {} };
    expect(new InputBridge({}, { elicitation: {} }).accepts(elicit)).toBe(true);
    expect(new InputBridge({}, { sampling: {} }).accepts(elicit)).toBe(false);
    expect(new InputBridge({}, { elicitation: {} }).accepts({ method: "ping" })).toBe(false);
  });
});
