// regex.* builtins with Go's regexp semantics on top of translated JS RegExps.
import { BuiltinError, builtinError, intOperand, stringOperand } from "./errors.ts";
import { LruCache } from "./lru.ts";
import { Re2SyntaxError, translateRe2 } from "./re2.ts";
import type { HostBuiltinTable } from "./types.ts";

interface CompiledRegex {
  /** global + unicode: callers set lastIndex before each exec */
  re: RegExp;
  groups: number;
}

const cache = new LruCache<string, CompiledRegex>(256);

function compileUncached(pattern: string): CompiledRegex {
  const { source, groups } = translateRe2(pattern);
  try {
    return { re: new RegExp(source, "gu"), groups };
  } catch (err) {
    // A translation JS rejects although RE2 would accept it: report it as Go would a syntax error.
    throw new Re2SyntaxError(
      "invalid or unsupported Perl syntax",
      `${pattern} (${(err as Error).message})`,
    );
  }
}

/** Compiles (cached) an RE2 pattern; syntax errors become builtin errors. */
export function compileRegex(pattern: string): CompiledRegex {
  try {
    return cache.getOrCreate(pattern, compileUncached);
  } catch (err) {
    if (err instanceof Re2SyntaxError) throw builtinError(err.message);
    throw err;
  }
}

export function isValidRegex(pattern: string): boolean {
  try {
    compileRegex(pattern);
    return true;
  } catch (err) {
    if (err instanceof BuiltinError) return false;
    throw err;
  }
}

export function regexMatches(pattern: string, text: string): boolean {
  const { re } = compileRegex(pattern);
  re.lastIndex = 0;
  return re.test(text);
}

const nextPosition = (s: string, pos: number): number =>
  pos >= s.length ? s.length + 1 : pos + ((s.codePointAt(pos) ?? 0) > 0xffff ? 2 : 1);

/** Go's FindAll iteration: at most n matches (n < 0: all); an empty match right after the
 * previous match is skipped. */
function findAll(compiled: CompiledRegex, s: string, n: number): RegExpExecArray[] {
  const { re } = compiled;
  const out: RegExpExecArray[] = [];
  let prevEnd = -1;
  for (let pos = 0; (n < 0 || out.length < n) && pos <= s.length;) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) break;
    const end = m.index + m[0].length;
    let accept = true;
    if (end === pos) {
      if (m.index === prevEnd) accept = false;
      pos = nextPosition(s, pos);
    } else {
      pos = end;
    }
    prevEnd = end;
    if (accept) out.push(m);
  }
  return out;
}

function split(pattern: string, s: string): string[] {
  const compiled = compileRegex(pattern);
  if (pattern.length > 0 && s.length === 0) return [""];
  const out: string[] = [];
  let begin = 0;
  let end = 0;
  for (const m of findAll(compiled, s, -1)) {
    end = m.index;
    if (m.index + m[0].length !== 0) out.push(s.slice(begin, end));
    begin = m.index + m[0].length;
  }
  if (end !== s.length) out.push(s.slice(begin));
  return out;
}

/** Go's Regexp.Expand: $1, ${1}, $name, ${name}; $$ is a dollar; unknown groups expand to "". */
function expand(template: string, m: RegExpExecArray): string {
  let out = "";
  for (let i = 0; i < template.length;) {
    const dollar = template.indexOf("$", i);
    if (dollar < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, dollar);
    if (template[dollar + 1] === "$") {
      out += "$";
      i = dollar + 2;
      continue;
    }
    const ref = /^\$(?:\{(\w+)\}|(\w+))/.exec(template.slice(dollar));
    if (!ref) {
      out += "$";
      i = dollar + 1;
      continue;
    }
    const name = ref[1] ?? ref[2]!;
    i = dollar + ref[0].length;
    const isNumber =
      /^\d+$/.test(name) && !(name.length > 1 && name[0] === "0") && name.length <= 8;
    const value = isNumber ? m[Number(name)] : m.groups?.[name];
    out += value ?? "";
  }
  return out;
}

/** Go's ReplaceAllString. */
function replaceAll(s: string, pattern: string, template: string): string {
  const { re } = compileRegex(pattern);
  let out = "";
  let lastEnd = 0;
  for (let searchPos = 0; searchPos <= s.length;) {
    re.lastIndex = searchPos;
    const m = re.exec(s);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    out += s.slice(lastEnd, start);
    // No replacement for an empty match right after the previous match.
    if (end > lastEnd || start === 0) out += expand(template, m);
    lastEnd = end;
    const next = nextPosition(s, searchPos);
    searchPos = next > end ? next : end;
  }
  return out + s.slice(lastEnd);
}

const quoteMeta = (s: string): string => s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");

/** Matches a template like "urn:foo:{[a-z]+}": delimited parts are patterns, the rest literal. */
function templateMatch(template: string, value: string, open: string, close: string): boolean {
  const starts: number[] = [];
  const ends: number[] = [];
  let level = 0;
  for (let i = 0; i < template.length; i++) {
    if (template[i] === open) {
      if (++level === 1) starts.push(i);
    } else if (template[i] === close) {
      if (--level === 0) ends.push(i + 1);
      else if (level < 0) throw builtinError(`unbalanced braces in ${JSON.stringify(template)}`);
    }
  }
  if (level !== 0) throw builtinError(`unbalanced braces in ${JSON.stringify(template)}`);
  let pattern = "^";
  let end = 0;
  starts.forEach((start, k) => {
    const inner = template.slice(start + 1, ends[k]! - 1);
    compileRegex(`^${inner}$`);
    pattern += `${quoteMeta(template.slice(end, start))}(${inner})`;
    end = ends[k]!;
  });
  pattern += `${quoteMeta(template.slice(end))}$`;
  return regexMatches(pattern, value);
}

const byteLength = (s: string): number => Buffer.byteLength(s, "utf8");

export const regexBuiltins: HostBuiltinTable = {
  "regex.match": ([p, s]) => regexMatches(stringOperand(p, 1), stringOperand(s, 2)),
  re_match: ([p, s]) => regexMatches(stringOperand(p, 1), stringOperand(s, 2)),
  "regex.is_valid": ([p]) => typeof p === "string" && isValidRegex(p),
  "regex.split": ([p, s]) => split(stringOperand(p, 1), stringOperand(s, 2)),
  "regex.find_n": ([p, s, n]) => {
    const compiled = compileRegex(stringOperand(p, 1));
    return findAll(compiled, stringOperand(s, 2), intOperand(n, 3)).map((m) => m[0]);
  },
  "regex.find_all_string_submatch_n": ([p, s, n]) => {
    const compiled = compileRegex(stringOperand(p, 1));
    const text = stringOperand(s, 2);
    return findAll(compiled, text, intOperand(n, 3)).map((m) => Array.from(m, (g) => g ?? ""));
  },
  "regex.replace": ([s, p, v]) => {
    const text = stringOperand(s, 1);
    const pattern = stringOperand(p, 2);
    return replaceAll(text, pattern, stringOperand(v, 3));
  },
  "regex.template_match": ([t, v, o, c]) => {
    const template = stringOperand(t, 1);
    const value = stringOperand(v, 2);
    const open = stringOperand(o, 3);
    const close = stringOperand(c, 4);
    // OPA's message for the end delimiter reports the start delimiter's length.
    if (byteLength(open) !== 1) {
      throw builtinError(
        `start delimiter has to be exactly one character long but is ${byteLength(open)} long`,
      );
    }
    if (byteLength(close) !== 1) {
      throw builtinError(
        `end delimiter has to be exactly one character long but is ${byteLength(open)} long`,
      );
    }
    return templateMatch(template, value, open, close);
  },
};
