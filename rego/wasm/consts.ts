// The policy's ground composite constants (IR static.consts, planned as MakeConstStmt): each text
// goes into static data and is parsed once per module instance by a Wasm start function (it runs
// during instantiation, before the SDK first reads the heap pointer) into a mutable i32 global.
// The values land on the heap below every later heap reset point, so they live as long as the
// instance; generated code shares them and must never mutate them.
import { i32, none, type Expr } from "./binary/expressions.ts";
import type { ModuleBuilder } from "./binary/module-builder.ts";
import type { RuntimeBinding } from "./runtime-binding.ts";
import type { StaticData } from "./static-data.ts";

export interface PolicyConsts {
  /** global holding the address of static.consts[i] */
  globals: string[];
  /** internal name of the start function, when there are constants */
  start: string | undefined;
}

export function installConsts(
  module: ModuleBuilder,
  runtime: RuntimeBinding,
  data: StaticData,
  consts: readonly { value: string }[],
  abort: (message: string) => Expr,
): PolicyConsts {
  if (consts.length === 0) return { globals: [], start: undefined };
  const parse = runtime.requireExported("opa_value_parse");
  const globals = consts.map((_, i) => `gh.const.${i}`);
  const body = consts.map((c, i) => {
    const text = new TextEncoder().encode(c.value);
    const addr = data.addBytes(text);
    const parsed = module.call(
      parse.name,
      [module.i32.const(addr), module.i32.const(text.length)],
      i32,
    );
    module.addGlobal(globals[i]!, i32, true, module.i32.const(0));
    return module.block(null, [
      module.global.set(globals[i]!, parsed),
      module.if(
        module.i32.eqz(module.global.get(globals[i]!, i32)),
        abort(`internal: invalid policy constant ${i}`),
      ),
    ]);
  });
  const start = "gh.consts.start";
  module.addFunction(start, [], none, [], module.block(null, body));
  module.setStart(start);
  return { globals, start };
}
