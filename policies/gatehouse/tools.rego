# Which tools a principal may use, from its roles and each tool's risk.
package gatehouse.tools

import data.gatehouse.roles

default risk(_, _, _) := "write"

# A tool's risk: what the catalog says (input.tool), else the policy's own tool table; unknown
# tools count as "write".
risk(server, name, tool) := tool.risk if {
	tool.risk in {"read", "write", "destructive"}
} else := known if {
	known := data.access.tool_catalog[server][name].risk
}

permitted(server, name, tool) if {
	not denied(server, name)
	some role in roles.held
	role_permits(role, server, name, tool)
}

permitted(server, name, _) if {
	not denied(server, name)
	destructive_granted(server, name)
}

role_permits(role, server, name, tool) if {
	some grant in data.access.roles[role].grants
	server_matches(grant.servers, server)
	level := risk(server, name, tool)
	level in grant.risks
	level != "destructive"
}

destructive_granted(server, name) if {
	some grant in data.access.destructive_grants
	grant.server == server
	grant.tool == name
	some group in input.principal.groups
	group in grant.groups
}

denied(server, name) if {
	some entry in data.access.denied_tools
	entry.server == server
	entry.tool == name
}

# Why data.access.denied_tools refuses a tool, in its author's words.
denial_reasons contains sprintf("%s is not allowed on server %s: %s", [name, server, entry.reason]) if {
	server := input.mcp.server
	name := input.mcp.tool
	some entry in data.access.denied_tools
	entry.server == server
	entry.tool == name
}

server_matches(patterns, server) if "*" in patterns

server_matches(patterns, server) if server in patterns

server_visible(server) if {
	some role in roles.held
	some grant in data.access.roles[role].grants
	server_matches(grant.servers, server)
}

needs_confirmation(server, name, tool) if {
	risk(server, name, tool) == "destructive"
}

needs_confirmation(server, name, _) if {
	some entry in data.access.confirm_tools
	entry.server == server
	entry.tool == name
}

# Whether this call must be confirmed by a human first (false when the request names no tool).
default confirm := false

confirm if needs_confirmation(input.mcp.server, input.mcp.tool, input.tool)

result_redactions contains path if {
	some entry in data.access.result_redactions
	entry.server == input.mcp.server
	some path in entry.paths
}

# The rate_limit obligation: the server's own limit (data.access.rate_limits) for everyone but
# security admins, else the default for the tool's risk (data.access.risk_rate_limits) for
# everyone. The gateway keeps one bucket per principal (issuer and subject), server and tool.
default rate_limit := null

rate_limit := limit if {
	not roles.is_admin
	limit := data.access.rate_limits[input.mcp.server]
} else := limit if {
	input.mcp.method == "tools/call"
	limit := data.access.risk_rate_limits[risk(input.mcp.server, input.mcp.tool, input.tool)]
}
