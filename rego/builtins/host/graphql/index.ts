// graphql.*: parsing (graphql-js), schema building and query validation, with results and
// messages shaped as OPA's gqlparser gives them: ASTs in gqlparser's JSON form (ast.ts), errors
// as "<message> in GraphQL string at location <line>:<column>". Queries and schemas may be given
// as text or as the AST objects these builtins return (printed back to text, print.ts). Parsing
// is bounded by a token limit.
import {
  buildASTSchema,
  GraphQLError,
  Kind,
  parse,
  validate,
  validateSchema,
  type DocumentNode,
  type GraphQLSchema,
} from "graphql";
import { builtinError, operandTypeError, stringOperand } from "../errors.ts";
import type { HostBuiltinTable } from "../types.ts";
import { isObject } from "../values.ts";
import { queryDocument, schemaDocument } from "./ast.ts";
import { printQuery, printSchema } from "./print.ts";

/** Tokens of one query or schema: parsing stops past this (graphql-js counts them). */
const MAX_TOKENS = 100_000;

class GraphqlFailure extends Error {}

const PUNCTUATOR = /"(\.\.\.|[!$&():=@[\]{|}])"/g;

/** gqlparser's wording of a graphql-js syntax error, with OPA's location suffix. */
function syntaxError(err: GraphQLError, source: string): GraphqlFailure {
  const at = err.locations?.[0];
  let message = err.message
    .replace(/^Syntax Error: /, "")
    .replace(/\.$/, "")
    .replace(PUNCTUATOR, "$1");
  if (/^Unexpected variable "\$[^"]*" in constant value$/.test(message)) message = "Unexpected $";
  if (/^Unterminated string/.test(message)) message = "Unexpected <Invalid>";
  let column = at?.column ?? 0;
  const quoted = at ? charAt(source, at.line, at.column) : "";
  if (quoted === '"') {
    // gqlparser places string tokens after their opening quote(s)
    const token = /^("""|")((?:[^"\\]|\\.)*)/.exec(restOf(source, at!.line, at!.column));
    column += token?.[1]?.length ?? 1;
    if (/^Unexpected description/.test(message) && token) {
      message = `Unexpected String ${JSON.stringify(token[2])}`;
    }
  }
  const found = /^Expected Name, found ([})])$/.exec(message);
  if (found && at && charBefore(source, at.line, at.column) === (found[1] === "}" ? "{" : "(")) {
    message = `expected at least one definition, found ${found[1]}`;
  }
  if (/^Unexpected character/.test(message) || /^Invalid character/.test(message)) {
    message = "Unexpected <Invalid>";
  }
  const where = at ? `${at.line}:${column}` : "0:0";
  return new GraphqlFailure(`${message} in GraphQL string at location ${where}`);
}

const restOf = (source: string, line: number, column: number): string =>
  (source.split(/\r\n|\n|\r/)[line - 1] ?? "").slice(column - 1);

const charAt = (source: string, line: number, column: number): string =>
  restOf(source, line, column)[0] ?? "";

/** The last non-blank character before (line, column), skipping comments. */
function charBefore(source: string, line: number, column: number): string {
  const lines = source.split(/\r\n|\n|\r/);
  let text = lines.slice(0, line - 1).join("\n");
  text += (line > 1 ? "\n" : "") + (lines[line - 1] ?? "").slice(0, column - 1);
  const stripped = text.replace(/#[^\n]*/g, "").replace(/[\s,]+$/, "");
  return stripped[stripped.length - 1] ?? "";
}

const EMPTY_DOCUMENT: DocumentNode = { kind: Kind.DOCUMENT, definitions: [] };

function parseText(source: string): DocumentNode {
  // gqlparser reads a text without definitions as an empty document
  if (source.replace(/#[^\n\r]*/g, "").replace(/[\s,\uFEFF]+/g, "") === "") return EMPTY_DOCUMENT;
  try {
    return parse(source, { maxTokens: MAX_TOKENS, allowLegacyFragmentVariables: true });
  } catch (err) {
    if (err instanceof GraphQLError) throw syntaxError(err, source);
    throw err;
  }
}

/** A definition of the wrong family (a type in a query, an operation in a schema). */
function misplaced(doc: DocumentNode, executable: boolean): GraphqlFailure | undefined {
  for (const d of doc.definitions) {
    const isExecutable =
      d.kind === Kind.OPERATION_DEFINITION || d.kind === Kind.FRAGMENT_DEFINITION;
    if (isExecutable === executable) continue;
    const loc = d.loc;
    const token = loc?.startToken;
    const desc = token ? (token.kind === "Name" ? `Name "${token.value}"` : token.kind) : "token";
    const where = token ? `${token.line}:${token.column}` : "0:0";
    return new GraphqlFailure(`Unexpected ${desc} in GraphQL string at location ${where}`);
  }
  return undefined;
}

function parseQueryText(source: string): DocumentNode {
  const doc = parseText(source);
  const wrong = misplaced(doc, true);
  if (wrong) throw wrong;
  return doc;
}

function parseSchemaText(source: string): DocumentNode {
  const doc = parseText(source);
  const wrong = misplaced(doc, false);
  if (wrong) throw wrong;
  return doc;
}

/** A query given as text or as an AST object. */
function queryOf(value: unknown, pos: number): DocumentNode {
  if (typeof value === "string") return parseQueryText(value);
  if (isObject(value)) return parseQueryText(printQuery(value));
  throw operandTypeError(pos, value, "string", "object");
}

function schemaOf(value: unknown, pos: number): DocumentNode {
  if (typeof value === "string") return parseSchemaText(value);
  if (isObject(value)) return parseSchemaText(printSchema(value));
  throw operandTypeError(pos, value, "string", "object");
}

const DEFINITION_OF: Record<string, Kind> = {
  [Kind.OBJECT_TYPE_EXTENSION]: Kind.OBJECT_TYPE_DEFINITION,
  [Kind.INTERFACE_TYPE_EXTENSION]: Kind.INTERFACE_TYPE_DEFINITION,
  [Kind.UNION_TYPE_EXTENSION]: Kind.UNION_TYPE_DEFINITION,
  [Kind.ENUM_TYPE_EXTENSION]: Kind.ENUM_TYPE_DEFINITION,
  [Kind.INPUT_OBJECT_TYPE_EXTENSION]: Kind.INPUT_OBJECT_TYPE_DEFINITION,
  [Kind.SCALAR_TYPE_EXTENSION]: Kind.SCALAR_TYPE_DEFINITION,
};

/**
 * The document as gqlparser reads it: an extension of a type that is not defined defines it, and
 * directives on schema extensions are not checked.
 */
function asGqlparserReadsIt(doc: DocumentNode): DocumentNode {
  const defined = new Set(
    doc.definitions.flatMap((d) =>
      "name" in d && d.name && !d.kind.endsWith("Extension") ? [d.name.value] : [],
    ),
  );
  const definitions = doc.definitions.map((d) => {
    if (d.kind === Kind.SCHEMA_EXTENSION) return { ...d, directives: [] };
    const definitionKind = DEFINITION_OF[d.kind];
    if (!definitionKind || !("name" in d) || !d.name || defined.has(d.name.value)) return d;
    defined.add(d.name.value);
    return { ...d, kind: definitionKind };
  });
  return { ...doc, definitions } as DocumentNode;
}

/** The executable schema, or why the schema document is not a valid schema. */
function buildSchema(doc: DocumentNode): GraphQLSchema {
  let schema: GraphQLSchema;
  const read = asGqlparserReadsIt(doc);
  try {
    schema = buildASTSchema(read);
  } catch (err) {
    throw new GraphqlFailure(
      `Error in gqlparser SchemaDocument to Schema conversion: ${(err as Error).message}`,
    );
  }
  // gqlparser accepts schemas without a Query type (graphql-js asks for one to execute them)
  const errors = validateSchema(schema).filter(
    (e) => !/^Query root type must be provided/.test(e.message),
  );
  if (errors.length > 0) {
    throw new GraphqlFailure(
      `Error in gqlparser SchemaDocument to Schema conversion: ${errors[0]!.message}`,
    );
  }
  // checked above, less the Query rule: validating queries must not check it again
  return buildASTSchema(read, { assumeValid: true, assumeValidSDL: true });
}

function validateQuery(schema: GraphQLSchema, query: DocumentNode): void {
  const errors = validate(schema, query, undefined, { maxErrors: 1 });
  if (errors.length === 0) return;
  const e = errors[0]!;
  const at = e.locations?.[0];
  const message = e.message.replace(/\.$/, "");
  throw new GraphqlFailure(
    `${message} in GraphQL query string at location ${at ? `${at.line}:${at.column}` : "0:0"}`,
  );
}

/** Runs `f`; a GraphQL failure is a builtin error (strict) or the fallback value. */
function attempt<T>(f: () => T, fallback?: () => T): T {
  try {
    return f();
  } catch (err) {
    if (!(err instanceof GraphqlFailure)) throw err;
    if (fallback) return fallback();
    throw builtinError(err.message);
  }
}

function parseAndValidate(queryValue: unknown, schemaValue: unknown): [unknown, unknown] {
  const query = queryOf(queryValue, 1);
  const schemaDoc = schemaOf(schemaValue, 2);
  validateQuery(buildSchema(schemaDoc), query);
  return [queryDocument(query), schemaDocument(schemaDoc)];
}

export const graphqlBuiltins: HostBuiltinTable = {
  "graphql.parse_query": ([q]) => attempt(() => queryDocument(parseQueryText(stringOperand(q, 1)))),
  "graphql.parse_schema": ([s]) =>
    attempt(() => schemaDocument(parseSchemaText(stringOperand(s, 1)))),
  "graphql.parse": ([q, s]) => attempt(() => parseAndValidate(q, s)),
  "graphql.parse_and_verify": ([q, s]) =>
    attempt(
      () => [true, ...parseAndValidate(q, s)],
      () => [false, {}, {}],
    ),
  "graphql.is_valid": ([q, s]) =>
    attempt(
      () => {
        if (!(typeof q === "string" || isObject(q)) || !(typeof s === "string" || isObject(s)))
          return false;
        parseAndValidate(q, s);
        return true;
      },
      () => false,
    ),
  "graphql.schema_is_valid": ([s]) =>
    attempt(
      () => {
        if (!(typeof s === "string" || isObject(s))) return false;
        buildSchema(schemaOf(s, 1));
        return true;
      },
      () => false,
    ),
};
