// lint/default-allow-true: `default allow := true` (or a default decision object with
// "allow": true) makes every request allowed unless some rule says otherwise: the policy fails open.
import type { Term } from "../syntax/ast.ts";
import type { LintContext } from "./types.ts";
import { ruleName } from "./walk.ts";

/** Names that read as an allow decision: allow, allowed, is_allowed, permit, authorized, grant... */
const ALLOW_NAME = /(^|_)(allow(ed|s)?|permit(ted|s)?|authori[sz]ed?|grant(ed|s)?)($|_)/i;

export function checkDefaultAllow(ctx: LintContext): void {
  for (const module of ctx.modules) {
    for (const rule of module.rules) {
      if (!rule.default || !rule.head.value) continue;
      const name = ruleName(rule);
      const value = rule.head.value;
      const allowTrue =
        (ALLOW_NAME.test(name) && isTrue(value)) ||
        (value.type === "object" &&
          value.items.some(
            ([k, v]) => k.type === "string" && ALLOW_NAME.test(k.value) && isTrue(v),
          ));
      if (!allowTrue) continue;
      ctx.report({
        rule: "default-allow-true",
        severity: "error",
        location: rule.loc,
        message: `default ${name} allows whatever no rule decides (fail-open): make the default false and allow with explicit rules`,
      });
    }
  }
}

function isTrue(t: Term): boolean {
  return t.type === "boolean" && t.value;
}
