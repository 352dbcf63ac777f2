// Loads OPA-format conformance cases (YAML files with a top-level `cases` list) from a folder tree.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { parse } from "yaml";

/** One case as OPA's loader reads it (v1/test/cases/cases.go), plus where it came from. */
export interface ConformanceCase {
  /**
   * Unique id: the note, or `<note> (#k)` for the k-th case (k >= 2) sharing a note, counted in
   * load order (files sorted by path, cases in file order).
   */
  id: string;
  note: string;
  /** path relative to its corpus folder, `/`-separated */
  file: string;
  /** first folder under the corpus folder ("" for files at its top) */
  topic: string;
  query: string;
  modules?: string[];
  data?: unknown;
  input?: unknown;
  input_term?: string;
  want_result?: Record<string, unknown>[];
  want_defined?: boolean;
  want_error?: string;
  want_error_code?: string;
  sort_bindings?: boolean;
  strict_error?: boolean;
  skip?: boolean | string;
}

/**
 * The cases of each folder in turn. Ids are unique across the folders: a note already seen in an
 * earlier folder (or file) gets the next `(#k)`, so adding a folder after the others keeps their ids.
 */
export function loadCases(dirs: string | readonly string[]): ConformanceCase[] {
  const seen = new Map<string, number>();
  const cases: ConformanceCase[] = [];
  for (const dir of typeof dirs === "string" ? [dirs] : dirs) loadFolder(dir, seen, cases);
  return cases;
}

function loadFolder(dir: string, seen: Map<string, number>, cases: ConformanceCase[]): void {
  for (const path of yamlFilesUnder(dir)) {
    const file = relative(dir, path).split(sep).join("/");
    const topic = file.includes("/") ? file.slice(0, file.indexOf("/")) : "";
    let doc: unknown;
    try {
      doc = parse(readFileSync(path, "utf8"));
    } catch (e) {
      throw new Error(`${path}: invalid YAML: ${(e as Error).message}`);
    }
    const list = (doc as { cases?: unknown } | null)?.cases;
    if (!Array.isArray(list)) continue; // not a conformance file
    for (const raw of list as Record<string, unknown>[]) {
      const note = String(raw.note ?? `${file}#${cases.length}`);
      const count = (seen.get(note) ?? 0) + 1;
      seen.set(note, count);
      const id = count === 1 ? note : `${note} (#${count})`;
      cases.push({ ...(raw as object), id, note, file, topic, query: String(raw.query ?? "") });
    }
  }
}

function yamlFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...yamlFilesUnder(path));
    else if (/\.ya?ml$/i.test(entry.name)) out.push(path);
  }
  return out.sort();
}

/** Why a case cannot be run at all, or undefined. */
export function skipReason(c: ConformanceCase): string | undefined {
  if (c.skip) return typeof c.skip === "string" ? `skip: ${c.skip}` : "marked skip";
  const expects =
    c.want_result !== undefined ||
    c.want_defined !== undefined ||
    c.want_error !== undefined ||
    c.want_error_code !== undefined;
  return expects ? undefined : "no want_result, want_defined, want_error or want_error_code";
}
