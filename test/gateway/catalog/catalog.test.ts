import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import {
  CatalogError,
  loadCatalog,
  toolFacts,
  virtualEntries,
  virtualResourceServers,
  virtualTarget,
  virtualToolTarget,
} from "../../../gateway/catalog/index.ts";
import { loopbackEgress } from "../../helpers/egress.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));

function problemsOf(dir: string): string[] {
  try {
    loadCatalog(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(CatalogError);
    return (e as CatalogError).problems;
  }
  throw new Error(`${dir} loaded without problems`);
}

describe("the default catalog (catalog/)", () => {
  const catalog = loadCatalog(join(root, "catalog"));

  it("has the everything and filesystem upstreams and the eng virtual server", () => {
    expect([...catalog.servers.keys()]).toEqual(["everything", "filesystem"]);
    expect([...catalog.virtualServers.keys()]).toEqual(["eng"]);
    const filesystem = catalog.servers.get("filesystem")!;
    expect(filesystem.transport).toEqual({
      type: "stdio",
      command: "node_modules/.bin/mcp-server-filesystem",
      args: ["/tmp/gatehouse"],
      env: {},
    });
    expect(filesystem.source).toBe(join(root, "catalog", "servers", "filesystem.yaml"));
  });

  it("gives every tool the risk policies/access/data.yaml gives it", () => {
    const access = parseYaml(readFileSync(join(root, "policies/access/data.yaml"), "utf8"));
    for (const [name, server] of catalog.servers) {
      const policyTools = access.tool_catalog[name] as Record<
        string,
        { risk: string; owner: string }
      >;
      const risks = Object.fromEntries(
        Object.entries(server.tools).map(([tool, meta]) => [tool, meta.risk]),
      );
      expect(risks, name).toEqual(
        Object.fromEntries(Object.entries(policyTools).map(([tool, meta]) => [tool, meta.risk])),
      );
      for (const tool of Object.keys(server.tools))
        expect(toolFacts(server, tool).owner).toBe(policyTools[tool]!.owner);
    }
  });

  it("maps the eng virtual server's names, renamed or not, to listed upstream tools", () => {
    expect(virtualToolTarget(catalog, "eng", "read_note")).toEqual({
      server: "filesystem",
      tool: "read_text_file",
      description: "Read a note from the sandbox folder",
    });
    expect(virtualToolTarget(catalog, "eng", "echo")).toEqual({
      server: "everything",
      tool: "echo",
    });
    expect(virtualToolTarget(catalog, "eng", "read_text_file")).toBeUndefined();
    expect(virtualToolTarget(catalog, "nope", "echo")).toBeUndefined();
    for (const entry of catalog.virtualServers.get("eng")!.tools) {
      expect(toolFacts(catalog.servers.get(entry.server)!, entry.tool).listed).toBe(true);
    }
  });

  it("applies tool_defaults to tools it does not list", () => {
    const filesystem = catalog.servers.get("filesystem")!;
    expect(toolFacts(filesystem, "a_tool_of_a_newer_version")).toEqual({
      risk: "write",
      tags: ["files", "unreviewed"],
      owner: "team-platform",
      listed: false,
    });
    expect(toolFacts(filesystem, "delete_file")).toMatchObject({
      risk: "destructive",
      owner: "team-filesystem",
      listed: true,
    });
    // names of Object.prototype are tools like any other
    expect(toolFacts(filesystem, "constructor").listed).toBe(false);
  });
});

describe("loadCatalog", () => {
  it("reads http and sse transports, keeping secret references unresolved", () => {
    const catalog = loadCatalog(join(fixtures, "valid"), { egress: loopbackEgress().policy });
    const github = catalog.servers.get("github")!;
    expect(github.transport).toEqual({
      type: "http",
      url: "https://api.githubcopilot.example.com/mcp/",
      headers: { Authorization: "env:GATEHOUSE_TEST_GITHUB_AUTH", "X-Team": "platform" },
    });
    expect(toolFacts(github, "create_issue")).toEqual({
      risk: "write",
      tags: ["tickets"],
      owner: "team-github",
      description: "Open an issue (reviewed by the security team)",
      listed: true,
    });
    const events = catalog.servers.get("events")!;
    expect(events.transport.type).toBe("sse");
    expect(toolFacts(events, "anything")).toEqual({
      risk: "read",
      tags: ["legacy-sse"],
      owner: null,
      listed: false,
    });
    expect([...catalog.virtualServers.keys()]).toEqual(["triage"]);
  });

  it("reads a virtual server's prompts, renamed or not, and its resource servers", () => {
    const catalog = loadCatalog(join(fixtures, "valid"), { egress: loopbackEgress().policy });
    expect(catalog.virtualServers.get("triage")!.tools).toEqual([]);
    expect(virtualEntries(catalog, "triage", "prompts")).toEqual([
      {
        server: "github",
        name: "summarize_issue",
        exposed: "summarize",
        description: "Summarize an issue",
      },
      { server: "events", name: "summarize_issue", exposed: "summarize_events" },
      { server: "github", name: "triage", exposed: "triage" },
    ]);
    expect(virtualTarget(catalog, "triage", "prompts", "summarize_events")).toEqual({
      server: "events",
      name: "summarize_issue",
      exposed: "summarize_events",
    });
    expect(virtualTarget(catalog, "triage", "prompts", "summarize_issue")).toBeUndefined();
    expect(virtualTarget(catalog, "triage", "tools", "triage")).toBeUndefined();
    expect(virtualResourceServers(catalog, "triage")).toEqual(["events"]);
    expect(virtualResourceServers(catalog, "nope")).toEqual([]);
  });

  it("reports every problem of a broken catalog, each with its file and field path", () => {
    const dir = join(fixtures, "broken");
    const problems = problemsOf(dir).map((p) => p.split(`${dir}/`).join(""));
    expect(problems).toEqual([
      "servers/empty.yaml: the file is empty",
      "servers/github.yaml: transport.command: required",
      "servers/github.yaml: transport.env.GITHUB_TOKEN: secret reference env:1BAD must name an environment variable, like env:GITHUB_TOKEN",
      "servers/github.yaml: transport.comand: unknown field",
      'servers/github.yaml: tools.create_issue.risk: must be one of read, write, destructive, got string "danger"',
      "servers/github.yaml: tools.delete_branch.risk: required",
      "servers/github.yaml: name: duplicate server name github (also in servers/github-copy.yaml)",
      "servers/notes.txt: not a .yaml or .yml file",
      "servers/remote.yaml: name: must be 1 to 64 lowercase letters, digits or dashes, starting and ending with a letter or digit",
      "servers/remote.yaml: transport.url: must be an http:// or https:// URL",
      "servers/remote.yaml: transport.headers.Authorization: secret reference file:secrets/token must name an absolute path, like file:/run/secrets/token",
      'servers/stream.yaml: transport.type: must be one of stdio, http, sse, got string "websocket"',
      "servers/syntax.yaml: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1",
      "virtual/bare.yaml: a virtual server needs at least one entry in tools, prompts or resources",
      "virtual/eng.yaml: tools[1].server: unknown server jira (servers: github, stream)",
      "virtual/eng.yaml: tools[1].rename: duplicate tool name file_bug on virtual server eng (also tools[0])",
      "virtual/eng.yaml: tools[3].tool: duplicate tool name search on virtual server eng (also tools[2])",
      "virtual/eng.yaml: prompts[1].server: unknown server confluence (servers: github, stream)",
      "virtual/eng.yaml: prompts[1].rename: duplicate prompt name review on virtual server eng (also prompts[0])",
      "virtual/eng.yaml: resources[1].server: duplicate resource server github on virtual server eng (also resources[0])",
      "virtual/github.yaml: name: duplicate server name github (also in servers/github-copy.yaml)",
    ]);
  });

  it("names a missing catalog folder", () => {
    expect(problemsOf(join(fixtures, "missing"))).toEqual([
      `${join(fixtures, "missing")}: no such folder`,
    ]);
  });
});
