// The catalog's `isolation` (who shares an upstream connection) and its bounds, as
// `gatehouse catalog validate` and the gateway read them (docs/catalog.md).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CatalogError, isolationOf, loadCatalog } from "../../../gateway/catalog/index.ts";

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const STDIO = "transport:\n  type: stdio\n  command: node";
const HTTP = "transport:\n  type: http\n  url: https://mcp.example.com/mcp";

function catalogWith(files: Record<string, string>): string {
  dir = mkdtempSync(join(tmpdir(), "gatehouse-isolation-"));
  mkdirSync(join(dir, "servers"));
  for (const [name, body] of Object.entries(files))
    writeFileSync(join(dir, "servers", `${name}.yaml`), `name: ${name}\n${body}\n`);
  return dir;
}

function problems(files: Record<string, string>): string[] {
  const folder = catalogWith(files);
  try {
    loadCatalog(folder);
  } catch (e) {
    expect(e).toBeInstanceOf(CatalogError);
    return (e as CatalogError).problems.map((p) => p.slice(folder.length + 1));
  }
  throw new Error("the catalog loaded without problems");
}

describe("isolation in the catalog", () => {
  it("defaults to principal for stdio and session for HTTP, never to shared", () => {
    const catalog = loadCatalog(catalogWith({ local: STDIO, remote: HTTP }));
    expect(isolationOf(catalog.servers.get("local")!)).toBe("principal");
    expect(isolationOf(catalog.servers.get("remote")!)).toBe("session");
  });

  it("reads a declared isolation and its bounds", () => {
    const catalog = loadCatalog(
      catalogWith({
        local: `${STDIO}\nisolation: principal\nmax_connections: 4\nidle_timeout_seconds: 90`,
        stateless: `${HTTP}\nisolation: shared`,
        "per-session": `${STDIO}\nisolation: session\nmax_connections: 8`,
      }),
    );
    const local = catalog.servers.get("local")!;
    expect([isolationOf(local), local.max_connections, local.idle_timeout_seconds]).toEqual([
      "principal",
      4,
      90,
    ]);
    expect(isolationOf(catalog.servers.get("stateless")!)).toBe("shared");
    expect(isolationOf(catalog.servers.get("per-session")!)).toBe("session");
  });

  it("refuses an unknown isolation, and bounds that do not apply to it", () => {
    expect(
      problems({
        typo: `${STDIO}\nisolation: tenant`,
        shared: `${HTTP}\nisolation: shared\nmax_connections: 3`,
        remote: `${HTTP}\nidle_timeout_seconds: 60`,
        zero: `${STDIO}\nmax_connections: 0`,
      }),
    ).toEqual([
      "servers/remote.yaml: idle_timeout_seconds: applies to isolation principal only (isolation is session by default)",
      "servers/shared.yaml: max_connections: applies to isolation session or principal only (a shared server has one connection)",
      'servers/typo.yaml: isolation: must be one of session, principal, shared, got string "tenant"',
      "servers/zero.yaml: max_connections: Too small: expected number to be >=1",
    ]);
  });
});
