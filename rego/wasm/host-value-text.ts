// Host builtins flagged `regoValues` (rego/builtins/registry.ts) cross the opa_builtin<N> boundary
// as Rego value text, so that sets and exact numbers survive the SDK's JSON conversion: each
// argument is handed over as a string value holding its opa_value_dump text, and the string the
// host returns is read back with opa_value_parse. The host's half is
// rego/builtins/host/rego-value-text.ts.
import { i32, type Expr } from "./binary/expressions.ts";
import type { ModuleBuilder } from "./binary/module-builder.ts";
import { ensureStrlen } from "./builtin-errors.ts";
import type { RuntimeBinding } from "./runtime-binding.ts";

const TAG_STRING = 4;
const STRING_SIZE = 12; // the fixed string layout: +0 tag, +4 byte length, +8 address of the bytes
const VALUE_TO_TEXT = "gh.host_value_text";
const TEXT_TO_VALUE = "gh.host_text_value";

export class HostValueText {
  private installed = false;

  constructor(
    private readonly m: ModuleBuilder,
    private readonly runtime: RuntimeBinding,
    private readonly abort: (message: string) => Expr,
  ) {}

  /** A string value holding the Rego value text of `value` (a defined value's address). */
  argument(value: Expr): Expr {
    this.install();
    return this.m.call(VALUE_TO_TEXT, [value], i32);
  }

  /** The value whose Rego text the host's string `result` holds; 0 (undefined) stays 0. */
  result(result: Expr): Expr {
    this.install();
    return this.m.call(TEXT_TO_VALUE, [result], i32);
  }

  private install(): void {
    if (this.installed) return;
    this.installed = true;
    const m = this.m;
    const get = (i: number) => m.local.get(i, i32);

    const strlen = ensureStrlen(m);
    // (value) locals: 1 text, 2 string
    m.addFunction(
      VALUE_TO_TEXT,
      [i32],
      i32,
      [i32, i32],
      m.block(
        null,
        [
          m.local.set(1, this.runtime.call("opa_value_dump", [get(0)])),
          m.local.set(2, this.runtime.call("opa_malloc", [m.i32.const(STRING_SIZE)])),
          m.i32.store(0, 4, get(2), m.i32.const(TAG_STRING)),
          m.i32.store(4, 4, get(2), m.call(strlen, [get(1)], i32)),
          m.i32.store(8, 4, get(2), get(1)),
          get(2),
        ],
        i32,
      ),
    );

    // (string) -> value
    m.addFunction(
      TEXT_TO_VALUE,
      [i32],
      i32,
      [],
      m.block(
        null,
        [
          m.if(m.i32.eqz(get(0)), m.return(m.i32.const(0))),
          m.if(
            m.i32.ne(m.i32.load(0, 4, get(0)), m.i32.const(TAG_STRING)),
            this.abort("internal: a host builtin returned something other than Rego value text"),
          ),
          this.runtime.call("opa_value_parse", [
            m.i32.load(8, 4, get(0)),
            m.i32.load(4, 4, get(0)),
          ]),
        ],
        i32,
      ),
    );
  }
}
