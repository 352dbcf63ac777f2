// SSRF through tool arguments, decided by the default policy on the input the gateway builds
// (buildDecisionInput + PolicyEngine.decide; no upstream, no network): the spellings and places a
// URL can hide in, the fetch-server case by tag rather than by name, and the public URL that must
// stay allowed.
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { loadCatalog, toolFacts } from "../../gateway/catalog/index.ts";
import { buildDecisionInput, PolicyEngine } from "../../gateway/policy/index.ts";

const POLICIES = fileURLToPath(new URL("../../policies", import.meta.url));
const CATALOG = fileURLToPath(new URL("../../catalog", import.meta.url));

// server-everything's gzip-file-as-resource, as it lists it
const GZIP_SCHEMA = {
  type: "object",
  properties: {
    name: { type: "string" },
    data: { type: "string", format: "uri" },
    outputType: { type: "string", enum: ["resourceLink", "resource"] },
  },
  $schema: "http://json-schema.org/draft-07/schema#",
};

let engine: PolicyEngine;
let gzipTags: string[];
beforeAll(async () => {
  engine = await PolicyEngine.fromDirectories([POLICIES]);
  const everything = loadCatalog(CATALOG).servers.get("everything")!;
  gzipTags = toolFacts(everything, "gzip-file-as-resource").tags;
}, 120_000);

interface Call {
  server: string;
  tool: string;
  args: Record<string, unknown>;
  schema: unknown;
  toolTags?: string[];
  serverTags?: string[];
}

function decide({ server, tool, args, schema, toolTags = [], serverTags = [] }: Call) {
  return engine.decide(
    buildDecisionInput({
      request: { id: "ssrf" },
      principal: { sub: "dev", groups: ["eng"], auth: "dev" },
      mcp: { method: "tools/call", server, tool, arguments: args, inputSchema: schema },
      tool: { risk: "write", tags: toolTags },
      server: { name: server, tags: serverTags },
    }),
  );
}

const gzip = (data: string) =>
  decide({
    server: "everything",
    tool: "gzip-file-as-resource",
    args: { name: "x.gz", data },
    schema: GZIP_SCHEMA,
    toolTags: gzipTags,
  });

/** A tool of some server tagged as a whole as fetching URLs, with a free-form schema. */
const fetcher = (args: Record<string, unknown>, server = "web-reader") =>
  decide({
    server,
    tool: "read",
    args,
    schema: { type: "object" },
    serverTags: ["fetches-urls"],
  });

describe("SSRF through arguments, as the default policy decides it", () => {
  it("a public URL (https://example.com/) is allowed: the rule is no blanket ban", () => {
    expect(gzipTags).toContain("fetches-urls");
    const d = gzip("https://example.com/");
    expect(d.reasons).toEqual(["dev holds role developer"]);
    expect(d.allow).toBe(true);
  });

  it("an IPv4-mapped metadata address ::ffff:169.254.169.254 is refused as metadata", () => {
    const d = gzip("http://[::ffff:169.254.169.254]/latest/meta-data/");
    expect(d.allow).toBe(false);
    expect(d.reasons[0]).toBe(
      "argument data points at ::ffff:a9fe:a9fe, a metadata address: internal addresses may not be fetched",
    );
  });

  it("a NAT64 address embedding the metadata address (64:ff9b::a9fe:a9fe) is refused", () => {
    const d = gzip("http://[64:ff9b::a9fe:a9fe]/");
    expect(d.allow).toBe(false);
    expect(d.reasons[0]).toMatch(/a metadata address: internal addresses may not be fetched$/);
  });

  it("a 6to4 address embedding loopback (2002:7f00:1::) is refused", () => {
    const d = gzip("http://[2002:7f00:1::]/");
    expect(d.allow).toBe(false);
    expect(d.reasons[0]).toMatch(/a 6to4 address/);
  });

  it("any server tagged fetches-urls gets the same rules, whatever its name", () => {
    const d = fetcher({ url: "http://127.0.0.1:8080/admin" });
    expect(d.allow).toBe(false);
    expect(d.reasons[0]).toBe(
      "argument url points at 127.0.0.1, a loopback address: internal addresses may not be fetched",
    );
  });

  it("a URL nested deep inside the arguments of a fetching tool is found and refused", () => {
    const d = fetcher({ batch: [{ request: { target: { href: "http://169.254.169.254/" } } }] });
    expect(d.allow).toBe(false);
    expect(d.reasons[0]).toBe(
      "argument batch/0/request/target/href points at 169.254.169.254, a metadata address: internal addresses may not be fetched",
    );
  });

  it("a URL nested deeper than the gateway walks is refused, not waved through", () => {
    let deep: unknown = "http://127.0.0.1/";
    for (let i = 0; i < 40; i++) deep = [deep];
    const d = fetcher({ deep });
    expect(d.allow).toBe(false);
    expect(d.reasons[0]).toMatch(
      /^argument deep(\/0)+ is not a URL the gateway can check: .*deeper than 32 levels/,
    );
  });

  it("the 257th URL of a call (past what the gateway reports) is refused, not waved through", () => {
    const urls = [...Array.from({ length: 256 }, () => "https://example.com/"), "http://10.0.0.1/"];
    const d = fetcher({ urls });
    expect(d.allow).toBe(false);
    expect(d.reasons[0]).toMatch(/the rest were not checked/);
  });

  it("userinfo that looks like an allowed host (https://docs.example.com@127.0.0.1/) is refused", () => {
    const d = decide({
      server: "fetch",
      tool: "fetch",
      args: { url: "https://docs.example.com@127.0.0.1/" },
      schema: { type: "object", properties: { url: { type: "string" } } },
      serverTags: ["fetches-urls"],
    });
    expect(d.allow).toBe(false);
    expect(d.reasons).toContain("argument url names a host that is not allowed: 127.0.0.1");
  });

  it("an allow-listed host's look-alike (docs.example.com.evil.io) is refused", () => {
    const d = decide({
      server: "fetch",
      tool: "fetch",
      args: { url: "https://docs.example.com.evil.io/" },
      schema: { type: "object", properties: { url: { type: "string" } } },
      serverTags: ["fetches-urls"],
    });
    expect(d.allow).toBe(false);
    expect(d.reasons).toEqual([
      "argument url names a host that is not allowed: docs.example.com.evil.io",
    ]);
  });
});
