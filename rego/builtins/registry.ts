// Every builtin Gatehouse's Rego knows: its arity, and where it runs.
// - "native": implemented inside the Wasm module (rego/wasm/runtime), exported by the runtime as
//   `builtin.<name>` with one i32 value address per argument, returning a value address
//   (0 = undefined). A bare @open-policy-agent/opa-wasm load evaluates these with no help.
// - "host": implemented in JavaScript (rego/builtins/host) and called through the ABI's
//   `opa_builtinN` imports; whoever loads the module passes `hostBuiltins()` as custom builtins.
// `relation`: the builtin yields many results (walk): the module returns an array of results and
// the planner iterates it.
// `regoValues` (host only): arguments and result cross to the host as Rego value text instead of
// JSON, keeping sets and the digits of numbers (rego/wasm/host-value-text.ts); for builtins whose
// results depend on those or that return sets.
// The compiler rejects calls to names that are not here (rego_type_error: undefined function),
// and calls with the wrong number of arguments.

export type BuiltinPlacement = "native" | "host";

export interface BuiltinSpec {
  name: string;
  arity: number;
  placement: BuiltinPlacement;
  relation?: boolean;
  regoValues?: boolean;
  /** infix operator spelling, for messages */
  infix?: string;
}

const native = (name: string, arity: number, extra: Partial<BuiltinSpec> = {}): BuiltinSpec => ({
  name,
  arity,
  placement: "native",
  ...extra,
});
const host = (name: string, arity: number, extra: Partial<BuiltinSpec> = {}): BuiltinSpec => ({
  name,
  arity,
  placement: "host",
  ...extra,
});

const specs: BuiltinSpec[] = [
  // comparison and membership
  native("equal", 2, { infix: "==" }),
  native("neq", 2, { infix: "!=" }),
  native("lt", 2, { infix: "<" }),
  native("lte", 2, { infix: "<=" }),
  native("gt", 2, { infix: ">" }),
  native("gte", 2, { infix: ">=" }),
  native("internal.member_2", 2, { infix: "in" }),
  native("internal.member_3", 3, { infix: "in" }),
  // arithmetic (plus/minus/mul on numbers; minus on sets is set difference)
  native("plus", 2, { infix: "+" }),
  native("minus", 2, { infix: "-" }),
  native("mul", 2, { infix: "*" }),
  native("div", 2, { infix: "/" }),
  native("rem", 2, { infix: "%" }),
  native("abs", 1),
  native("round", 1),
  native("ceil", 1),
  native("floor", 1),
  native("numbers.range", 2),
  native("numbers.range_step", 3),
  // sets
  native("and", 2, { infix: "&" }),
  native("or", 2, { infix: "|" }),
  native("intersection", 1),
  native("union", 1),
  // aggregates
  native("count", 1),
  native("sum", 1),
  native("product", 1),
  native("max", 1),
  native("min", 1),
  native("sort", 1),
  // types
  native("is_number", 1),
  native("is_string", 1),
  native("is_boolean", 1),
  native("is_array", 1),
  native("is_set", 1),
  native("is_object", 1),
  native("is_null", 1),
  native("type_name", 1),
  native("to_number", 1),
  // strings
  native("concat", 2),
  native("contains", 2),
  native("startswith", 2),
  native("endswith", 2),
  native("lower", 1),
  native("upper", 1),
  native("split", 2),
  native("replace", 3),
  native("strings.replace_n", 2),
  native("strings.reverse", 1),
  native("strings.any_prefix_match", 2),
  native("strings.any_suffix_match", 2),
  native("strings.count", 2),
  native("trim", 2),
  native("trim_left", 2),
  native("trim_right", 2),
  native("trim_prefix", 2),
  native("trim_suffix", 2),
  native("trim_space", 1),
  native("substring", 3),
  native("indexof", 2),
  native("indexof_n", 2),
  native("format_int", 2),
  native("sprintf", 2),
  host("strings.render_template", 2),
  // arrays
  native("array.concat", 2),
  native("array.slice", 3),
  native("array.reverse", 1),
  // objects
  native("object.get", 3),
  native("object.keys", 1),
  native("object.union", 2),
  native("object.union_n", 1),
  native("object.remove", 2),
  native("object.filter", 2),
  native("object.subset", 2),
  native("json.filter", 2),
  native("json.remove", 2),
  host("json.patch", 2, { regoValues: true }),
  host("json.verify_schema", 1),
  host("json.match_schema", 2),
  // encoding
  native("json.marshal", 1),
  native("json.marshal_with_options", 2),
  native("json.unmarshal", 1),
  native("json.is_valid", 1),
  native("base64.encode", 1),
  native("base64.decode", 1),
  native("base64.is_valid", 1),
  native("base64url.encode", 1),
  native("base64url.encode_no_pad", 1),
  native("base64url.decode", 1),
  // graph
  native("walk", 1, { relation: true }),
  // host side: regular expressions, globs, time, networks, versions, units
  host("regex.match", 2),
  host("re_match", 2),
  host("regex.is_valid", 1),
  host("regex.split", 2),
  host("regex.find_n", 3),
  host("regex.find_all_string_submatch_n", 3),
  host("regex.replace", 3),
  host("regex.template_match", 4),
  host("regex.globs_match", 2),
  host("glob.match", 3),
  host("glob.quote_meta", 1),
  host("time.now_ns", 0),
  host("time.parse_rfc3339_ns", 1),
  host("time.parse_ns", 2),
  host("time.parse_duration_ns", 1),
  host("time.format", 1, { regoValues: true }),
  host("time.date", 1, { regoValues: true }),
  host("time.clock", 1, { regoValues: true }),
  host("time.weekday", 1, { regoValues: true }),
  host("time.add_date", 4, { regoValues: true }),
  host("time.diff", 2, { regoValues: true }),
  host("net.cidr_contains", 2),
  host("net.cidr_intersects", 2),
  host("net.cidr_is_valid", 1),
  host("net.cidr_expand", 1, { regoValues: true }),
  host("net.cidr_merge", 1, { regoValues: true }),
  host("net.cidr_contains_matches", 2, { regoValues: true }),
  // graphs (rego/builtins/host/graph.ts)
  host("graph.reachable", 2, { regoValues: true }),
  host("graph.reachable_paths", 2, { regoValues: true }),
  host("semver.compare", 2),
  host("semver.is_valid", 1),
  host("units.parse_bytes", 1),
  host("units.parse", 1),
  host("yaml.marshal", 1),
  host("yaml.unmarshal", 1),
  host("yaml.is_valid", 1),
  host("uuid.rfc4122", 1),
  host("hex.encode", 1),
  host("hex.decode", 1),
  host("urlquery.encode", 1),
  host("urlquery.decode", 1),
  host("urlquery.encode_object", 1),
  host("urlquery.decode_object", 1),
  host("uuid.parse", 1),
  host("rand.intn", 2),
  // bits (rego/builtins/host/bits.ts)
  host("bits.or", 2),
  host("bits.and", 2),
  host("bits.xor", 2),
  host("bits.negate", 1),
  host("bits.lsh", 2),
  host("bits.rsh", 2),
  // tokens (rego/builtins/host/jwt)
  host("io.jwt.decode", 1),
  host("io.jwt.decode_verify", 2),
  host("io.jwt.verify_rs256", 2),
  host("io.jwt.verify_rs384", 2),
  host("io.jwt.verify_rs512", 2),
  host("io.jwt.verify_ps256", 2),
  host("io.jwt.verify_ps384", 2),
  host("io.jwt.verify_ps512", 2),
  host("io.jwt.verify_es256", 2),
  host("io.jwt.verify_es384", 2),
  host("io.jwt.verify_es512", 2),
  host("io.jwt.verify_eddsa", 2),
  host("io.jwt.verify_hs256", 2),
  host("io.jwt.verify_hs384", 2),
  host("io.jwt.verify_hs512", 2),
  host("io.jwt.encode_sign", 3),
  host("io.jwt.encode_sign_raw", 3),
  // crypto (rego/builtins/host/crypto)
  host("crypto.md5", 1),
  host("crypto.sha1", 1),
  host("crypto.sha256", 1),
  host("crypto.hmac.md5", 2),
  host("crypto.hmac.sha1", 2),
  host("crypto.hmac.sha256", 2),
  host("crypto.hmac.sha512", 2),
  host("crypto.hmac.equal", 2),
  host("crypto.x509.parse_certificates", 1),
  host("crypto.x509.parse_and_verify_certificates", 1),
  host("crypto.x509.parse_and_verify_certificates_with_options", 2),
  host("crypto.x509.parse_certificate_request", 1),
  host("crypto.x509.parse_keypair", 2),
  host("crypto.x509.parse_rsa_private_key", 1),
  host("crypto.parse_private_keys", 1),
  // GraphQL (rego/builtins/host/graphql)
  host("graphql.parse", 2),
  host("graphql.parse_and_verify", 2),
  host("graphql.parse_query", 1),
  host("graphql.parse_schema", 1),
  host("graphql.is_valid", 2),
  host("graphql.schema_is_valid", 1),
  // cloud providers (rego/builtins/host/aws-sign.ts)
  host("providers.aws.sign_req", 3, { regoValues: true }),
  // Rego itself (rego/builtins/host/rego-module.ts); inside rules the compiler turns the
  // rego.metadata.* calls into constants (rego/compile/metadata-calls.ts)
  host("rego.parse_module", 2),
  host("rego.metadata.chain", 0),
  host("rego.metadata.rule", 0),
  // known so tests can mock them; refused when called (rego/builtins/host/restricted.ts)
  host("http.send", 1),
  host("net.lookup_ip_addr", 1),
  host("opa.runtime", 0),
  // OPA's test-only builtins: refused unless the host enables them (rego/builtins/host/test-only.ts)
  host("test.sleep", 1),
  // print(...) is compiled to internal.print; both write to the host's output (host/print.ts)
  host("internal.print", 1, { regoValues: true }),
  host("trace", 1),
];

export const builtins: ReadonlyMap<string, BuiltinSpec> = new Map(specs.map((s) => [s.name, s]));

export function lookupBuiltin(name: string): BuiltinSpec | undefined {
  return builtins.get(name);
}

// @open-policy-agent/opa-wasm carries JavaScript versions of these builtins and looks a module's
// builtin up there before the custom builtins it is given; its versions differ from OPA's (JS
// regexes for regex.split, undefined instead of false or an error for yaml.*). Our modules name
// the host ones `gatehouse:<name>` in their builtin table, so the SDK calls ours.
const SHADOWED_BY_SDK: ReadonlySet<string> = new Set([
  "json.is_valid",
  "regex.split",
  "sprintf",
  "yaml.is_valid",
  "yaml.marshal",
  "yaml.unmarshal",
]);

/** The name a host builtin has in a module's builtin table (`opa_builtins`) and in `hostBuiltins()`. */
export function hostImportName(name: string): string {
  return SHADOWED_BY_SDK.has(name) ? `gatehouse:${name}` : name;
}

/** Builtin namespaces: `strings.reverse` is a builtin, so `strings` cannot be a local rule name. */
export const builtinNamespaces: ReadonlySet<string> = new Set(
  specs.filter((s) => s.name.includes(".")).map((s) => s.name.split(".")[0]!),
);
