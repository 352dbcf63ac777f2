// What a request's values name, for the policy: the paths (normalized) and the URLs (parsed) in
// its arguments at any depth and in its resource URI (input.mcp.paths, input.mcp.urls).
// A walk cut short by its bounds adds a fact with an error, so a policy refuses what it cannot see.
import { pathFacts, uncheckedPaths, type PathFact } from "./argument-paths.ts";
import { urlFacts, uncheckedUrls, type UrlFact } from "./argument-urls.ts";
import { stringsIn } from "./argument-walk.ts";

export interface ValueFacts {
  paths: PathFact[];
  urls: UrlFact[];
}

export function valueFacts(args: Record<string, unknown>, uri: string | null): ValueFacts {
  const walk = stringsIn(args, "/arguments");
  const strings =
    uri === null ? walk.strings : [...walk.strings, { pointer: "/uri", key: null, value: uri }];
  const facts = { paths: pathFacts(strings), urls: urlFacts(strings) };
  if (walk.incomplete !== null) {
    const { pointer, why } = walk.incomplete;
    facts.paths.push(uncheckedPaths(pointer, why));
    facts.urls.push(uncheckedUrls(pointer, why));
  }
  return facts;
}
