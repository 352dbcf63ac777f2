// The policy's static tables: deduplicated strings, source files, and the builtins called.
import type { BuiltinFunc, Position } from "./ir.ts";
import type { Location } from "../syntax/ast.ts";

export class StaticTables {
  private strings = new Map<string, number>();
  private files: string[];
  private builtins = new Map<string, number>();
  private consts = new Map<string, number>();

  constructor(files: string[]) {
    this.files = [...files];
  }

  stringIndex(value: string): number {
    let index = this.strings.get(value);
    if (index === undefined) {
      index = this.strings.size;
      this.strings.set(value, index);
    }
    return index;
  }

  /** Index of a ground composite's Rego value text in static.consts. */
  constIndex(text: string): number {
    let index = this.consts.get(text);
    if (index === undefined) {
      index = this.consts.size;
      this.consts.set(text, index);
    }
    return index;
  }

  position(loc: Location): Position {
    let file = this.files.indexOf(loc.file);
    if (file < 0) file = this.files.push(loc.file) - 1;
    return { file, row: loc.row, col: loc.col };
  }

  useBuiltin(name: string, arity: number): void {
    this.builtins.set(name, arity);
  }

  toStatic(): {
    strings: { value: string }[];
    builtin_funcs: BuiltinFunc[];
    files: { value: string }[];
    consts?: { value: string }[];
  } {
    return {
      strings: [...this.strings.keys()].map((value) => ({ value })),
      builtin_funcs: [...this.builtins]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, arity]) => ({ name, arity })),
      files: this.files.map((value) => ({ value })),
      ...(this.consts.size > 0 && { consts: [...this.consts.keys()].map((value) => ({ value })) }),
    };
  }
}
