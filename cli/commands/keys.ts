// gatehouse keys create|list|revoke: API keys for machine clients, kept hashed in the data dir.
import type { Command } from "commander";
import { ApiKeyStore, type ApiKeyRecord } from "../../gateway/auth/api-keys.ts";
import { parseDuration } from "../../gateway/audit/config.ts";
import { loadConfig } from "../../gateway/config.ts";
import { commaList } from "../comma-list.ts";
import { CliError } from "../failure.ts";

interface StoreOptions {
  config?: string;
  dataDir?: string;
}

interface CreateOptions extends StoreOptions {
  sub: string;
  name?: string;
  groups?: string;
  roles?: string;
  scopes?: string;
  expires?: string;
}

/** The data dir the gateway would use: --data-dir, else the config (file, GATEHOUSE_DATA_DIR). */
export function dataDirOf(options: StoreOptions): string {
  return options.dataDir ?? loadConfig({ file: options.config, env: process.env }).dataDir;
}

function storeOf(options: StoreOptions): ApiKeyStore {
  return new ApiKeyStore(dataDirOf(options));
}

function withStoreOptions(command: Command): Command {
  return command
    .option("--config <file>", "gateway config file whose dataDir holds the keys")
    .option("--data-dir <dir>", "data dir (default: the config's dataDir, .gatehouse)");
}

/** Adds the subcommands to `gatehouse keys` (cli/program.ts creates it). */
export function defineKeysCommands(keys: Command): void {
  withStoreOptions(
    keys
      .command("create")
      .description("create an API key and print it once (it cannot be shown again)")
      .requiredOption("--sub <subject>", "the principal's subject")
      .option("--name <name>", "a label for the key")
      .option("--groups <list>", "comma-separated groups")
      .option("--roles <list>", "comma-separated roles")
      .option("--scopes <list>", "comma-separated scopes")
      .option("--expires <duration>", "lifetime, e.g. 90d, 12h (default: no expiry)"),
  ).action((options: CreateOptions) => console.log(createKey(options)));
  withStoreOptions(
    keys
      .command("list")
      .description("list API keys (ids and principals; never the keys)")
      .option("--json", "print JSON"),
  ).action((options: StoreOptions & { json?: boolean }) => console.log(listKeys(options)));
  withStoreOptions(
    keys.command("revoke").description("revoke an API key by id").argument("<id>", "key id"),
  ).action((id: string, options: StoreOptions) => console.log(revokeKey(id, options)));
}

export function createKey(options: CreateOptions): string {
  let ttlMs: number | undefined;
  if (options.expires !== undefined) {
    ttlMs = parseDuration(options.expires);
    if (ttlMs === undefined || ttlMs <= 0)
      throw new CliError(
        `--expires: expected a duration like 90d, 12h or 30m, got ${JSON.stringify(options.expires)}`,
      );
  }
  if (options.sub.trim() === "") throw new CliError("--sub: the subject must not be empty");
  const { key, record } = storeOf(options).create({
    sub: options.sub,
    name: options.name,
    groups: commaList(options.groups),
    roles: commaList(options.roles),
    scopes: commaList(options.scopes),
    ttlMs,
  });
  return [
    key,
    "",
    `id ${record.id} for sub=${record.sub}${record.expiresAt ? `, expires ${record.expiresAt}` : ""}`,
    "This key is shown once: store it now. Send it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'.",
  ].join("\n");
}

function status(record: ApiKeyRecord, now = Date.now()): string {
  if (record.revokedAt !== null) return "revoked";
  if (record.expiresAt !== null && Date.parse(record.expiresAt) <= now) return "expired";
  return "active";
}

export function listKeys(options: StoreOptions & { json?: boolean }): string {
  const records = storeOf(options).list();
  const shown = records.map(({ digest: _digest, ...rest }) => ({
    ...rest,
    status: status(rest as ApiKeyRecord),
  }));
  if (options.json) return JSON.stringify(shown, null, 2);
  if (shown.length === 0) return "no API keys";
  const rows = shown.map((r) => [
    r.id,
    r.status,
    r.sub,
    r.name ?? "",
    r.groups.join(","),
    r.scopes.join(","),
    r.expiresAt ?? "never",
  ]);
  const header = ["ID", "STATUS", "SUB", "NAME", "GROUPS", "SCOPES", "EXPIRES"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function revokeKey(id: string, options: StoreOptions): string {
  try {
    const record = storeOf(options).revoke(id);
    return `revoked ${record.id} (sub=${record.sub}) at ${record.revokedAt}`;
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}
