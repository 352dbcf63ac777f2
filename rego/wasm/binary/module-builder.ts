// The policy module under construction: the runtime image plus the functions, imports and globals
// the code generator adds. Functions and globals are named until the module is written
// (module-writer.ts): the runtime's functions as `runtime.func.<index>`, its imports
// `runtime.import.<module>.<base>`, its globals `runtime.global.<index>`. Defining a function for
// an import (`defineImport`) removes the import and sends the runtime's calls to it to the new body.
import { ExpressionBuilder, none, type Expr } from "./expressions.ts";
import {
  EXTERNAL_FUNCTION,
  EXTERNAL_GLOBAL,
  type FunctionType,
  type RuntimeImage,
} from "./runtime-image.ts";
import {
  RUNTIME_FUNC,
  RUNTIME_GLOBAL,
  runtimeImportName,
  writeModule,
  type AddedContents,
  type ModuleLayout,
} from "./module-writer.ts";

export interface FunctionSignature {
  name: string;
  params: number[];
  /** the result type, or `none` */
  result: number;
}

export interface ImportedFunction extends FunctionSignature {
  module: string;
  base: string;
}

export interface DefinedFunction extends FunctionSignature {
  vars: number[];
  body: Expr;
}

export interface AddedGlobal {
  name: string;
  type: number;
  mutable: boolean;
  init: Expr;
}

export class ModuleBuilder extends ExpressionBuilder {
  private readonly imports: (ImportedFunction & { defined: boolean })[];
  private readonly functions: DefinedFunction[] = [];
  private readonly globals: AddedGlobal[] = [];
  private readonly names = new Set<string>();
  private readonly exported = new Map<string, FunctionSignature | undefined>();
  private start: string | undefined;

  constructor(readonly image: RuntimeImage) {
    super();
    this.imports = image.functionImports.map((imp) => ({
      name: runtimeImportName(imp),
      module: imp.module,
      base: imp.base,
      ...signature(image.types[imp.type]!),
      defined: false,
    }));
    for (const imp of this.imports) this.claim(imp.name);
  }

  /** The runtime function exported as `exportName`, or undefined. */
  exportedFunction(exportName: string): FunctionSignature | undefined {
    if (!this.exported.has(exportName))
      this.exported.set(exportName, this.findExportedFunction(exportName));
    return this.exported.get(exportName);
  }

  private findExportedFunction(exportName: string): FunctionSignature | undefined {
    const exp = this.image.exportsByName.get(exportName);
    if (!exp || exp.kind !== EXTERNAL_FUNCTION) return undefined;
    const runtimeImports = this.image.functionImports.length;
    if (exp.index < runtimeImports) {
      const { name, params, result } = this.imports[exp.index]!;
      return { name, params, result };
    }
    const type = this.image.types[this.image.functions[exp.index - runtimeImports]!]!;
    return { name: `${RUNTIME_FUNC}${exp.index}`, ...signature(type) };
  }

  /** Name of the global the runtime exports as `exportName`, or undefined. */
  exportedGlobal(exportName: string): string | undefined {
    const exp = this.image.exportsByName.get(exportName);
    return exp?.kind === EXTERNAL_GLOBAL ? runtimeGlobal(exp.index) : undefined;
  }

  /** The imported functions (those not defined by defineImport). */
  functionImports(): ImportedFunction[] {
    return this.imports
      .filter((imp) => !imp.defined)
      .map(({ name, module, base, params, result }) => ({ name, module, base, params, result }));
  }

  addFunctionImport(
    name: string,
    module: string,
    base: string,
    params: number[],
    result: number,
  ): void {
    this.claim(name);
    this.imports.push({ name, module, base, params, result, defined: false });
  }

  /** Replaces the import `name` by a function with its signature. */
  defineImport(name: string, vars: number[], body: Expr): void {
    const imp = this.imports.find((i) => i.name === name && !i.defined);
    if (!imp) throw new Error(`no import ${name} to define`);
    imp.defined = true;
    this.functions.push({ name, params: imp.params, result: imp.result, vars, body });
  }

  addFunction(name: string, params: number[], result: number, vars: number[], body: Expr): void {
    this.claim(name);
    this.functions.push({ name, params, result, vars, body });
  }

  /** Whether a function or import of that name exists. */
  hasFunction(name: string): boolean {
    return this.names.has(name);
  }

  /** `init` is a constant expression. */
  addGlobal(name: string, type: number, mutable: boolean, init: Expr): void {
    if (this.globals.some((g) => g.name === name)) throw new Error(`duplicate global ${name}`);
    this.globals.push({ name, type, mutable, init });
  }

  /** The function run when the module is instantiated. */
  setStart(name: string): void {
    if (this.start !== undefined) throw new Error("the module already has a start function");
    this.start = name;
  }

  /** What was added, for the writer. */
  private contents(): AddedContents {
    return {
      imports: this.imports.filter((imp) => !imp.defined),
      functions: this.functions,
      globals: this.globals,
      start: this.start,
      called: this.called,
    };
  }

  write(layout: ModuleLayout): Uint8Array<ArrayBuffer> {
    return writeModule(this.image, this.contents(), layout);
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`duplicate function ${name}`);
    this.names.add(name);
  }
}

function runtimeGlobal(index: number): string {
  return `${RUNTIME_GLOBAL}${index}`;
}

function signature(type: FunctionType): Omit<FunctionSignature, "name"> {
  if (type.results.length > 1) throw new Error("a runtime function with several results");
  return { params: type.params, result: type.results[0] ?? none };
}
