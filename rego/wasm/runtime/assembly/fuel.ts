// The evaluation budget ("fuel"): every evaluation may spend at most `budget` units of work, then
// it aborts with `eval_budget_exceeded: ...`. One unit is about one IR statement (~10-50 ns).
// Generated code charges each loop iteration and function entry by decrementing the exported
// global `rt_fuel` itself (rego/wasm/metering.ts); the runtime charges its own loops in proportion
// to their work: bytes allocated (alloc.ts), elements compared (compare.ts), elements shifted on
// insertion (value.ts), sorting, and the builtins' scans.
//
//   charge(units)             spend; aborts once the evaluation's fuel is below zero
//   fuelStart(), fuelStop()   around one evaluation (opa_eval, eval); outside an evaluation the
//                             fuel is "idle" (i64 max) so host calls (setData, ...) never run out
//   fuelIdle()                end metering without an evaluation end (opa_heap_ptr_set)
//   gatehouse_budget_set(n)   host export: the budget of every following evaluation (n <= 0: the
//                             module's default, gh_budget_default())
//   gatehouse_budget_used()   host export: units spent by the last (or current) evaluation
//   rt_budget_exceeded()      called by generated code when `rt_fuel` went below zero
// Unmetered builds (gh_budget_default() == 0) never start metering; the linker also drops the
// gatehouse_* exports, so a host sees such a module as one without a budget (like OPA's own).
// The charges are listed in docs/rego-runtime-abi.md, "Limits of one evaluation".
import { gh_budget_default } from "./imports";
import { fatal } from "./errors";

const IDLE: i64 = 0x7fffffffffffffff; // a literal: anything else makes asc add a start function

/** Units left in the current evaluation; generated code decrements it directly. */
export let rt_fuel: i64 = 0x7fffffffffffffff;

let budget: i64 = 0; // 0 until the host sets one: the module's default applies
let running: i64 = 0; // the budget of the evaluation in progress, 0 when none
let lastUsed: i64 = 0;

function currentBudget(): i64 {
  return budget > 0 ? budget : gh_budget_default();
}

export function fuelStart(): void {
  const b = currentBudget();
  running = b;
  rt_fuel = b > 0 ? b : IDLE;
}

export function fuelStop(): void {
  if (running > 0) lastUsed = running - rt_fuel;
  fuelIdle();
}

export function fuelIdle(): void {
  running = 0;
  rt_fuel = IDLE;
}

// @ts-ignore: decorator
@inline export function charge(units: i64): void {
  rt_fuel -= units;
  if (rt_fuel < 0) rt_budget_exceeded();
}

export function rt_budget_exceeded(): void {
  const spent = running;
  lastUsed = running - rt_fuel;
  // idle first: formatting the message allocates, and allocation charges
  fuelIdle();
  fatal(
    "eval_budget_exceeded: the evaluation used more than its budget of " +
      spent.toString() +
      " instructions",
  );
}

export function gatehouse_budget_set(units: i64): void {
  budget = units > 0 ? units : 0;
}

export function gatehouse_budget_used(): i64 {
  return running > 0 ? running - rt_fuel : lastUsed;
}
