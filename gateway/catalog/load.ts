// Reads a catalog folder: servers/*.yaml (upstreams) and virtual/*.yaml (virtual servers). Every
// problem is collected and reported at once, each naming the file and the field path.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import type { z } from "zod";
// the rules only, not the guard and its HTTP stack: `catalog validate` makes no connection
import { EgressPolicy, STRICT_EGRESS } from "../egress/policy.ts";
import { serverProblems } from "./checks.ts";
import { describeIssue, issueMessage } from "./issues.ts";
import {
  serverFile,
  serverName,
  virtualServerFile,
  type ServerFile,
  type VirtualServerFile,
} from "./schema.ts";

export interface CatalogServer extends ServerFile {
  /** the file it was read from, as the catalog folder was named */
  source: string;
}

export interface CatalogVirtualServer extends VirtualServerFile {
  source: string;
}

export interface Catalog {
  dir: string;
  servers: ReadonlyMap<string, CatalogServer>;
  virtualServers: ReadonlyMap<string, CatalogVirtualServer>;
}

/** The catalog is invalid; `problems` holds one line per problem: `<file>: <field path>: <what>`. */
export class CatalogError extends Error {
  override name = "CatalogError";
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

/** A file read as far as it goes: its declared name even when other fields are wrong. */
interface FileEntry<T> {
  file: string;
  name?: string;
  value?: T;
}

export interface LoadOptions {
  /** the egress rules the gateway runs with: URLs they refuse are catalog problems (default: the
   * strict rules, https to public addresses only) */
  egress?: EgressPolicy;
}

export function loadCatalog(dir: string, options: LoadOptions = {}): Catalog {
  const egress = options.egress ?? new EgressPolicy(STRICT_EGRESS);
  if (!isDirectory(dir)) throw new CatalogError([`${dir}: no such folder`]);
  const problems: string[] = [];
  // every name a file declares, valid file or not, so one broken file does not cause follow-on errors
  const declared = new Map<string, { file: string; kind: string }>();
  const declare = (entry: FileEntry<unknown>, kind: string): boolean => {
    if (entry.name === undefined) return true;
    const first = declared.get(entry.name);
    if (!first) {
      declared.set(entry.name, { file: entry.file, kind });
      return true;
    }
    problems.push(
      `${entry.file}: name: duplicate ${first.kind} name ${entry.name} (also in ${first.file})`,
    );
    return false;
  };

  const servers = new Map<string, CatalogServer>();
  for (const entry of readFolder(join(dir, "servers"), serverFile, problems)) {
    if (!entry.value) {
      declare(entry, "server");
      continue;
    }
    problems.push(...serverProblems(entry.file, entry.value, egress));
    if (declare(entry, "server"))
      servers.set(entry.value.name, { ...entry.value, source: entry.file });
  }
  const serverNames = new Set(declared.keys());

  const virtualServers = new Map<string, CatalogVirtualServer>();
  for (const entry of readFolder(join(dir, "virtual"), virtualServerFile, problems)) {
    if (!declare(entry, "virtual server") || !entry.value) continue;
    problems.push(...virtualEntryProblems(entry.file, entry.value, serverNames));
    virtualServers.set(entry.value.name, { ...entry.value, source: entry.file });
  }

  if (problems.length > 0) throw new CatalogError(byFile(problems));
  return { dir, servers, virtualServers };
}

/** Problems grouped by file in name order, each file's in the order found (sort is stable). */
function byFile(problems: string[]): string[] {
  const fileOf = (line: string) => line.slice(0, line.indexOf(": "));
  return problems.sort((a, b) => (fileOf(a) < fileOf(b) ? -1 : fileOf(a) > fileOf(b) ? 1 : 0));
}

/** One entry of a virtual server's list: its server, the name it exposes, the field naming it. */
interface ExposedEntry {
  server: string;
  exposed: string;
  nameField: string;
}

/** Unknown servers and clashing exposed names among a virtual server's tools, prompts and resources. */
function virtualEntryProblems(
  file: string,
  virtual: VirtualServerFile,
  serverNames: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  const known = [...serverNames].join(", ") || "none";
  const check = (field: string, what: string, entries: ExposedEntry[]) => {
    const exposed = new Map<string, number>();
    entries.forEach((entry, i) => {
      if (!serverNames.has(entry.server))
        problems.push(
          `${file}: ${field}[${i}].server: unknown server ${entry.server} (servers: ${known})`,
        );
      const first = exposed.get(entry.exposed);
      if (first === undefined) exposed.set(entry.exposed, i);
      else
        problems.push(
          `${file}: ${field}[${i}].${entry.nameField}: duplicate ${what} ${entry.exposed} on virtual server ${virtual.name} (also ${field}[${first}])`,
        );
    });
  };
  const renamed = (e: { server: string; rename?: string }, name: string, nameField: string) =>
    e.rename === undefined
      ? { server: e.server, exposed: name, nameField }
      : { server: e.server, exposed: e.rename, nameField: "rename" };
  check(
    "tools",
    "tool name",
    virtual.tools.map((t) => renamed(t, t.tool, "tool")),
  );
  check(
    "prompts",
    "prompt name",
    virtual.prompts.map((p) => renamed(p, p.prompt, "prompt")),
  );
  check(
    "resources",
    "resource server",
    virtual.resources.map((r) => ({ server: r.server, exposed: r.server, nameField: "server" })),
  );
  return problems;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Every file of an optional sub-folder, sorted; YAML files are read, others are problems (but notes in .md). */
function readFolder<T extends z.ZodType>(
  folder: string,
  schema: T,
  problems: string[],
): FileEntry<z.output<T>>[] {
  if (!isDirectory(folder)) return [];
  const entries: FileEntry<z.output<T>>[] = [];
  const names = readdirSync(folder, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  );
  for (const dirent of names) {
    if (dirent.name.startsWith(".") || dirent.name.endsWith(".md")) continue;
    const file = join(folder, dirent.name);
    if (dirent.isFile() && /\.ya?ml$/.test(dirent.name))
      entries.push(readFile(file, schema, problems));
    else problems.push(`${file}: not a .yaml or .yml file`);
  }
  return entries;
}

function readFile<T extends z.ZodType>(
  file: string,
  schema: T,
  problems: string[],
): FileEntry<z.output<T>> {
  const doc = parseDocument(readFileSync(file, "utf8"));
  if (doc.errors.length > 0) {
    for (const e of doc.errors)
      problems.push(`${file}: invalid YAML: ${e.message.split("\n")[0]!.replace(/:$/, "")}`);
    return { file };
  }
  const raw: unknown = doc.toJS();
  if (raw === null || raw === undefined) {
    problems.push(`${file}: the file is empty`);
    return { file };
  }
  const declaredName = serverName.safeParse((raw as { name?: unknown }).name);
  const name = declaredName.success ? declaredName.data : undefined;
  const result = schema.safeParse(raw, { error: issueMessage });
  if (result.success) return { file, name, value: result.data };
  for (const issue of result.error.issues) problems.push(...describeIssue(file, issue));
  return { file, name };
}
