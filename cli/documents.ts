// Reads JSON/YAML documents named on the command line.
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { CliError } from "./failure.ts";

/** Parses `path` as YAML when it ends in .yaml/.yml, else as JSON. `what` names it in messages. */
export function readDocument(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      code === "ENOENT"
        ? `${path}: ${what} file not found`
        : `${path}: cannot read ${what} file: ${(e as Error).message}`,
    );
  }
  const yaml = /\.ya?ml$/i.test(path);
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new CliError(
      `${path}: invalid ${yaml ? "YAML" : "JSON"} in ${what} file: ${(e as Error).message}`,
    );
  }
}
