// The gateway's inputs for a run against the fixture, written to a temp folder: a catalog with the
// fixture as its one upstream, a virtual server exposing every fixture tool and prompt under its
// own name and the fixture's resources, and a policy that allows everything.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { PROMPT_LISTINGS } from "../fixtures/conformance-server/prompts.ts";
import { TOOLS } from "../fixtures/conformance-server/tools.ts";

/** Catalog names of the fixture upstream and of the virtual server (they share one namespace). */
export const UPSTREAM_NAME = "fixture";
export const VIRTUAL_NAME = "conformance";

export type FixtureUpstream =
  { type: "http"; url: string } | { type: "stdio"; command: string; args: string[]; cwd?: string };

export interface GatewayFiles {
  dir: string;
  catalogDir: string;
  allowAllPolicyDir: string;
  remove(): void;
}

/** Sessions a run may leave open: the suite opens one per scenario and never DELETEs it. */
const SUITE_SESSIONS = 500;
const UNLIMITED_RATE = 1_000_000;

/** A gateway config file (gatehouse serve --config) for these files and `policyDirs`. */
export function writeGatewayConfig(
  files: GatewayFiles,
  policyDirs: string[],
  /** more settings (e.g. audit, telemetry), and the name that keeps this config's files apart */
  variant: { name: string; settings: Record<string, unknown> } = {
    name: "gatehouse",
    settings: {},
  },
): string {
  const file = join(files.dir, `${variant.name}.yaml`);
  writeFileSync(
    file,
    stringify({
      host: "127.0.0.1",
      port: 0,
      dev: true,
      catalogDir: files.catalogDir,
      policyDirs,
      dataDir: join(files.dir, `${variant.name}-data`),
      limits: {
        maxSessions: SUITE_SESSIONS,
        maxSessionsPerPrincipal: SUITE_SESSIONS,
        // one principal (dev) sends the whole suite, and the bench's load: not a flood to refuse
        requestsPerSecond: UNLIMITED_RATE,
        requestBurst: UNLIMITED_RATE,
      },
      ...variant.settings,
    }),
  );
  return file;
}

const ALLOW_ALL_POLICY = `# Allows every request and shows every list candidate: the conformance suite has no identity.
package gatehouse

decision := {
	"allow": true,
	"reasons": ["conformance run"],
	"obligations": {"redact_arguments": [], "redact_result": [], "confirm": false, "rate_limit": null},
	"visible_tools": [sprintf("%s__%s", [c.server, c.name]) | some c in input.list],
}
`;

export function writeGatewayFiles(upstream: FixtureUpstream): GatewayFiles {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-conformance-"));
  const catalogDir = join(dir, "catalog");
  const allowAllPolicyDir = join(dir, "policy");
  for (const sub of ["servers", "virtual"]) mkdirSync(join(catalogDir, sub), { recursive: true });
  mkdirSync(allowAllPolicyDir);
  writeFileSync(
    join(catalogDir, "servers", `${UPSTREAM_NAME}.yaml`),
    stringify({
      name: UPSTREAM_NAME,
      description: "MCP conformance test upstream (test/fixtures/conformance-server)",
      transport: upstream,
      // harmless test tools: reads, so the default policy's reader grant covers them
      tool_defaults: { risk: "read" },
    }),
  );
  writeFileSync(
    join(catalogDir, "virtual", `${VIRTUAL_NAME}.yaml`),
    stringify({
      name: VIRTUAL_NAME,
      description:
        "The fixture's tools, prompts and resources under their own names, as the conformance suite expects",
      tools: TOOLS.map((t) => ({ server: UPSTREAM_NAME, tool: t.definition.name })),
      prompts: PROMPT_LISTINGS.map((p) => ({ server: UPSTREAM_NAME, prompt: p.name })),
      resources: [{ server: UPSTREAM_NAME }],
    }),
  );
  writeFileSync(join(allowAllPolicyDir, "allow-all.rego"), ALLOW_ALL_POLICY);
  return {
    dir,
    catalogDir,
    allowAllPolicyDir,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
