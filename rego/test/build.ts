// Compiles a set of Rego files for testing. Files that do not parse or compile are set aside with
// their problems, and so are the files that use them (dependents.ts); the rest is compiled again,
// so one broken file does not stop the others' tests.
import { buildPolicy, type BuiltPolicy, type SourceFile } from "../build.ts";
import { RegoError, type RegoIssue } from "../errors.ts";
import type { Module } from "../syntax/ast.ts";
import { parseModule } from "../syntax/index.ts";
import { declaredPackage, filesUsingBroken } from "./dependents.ts";
import { errorText } from "./error-text.ts";

export interface ParsedFile {
  file: string;
  module: Module;
}

export interface TestBuild {
  /** files that parsed, in the order given (tests are discovered from these) */
  parsed: ParsedFile[];
  /** files set aside, with every problem found in them */
  broken: Map<string, RegoIssue[]>;
  /** files set aside because they use a broken file: file => the broken file */
  blocked: Map<string, string>;
  /** the policy built from the files not set aside, with one entrypoint per query */
  policy?: BuiltPolicy;
  /** a build failure that no file can be blamed for (a toolchain error) */
  failure?: string;
}

export interface EntrypointQuery {
  /** the entrypoint's name */
  name: string;
  /** Rego ref of the value, e.g. `data.a.test_x` */
  ref: string;
}

export function parseFiles(files: SourceFile[]): {
  parsed: ParsedFile[];
  broken: Map<string, RegoIssue[]>;
} {
  const parsed: ParsedFile[] = [];
  const broken = new Map<string, RegoIssue[]>();
  for (const f of files) {
    try {
      parsed.push({ file: f.file, module: parseModule(f.source, f.file) });
    } catch (e) {
      if (!(e instanceof RegoError)) throw e;
      broken.set(f.file, e.issues);
    }
  }
  return { parsed, broken };
}

/**
 * `queriesOf(inPlay)` names the entrypoints wanted from the files still in play; each round drops
 * the files the compiler's errors point at, until the build succeeds or nothing is left.
 */
export function buildForTests(
  files: SourceFile[],
  queriesOf: (inPlay: ParsedFile[]) => EntrypointQuery[],
  options: { strictBuiltinErrors?: boolean; coverage?: boolean } = {},
): TestBuild {
  const { parsed, broken } = parseFiles(files);
  const unparsed = files
    .filter((f) => broken.has(f.file))
    .map((f) => ({ file: f.file, package: declaredPackage(f.source) }));
  for (;;) {
    const blocked = filesUsingBroken(parsed, new Set(broken.keys()), unparsed);
    const candidates = files.filter((f) => !broken.has(f.file) && !blocked.has(f.file));
    if (candidates.length === 0) return { parsed, broken, blocked };
    const names = new Set(candidates.map((f) => f.file));
    const queries = queriesOf(parsed.filter((p) => names.has(p.file))).map((q) => ({
      name: q.name,
      query: `result = ${q.ref}`,
    }));
    try {
      const policy = buildPolicy(candidates, {
        queries,
        strictBuiltinErrors: options.strictBuiltinErrors,
        coverage: options.coverage,
      });
      return { parsed, broken, blocked, policy };
    } catch (e) {
      if (!(e instanceof RegoError)) return { parsed, broken, blocked, failure: errorText(e) };
      const blamed = blameFiles(e.issues, names);
      if (blamed.size === 0) return { parsed, broken, blocked, failure: errorText(e) };
      for (const [file, issues] of blamed) broken.set(file, issues);
    }
  }
}

/** Groups issues by the file they point at; issues pointing elsewhere go to every file in play. */
function blameFiles(issues: RegoIssue[], files: Set<string>): Map<string, RegoIssue[]> {
  const blamed = new Map<string, RegoIssue[]>();
  const unplaced: RegoIssue[] = [];
  for (const issue of issues) {
    const file = issue.location?.file;
    if (file !== undefined && files.has(file))
      blamed.set(file, [...(blamed.get(file) ?? []), issue]);
    else unplaced.push(issue);
  }
  if (unplaced.length > 0) {
    for (const file of files) blamed.set(file, [...(blamed.get(file) ?? []), ...unplaced]);
  }
  return blamed;
}
