// The linker's binary layer (rego/wasm/binary/): LEB128, finding function indices in code, reading
// the runtime, and writing the linked module. What generated code does is tested through the
// SDK elsewhere (codegen.test.ts, runtime-sdk.test.ts); here: encodings, refusals, and that every
// module written validates.
import { describe, expect, it } from "vitest";
import { ByteReader, ByteWriter, signedLeb } from "../../../rego/wasm/binary/bytes.ts";
import { i32, i64, none, type Expr } from "../../../rego/wasm/binary/expressions.ts";
import { functionReferences } from "../../../rego/wasm/binary/instructions.ts";
import { ModuleBuilder } from "../../../rego/wasm/binary/module-builder.ts";
import { runtimeImage } from "../../../rego/wasm/binary/runtime-image.ts";
import { runtimeWasm } from "../../../rego/wasm/runtime-wasm.ts";

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

describe("LEB128", () => {
  it("reads back what it writes", () => {
    const unsigned = [0, 1, 127, 128, 300, 16384, 0x7fffffff, 0xffffffff];
    const signed = [0, 1, -1, 63, 64, -64, -65, 0x7fffffff, -0x80000000];
    const w = new ByteWriter();
    for (const n of unsigned) w.u32(n);
    for (const n of signed) w.s32(n);
    const r = new ByteReader(w.finish());
    expect(unsigned.map(() => r.u32())).toEqual(unsigned);
    expect(signed.map(() => r.s32())).toEqual(signed);
    expect(r.done).toBe(true);
  });

  it("writes i32 immediates above 2^31 as the same bits, negative", () => {
    const r = new ByteReader(new ByteWriter().s32(0xffffffff).s32(0x80000000).finish());
    expect([r.s32(), r.s32()]).toEqual([-1, -0x80000000]);
  });

  it("encodes 64-bit values in at most ten bytes, and skips them exactly", () => {
    const values = [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 1234567890123n];
    const w = new ByteWriter();
    for (const v of values) w.bytes(signedLeb(v)).byte(0xaa);
    const r = new ByteReader(w.finish());
    for (let i = 0; i < values.length; i++) {
      r.skipSigned(64);
      expect(r.byte()).toBe(0xaa);
    }
    expect(signedLeb(-(2n ** 63n))).toHaveLength(10);
  });

  it("refuses values out of range and malformed input", () => {
    expect(() => new ByteWriter().u32(-1)).toThrow(RangeError);
    expect(() => new ByteWriter().u32(2 ** 32)).toThrow(RangeError);
    expect(() => new ByteWriter().s32(2 ** 32)).toThrow(RangeError);
    expect(() => new ByteReader(new Uint8Array([0x80, 0x80])).u32()).toThrow(/unexpected end/);
    const tooLong = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(() => new ByteReader(tooLong).u32()).toThrow(/malformed u32/);
  });
});

describe("functionReferences", () => {
  it("finds call and ref.func indices among instructions with every kind of immediate", () => {
    // prettier-ignore
    const code = [
      0x02, 0x40,                         // block (empty type)
      0x41, 0x7f, 0x0d, 0x00,             //   i32.const -1, br_if 0
      0x0b,                               // end
      0x10, 0x05,                         // call 5
      0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x1a, // i64.const, drop
      0x44, 1, 2, 3, 4, 5, 6, 7, 8, 0x1a, // f64.const, drop
      0x41, 0x00, 0x0e, 0x02, 0x00, 0x00, 0x00, // br_table 0 0 0
      0x41, 0x00, 0x28, 0x02, 0x10, 0x1a, // i32.load align=4 offset=16, drop
      0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x0a, 0x00, 0x00, // memory.copy
      0xd2, 0x07, 0x1a,                   // ref.func 7, drop
      0x10, 0xac, 0x02,                   // call 300
      0x1c, 0x01, 0x7f,                   // select (result i32)
      0x0b,                               // end
    ];
    const refs = functionReferences(new ByteReader(new Uint8Array(code)));
    expect(refs.map((r) => r.index)).toEqual([5, 7, 300]);
    const call300 = refs[2]!;
    expect(code.slice(call300.start, call300.end)).toEqual([0xac, 0x02]);
  });

  it("refuses opcodes it does not know instead of skipping them", () => {
    const simd = new Uint8Array([0xfd, 0x0c, 0x0b]);
    expect(() => functionReferences(new ByteReader(simd))).toThrow(/unsupported opcode 0xfd/);
  });
});

describe("runtimeImage", () => {
  const section = (id: number, content: number[]) => [id, content.length, ...content];

  it("refuses what is not a Wasm 1.0 binary", () => {
    expect(() => runtimeImage(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(
      "cannot link against the Wasm runtime: not a Wasm 1.0 binary",
    );
    expect(() => runtimeImage(runtimeWasm().slice(0, 1000))).toThrow(/cannot link/);
  });

  it("refuses sections and segments the linker does not handle", () => {
    const table = new Uint8Array([...HEADER, ...section(4, [1, 0x70, 0, 1])]);
    expect(() => runtimeImage(table)).toThrow(/unsupported section 4/);
    const passive = new Uint8Array([...HEADER, ...section(11, [1, 1, 0])]);
    expect(() => runtimeImage(passive)).toThrow(/passive data segment/);
    expect(() => runtimeImage(new Uint8Array(HEADER))).toThrow(/does not import its memory/);
  });

  it("reads the runtime's memory import, exports and static data", () => {
    const image = runtimeImage(runtimeWasm());
    expect(image.memory).toMatchObject({ module: "env", base: "memory" });
    expect(image.exportsByName.get("opa_eval")?.kind).toBe(0);
    expect(image.bodies).toHaveLength(image.functions.length);
    const dataEnd = Math.max(...image.data.map((s) => s.offset + s.data.length));
    expect(image.staticEnd).toBeGreaterThanOrEqual(dataEnd);
  });
});

describe("ModuleBuilder", () => {
  /** The runtime with trivial gatehouse bodies, `extend` adding to it, written out. */
  function link(extend: (m: ModuleBuilder) => void = () => {}): Uint8Array<ArrayBuffer> {
    const m = new ModuleBuilder(runtimeImage(runtimeWasm()));
    extend(m);
    for (const imp of m.functionImports().filter((f) => f.module === "gatehouse")) {
      const body =
        imp.result === i32 ? m.i32.const(0) : imp.result === i64 ? m.i64.const(0n) : m.nop();
      m.defineImport(imp.name, [], body);
    }
    return m.write({
      memoryPages: 2,
      data: { offset: 65536, data: new Uint8Array([1, 2, 3]) },
      keepExport: (name) => name === "opa_eval" || name === "memory",
    });
  }

  const functionCount = (wasm: Uint8Array) => runtimeImage(wasm).functions.length;

  it("writes a module that validates, without the runtime's gatehouse imports", () => {
    const wasm = link();
    expect(WebAssembly.validate(wasm)).toBe(true);
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(wasm));
    expect(imports.filter((i) => i.module === "gatehouse")).toEqual([]);
    expect(imports).toContainEqual({ module: "env", name: "memory", kind: "memory" });
  });

  it("leaves out the runtime functions that nothing kept can call", () => {
    const runtimeFunctions = runtimeImage(runtimeWasm()).functions.length;
    const bare = functionCount(link());
    expect(bare).toBeLessThan(runtimeFunctions);
    const withCount = functionCount(
      link((m) => {
        const count = m.exportedFunction("builtin.count")!;
        const body = m.drop(m.call(count.name, [m.i32.const(0)], count.result));
        m.addFunction("gh.test", [], none, [], body);
      }),
    );
    expect(withCount).toBeGreaterThan(bare + 1);
  });

  it("types blocks from their children, so code after a branch may stand for any value", () => {
    // each function holds one case: code after a branch is not checked against the stack
    const cases = (m: ModuleBuilder): Expr[] => [
      m.block("outer", [
        m.if(m.i32.const(1), m.br("outer")),
        m.loop("again", m.block(null, [m.br("outer", m.i32.const(1)), m.br("again")])),
      ]),
      // an unnamed block that returns, as an operand
      m.drop(m.i32.add(m.i32.const(1), m.block(null, [m.return(m.i32.const(2))]))),
      // an `if` whose arms both leave, as an operand
      m.drop(
        m.i32.add(m.i32.const(1), m.if(m.i32.const(1), m.return(m.i32.const(3)), m.unreachable())),
      ),
      // a loop that never ends, as an operand
      m.drop(m.i32.eqz(m.loop("forever", m.br("forever")))),
    ];
    const wasm = link((m) =>
      cases(m).forEach((body, i) =>
        m.addFunction(`gh.test.${i}`, [], i32, [], m.block(null, [body, m.i32.const(0)], i32)),
      ),
    );
    expect(WebAssembly.validate(wasm)).toBe(true);
  });

  it("refuses a branch to a label that does not enclose it, and a second definition", () => {
    expect(() =>
      link((m) => m.addFunction("gh.test", [], none, [], m.block("a", [m.br("b")]))),
    ).toThrow("br to b, which does not enclose it");
    expect(() =>
      link((m) => {
        m.addFunction("gh.test", [], none, [], m.nop());
        m.addFunction("gh.test", [], none, [], m.nop());
      }),
    ).toThrow("duplicate function gh.test");
  });
});
