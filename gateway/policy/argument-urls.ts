// URL-valued strings of a request (arguments at any depth, the resource URI), parsed the way
// fetchers parse them (the WHATWG URL parser) and reduced to what a policy decides on: scheme,
// host, port and the address class of an IP-literal host. Paths, queries and credentials are
// left out on purpose: they can hold secrets, and the decision input is recorded.
import { classifyAddress } from "../egress/classify.ts";
import { boundedFacts, type FoundString } from "./argument-walk.ts";

export const MAX_URL_FACTS = 256;

export interface UrlFact {
  /** JSON pointer from input.mcp: "/arguments/data", "/uri" */
  from: string;
  /** lower case, without the colon */
  scheme: string;
  /** as it is reached: lower case, IPv6 without brackets, no trailing dot; null when none */
  host: string | null;
  /** the explicit port, else the scheme's default port, else null */
  port: number | null;
  /** the range of an IP-literal host (the egress guard's classifyAddress: ipaddr.js's range
   * names, "unicast" = public, "metadata", embedded IPv4 of mapped and NAT64 forms); null for names */
  address_class: string | null;
  /** the URL carries a user name or password */
  credentials: boolean;
  /** why it could not be read (it is not a URL the parser accepts, a bound was hit); null if read */
  error: string | null;
}

/** Schemes the URL parser treats as hierarchical even without "//" (http:x is http://x/). */
const SPECIAL_SCHEMES = new Set(["http", "https", "ws", "wss", "ftp", "file"]);
const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443, ws: 80, wss: 443, ftp: 21 };
const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

const isC0OrSpace = (code: number) => code <= 0x20;

/** The text the URL parser reads: C0 controls and spaces trimmed, tabs and newlines removed. */
function asParsed(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isC0OrSpace(value.charCodeAt(start))) start++;
  while (end > start && isC0OrSpace(value.charCodeAt(end - 1))) end--;
  return value.slice(start, end).replace(/[\t\n\r]/g, "");
}

/**
 * The scheme (lower case) when `value` is a URL: a special scheme (http:, https:, file:, ws:,
 * wss:, ftp:) or any scheme followed by "//" (gopher://, dict://). Plain text such as "note: x"
 * and opaque URIs such as data: or mailto: are not URLs here.
 */
export function urlScheme(value: string): string | null {
  if (!value.includes(":")) return null; // most argument values: no scheme, nothing to parse
  const text = asParsed(value);
  const match = SCHEME.exec(text);
  if (!match) return null;
  const scheme = match[0].slice(0, -1).toLowerCase();
  return SPECIAL_SCHEMES.has(scheme) || text.startsWith("//", match[0].length) ? scheme : null;
}

function withoutTrailingDots(host: string): string {
  let end = host.length;
  while (end > 0 && host[end - 1] === ".") end--;
  return host.slice(0, end);
}

/** The host an HTTP client would connect to; a non-special scheme's opaque host is read as an
 * HTTP host, so gopher://2130706433/ names 127.0.0.1 as http://2130706433/ does. */
function hostOf(url: URL, scheme: string): string | null {
  let host = url.hostname;
  if (host !== "" && !SPECIAL_SCHEMES.has(scheme)) {
    try {
      host = new URL(`http://${url.host}/`).hostname;
    } catch {
      host = host.toLowerCase();
    }
  }
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  host = withoutTrailingDots(host);
  return host === "" ? null : host;
}

function urlFact(found: FoundString, scheme: string): UrlFact {
  const fact: UrlFact = {
    from: found.pointer,
    scheme,
    host: null,
    port: null,
    address_class: null,
    credentials: false,
    error: null,
  };
  let url: URL;
  try {
    url = new URL(found.value);
  } catch {
    return { ...fact, error: "it starts like a URL but the URL parser rejects it" };
  }
  fact.host = hostOf(url, scheme);
  fact.port = url.port === "" ? (DEFAULT_PORTS[scheme] ?? null) : Number(url.port);
  fact.address_class = fact.host === null ? null : (classifyAddress(fact.host)?.range ?? null);
  fact.credentials = url.username !== "" || url.password !== "";
  return fact;
}

/** A fact that says what could not be checked, so a policy can refuse it. */
export function uncheckedUrls(from: string, why: string): UrlFact {
  return {
    from,
    scheme: "",
    host: null,
    port: null,
    address_class: null,
    credentials: false,
    error: why,
  };
}

export function urlFacts(strings: readonly FoundString[]): UrlFact[] {
  const factOf = (found: FoundString): UrlFact | null => {
    const scheme = urlScheme(found.value);
    return scheme === null ? null : urlFact(found, scheme);
  };
  return boundedFacts(strings, MAX_URL_FACTS, "URLs", factOf, uncheckedUrls);
}
