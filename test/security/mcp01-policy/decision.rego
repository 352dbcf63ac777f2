# The secret-exposure attacks' policy (test/security/mcp01-*.test.ts): every method is allowed and
# scripted__echo may be called; a call with a `refuse` argument is denied with a reason that
# quotes it, as a careless policy would ("refused: <what the caller sent>").
package gatehouse

decision := {
	"allow": allow,
	"reasons": reasons,
	"obligations": {"redact_arguments": []},
	"visible_tools": [sprintf("%s__%s", [c.server, c.name]) | some c in input.list],
}

default allow := false

allow if input.mcp.method != "tools/call"

allow if {
	input.mcp.tool == "echo"
	not input.mcp.arguments.refuse
}

reasons := ["allowed"] if allow

reasons := [sprintf("refused: %s", [input.mcp.arguments.refuse])] if {
	not allow
	input.mcp.arguments.refuse
}

reasons := ["only echo may be called"] if {
	not allow
	not input.mcp.arguments.refuse
}
