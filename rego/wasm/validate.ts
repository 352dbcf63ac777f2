// binaryen's validator prints its findings (through Emscripten's console binding) instead of
// returning them; the writes are captured for the duration of the call so the Error carries them.
import type binaryen from "binaryen";

export function validateModule(module: binaryen.Module): void {
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  let messages = "";
  const capture = ((chunk: string | Uint8Array) => {
    messages += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
    return true;
  }) as typeof process.stdout.write;
  let valid: number;
  process.stdout.write = capture;
  process.stderr.write = capture;
  try {
    valid = module.validate();
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  }
  if (!valid) {
    const text = messages.length > 4000 ? `${messages.slice(0, 4000)}...` : messages;
    throw new Error(
      `generated Wasm module is invalid: ${text.trim() || "(binaryen gave no details)"}`,
    );
  }
}
