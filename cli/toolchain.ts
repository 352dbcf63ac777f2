// The Rego toolchain (the compiler, and the libraries of the host builtins) takes hundreds of
// milliseconds to load, so commands import it only when they compile something: `--help` and
// argument errors stay instant.
export type Toolchain = typeof import("../rego/index.ts");

export function loadToolchain(): Promise<Toolchain> {
  return import("../rego/index.ts");
}
