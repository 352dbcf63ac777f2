// gatehouse catalog validate <dir> [--check-secrets] [--config file] [--dev]
import type { Command } from "commander";
import {
  CatalogError,
  credentialSecretReferences,
  loadCatalog,
  resolveSecrets,
  SecretResolutionError,
  type Catalog,
} from "../../gateway/catalog/index.ts";
import { loadConfig } from "../../gateway/config.ts";
import { egressSettings } from "../../gateway/egress/config.ts";
import { EgressPolicy } from "../../gateway/egress/policy.ts";

interface ValidateOptions {
  checkSecrets?: boolean;
  config?: string;
  dev?: boolean;
}

/** Adds the subcommands to `gatehouse catalog` (cli/program.ts creates it). */
export function defineCatalogCommands(catalog: Command): void {
  catalog
    .command("validate")
    .description(
      "check every file of a catalog folder; print each problem with its file and field path",
    )
    .argument("<dir>", "catalog folder holding servers/*.yaml and virtual/*.yaml")
    .option(
      "--check-secrets",
      "also resolve every secret reference (env:, file:) without printing values",
    )
    .option(
      "--config <file>",
      "the gateway config (also GATEHOUSE_CONFIG): URLs are checked against its egress rules",
    )
    .option("--dev", "check as for `serve --dev` (loopback upstreams allowed)")
    .action((dir: string, options: ValidateOptions) => validateCatalog(dir, options));
}

function validateCatalog(dir: string, options: ValidateOptions): void {
  // the egress rules `serve` would run with: same config file, environment and --dev
  const config = loadConfig({
    file: options.config,
    env: process.env,
    flags: options.dev ? { dev: true } : {},
  });
  const catalog = loadCatalog(dir, { egress: new EgressPolicy(egressSettings(config)) });
  if (options.checkSecrets) {
    const problems = unresolvedSecrets(catalog);
    if (problems.length > 0) throw new CatalogError(problems);
  }
  console.log(summary(catalog, options.checkSecrets === true));
}

function unresolvedSecrets(catalog: Catalog): string[] {
  const problems: string[] = [];
  const check = (source: string, field: string, values: Record<string, string>) => {
    try {
      resolveSecrets(values);
    } catch (e) {
      if (!(e instanceof SecretResolutionError)) throw e;
      problems.push(...e.message.split("\n").map((line) => `${source}: ${field}.${line}`));
    }
  };
  for (const server of catalog.servers.values()) {
    const { transport } = server;
    if (transport.type === "stdio") check(server.source, "transport.env", transport.env);
    else check(server.source, "transport.headers", transport.headers);
    if (server.credentials)
      check(server.source, "credentials", credentialSecretReferences(server.credentials));
  }
  return problems;
}

function summary(catalog: Catalog, secretsChecked: boolean): string {
  const servers = [...catalog.servers.keys()];
  const virtual = [...catalog.virtualServers.keys()];
  const tools = [...catalog.servers.values()].reduce((n, s) => n + Object.keys(s.tools).length, 0);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return (
    `${catalog.dir}: valid: ${plural(servers.length, "server")} (${servers.join(", ") || "none"}), ` +
    `${plural(virtual.length, "virtual server")} (${virtual.join(", ") || "none"}), ${plural(tools, "tool")} with metadata` +
    (secretsChecked ? ", every secret reference resolves" : "")
  );
}
