// State that lives for one evaluation. The module calls host builtins synchronously while it
// evaluates, so "until the current task ends" is "until this evaluation ends": the value is made
// on first use and dropped in a microtask (two evaluations run back to back in one task share it).

/** A getter for a value made once per evaluation. */
export function perEvaluation<T>(create: () => T): () => T {
  let current: { value: T } | undefined;
  return () => {
    if (!current) {
      const slot = { value: create() };
      current = slot;
      queueMicrotask(() => {
        if (current === slot) current = undefined;
      });
    }
    return current.value;
  };
}
