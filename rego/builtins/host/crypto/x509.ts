// X.509 certificates and certificate requests as OPA returns them: Go's x509.Certificate and
// x509.CertificateRequest marshalled to JSON (field names, enum numbers, []byte as base64, big
// integers as exact numbers). Parsing is @peculiar/asn1-x509's; fields Go fills from extensions
// this module does not decode (name constraints, CRL points, policies) are null.
import { createPublicKey } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  AuthorityInfoAccessSyntax,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extensions,
  KeyUsage,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  type Extension,
  type Name,
  type SubjectPublicKeyInfo,
} from "@peculiar/asn1-x509";
import { CertificationRequest } from "@peculiar/asn1-csr";
import { exactInteger } from "../numbers.ts";

const b64 = (bytes: ArrayBuffer | Uint8Array): string =>
  Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString("base64");

const oidInts = (oid: string): number[] => oid.split(".").map(Number);

const bigOf = (bytes: ArrayBuffer | Uint8Array): bigint => {
  const hex = Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString(
    "hex",
  );
  return hex === "" ? 0n : BigInt(`0x${hex}`);
};

/** Go's x509.SignatureAlgorithm numbers, by signature OID. */
const SIGNATURE_ALGORITHMS: Record<string, number> = {
  "1.2.840.113549.1.1.2": 1, // MD2WithRSA
  "1.2.840.113549.1.1.4": 2, // MD5WithRSA
  "1.2.840.113549.1.1.5": 3, // SHA1WithRSA
  "1.2.840.113549.1.1.11": 4, // SHA256WithRSA
  "1.2.840.113549.1.1.12": 5,
  "1.2.840.113549.1.1.13": 6,
  "1.2.840.10040.4.3": 7, // DSAWithSHA1
  "2.16.840.1.101.3.4.3.2": 8,
  "1.2.840.10045.4.1": 9, // ECDSAWithSHA1
  "1.2.840.10045.4.3.2": 10,
  "1.2.840.10045.4.3.3": 11,
  "1.2.840.10045.4.3.4": 12,
  "1.3.101.112": 16, // PureEd25519
};
const RSA_PSS = "1.2.840.113549.1.1.10";
const PSS_BY_HASH: Record<string, number> = {
  "2.16.840.1.101.3.4.2.1": 13,
  "2.16.840.1.101.3.4.2.2": 14,
  "2.16.840.1.101.3.4.2.3": 15,
};

/** Go's x509.PublicKeyAlgorithm numbers, by key OID. */
const PUBLIC_KEY_ALGORITHMS: Record<string, number> = {
  "1.2.840.113549.1.1.1": 1,
  "1.2.840.10040.4.1": 2,
  "1.2.840.10045.2.1": 3,
  "1.3.101.112": 4,
};

/** Go's x509.ExtKeyUsage numbers, by OID. */
export const EXT_KEY_USAGES: Record<string, number> = {
  "2.5.29.37.0": 0,
  "1.3.6.1.5.5.7.3.1": 1,
  "1.3.6.1.5.5.7.3.2": 2,
  "1.3.6.1.5.5.7.3.3": 3,
  "1.3.6.1.5.5.7.3.4": 4,
  "1.3.6.1.5.5.7.3.5": 5,
  "1.3.6.1.5.5.7.3.6": 6,
  "1.3.6.1.5.5.7.3.7": 7,
  "1.3.6.1.5.5.7.3.8": 8,
  "1.3.6.1.5.5.7.3.9": 9,
  "1.3.6.1.4.1.311.10.3.3": 10,
  "2.16.840.1.113730.4.1": 11,
  "1.3.6.1.4.1.311.2.1.22": 12,
  "1.3.6.1.4.1.311.61.1.1": 13,
};

function signatureAlgorithm(oid: string, params: ArrayBuffer | null | undefined): number {
  if (oid !== RSA_PSS) return SIGNATURE_ALGORITHMS[oid] ?? 0;
  const hashOid = params ? /06 09 60 86 48 01 65 03 04 02 0([1-3])/.exec(hexSpaced(params)) : null;
  return hashOid ? (PSS_BY_HASH[`2.16.840.1.101.3.4.2.${hashOid[1]}`] ?? 0) : 0;
}

const hexSpaced = (bytes: ArrayBuffer): string =>
  Buffer.from(new Uint8Array(bytes))
    .toString("hex")
    .replace(/(..)(?!$)/g, "$1 ");

/** Go's pkix.Name: the well-known attributes by field, and every attribute in Names. */
function pkixName(name: Name): Record<string, unknown> {
  const fields: Record<string, string[]> = {};
  const names: { Type: number[]; Value: string }[] = [];
  let commonName = "";
  let serialNumber = "";
  const listField: Record<string, string> = {
    "2.5.4.6": "Country",
    "2.5.4.10": "Organization",
    "2.5.4.11": "OrganizationalUnit",
    "2.5.4.7": "Locality",
    "2.5.4.8": "Province",
    "2.5.4.9": "StreetAddress",
    "2.5.4.17": "PostalCode",
  };
  for (const rdn of name) {
    for (const atv of rdn) {
      const value = atv.value.toString();
      names.push({ Type: oidInts(atv.type), Value: value });
      if (atv.type === "2.5.4.3") commonName = value;
      else if (atv.type === "2.5.4.5") serialNumber = value;
      else if (listField[atv.type]) (fields[listField[atv.type]!] ??= []).push(value);
    }
  }
  const list = (field: string) => fields[field] ?? null;
  return {
    Country: list("Country"),
    Organization: list("Organization"),
    OrganizationalUnit: list("OrganizationalUnit"),
    Locality: list("Locality"),
    Province: list("Province"),
    StreetAddress: list("StreetAddress"),
    PostalCode: list("PostalCode"),
    SerialNumber: serialNumber,
    CommonName: commonName,
    Names: names,
    ExtraNames: null,
  };
}

/** Go's marshalled public key: rsa {N, E}, ecdsa {Curve, X, Y}, ed25519 bytes. */
function publicKeyJson(spki: SubjectPublicKeyInfo): unknown {
  try {
    const key = createPublicKey({
      key: Buffer.from(AsnConvert.serialize(spki)),
      format: "der",
      type: "spki",
    });
    const jwk = key.export({ format: "jwk" }) as Record<string, string>;
    const num = (field: string) => exactInteger(bigOf(Buffer.from(jwk[field]!, "base64url")));
    if (jwk.kty === "RSA") return { N: num("n"), E: num("e") };
    if (jwk.kty === "EC") return { Curve: { Name: jwk.crv }, X: num("x"), Y: num("y") };
    if (jwk.kty === "OKP") return Buffer.from(jwk.x!, "base64url").toString("base64");
  } catch {
    // an algorithm node does not know: Go leaves the key nil
  }
  return null;
}

interface ExtensionFields {
  KeyUsage: number;
  ExtKeyUsage: number[] | null;
  UnknownExtKeyUsage: number[][] | null;
  BasicConstraintsValid: boolean;
  IsCA: boolean;
  MaxPathLen: number;
  MaxPathLenZero: boolean;
  SubjectKeyId: string | null;
  AuthorityKeyId: string | null;
  OCSPServer: string[] | null;
  IssuingCertificateURL: string[] | null;
  DNSNames: string[] | null;
  EmailAddresses: string[] | null;
  IPAddresses: string[] | null;
  URIs: string[] | null;
}

function extensionFields(extensions: Extension[] | undefined): ExtensionFields {
  const out: ExtensionFields = {
    KeyUsage: 0,
    ExtKeyUsage: null,
    UnknownExtKeyUsage: null,
    BasicConstraintsValid: false,
    IsCA: false,
    MaxPathLen: 0,
    MaxPathLenZero: false,
    SubjectKeyId: null,
    AuthorityKeyId: null,
    OCSPServer: null,
    IssuingCertificateURL: null,
    DNSNames: null,
    EmailAddresses: null,
    IPAddresses: null,
    URIs: null,
  };
  const push = (field: "DNSNames" | "EmailAddresses" | "IPAddresses" | "URIs", v: string) =>
    (out[field] ??= []).push(v);
  for (const ext of extensions ?? []) {
    const value = ext.extnValue.buffer;
    switch (ext.extnID) {
      case "2.5.29.15":
        out.KeyUsage = AsnConvert.parse(value, KeyUsage).toNumber();
        break;
      case "2.5.29.37":
        for (const oid of AsnConvert.parse(value, ExtendedKeyUsage)) {
          if (oid in EXT_KEY_USAGES) (out.ExtKeyUsage ??= []).push(EXT_KEY_USAGES[oid]!);
          else (out.UnknownExtKeyUsage ??= []).push(oidInts(oid));
        }
        break;
      case "2.5.29.19": {
        const bc = AsnConvert.parse(value, BasicConstraints);
        out.BasicConstraintsValid = true;
        out.IsCA = bc.cA;
        out.MaxPathLen = bc.pathLenConstraint ?? -1;
        out.MaxPathLenZero = bc.pathLenConstraint === 0;
        break;
      }
      case "2.5.29.14":
        out.SubjectKeyId = b64(AsnConvert.parse(value, SubjectKeyIdentifier).buffer);
        break;
      case "2.5.29.35": {
        const aki = AsnConvert.parse(value, AuthorityKeyIdentifier);
        if (aki.keyIdentifier) out.AuthorityKeyId = b64(aki.keyIdentifier.buffer);
        break;
      }
      case "2.5.29.17":
        for (const name of AsnConvert.parse(value, SubjectAlternativeName)) {
          if (name.dNSName !== undefined) push("DNSNames", name.dNSName);
          else if (name.rfc822Name !== undefined) push("EmailAddresses", name.rfc822Name);
          else if (name.iPAddress !== undefined) push("IPAddresses", name.iPAddress);
          else if (name.uniformResourceIdentifier !== undefined)
            push("URIs", name.uniformResourceIdentifier);
        }
        break;
      case "1.3.6.1.5.5.7.1.1":
        for (const access of AsnConvert.parse(value, AuthorityInfoAccessSyntax)) {
          const uri = access.accessLocation.uniformResourceIdentifier;
          if (uri === undefined) continue;
          if (access.accessMethod === "1.3.6.1.5.5.7.48.1") (out.OCSPServer ??= []).push(uri);
          if (access.accessMethod === "1.3.6.1.5.5.7.48.2")
            (out.IssuingCertificateURL ??= []).push(uri);
        }
        break;
    }
  }
  return out;
}

const extensionList = (extensions: Extension[] | undefined) =>
  extensions?.map((e) => ({
    Id: oidInts(e.extnID),
    Critical: e.critical,
    Value: b64(e.extnValue.buffer),
  })) ?? null;

/** Go's time.Time JSON: RFC 3339 with the seconds' fraction only when there is one. */
const goTime = (d: Date): string => d.toISOString().replace(/\.000Z$/, "Z");

/** Go URL fields of a SAN URI (url.Parse on an absolute URI). */
function goUrl(text: string): Record<string, unknown> {
  let u: URL | undefined;
  try {
    u = new URL(text);
  } catch {
    u = undefined;
  }
  return {
    Scheme: u ? u.protocol.replace(/:$/, "") : "",
    Opaque: "",
    User: null,
    Host: u?.host ?? "",
    Path: u ? decodeURIComponent(u.pathname) : text,
    RawPath: "",
    OmitHost: false,
    ForceQuery: false,
    RawQuery: u ? u.search.replace(/^\?/, "") : "",
    Fragment: u ? decodeURIComponent(u.hash.replace(/^#/, "")) : "",
    RawFragment: "",
  };
}

export interface ParsedCertificate {
  der: Buffer;
  json: Record<string, unknown>;
  asn: Certificate;
}

/** One DER certificate; throws an Error with Go's wording when it does not parse. */
export function parseCertificate(der: Buffer): ParsedCertificate {
  let asn: Certificate;
  try {
    asn = AsnConvert.parse(der, Certificate);
  } catch (err) {
    throw new Error(`x509: malformed certificate: ${(err as Error).message}`);
  }
  const tbs = asn.tbsCertificate;
  const ext = extensionFields(tbs.extensions);
  const sigAlg = signatureAlgorithm(
    asn.signatureAlgorithm.algorithm,
    asn.signatureAlgorithm.parameters,
  );
  const json: Record<string, unknown> = {
    Raw: der.toString("base64"),
    RawTBSCertificate: b64(AsnConvert.serialize(tbs)),
    RawSubjectPublicKeyInfo: b64(AsnConvert.serialize(tbs.subjectPublicKeyInfo)),
    RawSubject: b64(AsnConvert.serialize(tbs.subject)),
    RawIssuer: b64(AsnConvert.serialize(tbs.issuer)),
    Signature: b64(asn.signatureValue),
    SignatureAlgorithm: sigAlg,
    PublicKeyAlgorithm: PUBLIC_KEY_ALGORITHMS[tbs.subjectPublicKeyInfo.algorithm.algorithm] ?? 0,
    PublicKey: publicKeyJson(tbs.subjectPublicKeyInfo),
    Version: tbs.version + 1,
    SerialNumber: exactInteger(signedBig(tbs.serialNumber)),
    Issuer: pkixName(tbs.issuer),
    Subject: pkixName(tbs.subject),
    NotBefore: goTime(tbs.validity.notBefore.getTime()),
    NotAfter: goTime(tbs.validity.notAfter.getTime()),
    KeyUsage: ext.KeyUsage,
    Extensions: extensionList(tbs.extensions),
    ExtraExtensions: null,
    UnhandledCriticalExtensions: null,
    ExtKeyUsage: ext.ExtKeyUsage,
    UnknownExtKeyUsage: ext.UnknownExtKeyUsage,
    BasicConstraintsValid: ext.BasicConstraintsValid,
    IsCA: ext.IsCA,
    MaxPathLen: ext.MaxPathLen,
    MaxPathLenZero: ext.MaxPathLenZero,
    SubjectKeyId: ext.SubjectKeyId,
    AuthorityKeyId: ext.AuthorityKeyId,
    OCSPServer: ext.OCSPServer,
    IssuingCertificateURL: ext.IssuingCertificateURL,
    DNSNames: ext.DNSNames,
    EmailAddresses: ext.EmailAddresses,
    IPAddresses: ext.IPAddresses,
    URIs: ext.URIs?.map(goUrl) ?? null,
    PermittedDNSDomainsCritical: false,
    PermittedDNSDomains: null,
    ExcludedDNSDomains: null,
    PermittedIPRanges: null,
    ExcludedIPRanges: null,
    PermittedEmailAddresses: null,
    ExcludedEmailAddresses: null,
    PermittedURIDomains: null,
    ExcludedURIDomains: null,
    CRLDistributionPoints: null,
    PolicyIdentifiers: null,
    Policies: null,
  };
  return { der, json, asn };
}

/** A certificate with OPA's extra URIStrings field (the SAN URIs as text). */
export const withUriStrings = (cert: ParsedCertificate): Record<string, unknown> => {
  const uris = (cert.json.URIs as { Scheme: string }[] | null) ?? null;
  const texts = extensionFields(cert.asn.tbsCertificate.extensions).URIs;
  return { ...cert.json, URIStrings: uris === null ? null : texts };
};

/** A DER INTEGER's value (two's complement). */
function signedBig(bytes: ArrayBuffer): bigint {
  const u = new Uint8Array(bytes);
  const v = bigOf(u);
  return u.length > 0 && u[0]! & 0x80 ? v - (1n << BigInt(u.length * 8)) : v;
}

/** Go's x509.ParseCertificates: DER certificates one after another. */
export function parseCertificates(der: Buffer): ParsedCertificate[] {
  const out: ParsedCertificate[] = [];
  let rest = der;
  while (rest.length > 0) {
    const length = derLength(rest);
    if (length === undefined || length > rest.length) {
      throw new Error("x509: malformed certificate");
    }
    out.push(parseCertificate(rest.subarray(0, length)));
    rest = rest.subarray(length);
  }
  return out;
}

/** Total length of the DER element at the start of `b` (tag, length, content). */
function derLength(b: Buffer): number | undefined {
  if (b.length < 2 || b[0] !== 0x30) return undefined;
  const first = b[1]!;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || b.length < 2 + n) return undefined;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[2 + i]!;
  return 2 + n + len;
}

/** Go's x509.ParseCertificateRequest, marshalled as Go marshals x509.CertificateRequest. */
export function parseCertificateRequest(der: Buffer): Record<string, unknown> {
  let csr: CertificationRequest;
  try {
    csr = AsnConvert.parse(der, CertificationRequest);
  } catch (err) {
    throw new Error(`asn1: structure error: ${(err as Error).message}`);
  }
  const info = csr.certificationRequestInfo;
  const requested = info.attributes.find((a) => a.type === "1.2.840.113549.1.9.14");
  let extensions: Extension[] | undefined;
  if (requested?.values[0]) {
    extensions = [...AsnConvert.parse(requested.values[0], Extensions)];
  }
  const ext = extensionFields(extensions);
  return {
    Raw: der.toString("base64"),
    RawTBSCertificateRequest: b64(AsnConvert.serialize(info)),
    RawSubjectPublicKeyInfo: b64(AsnConvert.serialize(info.subjectPKInfo)),
    RawSubject: b64(AsnConvert.serialize(info.subject)),
    Version: info.version,
    Signature: b64(csr.signature),
    SignatureAlgorithm: signatureAlgorithm(
      csr.signatureAlgorithm.algorithm,
      csr.signatureAlgorithm.parameters,
    ),
    PublicKeyAlgorithm: PUBLIC_KEY_ALGORITHMS[info.subjectPKInfo.algorithm.algorithm] ?? 0,
    PublicKey: publicKeyJson(info.subjectPKInfo),
    Subject: pkixName(info.subject),
    Attributes: null,
    Extensions: extensionList(extensions),
    ExtraExtensions: null,
    DNSNames: ext.DNSNames,
    EmailAddresses: ext.EmailAddresses,
    IPAddresses: ext.IPAddresses,
    URIs: ext.URIs?.map(goUrl) ?? null,
  };
}
