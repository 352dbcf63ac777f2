// `# METADATA` comment blocks: YAML documents attached to the rule that follows them.
import { parse as parseYaml } from "yaml";
import type { Rule } from "./ast.ts";
import type { RegoIssue } from "../errors.ts";
import type { Comment } from "./lexer.ts";

interface Block {
  first: Comment;
  lines: Comment[];
}

function metadataBlocks(comments: Comment[]): Block[] {
  const blocks: Block[] = [];
  let current: Block | undefined;
  let prevRow = -1;
  for (const c of comments) {
    if (current && c.row === prevRow + 1 && c.col === 1) {
      current.lines.push(c);
    } else {
      current = undefined;
      if (c.text.trimStart().startsWith("METADATA")) {
        current = { first: c, lines: [] };
        blocks.push(current);
      }
    }
    prevRow = c.row;
  }
  return blocks;
}

/**
 * Parses every METADATA block and stores the result on the first rule after it. Blocks with a
 * package or subpackages scope have no place in the AST and are only validated.
 */
export function attachAnnotations(comments: Comment[], rules: Rule[], file: string): RegoIssue[] {
  const issues: RegoIssue[] = [];
  if (comments.length === 0) return issues;
  for (const block of metadataBlocks(comments)) {
    const location = { file, row: block.first.row, col: block.first.col };
    const text = block.lines
      .map((c) => (c.text.startsWith(" ") ? c.text.slice(1) : c.text))
      .join("\n");
    if (text.trim() === "") {
      issues.push({
        code: "rego_parse_error",
        message: "expected METADATA block, found whitespace",
        location,
      });
      continue;
    }
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (e) {
      const message = e instanceof Error ? e.message.split("\n")[0]! : String(e);
      issues.push({
        code: "rego_parse_error",
        message: `invalid METADATA block: ${message}`,
        location,
      });
      continue;
    }
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
      issues.push({
        code: "rego_parse_error",
        message: "invalid METADATA block: expected a mapping",
        location,
      });
      continue;
    }
    const annotations = doc as Record<string, unknown>;
    if (annotations.scope === "package" || annotations.scope === "subpackages") continue;
    const lastRow =
      block.lines.length > 0 ? block.lines[block.lines.length - 1]!.row : block.first.row;
    const rule = rules.find((r) => r.loc.row > lastRow);
    if (rule && !rule.annotations) rule.annotations = annotations;
  }
  return issues;
}
