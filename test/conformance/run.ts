// npm run conformance -- [--dir <folder>] [--report <out.json>] [--filter <regex on note>]
//                        [--timeout-ms N] [--write-passing]
// Without --dir it runs both corpus folders (runner.ts defaultCorpusDirs); --timeout-ms is the CPU
// time one case may take (default 10000).
// Prints a per-topic table and, last, `N passed, N failed, N skipped`. Failing cases are a
// measurement, not an error: the exit code is non-zero only when the runner itself fails.
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  formatReport,
  passingIds,
  passingListFile,
  runConformance,
  writePassingList,
} from "./runner.ts";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: "string" },
      report: { type: "string" },
      filter: { type: "string" },
      "timeout-ms": { type: "string" },
      "write-passing": { type: "boolean" },
    },
  });
  // npm runs scripts from the package root; paths given by the user are relative to where they were.
  const userPath = (p: string) => resolve(process.env.INIT_CWD ?? process.cwd(), p);
  const timeoutMs = values["timeout-ms"] === undefined ? undefined : Number(values["timeout-ms"]);
  if (timeoutMs !== undefined && !(timeoutMs > 0))
    throw new Error(`--timeout-ms must be a positive number`);
  if (values["write-passing"] && (values.dir || values.filter)) {
    throw new Error(
      "--write-passing records a full run of the default corpus folders: drop --dir and --filter",
    );
  }

  const report = await runConformance({
    dir: values.dir ? userPath(values.dir) : undefined,
    filter: values.filter,
    timeoutMs,
    onResult: (_, done, total) => {
      if (process.stderr.isTTY) process.stderr.write(`\r${done}/${total}`);
    },
  });
  if (process.stderr.isTTY) process.stderr.write("\r");

  if (values.report) {
    const { dirs, totals, topics, results } = report;
    const cases = results.map(({ note, id, file, status, reason }) => ({
      note,
      id,
      file,
      status,
      reason,
    }));
    writeFileSync(
      userPath(values.report),
      `${JSON.stringify({ dirs, totals, topics, cases }, null, 2)}\n`,
    );
  }
  if (values["write-passing"]) {
    const ids = passingIds(report);
    writePassingList(ids);
    console.error(`wrote ${ids.length} passing cases to ${passingListFile}`);
  }
  console.log(formatReport(report));
}

main().catch((e: unknown) => {
  console.error(`conformance runner failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
