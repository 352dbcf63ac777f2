// Loads rego/wasm/runtime/build/runtime.wasm on its own (no linker): the `gatehouse` imports the
// linker normally replaces are provided from JS, and helpers move values in and out as JSON.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import binaryen from "binaryen";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const defaultWasm = `${root}rego/wasm/runtime/build/runtime.wasm`;

/** The runtime binary; built with `npm run build` when missing. RUNTIME_WASM overrides the path. */
export function runtimeBinary(): Uint8Array<ArrayBuffer> {
  const path = process.env.RUNTIME_WASM ?? defaultWasm;
  if (!existsSync(path))
    execFileSync(process.execPath, [`${root}rego/wasm/runtime/build.mjs`], { stdio: "pipe" });
  return new Uint8Array(readFileSync(path));
}

/** First byte after the module's data segments. */
export function staticDataEnd(binary: Uint8Array): number {
  const module = binaryen.readBinary(binary);
  try {
    const m = module as unknown as {
      getNumDataSegments(): number;
      getDataSegmentByIndex(i: number): number;
      getDataSegmentInfo(segment: number): { offset: number; data: ArrayBuffer };
    };
    let end = 0;
    for (let i = 0; i < m.getNumDataSegments(); i++) {
      const info = m.getDataSegmentInfo(m.getDataSegmentByIndex(i));
      end = Math.max(end, info.offset + info.data.byteLength);
    }
    return end;
  } finally {
    module.dispose();
  }
}

export type GhEval = (
  rt: Runtime,
  entrypoint: number,
  input: number,
  data: number,
  resultSet: number,
) => void;

export interface RuntimeOptions {
  strict?: boolean;
  memoSlots?: number;
  builtinsJson?: string;
  entrypointsJson?: string;
  eval?: GhEval;
  memory?: WebAssembly.MemoryDescriptor;
  /** gh_budget_default: the evaluation budget when none is set (0 = unmetered, the default) */
  budget?: bigint;
}

export class Aborted extends Error {}

export type Exports = Record<string, (...args: never[]) => unknown> & {
  opa_malloc(n: number): number;
  opa_json_parse(p: number, n: number): number;
  opa_value_parse(p: number, n: number): number;
  opa_json_dump(v: number): number;
  opa_value_dump(v: number): number;
  opa_heap_ptr_get(): number;
  opa_heap_ptr_set(p: number): void;
};

export class Runtime {
  readonly exports: Exports;
  readonly memory: WebAssembly.Memory;
  readonly heapBase: number;
  options: RuntimeOptions;

  private constructor(
    instance: WebAssembly.Instance,
    memory: WebAssembly.Memory,
    heapBase: number,
    options: RuntimeOptions,
  ) {
    this.exports = instance.exports as unknown as Exports;
    this.memory = memory;
    this.heapBase = heapBase;
    this.options = options;
  }

  static async load(options: RuntimeOptions = {}): Promise<Runtime> {
    const binary = runtimeBinary();
    const memory = new WebAssembly.Memory(options.memory ?? { initial: 2 });
    // policy "static data": the two JSON maps, right after the runtime's own data
    let at = (staticDataEnd(binary) + 15) & ~15;
    const texts: number[] = [];
    for (const text of [options.builtinsJson ?? "{}", options.entrypointsJson ?? '{"main":0}']) {
      const bytes = new TextEncoder().encode(text + "\0");
      new Uint8Array(memory.buffer).set(bytes, at);
      texts.push(at);
      at = (at + bytes.length + 15) & ~15;
    }
    const heapBase = at;
    let rt: Runtime | undefined;
    const readCString = (p: number) => {
      const bytes = new Uint8Array(memory.buffer);
      let end = p;
      while (bytes[end] !== 0) end++;
      return new TextDecoder().decode(bytes.subarray(p, end));
    };
    const instance = await WebAssembly.instantiate(await WebAssembly.compile(binary), {
      env: {
        memory,
        opa_abort: (p: number) => {
          throw new Aborted(readCString(p));
        },
        opa_println: (p: number) => console.log(readCString(p)),
      },
      gatehouse: {
        gh_eval: (ep: number, input: number, data: number, rs: number) =>
          rt!.options.eval?.(rt!, ep, input, data, rs),
        gh_builtins_json: () => texts[0],
        gh_entrypoints_json: () => texts[1],
        gh_heap_base: () => heapBase,
        gh_options: () => (rt!.options.strict ? 1 : 0),
        gh_memo_slots: () => rt!.options.memoSlots ?? 0,
        gh_budget_default: () => rt!.options.budget ?? 0n,
      },
    });
    rt = new Runtime(instance, memory, heapBase, options);
    return rt;
  }

  fn(name: string): (...args: number[]) => number {
    const f = this.exports[name] as unknown as ((...args: number[]) => number) | undefined;
    if (!f) throw new Error(`runtime does not export ${name}`);
    return f;
  }

  readCString(p: number): string {
    const bytes = new Uint8Array(this.memory.buffer);
    let end = p;
    while (bytes[end] !== 0) end++;
    return new TextDecoder().decode(bytes.subarray(p, end));
  }

  /** Copy raw bytes onto the heap; returns [address, length]. */
  write(text: string): [number, number] {
    const bytes = new TextEncoder().encode(text);
    const p = this.exports.opa_malloc(bytes.length);
    new Uint8Array(this.memory.buffer).set(bytes, p);
    return [p, bytes.length];
  }

  /** JSON text -> value address (0 when the runtime rejects it). */
  parse(json: string): number {
    const [p, n] = this.write(json);
    return this.exports.opa_json_parse(p, n);
  }

  /** Rego value text (sets allowed) -> value address. */
  parseValue(text: string): number {
    const [p, n] = this.write(text);
    return this.exports.opa_value_parse(p, n);
  }

  dump(v: number): string {
    return this.readCString(this.exports.opa_json_dump(v));
  }

  dumpValue(v: number): string {
    return this.readCString(this.exports.opa_value_dump(v));
  }

  /** Call native builtin `name` with arguments in Rego value syntax; the result as JSON or undefined. */
  builtin(name: string, ...args: string[]): string | undefined {
    const addrs = args.map((a) => {
      const v = this.parseValue(a);
      if (v === 0) throw new Error(`bad test argument ${a}`);
      return v;
    });
    const r = this.fn(`builtin.${name}`)(...addrs);
    return r === 0 ? undefined : this.dumpValue(r);
  }

  /** opa_eval with the SDK's fast-path calling convention; returns the result text. */
  evaluate(input: string | undefined, data = 0, entrypoint = 0): string {
    const base = this.exports.opa_heap_ptr_get();
    const bytes = input === undefined ? new Uint8Array() : new TextEncoder().encode(input);
    new Uint8Array(this.memory.buffer).set(bytes, base);
    const r = this.fn("opa_eval")(
      0,
      entrypoint,
      data,
      input === undefined ? 0 : base,
      bytes.length,
      base + bytes.length,
      0,
    );
    return this.readCString(r);
  }
}
