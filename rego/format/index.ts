// `gatehouse policy fmt`: canonical formatting of Rego modules in the style of `opa fmt`.
// Every result is parsed again and compared with the original AST: a formatting that would change
// what the module means is refused (FormatError), never written.
import { parseModule } from "../syntax/index.ts";
import { Printer } from "./printer.ts";
import { SourceTokens } from "./source-tokens.ts";
import { Writer } from "./writer.ts";
import { moduleShape } from "./ast-equal.ts";

export { moduleShape, sameModule } from "./ast-equal.ts";

/** The formatter could not keep the module's meaning (a bug in the formatter, not in the module). */
export class FormatError extends Error {
  override name = "FormatError";
}

/** Formats one module. Throws RegoError for Rego that does not parse, FormatError (see above). */
export function formatSource(source: string, file: string): string {
  const module = parseModule(source, file);
  const tokens = new SourceTokens(source);
  const writer = new Writer(tokens.comments);
  new Printer(writer, tokens, module).module(module);
  const formatted = writer.finish();
  let reparsed;
  try {
    reparsed = parseModule(formatted, file);
  } catch (e) {
    throw new FormatError(
      `${file}: formatting produced Rego that does not parse (${(e as Error).message.split("\n")[0]}); the file was left as it is, please report this`,
    );
  }
  if (moduleShape(reparsed) !== moduleShape(module)) {
    throw new FormatError(
      `${file}: formatting would change the module's meaning; the file was left as it is, please report this`,
    );
  }
  return formatted;
}
