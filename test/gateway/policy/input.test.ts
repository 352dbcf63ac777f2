import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  buildDecisionInput,
  decisionIdTime,
  newDecisionId,
} from "../../../gateway/policy/index.ts";

const example = JSON.parse(
  readFileSync(new URL("../../../examples/input.json", import.meta.url), "utf8"),
);

describe("buildDecisionInput", () => {
  it("builds the contract's document (examples/input.json) from typed parts", () => {
    const input = buildDecisionInput({
      request: {
        id: "req-1",
        time: new Date("2026-11-24T10:00:00Z"),
        ip: "127.0.0.1",
        userAgent: "example",
      },
      principal: {
        sub: "alice",
        iss: "https://idp.example.com",
        clientId: "claude-desktop",
        groups: ["eng"],
        scopes: ["mcp"],
        auth: "jwt",
      },
      session: {
        id: "s-1",
        client: { name: "example", version: "1.0" },
        protocolVersion: "2025-11-25",
      },
      mcp: {
        method: "tools/call",
        server: "filesystem",
        tool: "write_file",
        calledTool: "filesystem__write_file",
        arguments: { path: "/sandbox/notes.txt", content: "hello" },
        inputSchema: {
          type: "object",
          properties: { path: { type: "string" }, content: { type: "string" } },
          required: ["path", "content"],
        },
      },
      tool: { risk: "write", tags: ["files"], owner: "team-filesystem" },
      server: { name: "filesystem", tags: ["local"], owner: "team-platform" },
    });
    // the contract's time is RFC 3339; toISOString adds milliseconds
    expect({ ...input, request: { ...input.request, time: "2026-11-24T10:00:00Z" } }).toEqual(
      example,
    );
    expect(input.request.time).toBe("2026-11-24T10:00:00.000Z");
    expect("list" in input).toBe(false);
  });

  it("fills absent parts with null or empty values and adds the list for list methods", () => {
    const input = buildDecisionInput({
      request: { id: "r" },
      principal: { sub: "anonymous", auth: "none" },
      mcp: { method: "tools/list" },
      list: [
        { server: "github", name: "create_issue", risk: "write" },
        { server: "postgres", name: "query" },
      ],
    });
    expect(input.principal).toEqual({
      sub: "anonymous",
      iss: null,
      client_id: null,
      tenant: null,
      groups: [],
      roles: [],
      scopes: [],
      claims: {},
      auth: "none",
    });
    expect(input.session).toBeNull();
    expect(input.tool).toBeNull();
    expect(input.server).toBeNull();
    expect(input.mcp).toEqual({
      method: "tools/list",
      server: null,
      virtual_server: null,
      tool: null,
      called_tool: null,
      arguments: {},
      uri: null,
      prompt: null,
      arguments_valid: null,
      argument_errors: [],
      undeclared_arguments: [],
      paths: [],
      urls: [],
    });
    expect(input.list).toEqual([
      { server: "github", name: "create_issue", risk: "write", tags: [] },
      { server: "postgres", name: "query", risk: null, tags: [] },
    ]);
    expect(Date.parse(input.request.time)).not.toBeNaN();

    const empty = buildDecisionInput({
      request: { id: "r" },
      principal: { sub: "a", auth: "dev" },
      mcp: { method: "prompts/list" },
    });
    expect(empty.list).toEqual([]);
  });
});

describe("decision ids", () => {
  it("are UUIDv7: version and variant bits, the time they were made at, sortable by time", () => {
    const early = newDecisionId(Date.UTC(2026, 10, 24, 10, 0, 0, 1));
    const late = newDecisionId(Date.UTC(2026, 10, 24, 10, 0, 0, 2));
    for (const id of [early, late]) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(decisionIdTime(early)).toBe(Date.UTC(2026, 10, 24, 10, 0, 0, 1));
    expect(early < late).toBe(true);
  });

  it("carry 74 random bits: no repeats within one millisecond", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newDecisionId(1_700_000_000_000)));
    expect(ids.size).toBe(1000);
  });
});
