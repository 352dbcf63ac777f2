// The Rego toolchain loads binaryen (hundreds of MB of heap, seconds of start-up), so commands
// import it only when they compile something: `--help` and argument errors stay instant.
export type Toolchain = typeof import("../rego/index.ts");

export function loadToolchain(): Promise<Toolchain> {
  return import("../rego/index.ts");
}
