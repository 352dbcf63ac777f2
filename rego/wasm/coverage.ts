// Coverage builds: one byte per source line that holds a CoverStmt (see rego/plan/ir.ts), in the
// module's static data. Executing a CoverStmt sets its line's byte to 1; the bytes are never reset,
// so after any number of evaluations the host reads which lines ran at `address` in the memory the
// SDK instantiated the module with (opa-wasm's `policy.mem`). Policies planned without coverage
// hold no CoverStmt and get no table.
import type { Block, Policy, Stmt } from "../plan/ir.ts";
import type { StaticData } from "./static-data.ts";

/** Where the coverage bytes are and which line each one stands for. */
export interface CoverageTable {
  /** linear-memory address of `lines.length` bytes, byte i set when lines[i] was evaluated */
  address: number;
  lines: { file: string; row: number }[];
}

export interface CoverageLayout extends CoverageTable {
  /** byte address of the line at a CoverStmt's position */
  addressOf(stmt: Stmt): number;
}

/** Reserves the table for every line a CoverStmt of `ir` names; undefined when there is none. */
export function layoutCoverage(ir: Policy, data: StaticData): CoverageLayout | undefined {
  const files = ir.static.files.map((f) => f.value);
  const index = new Map<string, number>();
  const lines: CoverageTable["lines"] = [];
  const key = (s: Stmt) => `${s.file}:${s.row}`;
  forEachStmt(ir, (s) => {
    if (s.type !== "CoverStmt") return;
    if (s.file === undefined || s.row === undefined) throw new Error("CoverStmt without position");
    if (index.has(key(s))) return;
    index.set(key(s), lines.length);
    lines.push({ file: files[s.file] ?? "<unknown>", row: s.row });
  });
  if (lines.length === 0) return undefined;
  const address = data.addBytes(new Uint8Array(lines.length));
  return { address, lines, addressOf: (s) => address + index.get(key(s))! };
}

/** Calls `visit` on every statement of the policy's plans and functions, nested ones included. */
export function forEachStmt(ir: Policy, visit: (s: Stmt) => void): void {
  const walk = (b: Block): void => {
    for (const s of b.stmts) {
      visit(s);
      if (s.type === "BlockStmt") s.blocks.forEach(walk);
      else if (s.type === "NotStmt" || s.type === "ScanStmt" || s.type === "WithStmt")
        walk(s.block);
    }
  };
  for (const p of ir.plans.plans) p.blocks.forEach(walk);
  for (const f of ir.funcs.funcs) f.blocks.forEach(walk);
}
