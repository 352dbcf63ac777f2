// gatehouse catalog validate <dir> [--check-secrets]
import type { Command } from "commander";
import {
  CatalogError,
  credentialSecretReferences,
  loadCatalog,
  resolveSecrets,
  SecretResolutionError,
  type Catalog,
} from "../../gateway/catalog/index.ts";

interface ValidateOptions {
  checkSecrets?: boolean;
}

export function registerCatalogCommands(program: Command): void {
  const catalog = program
    .command("catalog")
    .description("check the catalog of upstream and virtual servers");
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
    .action((dir: string, options: ValidateOptions) => validateCatalog(dir, options));
}

function validateCatalog(dir: string, options: ValidateOptions): void {
  const catalog = loadCatalog(dir);
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
