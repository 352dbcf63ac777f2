// opa-wasm and host code throw strings, Error objects or plain {message} objects.
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === "string") return e;
  if (e !== null && typeof e === "object" && "message" in e) return String(e.message);
  return String(e);
}
