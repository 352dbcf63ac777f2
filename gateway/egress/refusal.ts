// A refused outbound connection: which URL (never its user info, query or fragment, which may carry
// secrets), which address, which rule, and what to allow-list if the destination is legitimate.
export interface Refusal {
  /** the rule that refused it, in plain words */
  rule: string;
  /** what an operator can do about it */
  remedy: string;
  /** the address refused, when the refusal is about one */
  address?: string;
}

export class EgressRefusedError extends Error {
  override name = "EgressRefusedError";
  readonly code = "EGRESS_REFUSED";
  readonly url: string;
  readonly rule: string;
  readonly remedy: string;
  readonly address: string | undefined;

  constructor(url: URL | string, refusal: Refusal) {
    const shown = displayUrl(url);
    const at = refusal.address !== undefined ? ` (address ${refusal.address})` : "";
    super(`egress refused: ${shown}${at}: ${refusal.rule}; ${refusal.remedy}`);
    this.url = shown;
    this.rule = refusal.rule;
    this.remedy = refusal.remedy;
    this.address = refusal.address;
  }
}

/** The URL without user info, query or fragment: safe for logs and errors. */
export function displayUrl(url: URL | string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "(not a URL)";
  }
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

/** The EgressRefusedError somewhere in `e`'s cause chain (transports wrap errors). */
export function egressRefusalIn(e: unknown): EgressRefusedError | undefined {
  for (let depth = 0; e instanceof Error && depth < 5; depth++, e = e.cause) {
    if (e instanceof EgressRefusedError) return e;
  }
  return undefined;
}
