// `# METADATA` comment blocks: YAML read into OPA's annotation fields, each block attached to the
// statement (package, import or rule) that follows it, with its scope defaulted and checked.
import { parse as parseYaml } from "yaml";
import type { AnnotationScope, Annotations, Location, Rule } from "./ast.ts";
import type { RegoIssue } from "../errors.ts";
import type { Comment } from "./lexer.ts";
import { AnnotationFieldError, readAnnotationFields, type RefParser } from "./annotation-fields.ts";

/** A top-level statement an annotation can attach to. */
export type Statement =
  | { kind: "package"; loc: Location }
  | { kind: "import"; loc: Location }
  | { kind: "rule"; loc: Location; rule: Rule };

interface Block {
  first: Comment;
  lines: Comment[];
}

const SCOPES: readonly AnnotationScope[] = ["rule", "document", "package", "subpackages"];

/** Comment lines that start with METADATA, each with the column-1 comments directly below it. */
function metadataBlocks(comments: Comment[]): Block[] {
  const blocks: Block[] = [];
  let current: Block | undefined;
  let prevRow = -1;
  for (const c of comments) {
    const isHeader = c.col === 1 && c.text.trimStart().startsWith("METADATA");
    if (current && !isHeader && c.row === prevRow + 1 && c.col === 1) {
      current.lines.push(c);
    } else {
      current = undefined;
      if (isHeader) {
        current = { first: c, lines: [] };
        blocks.push(current);
      }
    }
    prevRow = c.row;
  }
  return blocks;
}

/**
 * Reads every METADATA block. Rule-attached blocks are also listed on their rule
 * (`rule.annotations`); problems come back as rego_parse_error issues at the METADATA line.
 */
export function readAnnotations(
  comments: Comment[],
  statements: Statement[],
  file: string,
  parseRef: RefParser,
): { annotations: Annotations[]; issues: RegoIssue[] } {
  const annotations: Annotations[] = [];
  const issues: RegoIssue[] = [];
  for (const block of metadataBlocks(comments)) {
    const loc = { file, row: block.first.row, col: block.first.col };
    const problem = (message: string) =>
      issues.push({ code: "rego_parse_error", message, location: loc });
    const text = block.lines
      .map((c) => (c.text.startsWith(" ") ? c.text.slice(1) : c.text))
      .join("\n");
    if (text.trim() === "") {
      problem("expected METADATA block, found whitespace");
      continue;
    }
    let read: ReturnType<typeof readAnnotationFields>;
    try {
      // warnings (unknown tags and the like) are not errors in go-yaml either
      const doc: unknown = parseYaml(text, { logLevel: "error" }) ?? {};
      if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
        problem("invalid METADATA block: expected a mapping");
        continue;
      }
      read = readAnnotationFields(doc as Record<string, unknown>, parseRef);
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      const detail = e instanceof AnnotationFieldError ? e.message : e.message.split("\n")[0]!;
      problem(`invalid METADATA block: ${detail}`);
      continue;
    }
    const target = statements.find((s) => s.loc.row > loc.row);
    const scope = read.scope ?? defaultScope(target, read.fields.entrypoint === true);
    const message = attachmentProblem(scope, target, read.fields.entrypoint === true);
    if (message) {
      problem(message);
      continue;
    }
    const annotation: Annotations = { loc, scope: scope as AnnotationScope, ...read.fields };
    annotations.push(annotation);
    if (target?.kind === "rule") (target.rule.annotations ??= []).push(annotation);
  }
  return { annotations, issues };
}

function defaultScope(target: Statement | undefined, entrypoint: boolean): string {
  switch (target?.kind) {
    case "rule":
      return entrypoint ? "document" : "rule";
    case "package":
      return "package";
    case "import":
      return "import";
    default:
      return "";
  }
}

/** OPA's checks: a scope the statement can carry, and entrypoint only on document or package. */
function attachmentProblem(
  scope: string,
  target: Statement | undefined,
  entrypoint: boolean,
): string | undefined {
  if (!(SCOPES as readonly string[]).includes(scope)) {
    const scopes = "'rule', 'document', 'package', or 'subpackages'";
    return `invalid annotation scope '${scope}'. Use one of ${scopes}`;
  }
  const want = scope === "rule" || scope === "document" ? "rule" : "package";
  if (target?.kind !== want) {
    const have = target ? ` (have ${target.kind})` : "";
    return `annotation scope '${scope}' must be applied to ${want}${have}`;
  }
  if (entrypoint && scope !== "document" && scope !== "package") {
    return `annotation entrypoint applied to non-document or package scope '${scope}'`;
  }
  return undefined;
}
