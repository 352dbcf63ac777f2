// rego.parse_module, and the rego.metadata.* builtins as the host sees them: inside rules the
// compiler has already replaced those with constants, so a call that reaches here came from a
// query, where OPA refuses it too.
import { RegoError } from "../../errors.ts";
import { moduleToJson } from "../../syntax/ast-json.ts";
import { parseModuleWithComments } from "../../syntax/index.ts";
import { builtinError, stringOperand } from "./errors.ts";
import { exactNumber } from "./numbers.ts";
import type { HostBuiltinTable } from "./types.ts";

/** Longest module text rego.parse_module reads (the parser itself bounds depth and errors). */
export const MAX_MODULE_CHARS = 1 << 20;

function parseModuleBuiltin([file, text]: unknown[]): unknown {
  const filename = stringOperand(file, 1);
  const source = stringOperand(text, 2);
  if (source.length > MAX_MODULE_CHARS) {
    throw builtinError(`module text of ${source.length} characters, more than ${MAX_MODULE_CHARS}`);
  }
  try {
    // OPA's parser here also reads v0 rule bodies (`p { ... }`), unlike when it loads policies
    const { module, comments } = parseModuleWithComments(source, filename, { v0RuleForms: true });
    return moduleToJson(module, comments, { number: exactNumber });
  } catch (e) {
    if (e instanceof RegoError) throw builtinError(e.message);
    throw e;
  }
}

const outsideRule = (name: string) => (): never => {
  throw builtinError(`the ${name} function must only be called within the scope of a rule`);
};

export const regoModuleBuiltins: HostBuiltinTable = {
  "rego.parse_module": parseModuleBuiltin,
  "rego.metadata.chain": outsideRule("rego.metadata.chain"),
  "rego.metadata.rule": outsideRule("rego.metadata.rule"),
};
