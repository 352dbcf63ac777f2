// The egress rules on their own: address classification (ipaddr.js ranges, metadata endpoints,
// IPv6 forms that carry an IPv4 address), allow-list entries, URL and connect-time decisions, and
// the config section (file, environment, errors naming the field).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../gateway/config.ts";
import { parseAllowEntry } from "../../../gateway/egress/allow-list.ts";
import {
  classifyAddress,
  EgressPolicy,
  type EgressSettings,
} from "../../../gateway/egress/index.ts";
import { configProblems } from "../../helpers/config-problems.ts";

const policy = (settings: Partial<EgressSettings> = {}) =>
  new EgressPolicy({ dev: false, allow: [], allowHttp: [], ...settings });
const refusalOf = (url: string, settings: Partial<EgressSettings> = {}) =>
  policy(settings).checkUrl(new URL(url));

describe("address classification", () => {
  it.each([
    ["8.8.8.8", "unicast", true],
    ["2606:4700::1111", "unicast", true],
    ["127.0.0.1", "loopback", false],
    ["127.255.0.9", "loopback", false],
    ["::1", "loopback", false],
    ["10.0.0.5", "private", false],
    ["172.16.3.4", "private", false],
    ["192.168.1.1", "private", false],
    ["fc00::1", "uniqueLocal", false],
    ["fd12:3456::1", "uniqueLocal", false],
    ["169.254.1.1", "linkLocal", false],
    ["fe80::1", "linkLocal", false],
    ["169.254.169.254", "metadata", false],
    ["fd00:ec2::254", "metadata", false],
    ["100.100.100.200", "metadata", false],
    ["100.64.0.1", "carrierGradeNat", false],
    ["0.0.0.0", "unspecified", false],
    ["::", "unspecified", false],
    ["255.255.255.255", "broadcast", false],
    ["224.0.0.1", "multicast", false],
    ["198.18.0.1", "reserved", false],
    ["2001:db8::1", "reserved", false],
  ])("%s is %s", (address, range, isPublic) => {
    expect(classifyAddress(address)).toMatchObject({ range, public: isPublic });
  });

  it.each([
    ["::ffff:127.0.0.1", "127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "127.0.0.1", "loopback"],
    ["::ffff:169.254.169.254", "169.254.169.254", "metadata"],
    ["::ffff:0:a00:5", "10.0.0.5", "private"],
    ["::7f00:1", "127.0.0.1", "loopback"],
    ["64:ff9b::a00:5", "10.0.0.5", "private"],
    ["64:ff9b::a9fe:a9fe", "169.254.169.254", "metadata"],
    ["64:ff9b::808:808", "8.8.8.8", "unicast"],
  ])("%s reaches %s and is classified by it (%s)", (address, embedded, range) => {
    expect(classifyAddress(address)).toMatchObject({ embedded, range });
  });

  it("refuses 6to4, Teredo and NAT64 local-use addresses as special-purpose", () => {
    for (const address of ["2002:7f00:1::", "2001:0:4136:e378::1", "64:ff9b:1::a00:5"])
      expect(classifyAddress(address)?.public).toBe(false);
  });

  it("is not fooled by any IPv6 spelling of a non-public IPv4 address (property)", () => {
    const internal = fc.oneof(
      fc.tuple(fc.constant(127), fc.nat(255), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(10), fc.nat(255), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(192), fc.constant(168), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(169), fc.constant(254), fc.nat(255), fc.nat(255)),
    );
    const hex = (a: number, b: number) => ((a << 8) | b).toString(16);
    fc.assert(
      fc.property(internal, ([a, b, c, d]) => {
        const low = `${hex(a, b)}:${hex(c, d)}`;
        for (const form of [`::ffff:${low}`, `::ffff:0:${low}`, `64:ff9b::${low}`, `::${low}`]) {
          const facts = classifyAddress(form)!;
          if (facts.public || facts.embedded !== `${a}.${b}.${c}.${d}`) return false;
        }
        return true;
      }),
    );
  });

  it("says undefined for what is not an address", () => {
    expect(classifyAddress("example.com")).toBeUndefined();
    expect(classifyAddress("")).toBeUndefined();
  });
});

describe("allow-list entries", () => {
  it("reads ranges, addresses with ports, and host names with ports", () => {
    expect(parseAllowEntry("10.0.0.0/8")).toMatchObject({ kind: "range" });
    expect(parseAllowEntry("fd00::/8")).toMatchObject({ kind: "range" });
    expect(parseAllowEntry("127.0.0.1:9000")).toMatchObject({ kind: "range", port: 9000 });
    expect(parseAllowEntry("[::1]:9000")).toMatchObject({ kind: "range", port: 9000 });
    expect(parseAllowEntry("IdP.Corp.Example")).toMatchObject({
      kind: "host",
      host: "idp.corp.example",
    });
    expect(parseAllowEntry("mcp.internal:8443")).toMatchObject({ kind: "host", port: 8443 });
  });

  it("refuses what is none of those, numeric IPv4 spellings included", () => {
    for (const bad of ["10.0.0.0/33", "0x7f.1/8", "host:99999", "host:abc", "a b", "http://x"])
      expect(typeof parseAllowEntry(bad)).toBe("string");
  });
});

describe("URL checks", () => {
  it("allows https to public addresses and names, refuses plain http and other schemes", () => {
    expect(refusalOf("https://idp.example.com/jwks")).toBeUndefined();
    expect(refusalOf("https://8.8.8.8/")).toBeUndefined();
    expect(refusalOf("http://idp.example.com/jwks")?.rule).toMatch(/plain http/);
    expect(refusalOf("ftp://idp.example.com/")?.rule).toBe("ftp: is not http or https");
    expect(refusalOf("file:///etc/passwd")?.rule).toBe("file: is not http or https");
  });

  it("refuses the numeric spellings of loopback the URL parser normalizes", () => {
    for (const url of [
      "https://2130706433/",
      "https://0x7f.1/",
      "https://017700000001/",
      "https://127.1/",
      "https://0/",
    ]) {
      const refusal = refusalOf(url);
      expect(refusal, url).toBeDefined();
      expect(refusal!.address).toMatch(/^(127\.0\.0\.1|0\.0\.0\.0)$/);
    }
  });

  it("refuses metadata names and localhost names before any lookup", () => {
    expect(refusalOf("https://metadata.google.internal/computeMetadata/v1/")?.rule).toMatch(
      /cloud metadata endpoint/,
    );
    expect(refusalOf("https://METADATA.GOOGLE.INTERNAL./")?.rule).toMatch(/metadata/);
    expect(refusalOf("https://localhost:8443/")?.rule).toMatch(/loopback/);
    expect(refusalOf("https://api.localhost/")?.rule).toMatch(/loopback/);
  });

  it("lets loopback through on a --dev gateway (http too), and nothing else more", () => {
    const dev = { dev: true };
    expect(refusalOf("http://127.0.0.1:3000/mcp", dev)).toBeUndefined();
    expect(refusalOf("http://localhost:3000/mcp", dev)).toBeUndefined();
    expect(refusalOf("http://[::1]:3000/mcp", dev)).toBeUndefined();
    expect(refusalOf("https://10.0.0.5/", dev)?.rule).toMatch(/private/);
    expect(refusalOf("http://idp.example.com/", dev)?.rule).toMatch(/plain http/);
    expect(refusalOf("http://169.254.169.254/", dev)?.rule).toMatch(/metadata/);
  });

  it("honours allow-list entries by range, address and port, and host name", () => {
    const allow = { allow: ["10.0.0.0/8", "192.168.1.7:8443", "mcp.internal"] };
    expect(refusalOf("https://10.1.2.3/", allow)).toBeUndefined();
    expect(refusalOf("https://192.168.1.7:8443/", allow)).toBeUndefined();
    expect(refusalOf("https://192.168.1.7:9443/", allow)?.rule).toMatch(/private/);
    // allowed by address, still https only
    expect(refusalOf("http://10.1.2.3/", allow)?.rule).toMatch(/plain http/);
    expect(refusalOf("http://10.1.2.3/", { allowHttp: ["10.1.2.3"] })).toBeUndefined();
    expect(refusalOf("http://mcp.internal:8080/", { allowHttp: ["mcp.internal:8080"] })).toBe(
      undefined,
    );
  });

  it("opens a metadata endpoint only for an entry naming its exact address", () => {
    expect(refusalOf("https://169.254.169.254/", { allow: ["169.254.0.0/16"] })?.rule).toMatch(
      /metadata/,
    );
    expect(refusalOf("https://169.254.169.254/", { allow: ["0.0.0.0/0"] })?.rule).toMatch(
      /metadata/,
    );
    expect(refusalOf("https://169.254.169.254/", { allow: ["169.254.169.254"] })).toBeUndefined();
  });

  it("names the address, the rule and what to allow-list", () => {
    const refusal = refusalOf("https://10.0.0.5:8443/token")!;
    expect(refusal).toEqual({
      rule: "private address (RFC 1918: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)",
      remedy:
        'if this destination is meant to be reached, add "10.0.0.5/32" to egress.allow in the gateway config',
      address: "10.0.0.5",
    });
    expect(refusalOf("https://[::ffff:10.0.0.5]/")!.address).toBe(
      "::ffff:a00:5, which reaches 10.0.0.5",
    );
  });
});

describe("connect-time checks", () => {
  const destination = { secure: true, host: "idp.example.com", port: 443 };

  it("check the address a name resolved to, whatever the name", () => {
    expect(policy().checkAddress(destination, "93.184.216.34")).toBeUndefined();
    expect(policy().checkAddress(destination, "127.0.0.1")?.rule).toMatch(/loopback/);
    expect(policy().checkAddress(destination, "::ffff:169.254.169.254")?.rule).toMatch(/metadata/);
  });

  it("let an allow-listed host name resolve to a private address, but never to metadata", () => {
    const named = policy({ allow: ["idp.example.com"] });
    expect(named.checkAddress(destination, "10.0.0.5")).toBeUndefined();
    expect(named.checkAddress(destination, "169.254.169.254")?.rule).toMatch(/metadata/);
  });

  it("refuse plain http to a resolved address unless dev loopback or allowHttp", () => {
    const plain = { ...destination, secure: false };
    expect(policy().checkAddress(plain, "93.184.216.34")?.rule).toMatch(/plain http/);
    expect(policy({ dev: true }).checkAddress(plain, "127.0.0.1")).toBeUndefined();
    expect(policy({ allowHttp: ["93.184.216.0/24"] }).checkAddress(plain, "93.184.216.34")).toBe(
      undefined,
    );
  });
});

describe("the egress config section", () => {
  const problemsOf = configProblems;

  it("defaults to nothing allow-listed; flags and environment set the lists", () => {
    expect(loadConfig({}).egress).toEqual({ allow: [], allowHttp: [] });
    const config = loadConfig({
      env: {
        GATEHOUSE_EGRESS_ALLOW: "10.0.0.0/8, idp.internal",
        GATEHOUSE_EGRESS_ALLOW_HTTP: "127.0.0.1:9000",
      },
    });
    expect(config.egress).toEqual({
      allow: ["10.0.0.0/8", "idp.internal"],
      allowHttp: ["127.0.0.1:9000"],
    });
  });

  it("names a bad entry with its field or variable", () => {
    expect(problemsOf(() => loadConfig({ flags: { egress: { allow: ["10.0.0.0/99"] } } }))).toEqual(
      [
        'command line: egress.allow[0]: "10.0.0.0/99" is not an address range such as 10.0.0.0/8 or fd00::/8',
      ],
    );
    expect(
      problemsOf(() => loadConfig({ env: { GATEHOUSE_EGRESS_ALLOW_HTTP: "a b" } }))[0],
    ).toMatch(/^GATEHOUSE_EGRESS_ALLOW_HTTP: "a b" is not/);
  });

  it("refuses at start an issuer or JWKS the rules would refuse, naming the field", () => {
    const problems = problemsOf(() =>
      loadConfig({
        flags: {
          auth: {
            issuers: [
              { issuer: "https://idp.example.com", jwksUri: "http://169.254.169.254/jwks" },
              { issuer: "http://idp.example.com" },
            ],
          },
        },
      }),
    );
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /^auth\.issuers\[0\]\.jwksUri: egress refused: http:\/\/169\.254\.169\.254\/jwks \(address 169\.254\.169\.254\): cloud metadata endpoint/,
    );
    expect(problems[1]).toMatch(/^auth\.issuers\[1\]\.issuer: egress refused: .*plain http/);
  });
});
