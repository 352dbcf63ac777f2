// How generated code reaches the runtime inside the module being linked: exported runtime functions
// (rt_*, builtin.<name>) and globals resolved through their exports, and the host imports
// (env.opa_abort, env.opa_builtin<N>).
import type { Expr } from "./binary/expressions.ts";
import { none } from "./binary/expressions.ts";
import type { FunctionSignature, ModuleBuilder } from "./binary/module-builder.ts";

export type { FunctionSignature } from "./binary/module-builder.ts";

/** Export name of a native builtin in the runtime (see rego/builtins/registry.ts). */
export function builtinExportName(name: string): string {
  return `builtin.${name}`;
}

export class RuntimeBinding {
  constructor(private readonly module: ModuleBuilder) {}

  /** The runtime function exported as `exportName`, or undefined. */
  exported(exportName: string): FunctionSignature | undefined {
    return this.module.exportedFunction(exportName);
  }

  /** Name of the global the runtime exports as `exportName`. */
  requireExportedGlobal(exportName: string): string {
    const name = this.module.exportedGlobal(exportName);
    if (name === undefined)
      throw new Error(`the Wasm runtime does not export the global ${exportName}`);
    return name;
  }

  requireExported(exportName: string): FunctionSignature {
    const fn = this.exported(exportName);
    if (!fn) throw new Error(`the Wasm runtime does not export ${exportName}`);
    return fn;
  }

  /** Call the runtime export `exportName`; a void call stays void. */
  call(exportName: string, args: Expr[]): Expr {
    const fn = this.requireExported(exportName);
    if (fn.params.length !== args.length) {
      throw new Error(
        `${exportName} takes ${fn.params.length} arguments, the code generator passes ${args.length}`,
      );
    }
    return this.module.call(fn.name, args, fn.result);
  }

  /** Call for effect only: drops a result. */
  callForEffect(exportName: string, args: Expr[]): Expr {
    const call = this.call(exportName, args);
    return call.type === none ? call : this.module.drop(call);
  }

  /** Name of the imported function `moduleName.base`, adding the import when missing. */
  ensureImport(moduleName: string, base: string, params: number[], result: number): string {
    const existing = this.module
      .functionImports()
      .find((f) => f.module === moduleName && f.base === base);
    if (existing) return existing.name;
    const name = `gh.import.${moduleName}.${base}`;
    this.module.addFunctionImport(name, moduleName, base, params, result);
    return name;
  }
}
