// Builtin errors carry the location of the call, as OPA's do (`test.rego:4: eval_type_error: ...`).
// The runtime raises them through env.opa_abort without knowing where the call is; generated code
// records the `<file>:<row>: ` prefix of each native builtin call in a global, and the runtime's
// opa_abort import is replaced by a function that prepends it to `eval_*` messages before calling
// the real import. Other aborts (e.g. `opa_malloc: failed`) pass through untouched, and so does
// `eval_budget_exceeded` (it is not the builtin's fault, and its message starts with the code).
import { i32, none, type Expr } from "./binary/expressions.ts";
import type { ModuleBuilder } from "./binary/module-builder.ts";
import type { RuntimeBinding } from "./runtime-binding.ts";

export const BUILTIN_LOCATION_GLOBAL = "gh.builtin_location";

const EVAL_PREFIX = 0x6c617665; // "eval" as a little-endian i32
const UNDERSCORE = 0x5f;
const BUDGET_INFIX = 0x6475625f; // "_bud" (bytes 4-7 of "eval_budget_exceeded")

export function installLocatedBuiltinErrors(module: ModuleBuilder, runtime: RuntimeBinding): void {
  module.addGlobal(BUILTIN_LOCATION_GLOBAL, i32, true, module.i32.const(0));
  const abort = module.functionImports().find((f) => f.module === "env" && f.base === "opa_abort");
  if (!abort) return; // the runtime never aborts; generated code imports opa_abort itself
  const raw = "gh.import.env.opa_abort";
  module.addFunctionImport(raw, "env", "opa_abort", [i32], none);

  const m = module;
  const strlen = ensureStrlen(m);
  const get = (i: number) => m.local.get(i, i32);
  // opa_abort(msg) with locals: 1 location, 2 prefix length, 3 message length, 4 buffer
  const located = m.block(null, [
    m.local.set(2, m.call(strlen, [get(1)], i32)),
    m.local.set(3, m.call(strlen, [get(0)], i32)),
    m.local.set(
      4,
      runtime.call("opa_malloc", [m.i32.add(m.i32.add(get(2), get(3)), m.i32.const(1))]),
    ),
    m.memory.copy(get(4), get(1), get(2)),
    m.memory.copy(m.i32.add(get(4), get(2)), get(0), m.i32.add(get(3), m.i32.const(1))),
    m.call(raw, [get(4)], none),
  ]);
  const isEvalError = m.i32.and(
    m.i32.and(
      m.i32.eq(m.i32.load(0, 1, get(0)), m.i32.const(EVAL_PREFIX)),
      m.i32.eq(m.i32.load8_u(4, 1, get(0)), m.i32.const(UNDERSCORE)),
    ),
    // messages live in static data or 8-byte padded heap blocks: bytes 6-7 are readable
    m.i32.ne(m.i32.load(4, 1, get(0)), m.i32.const(BUDGET_INFIX)),
  );
  m.defineImport(
    abort.name,
    [i32, i32, i32, i32],
    m.block(null, [
      m.local.set(1, m.global.get(BUILTIN_LOCATION_GLOBAL, i32)),
      m.if(
        m.i32.and(m.i32.ne(get(1), m.i32.const(0)), isEvalError),
        located,
        m.call(raw, [get(0)], none),
      ),
    ]),
  );
}

/** Adds `gh.strlen(p)`, the length of the NUL-terminated text at p, once; returns its name. */
export function ensureStrlen(m: ModuleBuilder): string {
  const strlen = "gh.strlen";
  if (m.hasFunction(strlen)) return strlen;
  const get = (i: number) => m.local.get(i, i32);
  m.addFunction(
    strlen,
    [i32],
    i32,
    [i32],
    m.block(
      null,
      [
        m.local.set(1, get(0)),
        m.loop(
          "next",
          m.if(
            m.i32.load8_u(0, 1, get(1)),
            m.block(null, [m.local.set(1, m.i32.add(get(1), m.i32.const(1))), m.br("next")]),
          ),
        ),
        m.i32.sub(get(1), get(0)),
      ],
      i32,
    ),
  );
  return strlen;
}

/** Records the location of the next native builtin call (0 = unknown). */
export function setBuiltinLocation(module: ModuleBuilder, prefixAddr: number): Expr {
  return module.global.set(BUILTIN_LOCATION_GLOBAL, module.i32.const(prefixAddr));
}
