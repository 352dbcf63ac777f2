// Gatehouse's policy IR, modelled on OPA's plan IR (`opa build -t plan`, ir.go): the contract
// between rego/plan (which produces it) and rego/wasm (which lowers it to WebAssembly).
//
// Execution model (as OPA's): a Block runs its statements in order; a statement that is undefined
// abandons the rest of the innermost enclosing block, and execution resumes after that block.
// Locals hold value references; an unset local is undefined. Local 0 is `input`, local 1 is
// `data` in plans; in funcs the first two params are input and data.

export type Local = number;

export type Operand =
  | { type: "local"; value: Local }
  | { type: "bool"; value: boolean }
  | { type: "string_index"; value: number }; // index into Policy.static.strings

export interface Position {
  file: number; // index into Policy.static.files
  row: number;
  col: number;
}

export interface Block {
  stmts: Stmt[];
}

export type Stmt = (
  | { type: "ArrayAppendStmt"; array: Local; value: Operand }
  | { type: "AssignIntStmt"; target: Local; value: number }
  // on conflict: runtime error eval_conflict_error with `message` (default: OPA's wording for
  // complete rules, "complete rules must not produce multiple outputs")
  | { type: "AssignVarOnceStmt"; target: Local; source: Operand; message?: string }
  | { type: "AssignVarStmt"; target: Local; source: Operand }
  | { type: "BlockStmt"; blocks: Block[] }
  | { type: "BreakStmt"; index: number }
  | { type: "CallStmt"; func: string; args: Operand[]; result: Local }
  | { type: "CallDynamicStmt"; args: Local[]; path: Operand[]; result: Local }
  | { type: "DotStmt"; source: Operand; key: Operand; target: Local }
  | { type: "EqualStmt"; a: Operand; b: Operand }
  | { type: "NotEqualStmt"; a: Operand; b: Operand }
  | { type: "IsArrayStmt"; source: Operand }
  | { type: "IsObjectStmt"; source: Operand }
  | { type: "IsSetStmt"; source: Operand }
  | { type: "IsDefinedStmt"; source: Local }
  | { type: "IsUndefinedStmt"; source: Local }
  | { type: "LenStmt"; source: Operand; target: Local }
  | { type: "MakeArrayStmt"; target: Local; capacity: number }
  | { type: "MakeNullStmt"; target: Local }
  | { type: "MakeNumberIntStmt"; target: Local; value: number }
  | { type: "MakeNumberRefStmt"; target: Local; index: number } // literal text in static.strings
  // Gatehouse extension: a ground composite (array/object/set of constants, recursively), built
  // once per module instance from static.consts[index]; shared, so it must never be mutated.
  | { type: "MakeConstStmt"; target: Local; index: number }
  | { type: "MakeObjectStmt"; target: Local }
  | { type: "MakeSetStmt"; target: Local }
  | { type: "NopStmt" }
  | { type: "NotStmt"; block: Block }
  // on conflict: eval_conflict_error with `message` (default "object keys must be unique")
  | { type: "ObjectInsertOnceStmt"; object: Local; key: Operand; value: Operand; message?: string }
  | { type: "ObjectInsertStmt"; object: Local; key: Operand; value: Operand }
  | { type: "ObjectMergeStmt"; a: Local; b: Local; target: Local }
  | { type: "ResetLocalStmt"; target: Local }
  | { type: "ResultSetAddStmt"; value: Local }
  | { type: "ReturnLocalStmt"; source: Local }
  | { type: "ScanStmt"; source: Local; key: Local; value: Local; block: Block }
  | { type: "SetAddStmt"; set: Local; value: Operand }
  | { type: "WithStmt"; local: Local; path: number[]; value: Operand; block: Block }
  // Gatehouse extensions (not in OPA's IR):
  // Raise a Rego runtime error (e.g. eval_conflict_error) at this position.
  | { type: "ErrorStmt"; code: string; message: string }
  // Coverage builds only (planned with `coverage: true`): the source line at this statement's
  // position (file, row) was evaluated: an expression started, or a rule head produced a value.
  | { type: "CoverStmt" }
) &
  Partial<Position>;

export interface Plan {
  name: string; // entrypoint, slash separated without "data" (e.g. "authz/allow")
  blocks: Block[];
}

export interface Func {
  name: string; // e.g. "g0.data.authz.allow"
  params: Local[]; // [input, data, ...args]
  return: Local;
  blocks: Block[];
  path: string[]; // ["g0", "authz", "allow"]
  /** true for rules (params = input, data only): memoised per evaluation and per `with` scope */
  memoize?: boolean;
}

export interface BuiltinFunc {
  name: string; // Rego name, e.g. "regex.match"
  arity: number;
}

export interface Policy {
  static: {
    strings: { value: string }[];
    builtin_funcs: BuiltinFunc[]; // every builtin any CallStmt names, sorted by name
    files: { value: string }[];
    /** Gatehouse extension: texts of ground composites as Rego values (`[1, "a"]`, `{"k": 1}`,
     * `{1, 2}`, `set()`), deduplicated, for MakeConstStmt. Absent = none. */
    consts?: { value: string }[];
  };
  plans: { plans: Plan[] };
  funcs: { funcs: Func[] };
}
