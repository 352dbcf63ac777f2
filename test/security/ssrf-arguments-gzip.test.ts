// SSRF through tool arguments, through the quick start's gateway: server-everything's
// gzip-file-as-resource fetches the URL in `data` (the catalog tags it `fetches-urls`). Internal
// targets, in every spelling a fetcher accepts, are refused by the policy; a loopback listener
// stands in for the internal service and must see no connection at all.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusedCall, startDefaultGateway, type DefaultGateway } from "./mcp05-default-gateway.ts";
import { startLoopbackTrap, type Trap } from "./ssrf-targets.ts";

let gw: DefaultGateway;
/** the stand-in internal service, on one port of every loopback address (127.0.0.1, 127.0.0.2,
 * ::1; ::ffff:127.0.0.1 and 0.0.0.0 reach 127.0.0.1) */
let trap: Trap;
let port: number;

beforeAll(async () => {
  trap = await startLoopbackTrap();
  port = trap.port;
  gw = await startDefaultGateway();
}, 90_000);
afterAll(async () => {
  await gw?.close();
  await trap?.close();
});

async function refusedFetch(data: string): Promise<string[]> {
  const before = trap.connections();
  const { reasons, message } = await refusedCall(gw, "everything__gzip-file-as-resource", {
    name: "ssrf.gz",
    data,
  });
  expect(trap.connections()).toBe(before);
  expect(message).not.toContain("internal-data");
  return reasons;
}

const internal = (host: string, kind: string) =>
  `argument data points at ${host}, a ${kind} address: internal addresses may not be fetched`;

describe("SSRF through a fetching tool's URL argument", () => {
  it("http://127.0.0.2:<port>/computeMetadata/v1/ (the reviewed finding) is refused", async () => {
    expect(await refusedFetch(`http://127.0.0.2:${port}/computeMetadata/v1/`)).toEqual([
      internal("127.0.0.2", "loopback"),
    ]);
  });

  it("the cloud metadata address http://169.254.169.254/computeMetadata/v1/ is refused", async () => {
    expect(await refusedFetch("http://169.254.169.254/computeMetadata/v1/")).toEqual([
      internal("169.254.169.254", "metadata"),
    ]);
  });

  it("AWS's IPv6 metadata address http://[fd00:ec2::254]/ is refused", async () => {
    expect(await refusedFetch("http://[fd00:ec2::254]/latest/meta-data/")).toEqual([
      internal("fd00:ec2::254", "metadata"),
    ]);
  });

  it("an IPv4-mapped IPv6 loopback http://[::ffff:127.0.0.1]/ is refused", async () => {
    expect(await refusedFetch(`http://[::ffff:127.0.0.1]:${port}/`)).toEqual([
      internal("::ffff:7f00:1", "loopback"),
    ]);
  });

  it("a decimal IPv4 host http://2130706433/ is refused as 127.0.0.1", async () => {
    expect(await refusedFetch(`http://2130706433:${port}/`)).toEqual([
      internal("127.0.0.1", "loopback"),
    ]);
  });

  it("a hex shorthand host http://0x7f.1/ is refused as 127.0.0.1", async () => {
    expect(await refusedFetch(`http://0x7f.1:${port}/`)).toEqual([
      internal("127.0.0.1", "loopback"),
    ]);
  });

  it("an octal host http://0177.0.0.1/ is refused as 127.0.0.1", async () => {
    expect(await refusedFetch(`http://0177.0.0.1:${port}/`)).toEqual([
      internal("127.0.0.1", "loopback"),
    ]);
  });

  it("IPv6 loopback http://[::1]/ is refused", async () => {
    expect(await refusedFetch(`http://[::1]:${port}/`)).toEqual([internal("::1", "loopback")]);
  });

  it("the unspecified address http://0.0.0.0/ (which reaches this machine) is refused", async () => {
    expect(await refusedFetch(`http://0.0.0.0:${port}/`)).toEqual([
      internal("0.0.0.0", "unspecified"),
    ]);
  });

  it("a private address http://10.0.0.5/ is refused", async () => {
    expect(await refusedFetch("http://10.0.0.5/admin")).toEqual([internal("10.0.0.5", "private")]);
  });

  it("a carrier-grade NAT address http://100.64.0.1/ is refused", async () => {
    expect(await refusedFetch("http://100.64.0.1/")).toEqual([
      internal("100.64.0.1", "carrierGradeNat"),
    ]);
  });

  it("http://localhost./ (trailing dot) is refused as localhost", async () => {
    expect(await refusedFetch(`http://localhost.:${port}/`)).toEqual([
      "argument data names the internal host localhost: internal hosts may not be fetched",
    ]);
  });

  it("a *.localhost name is refused", async () => {
    expect(await refusedFetch(`http://admin.localhost:${port}/`)).toEqual([
      "argument data names the internal host admin.localhost: internal hosts may not be fetched",
    ]);
  });

  it("the metadata host name metadata.google.internal is refused", async () => {
    expect(await refusedFetch("http://metadata.google.internal/computeMetadata/v1/")).toEqual([
      "argument data names the internal host metadata.google.internal: internal hosts may not be fetched",
    ]);
  });

  it("file:///etc/passwd is refused (scheme and path)", async () => {
    const reasons = await refusedFetch("file:///etc/passwd");
    expect(reasons).toContain(
      "argument data uses the scheme file: only http and https URLs may be fetched",
    );
    expect(reasons).toContain(
      'argument data=/etc/passwd is outside the allowed paths ["/sandbox", "/tmp/gatehouse"]',
    );
  });

  it("gopher://127.0.0.1/ (raw TCP to an internal service) is refused", async () => {
    const reasons = await refusedFetch(`gopher://127.0.0.1:${port}/_GET%20/%20HTTP/1.0`);
    expect(reasons).toEqual([
      internal("127.0.0.1", "loopback"),
      "argument data uses the scheme gopher: only http and https URLs may be fetched",
    ]);
  });

  it("a URL with a tab inside the scheme and leading spaces (the parser drops both) is refused", async () => {
    // (the upstream's own schema says format "uri" and refuses it as well)
    expect(await refusedFetch(`  ht\ttp://127.0.0.1:${port}/`)).toContain(
      internal("127.0.0.1", "loopback"),
    );
  });

  it("a special-scheme URL without slashes (http:127.0.0.1) is refused", async () => {
    expect(await refusedFetch(`http:127.0.0.1:${port}/`)).toEqual([
      internal("127.0.0.1", "loopback"),
    ]);
  });

  it("credentials in the URL do not hide the host (http://user@127.0.0.1/)", async () => {
    expect(await refusedFetch(`http://example.com@127.0.0.1:${port}/`)).toEqual([
      internal("127.0.0.1", "loopback"),
    ]);
  });

  it("a metadata URL in a tool that is not tagged as fetching (echo) is refused too", async () => {
    const { reasons } = await refusedCall(gw, "everything__echo", {
      message: "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    });
    expect(reasons).toEqual(["argument message names the cloud metadata endpoint 169.254.169.254"]);
  });

  it("no attack reached the stand-in internal service", () => {
    expect(trap.connections()).toBe(0);
    expect(trap.received()).toBe("");
  });

  it("the same URL sent to server-everything without the gateway does reach the stand-in (the control)", async () => {
    // shows the attacks above were live: the upstream itself fetches internal URLs
    const direct = new Client({ name: "control", version: "1.0.0" });
    await direct.connect(
      new StdioClientTransport({
        command: "node_modules/.bin/mcp-server-everything",
        args: ["stdio"],
        stderr: "ignore",
      }),
    );
    try {
      await direct.callTool({
        name: "gzip-file-as-resource",
        arguments: { name: "control.gz", data: `http://127.0.0.2:${port}/computeMetadata/v1/` },
      });
    } finally {
      await direct.close();
    }
    expect(trap.connections()).toBeGreaterThan(0);
    expect(trap.received()).toContain("GET /computeMetadata/v1/");
  });
});
