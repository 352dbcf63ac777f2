// Seed modules for mutation: the default policies, the repository's fixture policies and, when it
// is present next to the repository, OPA's conformance corpus (../shared/conformance/opa).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { loadCases } from "../conformance/cases.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const conformanceCorpus = fileURLToPath(
  new URL("../../../shared/conformance/opa", import.meta.url),
);

export interface SeedModule {
  /** where it came from, for reports */
  origin: string;
  source: string;
}

/** The seeds, in a stable order so a fixed fast-check seed picks the same modules every run. */
export function loadSeedModules(): SeedModule[] {
  const seeds: SeedModule[] = [];
  for (const dir of ["policies", "test/fixtures"]) {
    for (const path of regoFilesUnder(join(root, dir)))
      seeds.push({ origin: relative(root, path), source: readFileSync(path, "utf8") });
  }
  if (existsSync(conformanceCorpus)) {
    for (const c of loadCases(conformanceCorpus)) {
      (c.modules ?? []).forEach((source, i) =>
        seeds.push({ origin: `conformance ${c.file} (${c.note}) module ${i}`, source }),
      );
    }
  }
  return seeds;
}

function regoFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...regoFilesUnder(path));
    else if (entry.name.endsWith(".rego")) out.push(path);
  }
  return out.sort();
}
