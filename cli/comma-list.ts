// Comma-separated option values (--groups eng,security), shared by the keys and token commands.

/** "a,b" -> ["a", "b"] (blank entries dropped) */
export function commaList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
}
