// Compiles every module set of OPA's conformance cases (../shared/conformance/opa) with its query.
// Evaluation is not checked here; only that what OPA compiles, we compile (and vice versa for
// cases expecting a rego_* compile error).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseModule, parseQuery } from "../../../rego/syntax/index.ts";
import { compileModules, compileQuery } from "../../../rego/compile/index.ts";
import { RegoError } from "../../../rego/errors.ts";

const corpus = fileURLToPath(new URL("../../../../shared/conformance/opa", import.meta.url));

/** Cases we cannot compile yet, and why. */
// Cases that fail to compile for a known reason (none at present).
const KNOWN_FAILURES: Record<string, string> = {};

interface Case {
  note: string;
  query: string;
  modules?: string[];
  want_error_code?: string;
}

function loadCases(): Case[] {
  const cases: Case[] = [];
  for (const dir of readdirSync(corpus, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const file of readdirSync(join(corpus, dir.name))) {
      const doc = parse(readFileSync(join(corpus, dir.name, file), "utf8")) as { cases?: Case[] };
      cases.push(...(doc.cases ?? []).filter((c) => (c.modules?.length ?? 0) > 0));
    }
  }
  return cases;
}

// the corpus sits next to the repository (../shared); a user's clone has none
const hasCorpus = existsSync(corpus);
if (!hasCorpus) console.log(`conformance corpus not found at ${corpus}: module sets not compiled`);

describe("OPA conformance module sets", () => {
  it.skipIf(!hasCorpus)("compile unless OPA rejects them at compile time", () => {
    const counts = {
      cases: 0,
      compiled: 0,
      parseErrors: 0,
      expectedCompileErrors: 0,
      knownFailures: 0,
    };
    const unexpected: string[] = [];
    for (const c of loadCases()) {
      counts.cases++;
      let modules;
      try {
        modules = c.modules!.map((source, i) => parseModule(source, `${c.note}#${i}`));
      } catch {
        counts.parseErrors++; // pre-v1 syntax in a few files: the parser's concern, not the compiler's
        continue;
      }
      const wantsCompileError = c.want_error_code?.startsWith("rego_") ?? false;
      try {
        compileQuery(parseQuery(c.query), compileModules(modules));
        counts.compiled++;
        if (wantsCompileError)
          unexpected.push(`${c.note}: compiled, but OPA reports ${c.want_error_code}`);
      } catch (e) {
        if (!(e instanceof RegoError)) throw e;
        if (wantsCompileError && e.code === c.want_error_code) counts.expectedCompileErrors++;
        else if (c.note in KNOWN_FAILURES) counts.knownFailures++;
        else unexpected.push(`${c.note}: ${e.message}`);
      }
    }
    console.log(`conformance module sets: ${JSON.stringify(counts)}`);
    expect(unexpected).toEqual([]);
    expect(counts.knownFailures).toBe(Object.keys(KNOWN_FAILURES).length);
    expect(counts.compiled).toBeGreaterThan(600);
  });
});
