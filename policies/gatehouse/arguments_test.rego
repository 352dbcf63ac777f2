package gatehouse_test

# Schema checks: the gateway validates the arguments against the tool's input schema; the policy
# refuses invalid ones, undeclared ones, and inputs that carry no check at all.

import data.gatehouse

echo(args) := call(alice, "everything", "echo", "read", args)

test_invalid_arguments_refused_with_the_first_errors if {
	req := object.union(echo({"message": 42}), {"mcp": {
		"arguments_valid": false,
		"argument_errors": [
			{"path": "/message", "message": "must be string"},
			{"path": "", "message": "must have required property 'x'"},
			{"path": "/a", "message": "one"},
			{"path": "/b", "message": "two"},
		],
	}})
	d := gatehouse.decision with input as req
	not d.allow
	d.reasons == ["the arguments of echo do not match its input schema: arguments/message must be string; arguments must have required property 'x'; arguments/a one"]
}

test_an_invalid_upstream_schema_refuses_the_call if {
	req := object.union(echo({"message": "hi"}), {"mcp": {
		"arguments_valid": false,
		"argument_errors": [{"path": "", "message": "cannot be checked: the upstream's inputSchema is invalid (boom)"}],
	}})
	d := gatehouse.decision with input as req
	not d.allow
	d.reasons == ["the arguments of echo do not match its input schema: arguments cannot be checked: the upstream's inputSchema is invalid (boom)"]
}

test_undeclared_arguments_refused if {
	req := object.union(echo({"message": "hi", "notes": "x"}), {"mcp": {"undeclared_arguments": ["notes"]}})
	d := gatehouse.decision with input as req
	not d.allow
	d.reasons == ["the input schema of echo does not declare the argument(s) notes"]
}

test_a_call_without_the_schema_check_is_refused if {
	req := json.remove(echo({"message": "hi"}), ["mcp/arguments_valid"])
	d := gatehouse.decision with input as req
	not d.allow
	d.reasons == ["the arguments of echo were not checked against its input schema (input.mcp.arguments_valid is missing)"]
}

test_a_null_schema_check_is_refused_for_tools_call if {
	req := object.union(echo({"message": "hi"}), {"mcp": {"arguments_valid": null}})
	not gatehouse.decision.allow with input as req
}

test_valid_declared_arguments_allowed if {
	gatehouse.decision.allow with input as echo({"message": "hi"})
}

test_schema_checks_do_not_apply_to_other_methods if {
	req := {"version": 1, "principal": alice, "mcp": {"method": "resources/read", "server": "everything", "uri": "demo://resource/static/document/1", "arguments_valid": null, "paths": [], "urls": []}}
	gatehouse.decision.allow with input as req
}
