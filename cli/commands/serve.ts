// gatehouse serve [--config f] [--host h] [--port p] [--dev | --api-keys-only] [--catalog dir]
//                 [--policies dir...] [--repo url-or-path] [--branch b | --tag t] [--subdir d]
//                 [--poll dur] [--no-sync] [--policy-budget units] [--policy-max-memory MiB]
import type { Command } from "commander";
import { loadConfig, type ConfigLayer } from "../../gateway/config.ts";
import { DEFAULT_POLICY_LIMITS } from "../../gateway/policy/config.ts";
import { CliError } from "../failure.ts";
import { stopOnSignals } from "../stop-signals.ts";
import { requireTokenIssuer } from "../token-issuer.ts";

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
  policyBudget?: string;
  policyMaxMemory?: string;
  apiKeysOnly?: boolean;
}

/** Adds options and action to `gatehouse serve` (cli/program.ts creates it). */
export function defineServeCommand(command: Command): void {
  command
    .option("--config <file>", "YAML config file (also GATEHOUSE_CONFIG)")
    .option("--host <host>", "address to bind (default 127.0.0.1)")
    .option("--port <port>", "port to listen on (default 8080; 0 picks a free one)")
    .option("--dev", "use the development principal for loopback requests (loopback binds only)")
    .option(
      "--api-keys-only",
      "start without a token issuer: only API keys authenticate (OAuth clients cannot sign in)",
    )
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
    .option(
      "--policy-budget <units>",
      `units of work one decision may spend before it is denied (policy.budget; default ${DEFAULT_POLICY_LIMITS.budget})`,
    )
    .option(
      "--policy-max-memory <MiB>",
      `memory cap of the policy; a decision that needs more is denied (policy.maxMemoryMiB; default ${DEFAULT_POLICY_LIMITS.maxMemoryMiB})`,
    )
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
  const policy: NonNullable<ConfigLayer["policy"]> = {};
  // integers here; their range is checked with the rest of the layer (gateway/policy/config.ts)
  if (options.policyBudget !== undefined)
    policy.budget = integerFlag("--policy-budget", options.policyBudget);
  if (options.policyMaxMemory !== undefined)
    policy.maxMemoryMiB = integerFlag("--policy-max-memory", options.policyMaxMemory);
  if (Object.keys(policy).length > 0) flags.policy = policy;
  return flags;
}

function integerFlag(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) {
    throw new CliError(`${flag}: expected a positive integer, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

async function serve(options: ServeOptions): Promise<void> {
  const config = loadConfig({ file: options.config, env: process.env, flags: flagLayer(options) });
  requireTokenIssuer(config, { apiKeysOnly: options.apiKeysOnly === true });
  // the gateway and the Rego toolchain load only now: `serve --help` and a bad flag stay quick
  const { startGateway } = await import("../../gateway/sync/index.ts");
  const starting = startGateway(config);
  // SIGTERM/SIGINT/SIGHUP stop it, also during the start (the start ends, then the shutdown runs)
  stopOnSignals(async () => (await starting).close(), config.limits.shutdownGraceMs + 10_000);
  const running = await starting;
  const { gateway } = running;
  const revision = gateway.current().policy.revision;
  const dev = config.dev ? ", DEVELOPMENT PRINCIPAL on loopback" : "";
  console.log(`gatehouse: serving ${gateway.url} (policy revision ${revision}${dev})`);
  if (running.sync) {
    const { source } = running.sync.status();
    const watching = source.watching ? "watching for commits, " : "";
    console.log(
      `gatehouse: following ${source.repo} (${source.ref}, ${watching}polling every ${source.pollSeconds}s)`,
    );
  }
}
