// providers.aws.sign_req: AWS Signature Version 4 (Authorization header method) of an http.send
// style request object, as OPA signs it (canonical request, string to sign, HMAC-SHA256 key chain).
// Only computes headers: nothing is sent.
import { createHash, createHmac } from "node:crypto";
import { operandError, operandTypeError } from "./errors.ts";
import { integerOfNumber, type JsonNumber } from "./numbers.ts";
import { inInt64Range } from "./time/civil.ts";
import type { HostBuiltinTable } from "./types.ts";
import { goJson, isNumber, isObject, type JsonObject } from "./values.ts";

const REQUIRED_CONFIG = ["aws_access_key", "aws_region", "aws_secret_access_key", "aws_service"];
const REQUIRED_REQUEST = ["method", "url"];
/** The request keys http.send accepts (OPA checks sign_req's request against the same list). */
const REQUEST_KEYS = new Set([
  "method",
  "url",
  "body",
  "enable_redirect",
  "force_json_decode",
  "force_yaml_decode",
  "headers",
  "raw_body",
  "tls_use_system_certs",
  "tls_ca_cert",
  "tls_ca_cert_file",
  "tls_ca_cert_env_variable",
  "tls_client_cert",
  "tls_client_cert_file",
  "tls_client_cert_env_variable",
  "tls_client_key",
  "tls_client_key_file",
  "tls_client_key_env_variable",
  "tls_insecure_skip_verify",
  "tls_server_name",
  "timeout",
  "cache",
  "force_cache",
  "force_cache_duration_seconds",
  "raise_error",
  "caching_mode",
  "max_retry_attempts",
  "cache_ignored_headers",
]);
/** Headers a proxy may change: never signed. */
const IGNORED_HEADERS = new Set(["authorization", "user-agent", "x-amzn-trace-id"]);

/** A set of names as OPA prints one in messages: `{"a", "b"}`. */
const nameSet = (names: string[]) =>
  `{${[...names]
    .sort()
    .map((n) => JSON.stringify(n))
    .join(", ")}}`;

function checkConfig(config: JsonObject): void {
  const missing = REQUIRED_CONFIG.filter((k) => !(k in config));
  if (missing.length > 0)
    throw operandError(2, `missing required AWS config parameters(s): ${nameSet(missing)}`);
  const invalid = REQUIRED_CONFIG.filter((k) => typeof config[k] !== "string");
  if (invalid.length > 0)
    throw operandError(
      2,
      `invalid values for required AWS config parameters(s): ${nameSet(invalid)}`,
    );
}

function checkRequest(request: JsonObject): void {
  const unknown = Object.keys(request).filter((k) => !REQUEST_KEYS.has(k));
  if (unknown.length > 0)
    throw operandError(1, `invalid request parameters(s): ${nameSet(unknown)}`);
  const missing = REQUIRED_REQUEST.filter((k) => !(k in request));
  if (missing.length > 0)
    throw operandError(1, `missing required request parameters(s): ${nameSet(missing)}`);
}

/** The parts of a URL Go's url.Parse gives SigV4: host[:port], escaped path, raw query. */
function urlParts(text: string): { host: string; path: string; query: string } {
  const m = /^(?:[A-Za-z][A-Za-z0-9+.-]*:)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?/.exec(text);
  const authority = m?.[1] ?? "";
  return {
    host: authority.slice(authority.lastIndexOf("@") + 1),
    path: m?.[2] ?? "",
    query: m?.[3] ?? "",
  };
}

const hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const mac = (key: Buffer | string, data: string) =>
  createHmac("sha256", key).update(data, "utf8").digest();

/** Go's time.Format("20060102T150405Z") of a nanosecond instant. */
function amzDate(ns: bigint): string {
  const ms = Number(ns / 1_000_000n) - (ns % 1_000_000n < 0n ? 1 : 0);
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

function signRequest([requestValue, configValue, timeValue]: unknown[]): unknown {
  if (!isObject(requestValue)) throw operandTypeError(1, requestValue, "object");
  if (!isObject(configValue)) throw operandTypeError(1, configValue, "object");
  const config = configValue;
  checkConfig(config);
  if (!isNumber(timeValue)) throw operandTypeError(1, timeValue, "number");
  const ns = integerOfNumber(timeValue as JsonNumber);
  if (ns === undefined || !inInt64Range(ns))
    throw operandError(3, "could not convert time_ns value into a unix timestamp");
  const request = requestValue;
  checkRequest(request);
  let headers: JsonObject = {};
  if (request.headers !== undefined) {
    if (!isObject(request.headers)) throw operandTypeError(0, request.headers, "object");
    headers = request.headers;
  }
  const invalid = REQUIRED_REQUEST.filter((k) => typeof request[k] !== "string");
  if (invalid.length > 0)
    throw operandError(1, `invalid values for required request parameters(s): ${nameSet(invalid)}`);
  let unsigned = false;
  if (config.disable_payload_signing !== undefined) {
    if (typeof config.disable_payload_signing !== "boolean")
      throw operandError(2, "invalid value for 'disable_payload_signing' in AWS config");
    unsigned = config.disable_payload_signing;
  }

  const body =
    request.raw_body !== undefined
      ? typeof request.raw_body === "string"
        ? request.raw_body
        : ""
      : request.body !== undefined
        ? goJson(request.body)
        : "";
  const service = config.aws_service as string;
  const region = config.aws_region as string;
  const url = urlParts(request.url as string);
  const iso = amzDate(ns);
  const day = iso.slice(0, 8);
  const payloadHash = unsigned ? "UNSIGNED-PAYLOAD" : hex(Buffer.from(body, "utf8"));

  const awsHeaders: Record<string, string> = { host: url.host, "x-amz-date": iso };
  if (service === "s3" || service === "glacier") awsHeaders["x-amz-content-sha256"] = payloadHash;
  const token = config.aws_session_token;
  if (typeof token === "string" && token !== "") awsHeaders["x-amz-security-token"] = token;

  // header names come from the caller: no prototype, so "__proto__" is a plain key
  const requestHeaders: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(headers)) requestHeaders[k] = typeof v === "string" ? v : "";
  const toSign: Record<string, string> = Object.assign(Object.create(null), awsHeaders);
  for (const [k, v] of Object.entries(requestHeaders)) {
    const lower = k.toLowerCase();
    if (!IGNORED_HEADERS.has(lower)) toSign[lower] = v;
  }
  const names = Object.keys(toSign).sort();
  const canonical = [
    request.method as string,
    url.path,
    url.query,
    ...names.map((k) => `${k}:${toSign[k]}`),
    "",
    names.join(";"),
    payloadHash,
  ].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", iso, scope, hex(canonical)].join("\n");
  let key = mac(`AWS4${config.aws_secret_access_key as string}`, day);
  for (const part of [region, service, "aws4_request"]) key = mac(key, part);
  const signature = mac(key, stringToSign).toString("hex");

  const signedHeaders: Record<string, string> = {
    ...requestHeaders,
    Authorization:
      `AWS4-HMAC-SHA256 Credential=${config.aws_access_key as string}/${scope},` +
      `SignedHeaders=${names.join(";")},Signature=${signature}`,
    ...awsHeaders,
  };
  return { ...request, headers: signedHeaders };
}

export const awsBuiltins: HostBuiltinTable = {
  "providers.aws.sign_req": signRequest,
};
