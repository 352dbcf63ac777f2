# The decision the gateway asks for on every MCP request (entrypoint gatehouse/decision).
# Contract: ../../docs/policy-contract.md. Anything undefined here means deny: the gateway fails closed.
package gatehouse

import data.gatehouse.arguments
import data.gatehouse.paths
import data.gatehouse.roles
import data.gatehouse.shape
import data.gatehouse.tools
import data.gatehouse.urls

decision := {
	"allow": allow,
	"reasons": reasons,
	"obligations": obligations,
	"visible_tools": visible_tools,
}

default allow := false

allow if {
	count(deny) == 0
	count(grants) > 0
}

# Why a request is refused. Every entry is a sentence a client can act on.
deny contains "unauthenticated requests are not allowed" if input.principal.auth == "none"

# The contract's version this policy reads (docs/policy-contract.md); anything else is malformed.
deny contains msg if {
	not input.version == 1
	msg := sprintf("input version %v is not the version this policy reads (1)", [object.get(input, "version", null)])
}

deny contains sprintf("malformed input: %s", [problem]) if some problem in shape.problems

deny contains msg if {
	not input.mcp.method in known_methods
	msg := sprintf("method %s is not supported by this gateway", [input.mcp.method])
}

deny contains msg if some msg in role_denials

# "No role allows this": true, but the least useful reason, so `reasons` lists it last.
role_denials contains msg if {
	input.mcp.method == "tools/call"
	not tools.permitted(input.mcp.server, input.mcp.tool, input.tool)
	msg := sprintf("%s may not call %s on server %s (risk %s)", [
		input.principal.sub,
		called.tool,
		called.server,
		tools.risk(input.mcp.server, input.mcp.tool, input.tool),
	])
}

# The tool as the client called it: a virtual server's own name for it, else the upstream's.
called := {"tool": input.mcp.called_tool, "server": input.mcp.virtual_server} if {
	is_string(input.mcp.virtual_server)
	is_string(input.mcp.called_tool)
} else := {"tool": input.mcp.tool, "server": input.mcp.server}

deny contains msg if {
	input.mcp.method == "tools/call"
	some msg in tools.denial_reasons
}

deny contains msg if {
	input.mcp.method == "tools/call"
	some msg in arguments.violations
}

# Requests whose values name files or URLs: tool arguments, resource URIs, prompt arguments.
deny contains msg if {
	input.mcp.method in value_methods
	some msg in paths.violations
}

deny contains msg if {
	input.mcp.method in value_methods
	some msg in urls.violations
}

value_methods := {"tools/call", "resources/read", "resources/subscribe", "prompts/get"}

deny contains msg if {
	input.mcp.method in {"resources/read", "resources/subscribe"}
	not tools.server_visible(input.mcp.server)
	msg := sprintf("%s may not read resources of server %s", [input.principal.sub, input.mcp.server])
}

deny contains msg if {
	input.mcp.method == "prompts/get"
	not tools.server_visible(input.mcp.server)
	msg := sprintf("%s may not use prompts of server %s", [input.principal.sub, input.mcp.server])
}

# What allowed the request, for the audit record.
grants contains sprintf("%s holds role %s", [input.principal.sub, role]) if {
	input.mcp.method == "tools/call"
	some role in roles.held
	tools.role_permits(role, input.mcp.server, input.mcp.tool, input.tool)
}

grants contains sprintf("tool %s is granted to %s by data.access.destructive_grants", [input.mcp.tool, input.principal.sub]) if {
	input.mcp.method == "tools/call"
	tools.destructive_granted(input.mcp.server, input.mcp.tool)
}

grants contains sprintf("%s is open to every signed-in principal", [input.mcp.method]) if {
	input.mcp.method in open_methods
}

grants contains sprintf("%s may use server %s", [input.principal.sub, input.mcp.server]) if {
	input.mcp.method in {"resources/read", "resources/subscribe", "prompts/get", "completion/complete"}
	tools.server_visible(input.mcp.server)
}

known_methods := open_methods | {
	"tools/call",
	"resources/read",
	"resources/subscribe",
	"resources/unsubscribe",
	"prompts/get",
	"completion/complete",
}

open_methods := {
	"initialize",
	"server/discover",
	"ping",
	"tools/list",
	"resources/list",
	"resources/templates/list",
	"prompts/list",
	"resources/unsubscribe",
	"logging/setLevel",
}

# The client sees the first reason: the specific ones (sorted) come before "no role allows this".
reasons := array.concat(
	sort([msg | some msg in deny; not msg in role_denials]),
	sort([msg | some msg in role_denials]),
) if count(deny) > 0

else := sort([msg | some msg in grants]) if count(grants) > 0

else := ["no rule grants this request"]

obligations := {
	"redact_arguments": sort([p | some p in arguments.redactions]),
	"redact_result": sort([p | some p in tools.result_redactions]),
	"confirm": tools.confirm,
	"rate_limit": tools.rate_limit,
}

# For list methods the gateway passes every candidate in input.list; one evaluation filters them all.
visible_tools := sort([name |
	some candidate in input.list
	tools.permitted(candidate.server, candidate.name, candidate)
	name := concat("__", [candidate.server, candidate.name])
])
