// Rego v1 source -> AST (rego/syntax/ast.ts). Every function throws RegoError (rego_parse_error,
// with file:row:col) on bad input.
import type { Expr, Module, Term } from "./ast.ts";
import { RegoError, type RegoIssue } from "../errors.ts";
import type { Comment } from "./lexer.ts";
import { Parser, type ParserOptions } from "./parser.ts";

export type { ParserOptions } from "./parser.ts";

export function parseModule(source: string, file: string, options?: ParserOptions): Module {
  return run(source, file, (p) => p.module(), options);
}

/** The module and its comments (OPA's JSON form of a module lists them). */
export function parseModuleWithComments(
  source: string,
  file: string,
  options?: ParserOptions,
): { module: Module; comments: Comment[] } {
  let comments: Comment[] = [];
  const module = run(
    source,
    file,
    (p) => {
      comments = p.comments;
      return p.module();
    },
    options,
  );
  return { module, comments };
}

/** A query is a body: expressions separated by `;` or newlines. */
export function parseQuery(source: string, file = "<query>"): Expr[] {
  return run(source, file, (p) => p.query());
}

/** One term, e.g. an `input_term` of OPA's test cases. */
export function parseTerm(source: string, file = "<term>"): Term {
  return run(source, file, (p) => p.term());
}

function run<T>(
  source: string,
  file: string,
  parse: (p: Parser) => T | undefined,
  options?: ParserOptions,
): T {
  let parser: Parser | undefined;
  let result: T | undefined;
  try {
    parser = new Parser(source, file, options);
    result = parse(parser);
  } catch (e) {
    // a stack overflow on absurd nesting the depth limit did not catch
    if (!(e instanceof RangeError)) throw e;
    throw new RegoError([issue(file, "max parsing recursion depth exceeded")]);
  }
  if (parser.issues.length > 0) throw new RegoError(parser.issues);
  if (result === undefined) throw new RegoError([issue(file, "parse failed")]);
  return result;
}

function issue(file: string, message: string): RegoIssue {
  return { code: "rego_parse_error", message, location: { file, row: 1, col: 1 } };
}
