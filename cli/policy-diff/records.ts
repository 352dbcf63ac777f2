// Recorded decisions to replay: the decision input the policy saw, plus what the record says about
// who called which tool. Read from a JSON Lines export (`gatehouse audit export`), one object a line.
import { createReadStream, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { CliError } from "../failure.ts";

export interface RecordedDecision {
  /** where the record came from, for messages: `file:line` or the store's decision id */
  source: string;
  decisionId?: string;
  /** the decision input, as recorded (redacted by the gateway before it was stored) */
  input: Record<string, unknown>;
  principal: string;
  tool: string;
  /** when the decision was made; replays evaluate time.now_ns at this instant */
  time?: Date;
  recorded?: { allow?: boolean; reasons?: string[] };
}

/** Lines longer than this are refused: a recorded input is at most the gateway's input limit. */
export const MAX_LINE_CHARS = 4 * 1024 * 1024;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function text(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function field(obj: unknown, ...path: string[]): unknown {
  let v = obj;
  for (const key of path) {
    if (!isObject(v)) return undefined;
    v = v[key];
  }
  return v;
}

/** `server/tool` for tool calls, else the method (and server), from the record or its input. */
export function toolLabel(record: Record<string, unknown>, input: Record<string, unknown>): string {
  const server = text(record.server) ?? text(field(input, "mcp", "server"));
  const tool = text(record.tool) ?? text(field(input, "mcp", "tool"));
  const method = text(record.method) ?? text(field(input, "mcp", "method"));
  if (tool !== undefined) return server !== undefined ? `${server}/${tool}` : tool;
  const what = method ?? "(no method)";
  return server !== undefined ? `${what} ${server}` : what;
}

export function principalLabel(
  record: Record<string, unknown>,
  input: Record<string, unknown>,
): string {
  const recorded = record.principal;
  return (
    text(recorded) ??
    text(field(recorded, "sub")) ??
    text(field(input, "principal", "sub")) ??
    "(anonymous)"
  );
}

function timeOf(record: Record<string, unknown>, input: Record<string, unknown>): Date | undefined {
  for (const v of [record.time, field(input, "request", "time")]) {
    if (typeof v !== "string" && typeof v !== "number") continue;
    const date = new Date(v);
    if (!Number.isNaN(date.getTime())) return date;
  }
  return undefined;
}

/**
 * Turns one stored record into a decision to replay, or says what is wrong with it; undefined for
 * records that are not decisions (the retention job's). Shared by the JSON Lines reader and the
 * audit store reader, whose records have the same fields.
 */
export function readRecord(value: unknown, source: string): RecordedDecision | undefined {
  if (!isObject(value)) throw new CliError(`${source}: a recorded decision must be a JSON object`);
  if (value.kind !== undefined && value.kind !== "decision") return undefined;
  const input = value.input;
  if (!isObject(input)) {
    throw new CliError(
      `${source}: the record has no "input" object (the decision input to replay): export decisions with gatehouse audit export`,
    );
  }
  const recorded: RecordedDecision["recorded"] = {};
  if (typeof value.allow === "boolean") recorded.allow = value.allow;
  if (Array.isArray(value.reasons) && value.reasons.every((r) => typeof r === "string"))
    recorded.reasons = value.reasons;
  return {
    source,
    decisionId: text(value.decision_id) ?? text(value.decisionId),
    input,
    principal: principalLabel(value, input),
    tool: toolLabel(value, input),
    time: timeOf(value, input),
    recorded: Object.keys(recorded).length > 0 ? recorded : undefined,
  };
}

/** Every record of a JSON Lines file, in order; blank lines are skipped, bad lines are errors. */
export async function* readJsonLines(path: string): AsyncGenerator<RecordedDecision> {
  try {
    if (!statSync(path).isFile()) throw new Error("not a file");
  } catch {
    throw new CliError(`${path}: recorded decisions file not found`);
  }
  const lines = createInterface({
    input: createReadStream(path, { encoding: "utf8" }),
    crlfDelay: Infinity,
  });
  let n = 0;
  for await (const line of lines) {
    n += 1;
    if (line.trim() === "") continue;
    const where = `${path}:${n}`;
    if (line.length > MAX_LINE_CHARS) {
      throw new CliError(`${where}: line longer than ${MAX_LINE_CHARS} characters`);
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new CliError(`${where}: not valid JSON: ${(e as Error).message}`);
    }
    const record = readRecord(value, where);
    if (record) yield record;
  }
}
