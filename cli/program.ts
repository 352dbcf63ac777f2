import { Command } from "commander";
import { registerPolicyCommands } from "./commands/policy.ts";
import { registerCatalogCommands } from "./commands/catalog.ts";
import { registerServeCommands } from "./commands/serve.ts";

/** The `gatehouse` program with every command group registered. */
export function createProgram(): Command {
  const program = new Command("gatehouse")
    .description("Policy-as-code MCP gateway: Rego compiled to WebAssembly")
    .showHelpAfterError()
    .helpCommand(true);
  registerPolicyCommands(program);
  registerCatalogCommands(program);
  registerServeCommands(program);
  return program;
}
