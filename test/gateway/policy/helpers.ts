// Shared by the policy tests: the inputSchema an upstream would declare for given arguments.

/** An object schema that declares exactly these arguments (any value), as tools/list would. */
export function schemaDeclaring(args: Record<string, unknown>): Record<string, unknown> {
  return {
    type: "object",
    properties: Object.fromEntries(Object.keys(args).map((name) => [name, {}])),
  };
}
