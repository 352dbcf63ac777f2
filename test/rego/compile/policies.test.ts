// The project's own policy set (policies/) must compile: it is what `gatehouse serve` loads.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseModule } from "../../../rego/syntax/index.ts";
import { compileModules } from "../../../rego/compile/index.ts";

const root = fileURLToPath(new URL("../../../policies", import.meta.url));

function regoFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return regoFiles(path);
    return entry.name.endsWith(".rego") ? [path] : [];
  });
}

describe("default policies", () => {
  it("compile, with the decision entrypoint as a complete rule", () => {
    const files = regoFiles(root);
    expect(files.length).toBeGreaterThan(0);
    const policy = compileModules(files.map((f) => parseModule(readFileSync(f, "utf8"), f)));
    const decision = policy.groups.find((g) => g.path.join("/") === "gatehouse/decision");
    expect(decision?.kind).toBe("complete");
  });
});
