// Formatting keeps meaning and is stable over real Rego: every module under policies/ and every
// module of OPA's conformance cases (../shared/conformance/opa) is formatted, parsed again and
// compared with the original AST (positions aside) and comments, then formatted a second time.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatSource, sameModule } from "../../../rego/format/index.ts";
import { parseModule } from "../../../rego/syntax/index.ts";
import { lex } from "../../../rego/syntax/lexer.ts";
import { loadCases } from "../../conformance/cases.ts";

const policiesDir = fileURLToPath(new URL("../../../policies", import.meta.url));
const corpusDir = fileURLToPath(new URL("../../../../shared/conformance/opa", import.meta.url));

interface Outcome {
  modules: number;
  notRego: number;
  failures: string[];
}

/** Formats each module twice; failures name the module and what went wrong. */
function roundTrip(modules: { name: string; source: string }[]): Outcome {
  const outcome: Outcome = { modules: 0, notRego: 0, failures: [] };
  for (const { name, source } of modules) {
    let original;
    try {
      original = parseModule(source, name);
    } catch {
      outcome.notRego++; // cases that test parse errors
      continue;
    }
    outcome.modules++;
    try {
      const once = formatSource(source, name);
      if (!sameModule(parseModule(once, name), original)) {
        outcome.failures.push(`${name}: AST changed`);
      } else if (commentTexts(once) !== commentTexts(source)) {
        outcome.failures.push(`${name}: comments changed`);
      } else if (formatSource(once, name) !== once) {
        outcome.failures.push(`${name}: second formatting differs`);
      }
    } catch (e) {
      outcome.failures.push(`${name}: ${(e as Error).message}`);
    }
  }
  return outcome;
}

/** The module's comments, in order, without trailing blanks (which the formatter trims). */
function commentTexts(source: string): string {
  return JSON.stringify(lex(source).comments.map((c) => c.text.trimEnd()));
}

function regoFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return regoFilesUnder(path);
    return e.name.endsWith(".rego") ? [path] : [];
  });
}

describe("policy fmt over real Rego", () => {
  it("round-trips every module of policies/", () => {
    const files = regoFilesUnder(policiesDir);
    const outcome = roundTrip(files.map((f) => ({ name: f, source: readFileSync(f, "utf8") })));
    expect(outcome.failures).toEqual([]);
    expect(outcome.modules).toBe(files.length);
  });

  const hasCorpus = existsSync(corpusDir);
  if (!hasCorpus)
    console.log(`conformance corpus not found at ${corpusDir}: corpus round-trip skipped`);
  it.skipIf(!hasCorpus)("round-trips every module of the OPA conformance cases", () => {
    const modules = loadCases(corpusDir).flatMap((c) =>
      (c.modules ?? []).map((source, i) => ({ name: `${c.file} ${c.id} #${i}`, source })),
    );
    const outcome = roundTrip(modules);
    console.log(
      `fmt corpus: ${outcome.modules - outcome.failures.length}/${outcome.modules} modules round-trip (${outcome.notRego} cases are deliberately broken Rego)`,
    );
    expect(outcome.failures).toEqual([]);
    expect(outcome.modules).toBeGreaterThan(700);
  });
});
