# Argument rules: a call's arguments must match the tool's input schema as the upstream declared
# it (the gateway checks it: input.mcp.arguments_valid, argument_errors, undeclared_arguments),
# stay within length limits, and secret-looking arguments are redacted from records.
# Paths and URLs have rules of their own: paths.rego and urls.rego.
package gatehouse.arguments

# the tool as the client called it (a virtual server's own name for it), for messages
import data.gatehouse.called

# How many of the gateway's schema errors a reason quotes.
max_quoted_errors := 3

violations contains msg if {
	input.mcp.arguments_valid == false
	errors := [describe(e) | some e in array.slice(input.mcp.argument_errors, 0, max_quoted_errors)]
	msg := sprintf("the arguments of %s do not match its input schema: %s", [called.tool, concat("; ", errors)])
}

# An input without the check (a hand-made input, an older gateway) is refused, not trusted.
violations contains msg if {
	not is_boolean(object.get(input.mcp, "arguments_valid", null))
	msg := sprintf("the arguments of %s were not checked against its input schema (input.mcp.arguments_valid is missing)", [called.tool])
}

# JSON Schema lets an object carry properties it does not name; an argument the tool never
# declared has no business reaching it.
violations contains msg if {
	count(input.mcp.undeclared_arguments) > 0
	msg := sprintf("the input schema of %s does not declare the argument(s) %s", [
		called.tool,
		concat(", ", input.mcp.undeclared_arguments),
	])
}

violations contains msg if {
	rule := data.access.argument_rules[input.mcp.server]
	some name, limit in rule.max_lengths
	value := input.mcp.arguments[name]
	is_string(value)
	count(value) > limit
	msg := sprintf("argument %s is longer than %d characters", [name, limit])
}

describe(error) := sprintf("arguments%s %s", [error.path, error.message])

# How reasons name a fact's place (input.mcp.paths[_].from, urls[_].from):
# "/arguments/paths/1" => "paths/1"; "/uri" => "uri"
label(from) := trim_prefix(trim_prefix(from, "/arguments"), "/")

# Arguments whose values must not reach the audit store or traces.
redactions contains name if {
	some name, _ in input.mcp.arguments
	some pattern in data.access.secret_argument_names
	contains(lower(name), pattern)
}
