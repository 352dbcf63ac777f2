// regex.* builtins with Go's regexp semantics, on RE2 (re2.ts: linear-time matching, bounded).
import { BuiltinError, builtinError, intOperand, stringOperand } from "./errors.ts";
import { compileRe2, type MatchIndex, nextPosition, Re2Search } from "./re2.ts";
import type { HostBuiltinTable } from "./types.ts";

export function isValidRegex(pattern: string): boolean {
  try {
    compileRe2(pattern);
    return true;
  } catch (err) {
    if (err instanceof BuiltinError) return false;
    throw err;
  }
}

export function regexMatches(pattern: string, text: string): boolean {
  return new Re2Search(compileRe2(pattern), text).test();
}

/** Go's FindAllString / FindAllStringSubmatch: unmatched groups are "". */
function findAll(pattern: string, text: string, n: number, withGroups: boolean): string[][] {
  const search = new Re2Search(compileRe2(pattern), text);
  return search.findAll(n, withGroups).map((m) => groupTexts(text, m));
}

const groupTexts = (text: string, m: MatchIndex): string[] =>
  Array.from({ length: m.length / 2 }, (_, g) =>
    m[2 * g]! < 0 ? "" : text.slice(m[2 * g], m[2 * g + 1]),
  );

/** Go's Regexp.Split(s, -1). */
function split(pattern: string, s: string): string[] {
  const search = new Re2Search(compileRe2(pattern), s);
  if (pattern.length > 0 && s.length === 0) return [""];
  const out: string[] = [];
  let begin = 0;
  let end = 0;
  for (const [start, matchEnd] of search.findAll(-1, false) as [number, number][]) {
    end = start;
    if (matchEnd !== 0) out.push(s.slice(begin, end));
    begin = matchEnd;
  }
  if (end !== s.length) out.push(s.slice(begin));
  return out;
}

const TEMPLATE_NAME = /^[\p{L}\p{Nd}_]+/u;

/** Go's Regexp.Expand: $1, ${1}, $name, ${name}; $$ is a dollar; a malformed reference is kept
 * as text; an unknown or unmatched group expands to "". */
function expand(template: string, text: string, m: MatchIndex, names: Record<string, number>) {
  const group = (g: number | undefined): string =>
    g === undefined || 2 * g + 1 >= m.length || m[2 * g]! < 0
      ? ""
      : text.slice(m[2 * g], m[2 * g + 1]);
  let out = "";
  let i = 0;
  for (let dollar = template.indexOf("$"); dollar >= 0; dollar = template.indexOf("$", i)) {
    out += template.slice(i, dollar);
    i = dollar + 1;
    if (template[i] === "$") {
      out += "$";
      i++;
      continue;
    }
    const brace = template[i] === "{";
    const name = TEMPLATE_NAME.exec(template.slice(brace ? i + 1 : i))?.[0];
    const after = (brace ? i + 1 : i) + (name?.length ?? 0);
    if (!name || (brace && template[after] !== "}")) {
      out += "$";
      continue;
    }
    i = brace ? after + 1 : after;
    // Digits without a leading zero (Go reads up to nine): a group number; else a group name.
    const isNumber = /^(?:0|[1-9]\d{0,8})$/.test(name);
    out += group(isNumber ? Number(name) : Object.hasOwn(names, name) ? names[name] : undefined);
  }
  return out + template.slice(i);
}

/** Go's ReplaceAllString. */
function replaceAll(s: string, pattern: string, template: string): string {
  const re = compileRe2(pattern);
  const search = new Re2Search(re, s);
  const withGroups = template.includes("$");
  let out = "";
  let lastEnd = 0;
  for (let searchPos = 0; searchPos <= s.length;) {
    const m = search.find(searchPos, withGroups);
    if (!m) break;
    const [start, end] = m as [number, number];
    out += s.slice(lastEnd, start);
    // No replacement for an empty match right after the previous match.
    if (end > lastEnd || start === 0) out += expand(template, s, m, re.names);
    lastEnd = end;
    const next = nextPosition(s, searchPos);
    searchPos = next > end ? next : end;
  }
  return out + s.slice(lastEnd);
}

/** Go's regexp.QuoteMeta. */
const quoteMeta = (s: string): string => s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");

/** OPA's template match: "urn:foo:{[a-z]+}" — delimited parts are patterns, the rest literal. */
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
    compileRe2(`^${inner}$`);
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
  "regex.find_n": ([p, s, n]) =>
    findAll(stringOperand(p, 1), stringOperand(s, 2), intOperand(n, 3), false).map((m) => m[0]!),
  "regex.find_all_string_submatch_n": ([p, s, n]) =>
    findAll(stringOperand(p, 1), stringOperand(s, 2), intOperand(n, 3), true),
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
