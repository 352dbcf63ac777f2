// Native builtins of the runtime (all but the string ones), called directly through their
// `builtin.<name>` exports. Arguments and results are in Rego value syntax (sets as {..}).
import { beforeAll, describe, expect, it } from "vitest";
import { Runtime } from "./runtime-harness.ts";
import { builtins } from "../../../rego/builtins/registry.ts";

let lax: Runtime;
let strict: Runtime;
beforeAll(async () => {
  lax = await Runtime.load();
  strict = await Runtime.load({ strict: true });
});

type Case = [name: string, args: string[], want: string | undefined];

const cases: Case[] = [
  // comparison and membership
  ["equal", ["1", "1.0"], "true"],
  ["equal", ['{"a": [1]}', '{"a": [1]}'], "true"],
  ["neq", ['"a"', '"b"'], "true"],
  ["lt", ["1", '"a"'], "true"],
  ["lte", ["2", "2.0"], "true"],
  ["gt", ["{1}", "[1]"], "true"],
  ["gte", ["[1, 2]", "[1, 3]"], "false"],
  ["internal.member_2", ["2", "[1, 2]"], "true"],
  ["internal.member_2", ["2", "{1, 2}"], "true"],
  ["internal.member_2", ["2", '{"a": 2}'], "true"],
  ["internal.member_2", ['"a"', '{"a": 2}'], "false"],
  ["internal.member_2", ["1", '"1"'], "false"],
  ["internal.member_3", ["1", '"b"', '["a", "b"]'], "true"],
  ["internal.member_3", ["1.0", '"b"', '["a", "b"]'], "true"],
  ["internal.member_3", ['"k"', "1", '{"k": 1}'], "true"],
  ["internal.member_3", ['"k"', "2", '{"k": 1}'], "false"],
  // arithmetic
  ["plus", ["1", "2"], "3"],
  ["plus", ["1.5", "2"], "3.5"],
  ["plus", ["9223372036854775807", "1"], "9223372036854775808"],
  ["plus", ["28857836529306024611913", "-28857836529306024611913"], "0"],
  ["plus", ["28857836529306024611913", "0.5"], "2.8857836529306023e+22"],
  ["minus", ["-9223372036854775808", "1"], "-9223372036854775809"],
  ["minus", ["100000000000000000000", "99999999999999999999"], "1"],
  ["mul", ["123456789012345678901234567890", "-2"], "-246913578024691357802469135780"],
  ["minus", ["1", "3"], "-2"],
  ["minus", ["{1, 2, 3}", "{2}"], "{1,3}"],
  ["mul", ["6", "7"], "42"],
  ["mul", ["0.5", "3"], "1.5"],
  ["mul", ["4294967296", "4294967296"], "18446744073709551616"],
  ["div", ["6", "3"], "2"],
  ["div", ["1", "4"], "0.25"],
  ["div", ["7", "2"], "3.5"],
  ["rem", ["7", "3"], "1"],
  ["rem", ["-7", "3"], "-1"],
  ["abs", ["-3"], "3"],
  ["abs", ["-3.5"], "3.5"],
  ["round", ["2.5"], "3"],
  ["round", ["-2.5"], "-3"],
  ["round", ["2.4"], "2"],
  ["ceil", ["1.1"], "2"],
  ["floor", ["-1.1"], "-2"],
  ["floor", ["4"], "4"],
  ["numbers.range", ["1", "4"], "[1,2,3,4]"],
  ["numbers.range", ["2", "-1"], "[2,1,0,-1]"],
  ["numbers.range", ["1.0", "2"], "[1,2]"],
  ["numbers.range_step", ["0", "10", "4"], "[0,4,8]"],
  ["numbers.range_step", ["10", "0", "5"], "[10,5,0]"],
  // sets
  ["and", ["{1, 2}", "{2, 3}"], "{2}"],
  ["or", ["{1, 2}", "{2, 3}"], "{1,2,3}"],
  ["intersection", ["{{1, 2}, {2, 3}}"], "{2}"],
  ["intersection", ["set()"], "set()"],
  ["union", ["{{1}, {2, 3}}"], "{1,2,3}"],
  // aggregates
  ["count", ["[1, 2]"], "2"],
  ["count", ['{"a": 1}'], "1"],
  ["count", ["{1, 2, 3}"], "3"],
  ["count", ['"héllo"'], "5"],
  ["sum", ["[1, 2, 3.5]"], "6.5"],
  ["sum", ["{1, 2}"], "3"],
  ["sum", ["[]"], "0"],
  ["product", ["[2, 3, 4]"], "24"],
  ["product", ["[]"], "1"],
  ["max", ["[1, 3, 2]"], "3"],
  ["max", ['[1, "a", null]'], '"a"'],
  ["max", ["[]"], undefined],
  ["min", ["{3, 1}"], "1"],
  ["sort", ['[3, "a", 1, null, [0]]'], '[null,1,3,"a",[0]]'],
  ["sort", ["{3, 1}"], "[1,3]"],
  // types
  ["is_number", ["1"], "true"],
  ["is_number", ['"1"'], "false"],
  ["is_string", ['"1"'], "true"],
  ["is_boolean", ["false"], "true"],
  ["is_array", ["[]"], "true"],
  ["is_set", ["set()"], "true"],
  ["is_object", ["{}"], "true"],
  ["is_null", ["null"], "true"],
  ["type_name", ["{1}"], '"set"'],
  ["type_name", ["{}"], '"object"'],
  ["type_name", ["1.5"], '"number"'],
  ["to_number", ['"42"'], "42"],
  ["to_number", ['"-1.5e2"'], "-150"],
  ["to_number", ['"0.25"'], "0.25"],
  ["to_number", ["true"], "1"],
  ["to_number", ["null"], "0"],
  ["to_number", ['"abc"'], undefined],
  // arrays
  ["array.concat", ["[1]", "[2, 3]"], "[1,2,3]"],
  ["array.slice", ["[1, 2, 3, 4]", "1", "3"], "[2,3]"],
  ["array.slice", ["[1, 2, 3]", "-5", "10"], "[1,2,3]"],
  ["array.slice", ["[1, 2, 3]", "2", "1"], "[]"],
  ["array.reverse", ["[1, 2, 3]"], "[3,2,1]"],
  // objects
  ["object.get", ['{"a": 1}', '"a"', "0"], "1"],
  ["object.get", ['{"a": 1}', '"b"', "0"], "0"],
  ["object.get", ['{"a": {"b": [5, 6]}}', '["a", "b", 1]', "0"], "6"],
  ["object.get", ['{"a": {"b": 1}}', '["a", "x"]', '"d"'], '"d"'],
  ["object.get", ['{"a": 1}', "[]", "0"], '{"a":1}'],
  ["object.keys", ['{"b": 1, "a": 2}'], '{"a","b"}'],
  [
    "object.union",
    ['{"a": {"x": 1}, "b": 1}', '{"a": {"y": 2}, "b": 2}'],
    '{"a":{"x":1,"y":2},"b":2}',
  ],
  ["object.union_n", ['[{"a": {"b": 2}}, {"a": 4}, {"a": {"c": 3}}]'], '{"a":{"c":3}}'],
  ["object.union_n", ["[]"], "{}"],
  ["object.remove", ['{"a": 1, "b": 2, "c": 3}', '["a"]'], '{"b":2,"c":3}'],
  ["object.remove", ['{"a": 1, "b": 2}', '{"b"}'], '{"a":1}'],
  ["object.remove", ['{"a": 1, "b": 2}', '{"b": 0}'], '{"a":1}'],
  ["object.filter", ['{"a": 1, "b": 2, "c": 3}', '["a", "c"]'], '{"a":1,"c":3}'],
  ["object.subset", ['{"a": 1, "b": {"c": [1, 2, 3]}}', '{"b": {"c": [2, 3]}}'], "true"],
  ["object.subset", ['{"a": 1}', '{"a": 2}'], "false"],
  ["object.subset", ["{1, 2, 3}", "{1, 3}"], "true"],
  ["object.subset", ["[1, 2, 3]", "[1, 3]"], "false"],
  ["object.subset", ["[1, 2, 3]", "{3, 1}"], "true"],
  ["json.filter", ['{"a": {"b": 1, "c": 2}, "d": 3}', '["a/b", "d"]'], '{"a":{"b":1},"d":3}'],
  ["json.filter", ['{"a": [{"x": 1, "y": 2}, 5]}', '{"a/0/x"}'], '{"a":[{"x":1}]}'],
  ["json.filter", ['{"a": {"b": 1}}', '[["a", "b"]]'], '{"a":{"b":1}}'],
  ["json.remove", ['{"a": {"b": 1, "c": 2}, "d": 3}', '["a/b", "d"]'], '{"a":{"c":2}}'],
  ["json.remove", ['{"a": [1, 2, 3]}', '["a/1"]'], '{"a":[1,3]}'],
  ["json.remove", ['{"a/b": 1, "c": 2}', '["a~1b"]'], '{"c":2}'],
  // encoding
  [
    "json.marshal",
    ['{"b": [1, 2.5, "<x>"], "a": {1, 2}}'],
    '"{\\"a\\":[1,2],\\"b\\":[1,2.5,\\"\\\\u003cx\\\\u003e\\"]}"',
  ],
  [
    "json.marshal_with_options",
    ['{"a": [1]}', '{"pretty": true, "indent": "  "}'],
    '"{\\n  \\"a\\": [\\n    1\\n  ]\\n}"',
  ],
  ["json.marshal_with_options", ['{"a": 1}', '{"prefix": "> "}'], '"> {\\n> \\t\\"a\\": 1\\n> }"'],
  ["json.marshal_with_options", ['{"a": 1}', '{"pretty": false, "indent": "  "}'], '"{\\"a\\":1}"'],
  ["json.unmarshal", ['"{\\"a\\": [1, true]}"'], '{"a":[1,true]}'],
  ["json.unmarshal", ['"{"'], undefined],
  ["json.is_valid", ['"[1, 2]"'], "true"],
  ["json.is_valid", ['"[1, 2"'], "false"],
  ["json.is_valid", ["1"], "false"],
  ["base64.encode", ['"hello"'], '"aGVsbG8="'],
  ["base64.encode", ['""'], '""'],
  ["base64.decode", ['"aGVsbG8="'], '"hello"'],
  ["base64.decode", ['"aGVsbG8"'], undefined],
  ["base64.is_valid", ['"aGk="'], "true"],
  ["base64.is_valid", ['"a?k="'], "false"],
  ["base64url.encode", ['"\\u00ff\\u00fe"'], '"w7_Dvg=="'],
  ["base64url.encode_no_pad", ['"\\u00ff\\u00fe"'], '"w7_Dvg"'],
  ["base64url.decode", ['"w7_Dvg"'], '"\u00ff\u00fe"'],
  ["base64url.decode", ['"w7_Dvg=="'], '"\u00ff\u00fe"'],
  // walk
  ["walk", ['{"a": [1]}'], '[[[],{"a":[1]}],[["a"],[1]],[["a",0],1]]'],
  // type errors are undefined when strict errors are off
  ["count", ["1"], undefined],
  ["plus", ['"a"', "1"], undefined],
  ["div", ["1", "0"], undefined],
  ["rem", ["1.5", "1"], undefined],
  ["object.get", ['"x"', '"a"', "0"], undefined],
];

describe("native builtins", () => {
  it("exports every native builtin of the registry with its arity", () => {
    for (const spec of builtins.values()) {
      if (spec.placement !== "native") continue;
      const f = (lax.exports as Record<string, unknown>)[`builtin.${spec.name}`] as
        ((...a: number[]) => number) | undefined;
      expect(typeof f, spec.name).toBe("function");
      expect(f!.length, spec.name).toBe(spec.arity);
    }
  });

  it.each(cases)("%s(%j)", (name, args, want) => {
    const base = lax.exports.opa_heap_ptr_get();
    expect(lax.builtin(name, ...args)).toBe(want);
    lax.exports.opa_heap_ptr_set(base);
  });
});

const errors: [name: string, args: string[], message: string][] = [
  [
    "count",
    ["1"],
    "eval_type_error: count: operand 1 must be one of {array, object, set, string} but got number",
  ],
  ["plus", ['"a"', "1"], "eval_type_error: plus: operand 1 must be number but got string"],
  ["minus", ["{1}", "1"], "eval_type_error: minus: operand 2 must be set but got number"],
  ["minus", ["1", "{1}"], "eval_type_error: minus: operand 2 must be number but got set"],
  ["div", ["1", "0"], "eval_builtin_error: div: divide by zero"],
  ["rem", ["1", "0"], "eval_builtin_error: rem: modulo by zero"],
  ["rem", ["1.5", "1"], "eval_builtin_error: rem: modulo on floating-point number"],
  [
    "numbers.range",
    ["3.14", "4"],
    "eval_type_error: numbers.range: operand 1 must be integer number but got floating-point number",
  ],
  [
    "object.get",
    ['"x"', '"a"', "0"],
    "eval_type_error: object.get: operand 1 must be object but got string",
  ],
  ["object.keys", ['"x"'], "eval_type_error: object.keys: operand 1 must be object but got string"],
  [
    "object.union",
    ["[]", "{}"],
    "eval_type_error: object.union: operand 1 must be object but got array",
  ],
  [
    "object.remove",
    ["null", "[]"],
    "eval_type_error: object.remove: operand 1 must be object but got null",
  ],
  [
    "array.concat",
    ["{}", "[]"],
    "eval_type_error: array.concat: operand 1 must be array but got object",
  ],
  [
    "json.remove",
    ["{}", "1"],
    "eval_type_error: json.remove: operand 2 must be one of {set, array} but got number",
  ],
  [
    "json.marshal_with_options",
    ["1", '{"include_winning_lottery_numbers": true}'],
    'eval_type_error: json.marshal_with_options: operand 2 object contained unknown key "include_winning_lottery_numbers"',
  ],
  ["sum", ['["a"]'], "eval_type_error: sum: operand 1 must be array of numbers"],
  ["base64.decode", ['"!"'], "eval_builtin_error: base64.decode: illegal base64 data"],
];

describe("count on raw bytes", () => {
  it("counts each invalid UTF-8 byte as one character, as Go does", () => {
    const decoded = lax.fn("builtin.base64.decode")(lax.parseValue('"gIBh/w=="')); // 80 80 61 ff
    expect(lax.dump(lax.fn("builtin.count")(decoded))).toBe("4");
  });
});

describe("strict builtin errors", () => {
  it.each(errors)("%s(%j) aborts", (name, args, message) => {
    expect(() => strict.builtin(name, ...args)).toThrow(message);
  });

  it("the runtime stays usable after an abort", () => {
    expect(() => strict.builtin("div", "1", "0")).toThrow();
    expect(strict.builtin("div", "1", "2")).toBe("0.5");
  });
});
