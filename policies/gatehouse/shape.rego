# The input as the contract shapes it (docs/policy-contract.md): the fields a decision rests on
# (who asks, how authenticated, which method, server, tool, arguments, risk, candidates) must have
# their documented types. An input that does not is refused, never guessed at.
package gatehouse.shape

problems contains "input.principal must be an object" if not is_object(input.principal)

problems contains "input.principal.sub must be a non-empty string" if {
	not non_empty_string(input.principal.sub)
}

problems contains "input.principal.auth must be one of jwt, api_key, dev, none" if {
	not input.principal.auth in {"jwt", "api_key", "dev", "none"}
}

problems contains sprintf("input.principal.%s must be an array of strings", [field]) if {
	is_object(input.principal)
	some field in ["groups", "roles", "scopes"]
	not string_list(object.get(input.principal, field, []))
}

problems contains "input.principal.claims must be an object" if {
	is_object(input.principal)
	not is_object(object.get(input.principal, "claims", {}))
}

problems contains "input.mcp must be an object" if not is_object(input.mcp)

problems contains "input.mcp.method must be a string" if not is_string(input.mcp.method)

problems contains sprintf("input.mcp.%s must be a string or null", [field]) if {
	is_object(input.mcp)
	some field in ["server", "tool"]
	not nullable_string(object.get(input.mcp, field, null))
}

problems contains "input.mcp.arguments must be an object" if {
	is_object(input.mcp)
	not is_object(object.get(input.mcp, "arguments", {}))
}

problems contains "input.tool must be an object or null" if {
	tool := object.get(input, "tool", null)
	tool != null
	not is_object(tool)
}

problems contains "input.tool.risk must be read, write, destructive or null" if {
	is_object(input.tool)
	not object.get(input.tool, "risk", null) in {"read", "write", "destructive", null}
}

problems contains "input.tool.tags must be an array of strings" if {
	is_object(input.tool)
	not string_list(object.get(input.tool, "tags", []))
}

problems contains "input.list must be an array of candidates {server, name, risk, tags}" if {
	list := object.get(input, "list", [])
	not candidates(list)
}

non_empty_string(value) if {
	is_string(value)
	value != ""
}

nullable_string(null)

nullable_string(value) if is_string(value)

string_list(values) if {
	is_array(values)
	every value in values {
		is_string(value)
	}
}

candidates(list) if {
	is_array(list)
	every candidate in list {
		is_string(candidate.server)
		is_string(candidate.name)
		object.get(candidate, "risk", null) in {"read", "write", "destructive", null}
		string_list(object.get(candidate, "tags", []))
	}
}
