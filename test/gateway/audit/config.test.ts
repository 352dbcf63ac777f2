// The `audit` config section: defaults, layering, GATEHOUSE_AUDIT_STORE, and errors naming the source.
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, resolve } from "../../../gateway/config.ts";
import { DEFAULT_SECRET_PATTERNS } from "../../../gateway/redaction.ts";
import { useTempDir } from "../../helpers/temp-dir.ts";

describe("audit config", () => {
  const temp = useTempDir("gatehouse-audit-config");

  it("defaults to SQLite in the data folder, buffering when the store is down", () => {
    expect(resolve([]).audit).toMatchObject({
      enabled: true,
      store: null,
      onStoreFailure: "buffer",
      batchWindowMs: 50,
      batchMaxRecords: 500,
      retention: null,
      secretPatterns: [...DEFAULT_SECRET_PATTERNS],
    });
  });

  it("layers file < env < flags field by field, and adds configured patterns to the built-in ones", () => {
    const file = temp.put(
      "gatehouse.yaml",
      "audit:\n  store: /var/lib/gatehouse/a.db\n  retention: 90d\n  onStoreFailure: deny\n  secretPatterns: ['internal-[0-9]{6}']\n",
    );
    const config = loadConfig({
      file,
      env: { GATEHOUSE_AUDIT_STORE: "postgres://audit@db/gatehouse" },
      flags: { audit: { batchWindowMs: 10 } },
    });
    expect(config.audit).toMatchObject({
      store: "postgres://audit@db/gatehouse",
      retention: "90d",
      onStoreFailure: "deny",
      batchWindowMs: 10,
      secretPatterns: [...DEFAULT_SECRET_PATTERNS, "internal-[0-9]{6}"],
    });
    const only = resolve([{ audit: { defaultSecretPatterns: false, secretPatterns: ["x{9}"] } }]);
    expect(only.audit.secretPatterns).toEqual(["x{9}"]);
  });

  it("names the source and field of a bad value", () => {
    const file = temp.put(
      "bad.yaml",
      "audit:\n  retention: forever\n  onStoreFailure: drop\n  secretPatterns: ['([a-z']\n",
    );
    let error: ConfigError | undefined;
    try {
      loadConfig({ file, env: { GATEHOUSE_AUDIT_STORE: " " } });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toEqual(
      expect.arrayContaining([
        `${file}: audit.retention: must be a duration like 90d, 12h or 30m`,
        expect.stringMatching(
          new RegExp(`^${file}: audit.onStoreFailure: must be one of deny, buffer`),
        ),
        `${file}: audit.secretPatterns[0]: is not a valid regular expression`,
        expect.stringMatching(
          /^GATEHOUSE_AUDIT_STORE: must be a SQLite file path or a postgres:\/\/ URL/,
        ),
      ]),
    );
  });
});
