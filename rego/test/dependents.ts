// Which files use a file that does not compile. Their tests would fail (or pass) only because the
// rules they call are missing, so they are not run: the broken file's one error says why.
import { collectReferences, overlaps, rulePath } from "../lint/references.ts";
import type { Module } from "../syntax/ast.ts";
import { lex } from "../syntax/lexer.ts";
import { packageSegments } from "./discover.ts";

/** A file that did not parse, with the package its `package` line names (when that line lexes). */
export interface UnparsedFile {
  file: string;
  package?: string[];
}

/**
 * Each file (not itself broken) whose rules refer, directly or through other files, to a rule of a
 * broken file, with the broken file it needs (the first one found). Of a file that did not parse
 * only the package is known: every reference into that package counts, and so does sharing it
 * (rules of one package call each other by bare name).
 */
export function filesUsingBroken(
  parsed: { file: string; module: Module }[],
  broken: ReadonlySet<string>,
  unparsed: UnparsedFile[],
): Map<string, string> {
  const needs = new Map<string, string>();
  if (broken.size === 0) return needs;
  const fileOf = new Map(parsed.map((p) => [p.module, p.file]));
  // what each file defines, by the first segment of the path, to compare references with
  const defined = new Map<string, { path: string[]; file: string }[]>();
  const define = (path: string[], file: string) => {
    const list = defined.get(path[0]!) ?? [];
    list.push({ path, file });
    defined.set(path[0]!, list);
  };
  for (const { module, file } of parsed)
    for (const rule of module.rules) define(rulePath(module, rule), file);
  for (const u of unparsed) if (u.package) define(u.package, u.file);

  // usedBy: file => the files that refer to something it defines
  const usedBy = new Map<string, Set<string>>();
  const use = (file: string, from: string) => {
    if (file === from) return;
    const users = usedBy.get(file) ?? new Set<string>();
    users.add(from);
    usedBy.set(file, users);
  };
  const all = [...defined.values()].flat();
  for (const ref of collectReferences(parsed.map((p) => p.module)).references) {
    const from = fileOf.get(ref.module)!;
    const candidates = ref.path.length === 0 ? all : (defined.get(ref.path[0]!) ?? []);
    for (const d of candidates) if (overlaps(ref.path, d.path)) use(d.file, from);
  }
  for (const u of unparsed) {
    if (!u.package) continue;
    const key = u.package.join(".");
    for (const { module, file } of parsed)
      if (packageSegments(module).join(".") === key) use(u.file, file);
  }

  for (const root of broken) {
    const queue = [root];
    while (queue.length > 0) {
      for (const user of usedBy.get(queue.shift()!) ?? []) {
        if (broken.has(user) || needs.has(user)) continue;
        needs.set(user, root);
        queue.push(user);
      }
    }
  }
  return needs;
}

/** The path a `package` line names (`package a.b["c"]` is a, b, c), read from the tokens alone. */
export function declaredPackage(source: string): string[] | undefined {
  const tokens = lex(source).tokens;
  let i = tokens.findIndex((t) => t.kind === "package") + 1;
  if (i === 0 || tokens[i]?.kind !== "ident") return undefined;
  const path = [tokens[i++]!.text];
  for (;;) {
    const [a, b, c] = [tokens[i], tokens[i + 1], tokens[i + 2]];
    if (a?.kind === "." && b?.kind === "ident") {
      path.push(b.text);
      i += 2;
    } else if (a?.kind === "[" && b?.kind === "string" && c?.kind === "]") {
      path.push(b.text);
      i += 3;
    } else {
      return path;
    }
  }
}
