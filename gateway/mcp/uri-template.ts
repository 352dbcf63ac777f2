// Whether a URI could have come from an RFC 6570 template (levels 1-4, as far as matching goes):
// `{var}` matches one path segment, `{+var}`/`{#var}` anything, `{?a,b}`/`{&a}` a query part.
// Templates come from upstreams and URIs from clients: the patterns run on RE2 (re2js), whose
// time is linear in the URI, so `{+a}{+b}{+c}…x` cannot make a backtracking engine explode.
import { RE2JS } from "re2js";

const cache = new Map<string, RE2JS>();

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function templatePattern(template: string): RE2JS {
  let source = "";
  let at = 0;
  for (const match of template.matchAll(/\{([^}]*)\}/g)) {
    source += escapeRegExp(template.slice(at, match.index));
    const operator = match[1]![0];
    if (operator === "+" || operator === "#") source += ".*";
    else if (operator === "?" || operator === "&") source += "(?:[?&][^#]*)?";
    else if (operator === "/") source += "(?:/[^?#]*)?";
    else source += "[^/?#]*";
    at = match.index + match[0].length;
  }
  source += escapeRegExp(template.slice(at));
  return RE2JS.compile(`^${source}$`);
}

export function matchesTemplate(template: string, uri: string): boolean {
  let pattern = cache.get(template);
  if (!pattern) {
    pattern = templatePattern(template);
    if (cache.size > 1000) cache.clear();
    cache.set(template, pattern);
  }
  return pattern.matcher(uri).matches();
}
