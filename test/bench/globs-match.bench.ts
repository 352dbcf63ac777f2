// node cli/bin/run-typescript.js test/bench/globs-match.bench.ts
// regex.globs_match on a typical pair, and on the largest pairs of a few shapes that the bound
// MAX_INTERSECTION_WORK (rego/builtins/host/globs-match.ts) still lets through: the worst cases a
// policy can ask for. Prints the median CPU time of each over a few runs.
import {
  globsIntersect,
  MAX_INTERSECTION_WORK,
  parseGlob,
  transitionEstimate,
} from "../../rego/builtins/host/globs-match.ts";

const work = (a: string, b: string): number =>
  transitionEstimate(parseGlob(a)) * transitionEstimate(parseGlob(b));

/** The pair of `left`/`right` repeated the most times that stays within the bound. */
function largest(left: string, right: string): [string, string] {
  let k = 1;
  while (work(left.repeat(k + 1), right.repeat(k + 1)) <= MAX_INTERSECTION_WORK) k++;
  return [left.repeat(k), right.repeat(k)];
}

const shapes: [string, [string, string]][] = [
  ["typical", ["api.*.example.com", "[a-z]+.example.[a-z]+"]],
  ["[a-z]*x vs [a-y]+", largest("[a-z]*x", "[a-y]+")],
  [".*a vs .*b", largest(".*a", ".*b")],
  ["a vs .*", largest("a", ".*")],
  ["a* vs a*", largest("a*", "a*")],
];

for (const [name, [a, b]] of shapes) {
  const times: number[] = [];
  let result = false;
  for (let run = 0; run < 5; run++) {
    const start = process.cpuUsage();
    result = globsIntersect(a, b);
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  times.sort((x, y) => x - y);
  console.log(
    `${name.padEnd(20)} ${String(a.length).padStart(5)} + ${String(b.length).padStart(5)} chars, ` +
      `work ${String(work(a, b)).padStart(6)}: ${result}, median ${times[2]!.toFixed(1)} ms CPU`,
  );
}
