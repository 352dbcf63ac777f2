// `gatehouse policy <subcommand>`: one module per subcommand under ./policy/.
import type { Command } from "commander";
import { registerPolicyBuild } from "./policy/build.ts";
import { registerPolicyEval } from "./policy/eval.ts";
import { registerPolicyTest } from "./policy/test.ts";
import { registerPolicyDiff } from "./policy/diff.ts";
import { registerPolicyCheck } from "./policy/check.ts";
import { registerPolicyFmt } from "./policy/fmt.ts";

export function registerPolicyCommands(program: Command): void {
  const policy = program.command("policy").description("build and evaluate Rego policies");
  registerPolicyBuild(policy);
  registerPolicyEval(policy);
  registerPolicyTest(policy);
  registerPolicyDiff(policy);
  registerPolicyCheck(policy);
  registerPolicyFmt(policy);
}
