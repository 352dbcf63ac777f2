// Finds the test rules of parsed modules, as `opa test` does: a rule is a test when a segment of
// its head's ground ref prefix starts with `test_`; `todo_test_` marks a test to skip.
import type { Module, Rule, Term } from "../syntax/ast.ts";
import { reportedName } from "./duplicate-names.ts";
import { refText } from "./ref-text.ts";
import type { TestCase } from "./types.ts";

const testPrefix = "test_";
const skipPrefix = "todo_test_";

export function discoverTests(modules: Module[]): TestCase[] {
  const tests: TestCase[] = [];
  const seen = new Set<string>();
  for (const module of modules) {
    const packagePath = packageSegments(module);
    for (const rule of module.rules) {
      const found = testName(rule);
      if (!found) continue;
      const path = [...packagePath, ...found.segments];
      const ref = refText("data", path);
      // further bodies (and a default) of the same test rule belong to the first one
      if (seen.has(ref)) continue;
      seen.add(ref);
      tests.push({
        package: refText("data", packagePath),
        name: reportedName(refText(found.segments[0]!, found.segments.slice(1))),
        entrypoint: path.join("/"),
        ref,
        file: rule.loc.file,
        row: rule.loc.row,
        col: rule.loc.col,
        skip: found.skip,
        hasSubResults: found.hasSubResults,
      });
    }
  }
  return tests;
}

export function packageSegments(module: Module): string[] {
  return module.package.terms.slice(1).map((t) => (t.type === "string" ? t.value : ""));
}

export interface TestName {
  segments: string[];
  skip: boolean;
  hasSubResults: boolean;
}

export function testName(rule: Rule): TestName | undefined {
  const head = rule.head;
  if (head.args !== undefined) return undefined;
  const segments: string[] = [];
  for (const [i, term] of head.ref.entries()) {
    const segment = groundSegment(term, i);
    if (segment === undefined) return undefined;
    segments.push(segment);
    const skip = segment.startsWith(skipPrefix);
    if (skip || segment.startsWith(testPrefix)) {
      return { segments, skip, hasSubResults: head.ref.length > segments.length };
    }
  }
  return undefined;
}

/** Only the head's first term is a name when it is a var; later vars are variables. */
function groundSegment(term: Term, index: number): string | undefined {
  if (term.type === "var" && index === 0) return term.name;
  if (term.type === "string") return term.value;
  return undefined;
}
