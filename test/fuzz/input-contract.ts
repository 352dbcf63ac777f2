// When a decision input is malformed (docs/policy-contract.md, gateway/policy/input.ts): the
// fields a decision rests on (who asks, with what authentication, for which method, server, tool
// and arguments) are missing or of another type, or the input is beyond the engine's limits. A
// malformed input must be denied. Other fields (request, session, server) and extra fields are
// not checked here: the policy does not decide on them.
import { Ajv } from "ajv";

const nullableString = { type: ["string", "null"] };
const strings = { type: "array", items: { type: "string" } };
const risk = { enum: ["read", "write", "destructive", null] };

const contract = {
  type: "object",
  required: ["version", "principal", "mcp"],
  properties: {
    version: { const: 1 },
    principal: {
      type: "object",
      required: ["sub", "auth"],
      properties: {
        sub: { type: "string", minLength: 1 },
        auth: { enum: ["jwt", "api_key", "dev", "none"] },
        groups: strings,
        roles: strings,
        scopes: strings,
        claims: { type: "object" },
      },
    },
    mcp: {
      type: "object",
      required: ["method"],
      properties: {
        method: { type: "string" },
        server: nullableString,
        tool: nullableString,
        arguments: { type: "object" },
      },
    },
    tool: {
      type: ["object", "null"],
      properties: { risk, tags: strings },
    },
    list: {
      type: "array",
      items: {
        type: "object",
        required: ["server", "name"],
        properties: { server: { type: "string" }, name: { type: "string" }, risk, tags: strings },
      },
    },
  },
};

const validate = new Ajv({ allErrors: false, strict: true }).compile(contract);

/** Nesting the Wasm runtime reads (rego/wasm's input depth limit). */
export const MAX_INPUT_NESTING = 1_000;

/**
 * Why `input` is malformed, or undefined when it is well-formed. Call it on the input as the
 * engine encoded it (decide() sets `input.policy`).
 */
export function malformation(input: unknown, maxInputBytes: number): string | undefined {
  if (!validate(input)) {
    const e = validate.errors![0]!;
    return `${e.instancePath || "the input"} ${e.message}`;
  }
  const depth = nesting(input);
  if (depth > MAX_INPUT_NESTING) return `nests ${depth} levels`;
  let text: string;
  try {
    text = JSON.stringify(input);
  } catch {
    return "not serializable";
  }
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > maxInputBytes) return `${bytes} bytes`;
  return undefined;
}

/** How deep a value nests, without recursion (inputs may nest 100,000 levels). */
function nesting(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    deepest = Math.max(deepest, depth + 1);
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}
