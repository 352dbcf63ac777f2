// `gatehouse policy build` takes rules and packages marked `entrypoint: true` in METADATA as
// entrypoints, besides those named with -e, as `opa build` does.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readBundle } from "../../rego/bundle/index.ts";
import { annotatedEntrypoints, parseModule } from "../../rego/index.ts";
import { gatehouse } from "../gateway/audit/cli-run.ts";
import { useTempDir } from "../helpers/temp-dir.ts";

const tmpDir = useTempDir("gatehouse-entrypoints");
const at = (path: string) => join(tmpDir.path, path);

const authz = [
  "package gatehouse.authz",
  "",
  "# METADATA",
  "# entrypoint: true",
  "default allow := false",
  "",
  "allow if input.admin",
  "",
  'reasons contains "not admin" if not input.admin',
].join("\n");

const limits = [
  "# METADATA",
  "# entrypoint: true",
  "package gatehouse.limits",
  "",
  "max := 3",
].join("\n");

describe("entrypoint annotations", () => {
  it("lists annotated rules (document scope) and packages as slash paths", () => {
    const modules = [parseModule(authz, "authz.rego"), parseModule(limits, "limits.rego")];
    expect(annotatedEntrypoints(modules)).toEqual(["gatehouse/authz/allow", "gatehouse/limits"]);
  });

  describe("gatehouse policy build", { timeout: 180_000 }, () => {
    it("builds the annotated entrypoints, with or without -e", async () => {
      tmpDir.put("policies/authz.rego", authz);
      tmpDir.put("policies/limits.rego", limits);
      const run = await gatehouse(
        "policy",
        "build",
        at("policies"),
        "-e",
        "gatehouse/authz/reasons",
        "-o",
        at("b.tar.gz"),
      );
      expect(run.err).toBe("");
      expect(run.code).toBe(0);
      const manifest = readBundle(readFileSync(at("b.tar.gz"))).manifest;
      expect(manifest.wasm?.map((w) => w.entrypoint)).toEqual([
        "gatehouse/authz/reasons",
        "gatehouse/authz/allow",
        "gatehouse/limits",
      ]);
    });

    it("asks for an entrypoint when neither -e nor METADATA names one", async () => {
      tmpDir.put("plain/p.rego", "package p\n\nx := 1\n");
      const run = await gatehouse("policy", "build", at("plain"), "-o", at("b.tar.gz"));
      expect(run.code).toBe(1);
      expect(run.err.trim()).toBe(
        "no entrypoints: name rules with -e, or mark them `entrypoint: true` in a METADATA block",
      );
    });
  });
});
