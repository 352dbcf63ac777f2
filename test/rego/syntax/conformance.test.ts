// Every module and query of OPA's conformance corpus must parse, except the few files written in
// pre-v1 syntax (OPA 1.x rejects them too) and cases that expect a parse error.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadCases } from "../../conformance/cases.ts";
import { parseModule, parseQuery, parseTerm } from "../../../rego/syntax/index.ts";
import { RegoError } from "../../../rego/errors.ts";

const corpus = fileURLToPath(new URL("../../../../shared/conformance/opa", import.meta.url));

const PRE_V1_FILES = new Set([
  "casts/test-casts-0082.yaml",
  "regexmatch/test-regexmatch-0856.yaml",
  "regexmatch/test-regexmatch-0858.yaml",
  "regexmatch/test-regexmatch-0860.yaml",
]);

describe.skipIf(!existsSync(corpus))("OPA conformance corpus", () => {
  it("parses every module, query and input_term", () => {
    const cases = loadCases(corpus);
    const failures: string[] = [];
    const rejectedPreV1 = new Set<string>();
    let modules = 0;
    let queries = 0;
    let terms = 0;
    let expectedParseErrors = 0;
    for (const c of cases) {
      const wantsParseError = c.want_error_code === "rego_parse_error";
      if (wantsParseError) expectedParseErrors++;
      const attempt = (what: string, parse: () => unknown): boolean => {
        try {
          parse();
          return true;
        } catch (e) {
          if (!(e instanceof RegoError)) throw e;
          if (PRE_V1_FILES.has(c.file)) rejectedPreV1.add(c.file);
          else if (!wantsParseError) failures.push(`${c.file} (${c.note}) ${what}: ${e.message}`);
          return false;
        }
      };
      (c.modules ?? []).forEach((source, i) => {
        if (attempt(`module ${i}`, () => parseModule(source, `${c.file}#${i}`))) modules++;
      });
      if (attempt("query", () => parseQuery(c.query))) queries++;
      if (c.input_term !== undefined && attempt("input_term", () => parseTerm(c.input_term!)))
        terms++;
    }
    console.log(
      `conformance corpus: ${cases.length} cases, ${modules} modules, ${queries} queries, ${terms} input_terms parsed; ` +
        `${rejectedPreV1.size} pre-v1 files rejected; ${expectedParseErrors} cases expect rego_parse_error`,
    );
    expect(failures).toEqual([]);
    expect([...rejectedPreV1].sort()).toEqual([...PRE_V1_FILES].sort());
    expect(queries).toBe(cases.length);
    expect(modules).toBeGreaterThan(700);
  });
});
