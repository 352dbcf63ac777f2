// Whether a URI could have come from an RFC 6570 template (levels 1-4, as far as matching goes):
// `{var}` matches one path segment, `{+var}`/`{#var}` anything, `{?a,b}`/`{&a}` a query part.
const cache = new Map<string, RegExp>();

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function templatePattern(template: string): RegExp {
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
  return new RegExp(`^${source}$`);
}

export function matchesTemplate(template: string, uri: string): boolean {
  let pattern = cache.get(template);
  if (!pattern) {
    pattern = templatePattern(template);
    if (cache.size > 1000) cache.clear();
    cache.set(template, pattern);
  }
  return pattern.test(uri);
}
