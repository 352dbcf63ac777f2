// The policy's ground composite constants (IR static.consts, planned as MakeConstStmt): each text
// goes into static data and is parsed once per module instance by a Wasm start function (it runs
// during instantiation, before the SDK first reads the heap pointer) into a mutable i32 global.
// The values land on the heap below every later heap reset point, so they live as long as the
// instance; generated code shares them and must never mutate them.
import binaryen from "binaryen";
import type { RuntimeBinding } from "./runtime-binding.ts";
import type { StaticData } from "./static-data.ts";

export interface PolicyConsts {
  /** global holding the address of static.consts[i] */
  globals: string[];
  /** internal name of the start function, when there are constants */
  start: string | undefined;
}

export function installConsts(
  module: binaryen.Module,
  runtime: RuntimeBinding,
  data: StaticData,
  consts: readonly { value: string }[],
  abort: (message: string) => binaryen.ExpressionRef,
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
      binaryen.i32,
    );
    module.addGlobal(globals[i]!, binaryen.i32, true, module.i32.const(0));
    return module.block(null, [
      module.global.set(globals[i]!, parsed),
      module.if(
        module.i32.eqz(module.global.get(globals[i]!, binaryen.i32)),
        abort(`internal: invalid policy constant ${i}`),
      ),
    ]);
  });
  const start = "gh.consts.start";
  const fn = module.addFunction(start, binaryen.none, binaryen.none, [], module.block(null, body));
  module.setStart(fn);
  return { globals, start };
}
