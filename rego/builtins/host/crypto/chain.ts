// Certificate chain verification for crypto.x509.parse_and_verify_certificates(_with_options):
// the first certificate is the root, the last the leaf, the others intermediates, as OPA builds
// Go's x509.VerifyOptions. Checked like Go's Certificate.Verify: signatures (node:crypto),
// issuer/subject names, validity at the given time, CA basic constraints and path lengths of
// intermediates, the DNS name (subject alternative names only) and extended key usages
// (ServerAuth unless others are asked for). Not checked: name constraints.
import { X509Certificate } from "node:crypto";
import type { ParsedCertificate } from "./x509.ts";

export interface VerifyOptions {
  /** nanoseconds since the epoch */
  currentTime: bigint;
  dnsName?: string;
  /** Go ExtKeyUsage numbers; empty = ServerAuth */
  keyUsages: number[];
}

const EKU_ANY = 0;
const MAX_CHAIN = 16;

interface Node {
  parsed: ParsedCertificate;
  node: X509Certificate;
}

const json = (n: Node) => n.parsed.json;

function validAt(n: Node, ns: bigint): boolean {
  const ms = Number(ns / 1_000_000n);
  return (
    Date.parse(json(n).NotBefore as string) <= ms && ms <= Date.parse(json(n).NotAfter as string)
  );
}

function signedBy(child: Node, issuer: Node): boolean {
  if (json(child).RawIssuer !== json(issuer).RawSubject) return false;
  try {
    return child.node.verify(issuer.node.publicKey);
  } catch {
    return false;
  }
}

function keyUsagesAllowed(chain: Node[], wanted: number[]): boolean {
  const requested = wanted.length === 0 ? [1] : wanted;
  if (requested.includes(EKU_ANY)) return true;
  let usable = [...requested];
  for (const n of [...chain].reverse()) {
    const ekus = (json(n).ExtKeyUsage as number[] | null) ?? [];
    const unknown = (json(n).UnknownExtKeyUsage as unknown[] | null) ?? [];
    if (ekus.length === 0 && unknown.length === 0) continue;
    if (ekus.includes(EKU_ANY)) continue;
    usable = usable.filter((u) => ekus.includes(u));
    if (usable.length === 0) return false;
  }
  return true;
}

/** The verified chain (leaf first, root last), or undefined when none verifies. */
export function verifyChain(
  certs: ParsedCertificate[],
  options: VerifyOptions,
): ParsedCertificate[] | undefined {
  const nodes = certs.map((parsed) => ({ parsed, node: new X509Certificate(parsed.der) }));
  const root = nodes[0]!;
  const intermediates = nodes.slice(1, -1);
  const leaf = nodes[nodes.length - 1]!;
  if (!validAt(leaf, options.currentTime)) return undefined;
  if (options.dnsName !== undefined && options.dnsName !== "") {
    if (leaf.node.checkHost(options.dnsName, { subject: "never" }) === undefined) return undefined;
  }

  const extend = (chain: Node[]): Node[] | undefined => {
    const last = chain[chain.length - 1]!;
    if (signedBy(last, root) && validAt(root, options.currentTime)) {
      const full = [...chain, root];
      if (keyUsagesAllowed(full, options.keyUsages)) return full;
    }
    if (chain.length >= MAX_CHAIN) return undefined;
    for (const candidate of intermediates) {
      if (chain.includes(candidate) || !signedBy(last, candidate)) continue;
      const c = json(candidate);
      if (!validAt(candidate, options.currentTime)) continue;
      if (!c.BasicConstraintsValid || !c.IsCA) continue;
      const below = chain.length - 1; // intermediates under this one
      if ((c.MaxPathLen as number) >= 0 && below > (c.MaxPathLen as number)) continue;
      const found = extend([...chain, candidate]);
      if (found) return found;
    }
    return undefined;
  };
  return extend([leaf])?.map((n) => n.parsed);
}
