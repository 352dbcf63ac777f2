// `opa test` runs each definition of a test that is defined more than once as a test of its own,
// named test_x, test_x#01, test_x#02, ... The compiler would merge such definitions into one rule
// (passing when any one of them does), so the later ones are renamed in the source before compiling.
import type { SourceFile } from "../index.ts";
import { RegoError } from "../errors.ts";
import type { Location } from "../syntax/ast.ts";
import { parseModule } from "../syntax/index.ts";
import { packageSegments, testName } from "./discover.ts";
import { duplicateName } from "./duplicate-names.ts";

export function separateDuplicateTests(files: SourceFile[]): SourceFile[] {
  const seen = new Map<string, number>();
  return files.map((file) => {
    let module;
    try {
      module = parseModule(file.source, file.file);
    } catch (e) {
      if (e instanceof RegoError) return file; // reported by the build
      throw e;
    }
    const renames: { loc: Location; name: string; renamed: string }[] = [];
    for (const rule of module.rules) {
      const found = testName(rule);
      const head = rule.head.ref[0]!;
      // only a plain `test_x ...` head is renamed; the skip prefix is never counted, as in OPA
      if (
        !found ||
        found.skip ||
        rule.default ||
        found.segments.length !== 1 ||
        head.type !== "var"
      )
        continue;
      const key = [...packageSegments(module), head.name].join("\u0000");
      const count = seen.get(key) ?? 0;
      seen.set(key, count + 1);
      if (count > 0)
        renames.push({ loc: head.loc, name: head.name, renamed: duplicateName(head.name, count) });
    }
    return renames.length === 0 ? file : { ...file, source: renameAt(file.source, renames) };
  });
}

/** Replaces each name written at its location (columns count code points), last first. */
function renameAt(
  source: string,
  renames: { loc: Location; name: string; renamed: string }[],
): string {
  const lines = source.split("\n");
  const ordered = [...renames].sort((a, b) => b.loc.row - a.loc.row || b.loc.col - a.loc.col);
  for (const { loc, name, renamed } of ordered) {
    const chars = Array.from(lines[loc.row - 1] ?? "");
    if (chars.slice(loc.col - 1, loc.col - 1 + name.length).join("") !== name) continue;
    chars.splice(loc.col - 1, name.length, renamed);
    lines[loc.row - 1] = chars.join("");
  }
  return lines.join("\n");
}
