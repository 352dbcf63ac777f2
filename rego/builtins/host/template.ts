// strings.render_template: the part of Go's text/template that OPA policies use, executed with
// missingkey=error. Supported: text, comments, trim markers ({{- -}}), {{.}}, field chains, $vars,
// {{$x := pipeline}}, {{if}}/{{else if}}/{{else}}, {{range}} (with $i, $v := and {{else}}),
// {{with}}, pipelines with `|`, and the functions and, or, not, len, index, print, printf,
// println, eq, ne, lt, le, gt, ge. No {{define}}/{{template}}/{{block}}: there is no recursion,
// and the output is bounded.
import { builtinError, operandTypeError, stringOperand } from "./errors.ts";
import type { HostBuiltinTable } from "./types.ts";
import { compareValues, isObject, isRawNumber, numberText, sortedKeys } from "./values.ts";

const MAX_OUTPUT = 1 << 20;
const NAME = "template";

type Node =
  | { kind: "text"; text: string }
  | { kind: "action"; pipe: Pipe; line: number }
  | { kind: "if" | "with"; pipe: Pipe; then: Node[]; else: Node[]; line: number }
  | { kind: "range"; pipe: Pipe; then: Node[]; else: Node[]; line: number };

interface Pipe {
  decl: string[];
  cmds: Arg[][];
}

type Arg =
  | { kind: "dot"; fields: string[] }
  | { kind: "var"; name: string; fields: string[] }
  | { kind: "field"; fields: string[] }
  | { kind: "fn"; name: string }
  | { kind: "lit"; value: unknown }
  | { kind: "sub"; pipe: Pipe };

class TemplateError extends Error {}

const parseFail = (line: number, message: string): never => {
  throw new TemplateError(`template: ${NAME}:${line}: ${message}`);
};

// ---- lexing actions ----

function splitActions(src: string): { text: string; action?: string; line: number }[] {
  const out: { text: string; action?: string; line: number }[] = [];
  let pos = 0;
  let line = 1;
  while (pos <= src.length) {
    const open = src.indexOf("{{", pos);
    if (open < 0) {
      out.push({ text: src.slice(pos), line });
      break;
    }
    let text = src.slice(pos, open);
    let inner = open + 2;
    if (
      src.startsWith("- ", inner) ||
      src.startsWith("-\t", inner) ||
      src.startsWith("-\n", inner)
    ) {
      text = text.replace(/[ \t\r\n]+$/, "");
      inner += 1;
    }
    const close = findClose(src, inner);
    if (close < 0) parseFail(line, "unclosed action");
    let body = src.slice(inner, close);
    let after = close + 2;
    if (/[ \t\r\n]-$/.test(body)) {
      body = body.slice(0, -1);
      const m = /^[ \t\r\n]*/.exec(src.slice(after))!;
      after += m[0].length;
    }
    out.push({ text, action: body.trim(), line: line + countLines(src.slice(pos, open)) });
    line += countLines(src.slice(pos, after));
    pos = after;
  }
  return out;
}

const countLines = (s: string) => s.split("\n").length - 1;

/** The index of the "}}" closing an action, skipping quoted strings. */
function findClose(src: string, from: number): number {
  for (let i = from; i < src.length - 1; i++) {
    const c = src[i];
    if (c === '"' || c === "`") {
      const end = c === "`" ? src.indexOf("`", i + 1) : closingQuote(src, i + 1);
      if (end < 0) return -1;
      i = end;
    } else if (c === "}" && src[i + 1] === "}") {
      return i;
    }
  }
  return -1;
}

function closingQuote(src: string, from: number): number {
  for (let i = from; i < src.length; i++) {
    if (src[i] === "\\") i++;
    else if (src[i] === '"') return i;
  }
  return -1;
}

const TOKEN =
  /\s*(?:(\()|(\))|(\|)|(:=|=)|("(?:[^"\\]|\\.)*"|`[^`]*`)|('(?:[^'\\]|\\.)')|(-?\d[\d._xXa-fA-FeE+-]*)|(\$[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)|(\.(?:[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)?)|([A-Za-z_][A-Za-z0-9_]*)|(,))/y;

function tokenize(action: string, line: number): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < action.length) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(action);
    if (!m) {
      if (/^\s*$/.test(action.slice(start))) break;
      return parseFail(line, `unexpected "${action.slice(start).trim()[0]}" in command`);
    }
    tokens.push(m[0].trim());
  }
  return tokens;
}

// ---- parsing ----

function parsePipe(tokens: string[], line: number): Pipe {
  let rest = tokens;
  const decl: string[] = [];
  const assign = rest.findIndex((t) => t === ":=" || t === "=");
  if (assign > 0 && rest.slice(0, assign).every((t) => t === "," || t.startsWith("$"))) {
    decl.push(...rest.slice(0, assign).filter((t) => t !== ","));
    rest = rest.slice(assign + 1);
  }
  const cmds: Arg[][] = [];
  let current: Arg[] = [];
  for (let i = 0; i < rest.length; i++) {
    const t = rest[i]!;
    if (t === "|") {
      if (current.length === 0) parseFail(line, "missing command");
      cmds.push(current);
      current = [];
    } else if (t === "(") {
      let depth = 1;
      let j = i + 1;
      for (; j < rest.length && depth > 0; j++) {
        if (rest[j] === "(") depth++;
        if (rest[j] === ")") depth--;
      }
      if (depth !== 0) parseFail(line, "unclosed left paren");
      current.push({ kind: "sub", pipe: parsePipe(rest.slice(i + 1, j - 1), line) });
      i = j - 1;
    } else {
      current.push(parseArg(t, line));
    }
  }
  if (current.length > 0) cmds.push(current);
  if (cmds.length === 0 && decl.length === 0) parseFail(line, "missing value for command");
  return { decl, cmds };
}

function parseArg(t: string, line: number): Arg {
  if (t === ".") return { kind: "dot", fields: [] };
  if (t.startsWith(".")) return { kind: "field", fields: t.slice(1).split(".") };
  if (t.startsWith("$")) {
    const [name, ...fields] = t.split(".");
    return { kind: "var", name: name!, fields };
  }
  if (t.startsWith('"')) return { kind: "lit", value: JSON.parse(t) };
  if (t.startsWith("`")) return { kind: "lit", value: t.slice(1, -1) };
  if (t === "true" || t === "false") return { kind: "lit", value: t === "true" };
  if (t === "nil") return { kind: "lit", value: null };
  if (/^-?\d/.test(t)) {
    const n = Number(t.replaceAll("_", ""));
    if (Number.isNaN(n)) parseFail(line, `bad number syntax: "${t}"`);
    return { kind: "lit", value: n };
  }
  if (t in FUNCTIONS) return { kind: "fn", name: t };
  return parseFail(line, `function "${t}" not defined`);
}

function parseTemplate(src: string): Node[] {
  const pieces = splitActions(src);
  let i = 0;
  const parseList = (closers: string[]): { nodes: Node[]; closer: string; closerLine: number } => {
    const nodes: Node[] = [];
    while (i < pieces.length) {
      const piece = pieces[i++]!;
      if (piece.text) nodes.push({ kind: "text", text: piece.text });
      if (piece.action === undefined) continue;
      const action = piece.action;
      const line = piece.line;
      if (action.startsWith("/*")) {
        if (!action.endsWith("*/")) parseFail(line, "unclosed comment");
        continue;
      }
      const word = /^[a-z]+\b/.exec(action)?.[0] ?? "";
      if (word === "end" || word === "else") {
        if (!closers.includes(word)) parseFail(line, `unexpected {{${word}}}`);
        return { nodes, closer: action, closerLine: line };
      }
      if (word === "if" || word === "with" || word === "range") {
        nodes.push(parseBlock(word, action.slice(word.length), line));
      } else if (["define", "template", "block", "break", "continue"].includes(word)) {
        parseFail(line, `{{${word}}} is not supported in strings.render_template`);
      } else {
        nodes.push({ kind: "action", pipe: parsePipe(tokenize(action, line), line), line });
      }
    }
    if (closers.length > 0) parseFail(pieces[pieces.length - 1]?.line ?? 1, "unexpected EOF");
    return { nodes, closer: "", closerLine: 0 };
  };
  const parseBlock = (kind: "if" | "with" | "range", rest: string, line: number): Node => {
    const pipe = parsePipe(tokenize(rest, line), line);
    const body = parseList(["end", "else"]);
    let otherwise: Node[] = [];
    if (body.closer.startsWith("else")) {
      const elseRest = body.closer.slice(4).trim();
      if (elseRest.startsWith("if ") || elseRest.startsWith("with ")) {
        const nested = elseRest.startsWith("if ") ? "if" : "with";
        // {{else if x}} ... shares the enclosing {{end}}
        otherwise = [parseBlock(nested, elseRest.slice(nested.length), body.closerLine)];
      } else {
        otherwise = parseList(["end"]).nodes;
      }
    }
    return { kind, pipe, then: body.nodes, else: otherwise, line } as Node;
  };
  return parseList([]).nodes;
}

// ---- execution ----

type Vars = Map<string, unknown>[];

function lookupVar(vars: Vars, name: string, line: number): unknown {
  for (let i = vars.length - 1; i >= 0; i--) if (vars[i]!.has(name)) return vars[i]!.get(name);
  return parseFail(line, `undefined variable "${name}"`);
}

function field(value: unknown, names: string[], line: number, shown: string): unknown {
  let v = value;
  for (const name of names) {
    if (!isObject(v)) {
      throw new TemplateError(
        `template: ${NAME}:${line}: executing "${NAME}" at <${shown}>: can't evaluate field ${name} in type ${goType(v)}`,
      );
    }
    if (!Object.hasOwn(v, name)) {
      throw new TemplateError(
        `template: ${NAME}:${line}: executing "${NAME}" at <${shown}>: map has no entry for key "${name}"`,
      );
    }
    v = v[name];
  }
  return v;
}

const goType = (v: unknown): string =>
  v === null || v === undefined
    ? "interface {}"
    : Array.isArray(v)
      ? "[]interface {}"
      : isObject(v)
        ? "map[string]interface {}"
        : typeof v === "number" || isRawNumber(v)
          ? "json.Number"
          : typeof v;

function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === "" || v === 0) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return true;
}

/** Go's fmt %v of a JSON value. */
export function goPrint(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (typeof v === "string") return v;
  if (typeof v === "number" || isRawNumber(v)) return numberText(v);
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(goPrint).join(" ")}]`;
  return `map[${sortedKeys(v as object)
    .map((k) => `${k}:${goPrint((v as Record<string, unknown>)[k])}`)
    .join(" ")}]`;
}

function printf(format: string, args: unknown[]): string {
  let i = 0;
  return format.replace(/%([-+# 0]*\d*(?:\.\d+)?)([vsdqtfx%])/g, (_, _flags, verb: string) => {
    if (verb === "%") return "%";
    const a = args[i++];
    if (verb === "q") return JSON.stringify(goPrint(a));
    if (verb === "x")
      return typeof a === "number" ? a.toString(16) : Buffer.from(goPrint(a)).toString("hex");
    return goPrint(a);
  });
}

const FUNCTIONS: Record<string, (args: unknown[], line: number) => unknown> = {
  and: (a) => a.find((x) => !truthy(x)) ?? a[a.length - 1],
  or: (a) => a.find((x) => truthy(x)) ?? a[a.length - 1],
  not: (a) => !truthy(a[0]),
  len: (a, line) => {
    const v = a[0];
    if (typeof v === "string") return Buffer.byteLength(v);
    if (Array.isArray(v)) return v.length;
    if (isObject(v)) return Object.keys(v).length;
    return parseFail(line, `len of type ${goType(v)}`);
  },
  index: (a, line) => {
    let v = a[0];
    for (const k of a.slice(1)) {
      if (Array.isArray(v) && typeof k === "number") v = v[k];
      else if (isObject(v) && typeof k === "string") v = v[k];
      else return parseFail(line, `can't index item of type ${goType(v)}`);
    }
    return v;
  },
  print: (a) => a.map(goPrint).join(""),
  println: (a) => `${a.map(goPrint).join(" ")}\n`,
  printf: (a) => printf(String(a[0] ?? ""), a.slice(1)),
  eq: (a) => a.slice(1).some((x) => compareValues(a[0], x) === 0),
  ne: (a) => compareValues(a[0], a[1]) !== 0,
  lt: (a) => compareValues(a[0], a[1]) < 0,
  le: (a) => compareValues(a[0], a[1]) <= 0,
  gt: (a) => compareValues(a[0], a[1]) > 0,
  ge: (a) => compareValues(a[0], a[1]) >= 0,
};

function evalArg(arg: Arg, dot: unknown, vars: Vars, line: number): unknown {
  switch (arg.kind) {
    case "dot":
      return dot;
    case "field":
      return field(dot, arg.fields, line, `.${arg.fields.join(".")}`);
    case "var":
      return field(lookupVar(vars, arg.name, line), arg.fields, line, arg.name);
    case "lit":
      return arg.value;
    case "sub":
      return evalPipe(arg.pipe, dot, vars, line);
    case "fn":
      return FUNCTIONS[arg.name]!([], line);
  }
}

function evalPipe(pipe: Pipe, dot: unknown, vars: Vars, line: number): unknown {
  let value: unknown = undefined;
  let first = true;
  for (const cmd of pipe.cmds) {
    const [head, ...rest] = cmd;
    const args = rest.map((a) => evalArg(a, dot, vars, line));
    if (!first) args.push(value);
    if (head!.kind === "fn") value = FUNCTIONS[head!.name]!(args, line);
    else if (args.length > 0) parseFail(line, "can't give argument to non-function");
    else value = evalArg(head!, dot, vars, line);
    first = false;
  }
  for (const name of pipe.decl) vars[vars.length - 1]!.set(name, value);
  return value;
}

class Output {
  text = "";
  write(s: string): void {
    this.text += s;
    if (this.text.length > MAX_OUTPUT)
      throw new TemplateError(`template output is larger than ${MAX_OUTPUT} characters`);
  }
}

function run(nodes: Node[], dot: unknown, vars: Vars, out: Output): void {
  for (const node of nodes) {
    switch (node.kind) {
      case "text":
        out.write(node.text);
        break;
      case "action": {
        const v = evalPipe(node.pipe, dot, vars, node.line);
        if (node.pipe.decl.length === 0) out.write(v === undefined ? "<no value>" : goPrint(v));
        break;
      }
      case "if":
      case "with": {
        vars.push(new Map());
        const v = evalPipe(node.pipe, dot, vars, node.line);
        if (truthy(v)) run(node.then, node.kind === "with" ? v : dot, vars, out);
        else run(node.else, dot, vars, out);
        vars.pop();
        break;
      }
      case "range": {
        vars.push(new Map());
        const decl = node.pipe.decl;
        const v = evalPipe({ ...node.pipe, decl: [] }, dot, vars, node.line);
        const entries: [unknown, unknown][] = Array.isArray(v)
          ? v.map((x, i) => [i, x])
          : isObject(v)
            ? sortedKeys(v).map((k) => [k, v[k]])
            : typeof v === "number"
              ? Array.from({ length: Math.max(0, Math.floor(v)) }, (_, i) => [i, i])
              : v === null || v === undefined
                ? []
                : parseFail(node.line, `range can't iterate over ${goPrint(v)}`);
        if (entries.length === 0) run(node.else, dot, vars, out);
        for (const [k, x] of entries) {
          if (decl.length === 1) vars[vars.length - 1]!.set(decl[0]!, x);
          if (decl.length === 2) {
            vars[vars.length - 1]!.set(decl[0]!, k);
            vars[vars.length - 1]!.set(decl[1]!, x);
          }
          run(node.then, x, vars, out);
        }
        vars.pop();
        break;
      }
    }
  }
}

function renderTemplate([templateValue, varsValue]: unknown[]): string {
  const src = stringOperand(templateValue, 1);
  if (!isObject(varsValue)) throw operandTypeError(2, varsValue, "object");
  try {
    const nodes = parseTemplate(src);
    const out = new Output();
    run(nodes, varsValue, [new Map([["$", varsValue]])], out);
    return out.text;
  } catch (err) {
    if (err instanceof TemplateError) throw builtinError(err.message);
    throw err;
  }
}

export const templateBuiltins: HostBuiltinTable = {
  "strings.render_template": renderTemplate,
};
