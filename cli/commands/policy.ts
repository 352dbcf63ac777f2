// `gatehouse policy <subcommand>`: one module per subcommand under ./policy/.
import type { Command } from "commander";
import { registerPolicyBuild } from "./policy/build.ts";
import { registerPolicyEval } from "./policy/eval.ts";

export function registerPolicyCommands(program: Command): void {
  const policy = program.command("policy").description("build and evaluate Rego policies");
  registerPolicyBuild(policy);
  registerPolicyEval(policy);
}
