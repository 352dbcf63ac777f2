import { Command } from "commander";
import { registerPolicyCommands } from "./commands/policy.ts";
import { registerCatalogCommands } from "./commands/catalog.ts";
import { registerServeCommands } from "./commands/serve.ts";
import { registerStatusCommand } from "./commands/status.ts";
import { registerPromoteCommand } from "./commands/promote.ts";
import { registerKeysCommands } from "./commands/keys.ts";
import { registerTokenCommands } from "./commands/token.ts";
import { registerAuditCommands } from "./commands/audit.ts";

/** The `gatehouse` program with every command group registered. */
export function createProgram(): Command {
  const program = new Command("gatehouse")
    .description("Policy-as-code MCP gateway: Rego compiled to WebAssembly")
    .showHelpAfterError()
    .helpCommand(true);
  registerPolicyCommands(program);
  registerCatalogCommands(program);
  registerServeCommands(program);
  registerStatusCommand(program);
  registerPromoteCommand(program);
  registerKeysCommands(program);
  registerTokenCommands(program);
  registerAuditCommands(program);
  return program;
}
