// Generated local names. They look like OPA's (`__local3__`) and never collide with a name that
// appears anywhere in the sources being compiled (some OPA test modules use `__localN__` names).

export class NameGenerator {
  private next = 0;
  constructor(private readonly taken: ReadonlySet<string>) {}

  fresh(): string {
    for (;;) {
      const name = `__local${this.next++}__`;
      if (!this.taken.has(name)) return name;
    }
  }
}

/** Every var name in an AST fragment (modules, rules, query bodies). */
export function collectVarNames(node: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) collectVarNames(item, into);
  } else if (node !== null && typeof node === "object") {
    const record = node as Record<string, unknown>;
    if (record.type === "var" && typeof record.name === "string") into.add(record.name);
    for (const [key, value] of Object.entries(record)) {
      if (key !== "loc" && typeof value === "object") collectVarNames(value, into);
    }
  }
  return into;
}
