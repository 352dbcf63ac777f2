// The `gatehouse` program. Each command group lives in cli/commands/<group>.ts and is imported only
// when the command line names it: the groups pull in the gateway, the stores or the Rego toolchain
// (hundreds of milliseconds to load), and `--help` or `token` should not wait for them.
import { Command } from "commander";

type Define = (command: Command) => void;

interface CommandGroup {
  name: string;
  description: string;
  /** imports the group's module; its function adds options, subcommands and actions */
  load: () => Promise<Define>;
}

const GROUPS: readonly CommandGroup[] = [
  {
    name: "policy",
    description: "build and evaluate Rego policies",
    load: async () => (await import("./commands/policy.ts")).definePolicyCommands,
  },
  {
    name: "catalog",
    description: "check the catalog of upstream and virtual servers",
    load: async () => (await import("./commands/catalog.ts")).defineCatalogCommands,
  },
  {
    name: "serve",
    description: "run the MCP gateway (Streamable HTTP at /mcp, probes at /healthz and /readyz)",
    load: async () => (await import("./commands/serve.ts")).defineServeCommand,
  },
  {
    name: "status",
    description: "show a running gateway's active revision, last sync attempt and upstream health",
    load: async () => (await import("./commands/status.ts")).defineStatusCommand,
  },
  {
    name: "promote",
    description:
      "test an environment's policies, compare its decisions with the target's, and open a pull request that promotes its files",
    load: async () => (await import("./commands/promote.ts")).definePromoteCommand,
  },
  {
    name: "keys",
    description: "API keys for machine clients (stored hashed)",
    load: async () => (await import("./commands/keys.ts")).defineKeysCommands,
  },
  {
    name: "token",
    description: "print a development token (trusted only by a --dev gateway, from loopback)",
    load: async () => (await import("./commands/token.ts")).defineTokenCommand,
  },
  {
    name: "audit",
    description: "query, export and verify the decision records (docs/audit.md)",
    load: async () => (await import("./commands/audit.ts")).defineAuditCommands,
  },
];

/**
 * The program for `args` (the arguments after the script name): every group is listed with its
 * description, and only the group `args` names is loaded and defined in full.
 */
export async function createProgram(args: readonly string[]): Promise<Command> {
  const program = new Command("gatehouse")
    .description("Policy-as-code MCP gateway: Rego compiled to WebAssembly")
    .showHelpAfterError()
    .helpCommand(true);
  const named = groupNamed(args);
  for (const group of GROUPS) {
    const command = program.command(group.name).description(group.description);
    if (group.name === named) (await group.load())(command);
  }
  return program;
}

/** The group a command line is for: its first word, or the word after `help`. */
function groupNamed(args: readonly string[]): string | undefined {
  const words = args.filter((arg) => !arg.startsWith("-"));
  return words[0] === "help" ? words[1] : words[0];
}
