// gatehouse token --sub alice [--groups eng,security] [--scopes ...] [--ttl 1h]: a development
// token signed with the local dev key; only a --dev gateway trusts it, from loopback only.
import type { Command } from "commander";
import { signDevToken } from "../../gateway/auth/dev-token.ts";
import { parseDuration } from "../../gateway/audit/config.ts";
import { loadConfig } from "../../gateway/config.ts";
import { CliError } from "../failure.ts";
import { commaList } from "../comma-list.ts";

interface TokenOptions {
  sub: string;
  groups?: string;
  roles?: string;
  scopes?: string;
  ttl: string;
  audience?: string;
  config?: string;
  dataDir?: string;
}

/** Adds options and action to `gatehouse token` (cli/program.ts creates it). */
export function defineTokenCommand(command: Command): void {
  command
    .requiredOption("--sub <subject>", "the principal's subject")
    .option("--groups <list>", "comma-separated groups")
    .option("--roles <list>", "comma-separated roles")
    .option("--scopes <list>", "comma-separated scopes")
    .option("--ttl <duration>", "lifetime, e.g. 1h, 30m (at most 7d)", "1h")
    .option("--audience <uri>", "the gateway's resource URI (default: from the config)")
    .option("--config <file>", "gateway config file (dataDir, host, port, auth.resource)")
    .option("--data-dir <dir>", "data dir holding the dev key (default: the config's dataDir)")
    .action(async (options: TokenOptions) => console.log(await devToken(options)));
}

export async function devToken(options: TokenOptions): Promise<string> {
  const config = loadConfig({ file: options.config, env: process.env });
  const ttlMs = parseDuration(options.ttl);
  if (ttlMs === undefined || ttlMs < 1000)
    throw new CliError(
      `--ttl: expected a duration like 1h or 30m, got ${JSON.stringify(options.ttl)}`,
    );
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  try {
    return await signDevToken(options.dataDir ?? config.dataDir, {
      sub: options.sub,
      audience: options.audience ?? config.auth.resource ?? `http://${host}:${config.port}/mcp`,
      groups: commaList(options.groups),
      roles: commaList(options.roles),
      scopes: commaList(options.scopes),
      ttlSeconds: Math.floor(ttlMs / 1000),
    });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}
