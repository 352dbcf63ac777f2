// The linked module is checked by the engine that will run it: WebAssembly.validate, and on failure
// the compiler's message, so a linker or code generator bug is an error at build time.
export function validateModule(wasm: Uint8Array<ArrayBuffer>): void {
  if (WebAssembly.validate(wasm)) return;
  let details = "(no details)";
  try {
    new WebAssembly.Module(wasm);
  } catch (e) {
    details = (e as Error).message;
  }
  throw new Error(`generated Wasm module is invalid: ${details}`);
}
