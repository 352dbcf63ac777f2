// gatehouse serve [--config f] [--host h] [--port p] [--dev] [--catalog dir] [--policies dir...]
//                 [--repo url-or-path] [--branch b | --tag t] [--subdir d] [--poll dur] [--no-sync]
import type { Command } from "commander";
import { loadConfig, type ConfigLayer } from "../../gateway/config.ts";
import { startGateway } from "../../gateway/sync/index.ts";
import { CliError } from "../failure.ts";

interface ServeOptions {
  config?: string;
  host?: string;
  port?: string;
  dev?: boolean;
  catalog?: string;
  policies?: string[];
  repo?: string;
  branch?: string;
  tag?: string;
  subdir?: string;
  poll?: string;
  /** commander's --no-sync */
  sync?: boolean;
}

export function registerServeCommands(program: Command): void {
  program
    .command("serve")
    .description("run the MCP gateway (Streamable HTTP at /mcp, probes at /healthz and /readyz)")
    .option("--config <file>", "YAML config file (also GATEHOUSE_CONFIG)")
    .option("--host <host>", "address to bind (default 127.0.0.1)")
    .option("--port <port>", "port to listen on (default 8080; 0 picks a free one)")
    .option("--dev", "use the development principal for loopback requests (loopback binds only)")
    .option("--catalog <dir>", "catalog folder (default catalog)")
    .option("--policies <dir...>", "policy folders (default policies)")
    .option(
      "--repo <url-or-path>",
      "follow this Git repository's catalog and policies (docs/sync.md)",
    )
    .option("--branch <name>", "branch to follow (default: the repository's default branch)")
    .option("--tag <name>", "tag to follow instead of a branch")
    .option("--subdir <dir>", "folder of the repository holding catalog/ and policies/")
    .option("--poll <duration>", "how often to fetch, e.g. 30s or 5m (default 30s)")
    .option("--no-sync", "serve the folders as they are; do not follow any repository")
    .action((options: ServeOptions) => serve(options));
}

function flagLayer(options: ServeOptions): ConfigLayer {
  const flags: ConfigLayer = {};
  if (options.host !== undefined) flags.host = options.host;
  if (options.port !== undefined) {
    if (!/^\d+$/.test(options.port) || Number(options.port) > 65535) {
      throw new CliError(
        `--port: expected an integer 0-65535, got ${JSON.stringify(options.port)}`,
      );
    }
    flags.port = Number(options.port);
  }
  if (options.dev) flags.dev = true;
  if (options.catalog !== undefined) flags.catalogDir = options.catalog;
  if (options.policies !== undefined) flags.policyDirs = options.policies;
  const sync: NonNullable<ConfigLayer["sync"]> = {};
  if (options.repo !== undefined) sync.repo = options.repo;
  if (options.branch !== undefined) sync.branch = options.branch;
  if (options.tag !== undefined) sync.tag = options.tag;
  if (options.subdir !== undefined) sync.subdir = options.subdir;
  if (options.poll !== undefined) sync.poll = options.poll;
  if (options.sync === false) sync.enabled = false;
  if (Object.keys(sync).length > 0) flags.sync = sync;
  return flags;
}

async function serve(options: ServeOptions): Promise<void> {
  const config = loadConfig({ file: options.config, env: process.env, flags: flagLayer(options) });
  const running = await startGateway(config);
  const { gateway } = running;
  const revision = gateway.current().policy.revision;
  const dev = config.dev ? ", DEVELOPMENT PRINCIPAL on loopback" : "";
  console.log(`gatehouse: serving ${gateway.url} (policy revision ${revision}${dev})`);
  if (running.sync) {
    const { source } = running.sync.status();
    console.log(
      `gatehouse: following ${source.repo} (${source.ref}, every ${source.pollSeconds}s)`,
    );
  }

  const stop = (signal: string) => {
    process.stderr.write(`gatehouse: ${signal}: shutting down\n`);
    // a second signal, or a shutdown that outlives the grace period by far, ends the process anyway
    const force = setTimeout(() => process.exit(1), config.limits.shutdownGraceMs + 10_000);
    force.unref();
    running.close().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(
          `gatehouse: shutdown failed: ${e instanceof Error ? e.message : String(e)}\n`,
        );
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}
