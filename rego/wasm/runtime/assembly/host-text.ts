// Text the host hands the module: opa_eval's input, opa_json_parse (the SDK's setData, the legacy
// input path and host builtin results) and opa_value_parse. Nothing is ever read as undefined: text
// that is too long, nests deeper than MAX_DEPTH, is not UTF-8 or not JSON aborts the call, naming
// the problem and the limit (e.g. `input nests deeper than 1000 levels (limit 1000)`), so
// @open-policy-agent/opa-wasm throws instead of evaluating without the input.
//
//   readHostText(ptr, len, rego, what): Value   the value, or abort (`what` starts the message);
//                                               rego: Rego value syntax (sets), else JSON only
//   gatehouse_text_limit_set(bytes)             host export: longest text accepted (0: default)
import { parseJson, parseRego, parseFailure, parseFailureOffset, MAX_DEPTH, PARSE_DEPTH,
  PARSE_UTF8 } from "./json";
import { Value } from "./value";
import { fatal } from "./errors";

/** 64 MiB unless the host sets another limit. */
const DEFAULT_TEXT_LIMIT: u32 = 0x4000000;

let textLimit: u32 = 0x4000000; // DEFAULT_TEXT_LIMIT (a literal: no start function)

export function gatehouse_text_limit_set(bytes: u32): void {
  textLimit = bytes > 0 ? bytes : DEFAULT_TEXT_LIMIT;
}

export function readHostText(ptr: usize, len: usize, rego: bool, what: string): Value {
  if (len > <usize>textLimit) {
    fatal(what + " is " + len.toString() + " bytes long (limit " + textLimit.toString() + " bytes)");
  }
  const v = rego ? parseRego(ptr, <u32>len) : parseJson(ptr, <u32>len);
  if (v != 0) return v;
  const at = parseFailureOffset().toString();
  switch (parseFailure()) {
    case PARSE_DEPTH:
      fatal(what + " nests deeper than " + MAX_DEPTH.toString() + " levels (limit " +
        MAX_DEPTH.toString() + ")");
      break;
    case PARSE_UTF8:
      fatal(what + " is not valid UTF-8 (byte " + at + ")");
      break;
    default:
      fatal(what + " is not valid " + (rego ? "JSON (or Rego value)" : "JSON") + " (byte " + at + ")");
  }
  return 0;
}
