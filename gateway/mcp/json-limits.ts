// Shape limits on a parsed JSON-RPC body, checked before anything walks it recursively (the SDK's
// schemas, the policy input, the Wasm module's JSON reader). The byte size is bounded earlier, by
// limits.maxBodyBytes; these bound what fits in those bytes: nesting depth and the count of values.

export interface JsonShapeLimits {
  /** deepest nesting of objects and arrays, the body itself being depth 1 */
  maxJsonDepth: number;
  /** most values (objects, arrays, strings, numbers, booleans, nulls, keys not counted) */
  maxJsonValues: number;
}

/** Which limit a body exceeds, and where. */
export interface JsonShapeProblem {
  limit: keyof JsonShapeLimits;
  value: number;
  /** JSON path of the value at which the limit was passed, e.g. `$.params.arguments.a` */
  path: string;
}

const MAX_PATH_CHARS = 120;

/**
 * Walks the value iteratively (no recursion, so a hostile depth cannot overflow the stack) and
 * stops at the first limit passed.
 */
export function jsonShapeProblem(
  body: unknown,
  limits: JsonShapeLimits,
): JsonShapeProblem | undefined {
  const stack: { value: unknown; depth: number; path: string }[] = [
    { value: body, depth: 1, path: "$" },
  ];
  // counted as they are queued, so a wide object is refused before its members are queued
  let values = 1;
  const queue = (value: unknown, depth: number, path: string): JsonShapeProblem | undefined => {
    if (++values > limits.maxJsonValues)
      return { limit: "maxJsonValues", value: limits.maxJsonValues, path };
    stack.push({ value, depth, path });
    return undefined;
  };
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!;
    if (value === null || typeof value !== "object") continue;
    if (depth > limits.maxJsonDepth)
      return { limit: "maxJsonDepth", value: limits.maxJsonDepth, path };
    // paths stop growing past a readable length; the limit is what the client needs to know
    const grow = path.length < MAX_PATH_CHARS;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        const problem = queue(value[i], depth + 1, grow ? `${path}[${i}]` : path);
        if (problem) return problem;
      }
    } else {
      for (const key in value) {
        const member = (value as Record<string, unknown>)[key];
        const problem = queue(member, depth + 1, grow ? `${path}.${key.slice(0, 40)}` : path);
        if (problem) return problem;
      }
    }
  }
  return undefined;
}

/** The client-facing sentence: the limit, its value, where, and what to do. */
export function describeJsonShapeProblem(problem: JsonShapeProblem): string {
  const what =
    problem.limit === "maxJsonDepth"
      ? `the message nests deeper than ${problem.value} levels`
      : `the message holds more than ${problem.value} JSON values`;
  const where = problem.path.length >= MAX_PATH_CHARS ? `${problem.path}…` : problem.path;
  return `Invalid Request: ${what} (limits.${problem.limit} = ${problem.value}) at ${where}; send a flatter or smaller message, or ask the operator to raise limits.${problem.limit}`;
}
