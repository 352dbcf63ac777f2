// The fuzz targets by name, as module URLs: a worker imports only the one it runs (the parser's
// worker never loads binaryen).
export const TARGET_MODULES: Readonly<Record<string, URL>> = {
  parser: new URL("./parser.ts", import.meta.url),
  compiler: new URL("./compiler.ts", import.meta.url),
  json: new URL("./json-input.ts", import.meta.url),
  decision: new URL("./decision.ts", import.meta.url),
};

export const TARGET_NAMES: readonly string[] = Object.keys(TARGET_MODULES);
