// Planner end to end without Wasm: OPA's language-core conformance cases, parsed and compiled by
// rego/syntax and rego/compile, planned, and run by the test IR interpreter. Cases needing a
// builtin the interpreter lacks are skipped; every other case must pass.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LANGUAGE_CORE_TOPICS, runTopic } from "./conformance-oracle.ts";

const corpus = join(import.meta.dirname, "../../../../shared/conformance/opa");

describe.skipIf(!existsSync(corpus))("language-core conformance through the IR interpreter", () => {
  for (const topic of LANGUAGE_CORE_TOPICS) {
    it(topic, () => {
      const failures = runTopic(topic)
        .filter((r) => r.outcome.status === "fail")
        .map((r) => `${r.note}: ${r.outcome.status === "pass" ? "" : r.outcome.reason}`);
      expect(failures).toEqual([]);
    });
  }
});
