import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  parseSecretReference,
  resolveSecret,
  resolveSecrets,
  SecretResolutionError,
} from "../../../gateway/catalog/index.ts";

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "gatehouse-secrets-"));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const env = { GITHUB_TOKEN: "ghp_value-from-env", EMPTY: "" };

function failure(run: () => unknown): SecretResolutionError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(SecretResolutionError);
    return e as SecretResolutionError;
  }
  throw new Error("resolved without an error");
}

describe("secret references", () => {
  it("parses literals, env: and file: references", () => {
    expect(parseSecretReference("plain")).toEqual({ kind: "literal", value: "plain" });
    expect(parseSecretReference("env:GITHUB_TOKEN")).toEqual({ kind: "env", name: "GITHUB_TOKEN" });
    expect(parseSecretReference("file:/run/secrets/t")).toEqual({
      kind: "file",
      path: "/run/secrets/t",
    });
  });

  it("resolves literals, environment variables and files (dropping the file's final newline)", () => {
    const path = join(tmp, "token");
    writeFileSync(path, "file-secret-value\n");
    expect(resolveSecret("literal-value", env)).toBe("literal-value");
    expect(resolveSecret("env:GITHUB_TOKEN", env)).toBe("ghp_value-from-env");
    expect(resolveSecret(`file:${path}`, env)).toBe("file-secret-value");
  });

  it("names a missing variable or file by its reference", () => {
    expect(failure(() => resolveSecret("env:NOT_SET", env)).message).toBe(
      "secret reference env:NOT_SET: environment variable NOT_SET is not set",
    );
    expect(failure(() => resolveSecret("env:EMPTY", env)).message).toBe(
      "secret reference env:EMPTY: environment variable EMPTY is empty",
    );
    const missing = join(tmp, "absent");
    expect(failure(() => resolveSecret(`file:${missing}`, env)).message).toBe(
      `secret reference file:${missing}: cannot read the file (ENOENT)`,
    );
  });

  it("reports every unresolvable entry of a map at once, and no value", () => {
    const secretFile = join(tmp, "api-key");
    writeFileSync(secretFile, "file-secret-value");
    const values = {
      Authorization: "env:GITHUB_TOKEN",
      "X-Api-Key": `file:${secretFile}`,
      "X-Trace": "literal-value",
      "X-Missing": "env:MISSING_TOKEN",
      "X-Gone": "file:/nonexistent/gatehouse/secret",
    };
    const error = failure(() => resolveSecrets(values, env));
    expect(error.message.split("\n")).toEqual([
      "X-Missing: secret reference env:MISSING_TOKEN: environment variable MISSING_TOKEN is not set",
      "X-Gone: secret reference file:/nonexistent/gatehouse/secret: cannot read the file (ENOENT)",
    ]);
    for (const value of ["ghp_value-from-env", "file-secret-value", "literal-value"]) {
      expect(error.message).not.toContain(value);
      expect(error.stack ?? "").not.toContain(value);
    }
    const { "X-Missing": _m, "X-Gone": _g, ...present } = values;
    expect(resolveSecrets(present, env)).toEqual({
      Authorization: "ghp_value-from-env",
      "X-Api-Key": "file-secret-value",
      "X-Trace": "literal-value",
    });
  });
});
