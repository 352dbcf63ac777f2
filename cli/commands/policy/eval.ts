// gatehouse policy eval <dir...> --query <q> [--input f.json] [--data f.json] [--strict]
//   [--budget <units>] [--max-memory <MiB>]
// The result set is JSON on stdout; what print() and trace() wrote goes to stderr.
import type { Command } from "commander";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { loadPolicyDirectory, mergeDataAt } from "../../../rego/bundle/index.ts";
import { memoryCapMessage, ModuleLimits } from "../../../rego/wasm/limits.ts";
import { readDocument } from "../../documents.ts";
import { CliError, failureLines } from "../../failure.ts";
import { loadToolchain } from "../../toolchain.ts";
import {
  BUDGET_HELP,
  budgetOption,
  maxMemoryOption,
  parseLimitFlags,
  type LimitFlags,
} from "./limit-options.ts";
import { queryWithResultVariable } from "./query-text.ts";

interface EvalOptions extends LimitFlags {
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
    .addOption(budgetOption(BUDGET_HELP))
    .addOption(maxMemoryOption())
    .action((dirs: string[], options: EvalOptions) => evaluateQuery(dirs, options));
}

async function evaluateQuery(dirs: string[], options: EvalOptions): Promise<void> {
  const limits = parseLimitFlags(options);
  if (typeof limits === "string") throw new CliError(limits);
  const { files, data } = loadPolicyDirectory(dirs);
  if (options.data) mergeDataAt(data, [], readDocument(options.data, "data"), options.data);
  const input = options.input === undefined ? undefined : readDocument(options.input, "input");

  const { buildPolicy, hostBuiltins, EvaluationOutput } = await loadToolchain();
  const strictBuiltinErrors = options.strict === true;
  const built = buildPolicy(files, {
    queries: [{ name: "query", query: queryWithResultVariable(options.query) }],
    strictBuiltinErrors,
  });
  const memory =
    limits.maxMemoryPages === undefined
      ? undefined
      : { initial: 5, maximum: limits.maxMemoryPages };
  const output = new EvaluationOutput();
  const policy = await loadPolicy(
    built.wasm,
    memory,
    hostBuiltins({ strictBuiltinErrors, output }),
  );
  if (limits.budget !== undefined) new ModuleLimits(policy).setBudget(limits.budget);
  // JSON text in an ArrayBuffer: the SDK would drop falsy inputs such as `false` or `0`.
  const inputArg =
    input === undefined ? undefined : new TextEncoder().encode(JSON.stringify(input)).buffer;
  let resultSet: unknown;
  try {
    policy.setData(data);
    resultSet = policy.evaluate(inputArg, "query");
  } catch (e) {
    writeOutput(output.take());
    throw new CliError(explainFailure(e, limits.maxMemoryPages));
  }
  writeOutput(output.take());
  console.log(JSON.stringify(resultSet, null, 2));
}

/** print() and trace() output goes to stderr, so stdout stays the result set's JSON. */
function writeOutput(lines: string[]): void {
  for (const line of lines) process.stderr.write(`${line}\n`);
}

/** opa-wasm's error text, with the limit to raise when one was hit. */
function explainFailure(e: unknown, maxMemoryPages: number | undefined): string {
  const text = failureLines(e).join("\n");
  if (text.startsWith("eval_budget_exceeded")) return `${text} (raise it with --budget <units>)`;
  const memory = maxMemoryPages === undefined ? undefined : memoryCapMessage(text, maxMemoryPages);
  return memory ? `${memory} (raise it with --max-memory <MiB>)` : text;
}
