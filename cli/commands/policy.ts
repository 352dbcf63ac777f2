// `gatehouse policy <subcommand>`: one module per subcommand under ./policy/.
import type { Command } from "commander";
import { registerPolicyBuild } from "./policy/build.ts";
import { registerPolicyEval } from "./policy/eval.ts";
import { registerPolicyTest } from "./policy/test.ts";
import { registerPolicyDiff } from "./policy/diff.ts";
import { registerPolicyCheck } from "./policy/check.ts";
import { registerPolicyFmt } from "./policy/fmt.ts";

/** Adds the subcommands to `gatehouse policy` (cli/program.ts creates it). */
export function definePolicyCommands(policy: Command): void {
  registerPolicyBuild(policy);
  registerPolicyEval(policy);
  registerPolicyTest(policy);
  registerPolicyDiff(policy);
  registerPolicyCheck(policy);
  registerPolicyFmt(policy);
}
