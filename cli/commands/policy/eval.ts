// gatehouse policy eval <dir...> --query <q> [--input f.json] [--data f.json] [--strict]
import type { Command } from "commander";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { loadPolicyDirectory, mergeDataAt } from "../../../rego/bundle/index.ts";
import { readDocument } from "../../documents.ts";
import { loadToolchain } from "../../toolchain.ts";
import { queryWithResultVariable } from "./query-text.ts";

interface EvalOptions {
  query: string;
  input?: string;
  data?: string;
  strict?: boolean;
}

export function registerPolicyEval(policy: Command): void {
  policy
    .command("eval")
    .description("evaluate a query against policy folders and print the result set as JSON")
    .argument("<dir...>", "folders (or files) holding .rego modules and data .json/.yaml files")
    .requiredOption(
      "-q, --query <query>",
      "Rego query, e.g. 'x = data.gatehouse.decision'; a lone term reports as `result`",
    )
    .option("-i, --input <file>", "input document (JSON or YAML)")
    .option("-d, --data <file>", "extra data document (JSON or YAML), merged at the root of data")
    .option("--strict", "raise builtin errors instead of treating the call as undefined")
    .action((dirs: string[], options: EvalOptions) => evaluateQuery(dirs, options));
}

async function evaluateQuery(dirs: string[], options: EvalOptions): Promise<void> {
  const { files, data } = loadPolicyDirectory(dirs);
  if (options.data) mergeDataAt(data, [], readDocument(options.data, "data"), options.data);
  const input = options.input === undefined ? undefined : readDocument(options.input, "input");

  const { buildPolicy, hostBuiltins } = await loadToolchain();
  const strictBuiltinErrors = options.strict === true;
  const built = buildPolicy(files, {
    queries: [{ name: "query", query: queryWithResultVariable(options.query) }],
    strictBuiltinErrors,
  });
  const policy = await loadPolicy(built.wasm, undefined, hostBuiltins({ strictBuiltinErrors }));
  policy.setData(data);
  // JSON text in an ArrayBuffer: the SDK would drop falsy inputs such as `false` or `0`.
  const inputArg =
    input === undefined ? undefined : new TextEncoder().encode(JSON.stringify(input)).buffer;
  const resultSet = policy.evaluate(inputArg, "query");
  console.log(JSON.stringify(resultSet, null, 2));
}
