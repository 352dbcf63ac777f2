// node --experimental-transform-types test/bench/policy-test.bench.ts [tests]
// Generates a policy and `tests` Rego tests (default 300, in 10 files, each with a `with` mock
// and a function call), then runs them as `gatehouse policy test` does, without and with
// --coverage. Prints wall and CPU time per run (CPU counts every thread of this process: the
// build and the evaluation worker), so the figure means something on a busy machine too.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { outcomeOf, runTestsInPaths } from "../../rego/test/index.ts";

const total = Number(process.argv[2] ?? 300);
const filesCount = 10;
const dir = mkdtempSync(join(tmpdir(), "gatehouse-policy-test-bench-"));

function generate(): void {
  writeFileSync(
    join(dir, "gen.rego"),
    [
      "package gen",
      "",
      'allow if input.role == "admin"',
      "",
      "level(x) := y if {",
      "\ty := x * 2",
      "}",
      "",
    ].join("\n"),
  );
  const perFile = Math.ceil(total / filesCount);
  for (let f = 0; f < filesCount; f++) {
    const lines = [`package gen_test${f}`, "", "import data.gen", ""];
    for (let i = 0; i < perFile && f * perFile + i < total; i++) {
      lines.push(
        `test_t${i} if {`,
        `\tgen.allow with input as {"role": "admin", "n": ${i}}`,
        `\tgen.level(${i}) == ${i * 2}`,
        "}",
        "",
      );
    }
    writeFileSync(join(dir, `t${f}_test.rego`), lines.join("\n"));
  }
}

async function measure(coverage: boolean): Promise<void> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const report = await runTestsInPaths([dir], { coverage });
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const passed = report.results.filter((r) => outcomeOf(r) === "PASS").length;
  const evalMs = report.results.reduce((sum, r) => sum + r.duration, 0) / 1e6;
  console.log(
    `${coverage ? "with --coverage" : "without coverage"}: ${passed}/${report.results.length} passed, ` +
      `wall ${(wallMs / 1000).toFixed(2)} s, CPU ${((used.user + used.system) / 1e6).toFixed(2)} s, ` +
      `evaluation ${evalMs.toFixed(1)} ms in total` +
      (report.coverage ? `, coverage ${report.coverage.coverage.toFixed(2)}%` : ""),
  );
}

try {
  generate();
  await measure(false);
  await measure(true);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
