// gatehouse policy diff over real git repositories (temp folders) and a recorded set of decisions
// (test/fixtures/policy-diff/decisions.jsonl) whose flips between policy v1 and v2 are known:
//   d-2, d-9 bob github/create_issue   allow -> deny   (bob is no longer an admin)
//   d-3      bob github/delete_repo    allow -> deny
//   d-4      bob github/get_issue      reasons changed (admin -> read-only tool)
//   d-5      carol github/search       deny -> allow   (search became a read tool)
//   d-6      carol github/get_issue    reasons changed (read tool -> read-only tool)
//   d-1, d-7, d-8                      unchanged
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runGatehouse, spawnGatehouse } from "./policy-check-run.ts";
import { RegoError } from "../../rego/errors.ts";
import { compileFolder, diffPolicies, formatDiff, summaryOf } from "../../cli/policy-diff/index.ts";
import { readJsonLines } from "../../cli/policy-diff/records.ts";
import {
  commitAll,
  DECISIONS,
  initRepository,
  policyHistory,
  putFixture,
} from "../fixtures/policy-diff/git-repo.ts";
import { useTempDir } from "../helpers/temp-dir.ts";

const tmp = useTempDir("gatehouse-policy-diff");
/** The recorded decisions replayed in the temp repository between `base` and `head`. */
const replay = (base: string, head?: string) =>
  diffPolicies({ repo: tmp.path, base, head, decisions: DECISIONS });
const runInProcess = (...args: string[]) => runGatehouse("policy", "diff", ...args);

describe("policy diff", { timeout: 120_000 }, () => {
  it("reports every flipped decision between two revisions, grouped by principal and tool", async () => {
    await policyHistory(tmp.path);
    const report = await replay("v1", "v2");
    expect(report.replayed).toBe(9);
    expect(report.counts).toEqual({
      "allow->deny": 3,
      "deny->allow": 1,
      "reasons changed": 2,
      "list changed": 0,
      total: 6,
    });
    expect(report.groups.map((g) => [g.principal, g.tool, g.counts.total])).toEqual([
      ["bob", "github/create_issue", 2],
      ["bob", "github/delete_repo", 1],
      ["bob", "github/get_issue", 1],
      ["carol", "github/get_issue", 1],
      ["carol", "github/search", 1],
    ]);
    const byDecision = Object.fromEntries(report.changes.map((c) => [c.decision, c]));
    expect(Object.keys(byDecision)).toEqual([
      "d-2",
      `${DECISIONS}:3`, // the line without a decision_id is named by file and line
      "d-4",
      "d-5",
      "d-6",
      "d-9",
    ]);
    expect(byDecision["d-5"]).toMatchObject({
      kind: "deny->allow",
      base: { allow: false, reasons: ["not granted"] },
      head: { allow: true, reasons: ["read-only tool"] },
    });
    expect(byDecision["d-4"]).toMatchObject({
      kind: "reasons changed",
      base: { allow: true, reasons: ["admin"] },
      head: { allow: true, reasons: ["read-only tool"] },
    });
    // d-8 was recorded as allowed although v1 denies it
    expect(report.recordedDisagreements).toBe(1);
    expect(report.changedFiles).toEqual([
      { status: "M", path: "policies/access/data.json" },
      { status: "M", path: "policies/gatehouse/decision.rego" },
    ]);
    expect(report.base.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(report.base.policyRevision).not.toBe(report.head.policyRevision);
  });

  it("takes the work tree as head by default, including uncommitted edits", async () => {
    const git = await policyHistory(tmp.path);
    // the work tree goes back to v1's data: only the reworded reason is left as a change
    putFixture(tmp.path, "v1/policies/access", "policies/access");
    const report = await replay("v1");
    expect(report.head).toMatchObject({ ref: "work tree", commit: undefined });
    expect(report.counts).toEqual({
      "allow->deny": 0,
      "deny->allow": 0,
      "reasons changed": 1,
      "list changed": 0,
      total: 1,
    });
    expect(report.changes.map((c) => c.decision)).toEqual(["d-6"]);
    expect(report.changedFiles).toEqual([
      { status: "M", path: "policies/gatehouse/decision.rego" },
    ]);
    expect((await git.status()).isClean()).toBe(false); // the diff left the edit alone
  });

  it("finds no change between revisions whose decisions agree", async () => {
    const git = await policyHistory(tmp.path);
    writeFileSync(
      join(tmp.path, "policies/gatehouse/notes.rego"),
      'package gatehouse.notes\n\nowner := "security"\n',
    );
    await commitAll(git, "add notes", "v3");
    const report = await replay("v2", "v3");
    expect(report.replayed).toBe(9);
    expect(report.counts.total).toBe(0);
    expect(report.changes).toEqual([]);
    expect(report.changedFiles).toEqual([{ status: "A", path: "policies/gatehouse/notes.rego" }]);
  });

  it("prints a Markdown report fit for a pull-request comment", async () => {
    await policyHistory(tmp.path);
    const report = await replay("v1", "v2");
    const md = formatDiff(summaryOf(report), "markdown");
    expect(md).toContain(
      "**replayed 9 recorded decisions: 6 change (3 allow → deny, 1 deny → allow, 2 reasons changed)**",
    );
    expect(md).toContain("| bob | github/create_issue | 2 | 0 | 0 |");
    expect(md).toContain("| carol | github/search | 0 | 1 | 0 |");
    expect(md).toContain(
      "| d-5 | carol | github/search | deny → allow | deny: not granted | allow: read-only tool |",
    );
    expect(md).toMatch(/^### Policy decision diff: `v1 \([0-9a-f]{8}\)` → `v2 \([0-9a-f]{8}\)`/);
  });

  it("names the revision, file and position of broken Rego", async () => {
    const git = await policyHistory(tmp.path);
    writeFileSync(
      join(tmp.path, "policies/gatehouse/broken.rego"),
      "package gatehouse\n\nallow if {\n",
    );
    await commitAll(git, "broken", "broken");
    const error = await replay("v2", "broken").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegoError);
    const issue = (error as RegoError).issues[0]!;
    expect(issue.code).toBe("rego_parse_error");
    expect(issue.location?.file).toBe("broken:policies/gatehouse/broken.rego");
  });

  it("refuses unknown refs, folders outside git, a missing policy folder and bad records", async () => {
    await expect(diffPolicies({ repo: tmp.path, base: "v1" })).rejects.toThrow(
      /not inside a git work tree/,
    );
    await policyHistory(tmp.path);
    await expect(diffPolicies({ repo: tmp.path, base: "nope" })).rejects.toThrow(
      /--base nope: no such commit, branch or tag/,
    );
    await expect(diffPolicies({ repo: tmp.path, base: "--output=x" })).rejects.toThrow(
      /not a git revision name/,
    );
    await expect(
      diffPolicies({ repo: tmp.path, base: "v1", head: "v2", policies: "rules" }),
    ).rejects.toThrow(/v1: the folder rules does not exist at this revision/);
    const bad = tmp.put("bad.jsonl", '{"input": {"principal": {}}}\n{"allow": true}\n');
    await expect(
      diffPolicies({ repo: tmp.path, base: "v1", head: "v2", decisions: bad }),
    ).rejects.toThrow(`${bad}:2: the record has no "input" object`);
  });
});

describe("policy diff of list methods", { timeout: 120_000 }, () => {
  /** A policy showing every candidate, except `hidden` to principals outside the admins. */
  const listPolicy = (hidden: string[]) => `package gatehouse

import rego.v1

decision := {"allow": true, "reasons": ["listed"], "visible_tools": visible}

hidden := ${JSON.stringify(hidden)}

visible := sort([name |
	some c in input.list
	name := concat("__", [c.server, c.name])
	any_shown(name)
])

any_shown(_) if input.principal.sub == "alice"

any_shown(name) if not name in hidden
`;
  const listRecord = (id: string, sub: string, groups: string[]) => ({
    decision_id: id,
    time: "2026-11-20T10:00:00Z",
    allow: true,
    reasons: ["listed"],
    principal: { sub, groups },
    method: "tools/list",
    input: {
      version: 1,
      principal: { sub, groups, auth: "jwt" },
      mcp: { method: "tools/list", server: null, tool: null },
      list: [
        { server: "github", name: "get_issue", risk: "read", tags: [] },
        { server: "github", name: "delete_repo", risk: "destructive", tags: [] },
        { server: "filesystem", name: "write_file", risk: "write", tags: [] },
      ],
    },
  });

  it("reports the tools a change hides from tools/list, and those it shows, per principal", async () => {
    const git = await initRepository(tmp.path);
    writeFileSync(join(tmp.path, "policy.rego"), listPolicy([]));
    await commitAll(git, "everything listed", "v1");
    writeFileSync(
      join(tmp.path, "policy.rego"),
      listPolicy(["github__delete_repo", "filesystem__write_file"]),
    );
    await commitAll(git, "hide destructive and write tools from non-admins", "v2");
    const records = join(tmp.path, "lists.jsonl");
    writeFileSync(
      records,
      [listRecord("l-1", "alice", ["security"]), listRecord("l-2", "carol", ["contractors"])]
        .map((r) => JSON.stringify(r))
        .join("\n"),
    );

    const report = await diffPolicies({
      repo: tmp.path,
      base: "v1",
      head: "v2",
      policies: ".",
      decisions: records,
    });
    expect(report.counts).toMatchObject({ "list changed": 1, "reasons changed": 0, total: 1 });
    expect(report.changes).toEqual([
      expect.objectContaining({
        kind: "list changed",
        decision: "l-2",
        principal: "carol",
        tool: "tools/list",
        hidden: ["filesystem__write_file", "github__delete_repo"],
        shown: [],
      }),
    ]);
    const text = formatDiff(summaryOf(report), "text");
    expect(text).toContain("replayed 2 recorded decisions: 1 change (1 list changed)");
    expect(text).toContain(
      "after:  hidden: filesystem__write_file, github__delete_repo; shown: (none)",
    );

    // and the other way round: the tools come back
    const back = await diffPolicies({
      repo: tmp.path,
      base: "v2",
      head: "v1",
      policies: ".",
      decisions: records,
    });
    expect(back.changes[0]).toMatchObject({
      shown: ["filesystem__write_file", "github__delete_repo"],
      hidden: [],
    });
    expect(formatDiff(summaryOf(back), "markdown")).toContain(
      "| carol | tools/list | 0 | 0 | 0 | 1 |",
    );
  });
});

describe("replay clock", { timeout: 120_000 }, () => {
  it("evaluates time.now_ns at each record's recorded time", async () => {
    tmp.put(
      "policies/decision.rego",
      [
        "package gatehouse",
        "",
        "# requests are allowed until the end of 2026",
        'decision := {"allow": time.now_ns() < time.parse_rfc3339_ns("2027-01-01T00:00:00Z"), "reasons": []}',
        "",
      ].join("\n"),
    );
    const { replayer } = await compileFolder(join(tmp.path, "policies"), tmp.path, "t");
    const lines = tmp.put(
      "decisions.jsonl",
      ["2026-06-01T00:00:00Z", "2027-06-01T00:00:00Z"]
        .map((time) => JSON.stringify({ time, input: { principal: { sub: "a" } } }))
        .join("\n"),
    );
    const verdicts = [];
    for await (const record of readJsonLines(lines))
      verdicts.push(replayer.decide(record.input, record.time).allow);
    expect(verdicts).toEqual([true, false]);
  });
});

describe("gatehouse policy diff (command line)", { timeout: 180_000 }, () => {
  it("exits 3 when decisions flip; json output carries the counts", async () => {
    await policyHistory(tmp.path);
    const flips = spawnGatehouse(
      tmp.path,
      "policy",
      "diff",
      "--base",
      "v1",
      "--head",
      "v2",
      "--decisions",
      DECISIONS,
      "--format",
      "json",
    );
    expect(flips.stderr).toBe("");
    expect(flips.code).toBe(3);
    const json = JSON.parse(flips.stdout);
    expect(json).toMatchObject({
      replayed: 9,
      changed: 6,
      counts: { "allow->deny": 3, "deny->allow": 1, "reasons changed": 2, "list changed": 0 },
    });
    expect(json.groups[0]).toEqual({
      principal: "bob",
      tool: "github/create_issue",
      changed: 2,
      counts: { "allow->deny": 2, "deny->allow": 0, "reasons changed": 0, "list changed": 0 },
    });
  });

  it("exits 0 when nothing flips and 2 on a bad ref or outside git (in process)", async () => {
    await policyHistory(join(tmp.path, "repo"));
    const repo = join(tmp.path, "repo");
    const same = await runInProcess("--repo", repo, "--base", "v2", "--decisions", DECISIONS);
    expect(same).toMatchObject({ code: 0, stderr: "" });
    expect(same.stdout).toContain("replayed 9 recorded decisions: none changes");

    const missing = await runInProcess("--repo", repo, "--base", "release-9");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--base release-9: no such commit, branch or tag");

    const outside = await runInProcess("--repo", tmp.path, "--base", "main");
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain("not inside a git work tree");
  });
});
