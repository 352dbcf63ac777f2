import { describe, expect, it } from "vitest";
import { unknownEntrypoints } from "../../cli/commands/policy/entrypoints.ts";

const files = [
  {
    file: "authz.rego",
    source:
      "package gatehouse.authz\n\ndefault allow := false\n\nlimits.max_calls := 3\n\nroles[name] := 1 if some name in input.roles\n",
  },
];

describe("unknownEntrypoints", () => {
  it("accepts rules, packages, ref heads and paths into a rule's value", () => {
    const known = [
      "gatehouse/authz/allow",
      "gatehouse/authz",
      "gatehouse",
      "gatehouse/authz/limits/max_calls",
      "gatehouse/authz/roles/admin",
    ];
    expect(unknownEntrypoints(files, known)).toEqual([]);
  });

  it("names entrypoints that match nothing", () => {
    expect(
      unknownEntrypoints(files, ["gatehouse/authz/alow", "other", "gatehouse/authz/limits/min"]),
    ).toEqual(["gatehouse/authz/alow", "other", "gatehouse/authz/limits/min"]);
  });
});
