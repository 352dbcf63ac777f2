// policy diff reading recorded decisions straight from the gateway's audit store (SQLite and
// PostgreSQL, both real), holding the same decisions as test/fixtures/policy-diff/decisions.jsonl.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openAuditStore } from "../../gateway/audit/open.ts";
import type { RecordBody } from "../../gateway/audit/record.ts";
import { compileFolder } from "../../cli/policy-diff/compile-revision.ts";
import { openDecisionSource } from "../../cli/policy-diff/decision-source.ts";
import { replayDecisions, type Replayer } from "../../cli/policy-diff/replay.ts";
import { DECISIONS, FIXTURES } from "../fixtures/policy-diff/git-repo.ts";
import {
  body,
  dropSchema,
  POSTGRES_URL,
  postgresUnavailable,
  uniqueSchema,
} from "../gateway/audit/fixtures.ts";
import { useTempDir } from "../helpers/temp-dir.ts";

const tmp = useTempDir("gatehouse-policy-diff-store");

/** The fixture's JSON Lines records as audit record bodies. */
function fixtureBodies(): RecordBody[] {
  return readFileSync(DECISIONS, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line))
    .map((r) =>
      body({
        decision_id: r.decision_id ?? null,
        time: r.time ?? r.input.request.time,
        principal: { sub: r.input.principal.sub, iss: null, auth: "jwt", groups: [] },
        method: r.input.mcp.method,
        server: r.input.mcp.server,
        tool: r.input.mcp.tool,
        input: r.input,
        allow: r.allow ?? null,
        reasons: r.reasons ?? [],
      }),
    );
}

let v1: Replayer;
let v2: Replayer;
beforeAll(async () => {
  v1 = (await compileFolder(join(FIXTURES, "v1/policies"), FIXTURES, "v1")).replayer;
  v2 = (await compileFolder(join(FIXTURES, "v2/policies"), FIXTURES, "v2")).replayer;
}, 120_000);

async function replayFrom(spec: string, schema?: string) {
  const source = await openDecisionSource(spec, { schema });
  try {
    return { label: source.label, result: await replayDecisions(v1, v2, source.records()) };
  } finally {
    await source.close();
  }
}

const expectedGroups = [
  ["bob", "github/create_issue", 2],
  ["bob", "github/delete_repo", 1],
  ["bob", "github/get_issue", 1],
  ["carol", "github/get_issue", 1],
  ["carol", "github/search", 1],
];

describe("policy diff over the audit store", { timeout: 120_000 }, () => {
  it("replays the decisions of a SQLite store as it does the JSON Lines export", async () => {
    const path = join(tmp.path, "audit.db");
    const store = openAuditStore(path, { schema: "unused" });
    await store.append(fixtureBodies(), { durable: false });
    await store.close();

    const { result } = await replayFrom(path);
    const exported = (await replayFrom(DECISIONS)).result;
    expect(result.replayed).toBe(9);
    expect(result.counts).toEqual(exported.counts);
    expect(result.counts.total).toBe(6);
    expect(result.groups.map((g) => [g.principal, g.tool, g.counts.total])).toEqual(expectedGroups);
    // a record without a decision id is named by its place in the store
    expect(result.changes.map((c) => c.decision)[1]).toBe(`sqlite:${path} seq 3`);
  });

  it("replays the decisions of a PostgreSQL store, printing its URL without the password", async () => {
    if (await postgresUnavailable()) return; // reason printed; fails instead in CI
    const schema = uniqueSchema();
    const store = openAuditStore(POSTGRES_URL, { schema });
    try {
      await store.append(fixtureBodies(), { durable: false });
      const url = new URL(POSTGRES_URL);
      url.password = "not-the-password";
      url.username = url.username || "postgres";
      const { result, label } = await replayFrom(POSTGRES_URL, schema);
      expect(result.replayed).toBe(9);
      expect(result.groups.map((g) => [g.principal, g.tool, g.counts.total])).toEqual(
        expectedGroups,
      );
      expect(label).toContain(`schema ${schema}`);
      await expect(openDecisionSource(url.toString(), { schema: "x y" })).rejects.toThrow(
        /--decisions postgres:\/\/postgres:\*\*\*@.*cannot open the audit store/,
      );
    } finally {
      await store.close();
      await dropSchema(schema);
    }
  });
});
