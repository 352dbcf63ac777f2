import { describe, expect, it } from "vitest";
import { hostBuiltins, missingHostBuiltins } from "../../../rego/builtins/host/index.ts";
import { LruCache } from "../../../rego/builtins/host/lru.ts";
import { builtins, hostImportName } from "../../../rego/builtins/registry.ts";
import { call, errorOf } from "./helpers.ts";

describe("registry coverage", () => {
  it("implements exactly the registry's host builtins", () => {
    expect(missingHostBuiltins()).toEqual([]);
    const hostNames = [...builtins.values()]
      .filter((b) => b.placement === "host")
      .map((b) => hostImportName(b.name));
    expect(Object.keys(hostBuiltins()).sort()).toEqual(hostNames.sort());
  });
});

describe("encoding builtins", () => {
  it("hex", () => {
    expect(call("hex.encode", "hi ☺")).toBe("686920e298ba");
    expect(call("hex.decode", "686920e298ba")).toBe("hi ☺");
    expect(errorOf("hex.decode", "6g")).toBe(
      "eval_builtin_error: hex.decode: encoding/hex: invalid byte: U+0067 'g'",
    );
    expect(errorOf("hex.decode", "686")).toBe(
      "eval_builtin_error: hex.decode: encoding/hex: odd length hex string",
    );
  });

  it("urlquery", () => {
    expect(call("urlquery.encode", "a b&c/é~")).toBe("a+b%26c%2F%C3%A9~");
    expect(call("urlquery.decode", "a+b%26c%2F%C3%A9~")).toBe("a b&c/é~");
    expect(errorOf("urlquery.decode", "x%zz")).toBe(
      'eval_builtin_error: urlquery.decode: invalid URL escape "%zz"',
    );
  });

  it("crypto.sha256", () => {
    expect(call("crypto.sha256", "")).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
  });

  it("uuid.rfc4122 is a v4 UUID, stable per seed", () => {
    const a = call("uuid.rfc4122", "seed-a");
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(call("uuid.rfc4122", "seed-a")).toBe(a);
    expect(call("uuid.rfc4122", "seed-b")).not.toBe(a);
  });

  it("yaml", () => {
    expect(call("yaml.marshal", { b: [1, { c: true }], a: "x" })).toBe(
      "a: x\nb:\n- 1\n- c: true\n",
    );
    expect(call("yaml.unmarshal", "a: [1, yes]\nb: {c: null}")).toEqual({
      a: [1, true],
      b: { c: null },
    });
    expect(call("yaml.unmarshal", "a: 2001-12-14\nb: 1:20\nc: 0x1F")).toEqual({
      a: "2001-12-14",
      b: "1:20",
      c: 31,
    });
    expect(call("yaml.unmarshal", "")).toBeNull();
    expect(call("yaml.is_valid", "a: [1")).toBe(false);
    expect(call("yaml.is_valid", "a: 1")).toBe(true);
    expect(errorOf("yaml.unmarshal", "a: [1")).toContain("eval_builtin_error: yaml.unmarshal: ");
  });
});

describe("LruCache", () => {
  it("evicts the least recently used entry", () => {
    const cache = new LruCache<string, number>(2);
    cache.set("a", 1);
    cache.set("b", 2);
    expect(cache.get("a")).toBe(1);
    cache.set("c", 3);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe(1);
    expect(cache.size).toBe(2);
  });

  it("bounds the total weight of its values when given a weight", () => {
    const cache = new LruCache<string, string>(10, { max: 5, of: (v) => v.length });
    cache.set("a", "xx");
    cache.set("b", "xx");
    expect(cache.get("a")).toBe("xx");
    cache.set("c", "xx"); // 6 > 5: the least recently used, b, goes
    expect(cache.get("b")).toBeUndefined();
    expect([cache.size, cache.weightHeld]).toEqual([2, 4]);
    cache.set("a", "x"); // replacing a value re-weighs it
    expect(cache.weightHeld).toBe(3);
    cache.set("huge", "xxxxxx"); // heavier than the bound: not kept, nothing evicted
    expect(cache.get("huge")).toBeUndefined();
    expect([cache.size, cache.weightHeld]).toEqual([2, 3]);
  });
});

describe("restricted builtins", () => {
  const strict = hostBuiltins({ strictBuiltinErrors: true });
  const lenient = hostBuiltins();

  it("refuses network calls from policies, strict or not", () => {
    expect(() => strict["http.send"]!({ method: "get", url: "http://127.0.0.1/" })).toThrow(
      /eval_builtin_error: http.send: http.send is not available in Gatehouse policies/,
    );
    expect(lenient["http.send"]!({ method: "get", url: "http://127.0.0.1/" })).toBeUndefined();
    expect(() => strict["net.lookup_ip_addr"]!("example.com")).toThrow(
      /eval_builtin_error: net.lookup_ip_addr: net.lookup_ip_addr is not available in Gatehouse policies/,
    );
    expect(lenient["net.lookup_ip_addr"]!("example.com")).toBeUndefined();
  });

  it("exposes no configuration or environment through opa.runtime", () => {
    expect(strict["opa.runtime"]!()).toEqual({});
  });
});
