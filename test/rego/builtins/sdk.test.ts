// The host builtins through the real @open-policy-agent/opa-wasm SDK, with a hand-written stub
// module whose values are NUL-terminated JSON texts: its one entrypoint passes the input to
// builtin 0 (via env.opa_builtin1) and returns [{"result": "<builtin result's JSON text>"}] (so the
// digits the module received stay visible; only for results without quotes), or [] if undefined.
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import binaryen from "binaryen";
import { describe, expect, it } from "vitest";
import { hostBuiltins } from "../../../rego/builtins/host/index.ts";

function stubModule(builtin: string): Uint8Array {
  const builtinsJson = JSON.stringify({ [builtin]: 0 }).replaceAll('"', '\\"');
  const wat = `(module
    (import "env" "memory" (memory 2))
    (import "env" "opa_builtin1" (func $builtin1 (param i32 i32 i32) (result i32)))
    (global $heap (mut i32) (i32.const 4096))
    (global (export "opa_wasm_abi_version") i32 (i32.const 1))
    (global (export "opa_wasm_abi_minor_version") i32 (i32.const 2))
    (data (i32.const 16) "${builtinsJson}\\00")
    (data (i32.const 1024) "{\\"main\\":0}\\00")
    (data (i32.const 1056) "[{\\"result\\":\\"\\00")
    (data (i32.const 1088) "\\"}]\\00")
    (data (i32.const 1104) "[]\\00")
    (func $malloc (export "opa_malloc") (param $n i32) (result i32) (local $p i32)
      (local.set $p (global.get $heap))
      (global.set $heap (i32.add (i32.add (global.get $heap) (local.get $n)) (i32.const 1)))
      (local.get $p))
    (func (export "opa_json_parse") (param $a i32) (param $n i32) (result i32)
      (i32.store8 (i32.add (local.get $a) (local.get $n)) (i32.const 0))
      (local.get $a))
    (func (export "opa_json_dump") (param $a i32) (result i32) (local.get $a))
    (func (export "opa_heap_ptr_get") (result i32) (global.get $heap))
    (func (export "opa_heap_ptr_set") (param $p i32) (global.set $heap (local.get $p)))
    (func (export "builtins") (result i32) (i32.const 16))
    (func (export "entrypoints") (result i32) (i32.const 1024))
    (func $append (param $dst i32) (param $src i32) (result i32)
      (block $done (loop $next
        (br_if $done (i32.eqz (i32.load8_u (local.get $src))))
        (i32.store8 (local.get $dst) (i32.load8_u (local.get $src)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
        (local.set $src (i32.add (local.get $src) (i32.const 1)))
        (br $next)))
      (local.get $dst))
    (func (export "opa_eval") (param $reserved i32) (param $entrypoint i32) (param $data i32)
        (param $input i32) (param $inputLen i32) (param $heapPtr i32) (param $format i32) (result i32)
        (local $arg i32) (local $result i32) (local $out i32) (local $end i32) (local $i i32)
      (global.set $heap (local.get $heapPtr))
      (local.set $arg (call $malloc (local.get $inputLen)))
      (block $done (loop $copy
        (br_if $done (i32.ge_u (local.get $i) (local.get $inputLen)))
        (i32.store8 (i32.add (local.get $arg) (local.get $i)) (i32.load8_u (i32.add (local.get $input) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
      (i32.store8 (i32.add (local.get $arg) (local.get $inputLen)) (i32.const 0))
      (local.set $result (call $builtin1 (i32.const 0) (i32.const 0) (local.get $arg)))
      (if (i32.eqz (local.get $result)) (then (return (i32.const 1104))))
      (local.set $out (global.get $heap))
      (local.set $end (call $append (local.get $out) (i32.const 1056)))
      (local.set $end (call $append (local.get $end) (local.get $result)))
      (local.set $end (call $append (local.get $end) (i32.const 1088)))
      (i32.store8 (local.get $end) (i32.const 0))
      (global.set $heap (i32.add (local.get $end) (i32.const 1)))
      (local.get $out))
  )`;
  const module = binaryen.parseText(wat);
  try {
    if (!module.validate()) throw new Error("stub module does not validate");
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}

async function load(builtin: string, strictBuiltinErrors: boolean) {
  return loadPolicy(stubModule(builtin), undefined, hostBuiltins({ strictBuiltinErrors }));
}

describe("host builtins through @open-policy-agent/opa-wasm", () => {
  it("passes JSON arguments in and results out", async () => {
    const policy = await load("units.parse_bytes", false);
    expect(policy.evaluate("10KB")).toEqual([{ result: "10000" }]);
    expect(policy.evaluate("1KiB")).toEqual([{ result: "1024" }]);
  });

  it("hands large integers over with their exact digits", async () => {
    const policy = await load("time.parse_rfc3339_ns", false);
    expect(policy.evaluate("2262-04-11T23:47:16.854775807-00:00")).toEqual([
      { result: "9223372036854775807" },
    ]);
    const bytes = await load("units.parse_bytes", false);
    expect(bytes.evaluate("10eib")).toEqual([{ result: "11529215046068469760" }]);
  });

  it("makes failing calls undefined by default, and throws OPA's message in strict mode", async () => {
    const lenient = await load("units.parse_bytes", false);
    expect(lenient.evaluate("foo")).toEqual([]);
    const strict = await load("units.parse_bytes", true);
    expect(() => strict.evaluate("foo")).toThrow(
      "eval_builtin_error: units.parse_bytes: units.parse_bytes: no byte amount provided",
    );
  });
});
