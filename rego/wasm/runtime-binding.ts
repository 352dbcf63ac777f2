// How generated code reaches the runtime inside one binaryen module: exported runtime functions
// (rt_*, builtin.<name>) resolved through their exports to internal names (function names only
// survive in --debug builds), and the host imports (env.opa_abort, env.opa_builtin<N>).
import binaryen from "binaryen";

export interface FunctionSignature {
  name: string; // internal name in the module
  params: number[];
  result: number;
}

/** Export name of a native builtin in the runtime (see rego/builtins/registry.ts). */
export function builtinExportName(name: string): string {
  return `builtin.${name}`;
}

export class RuntimeBinding {
  private readonly signatures = new Map<string, FunctionSignature>();

  constructor(private readonly module: binaryen.Module) {}

  /** The runtime function exported as `exportName`, or undefined. */
  exported(exportName: string): FunctionSignature | undefined {
    const ref = this.module.getExport(exportName);
    if (!ref) return undefined;
    const info = binaryen.getExportInfo(ref);
    if (info.kind !== binaryen.ExternalFunction) return undefined;
    return this.signature(info.value);
  }

  /** Internal name of the global the runtime exports as `exportName`. */
  requireExportedGlobal(exportName: string): string {
    const ref = this.module.getExport(exportName);
    const info = ref ? binaryen.getExportInfo(ref) : undefined;
    if (!info || info.kind !== binaryen.ExternalGlobal) {
      throw new Error(`the Wasm runtime does not export the global ${exportName}`);
    }
    return info.value;
  }

  requireExported(exportName: string): FunctionSignature {
    const fn = this.exported(exportName);
    if (!fn) throw new Error(`the Wasm runtime does not export ${exportName}`);
    return fn;
  }

  /** Call the runtime export `exportName`; a void call stays void. */
  call(exportName: string, args: binaryen.ExpressionRef[]): binaryen.ExpressionRef {
    const fn = this.requireExported(exportName);
    if (fn.params.length !== args.length) {
      throw new Error(
        `${exportName} takes ${fn.params.length} arguments, the code generator passes ${args.length}`,
      );
    }
    return this.module.call(fn.name, args, fn.result);
  }

  /** Call for effect only: drops a result. */
  callForEffect(exportName: string, args: binaryen.ExpressionRef[]): binaryen.ExpressionRef {
    const call = this.call(exportName, args);
    return this.requireExported(exportName).result === binaryen.none
      ? call
      : this.module.drop(call);
  }

  /** Internal name of the imported function `moduleName.base`, adding the import when missing. */
  ensureImport(moduleName: string, base: string, params: number[], result: number): string {
    const existing = findImportedFunction(this.module, moduleName, base);
    if (existing) return existing.name;
    const name = `gh.import.${moduleName}.${base}`;
    this.module.addFunctionImport(name, moduleName, base, binaryen.createType(params), result);
    return name;
  }

  private signature(internalName: string): FunctionSignature {
    let sig = this.signatures.get(internalName);
    if (!sig) {
      const info = binaryen.getFunctionInfo(this.module.getFunction(internalName));
      sig = { name: internalName, params: binaryen.expandType(info.params), result: info.results };
      this.signatures.set(internalName, sig);
    }
    return sig;
  }
}

export function importedFunctions(module: binaryen.Module): binaryen.FunctionInfo[] {
  const out: binaryen.FunctionInfo[] = [];
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
    if (info.module) out.push(info);
  }
  return out;
}

function findImportedFunction(
  module: binaryen.Module,
  moduleName: string,
  base: string,
): binaryen.FunctionInfo | undefined {
  return importedFunctions(module).find((f) => f.module === moduleName && f.base === base);
}
