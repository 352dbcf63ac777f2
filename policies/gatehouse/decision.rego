# The decision the gateway asks for on every MCP request (entrypoint gatehouse/decision).
# Contract: ../../docs/policy-contract.md. Anything undefined here means deny: the gateway fails closed.
package gatehouse

import data.gatehouse.arguments
import data.gatehouse.roles
import data.gatehouse.tools

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

deny contains msg if {
	not input.mcp.method in known_methods
	msg := sprintf("method %s is not supported by this gateway", [input.mcp.method])
}

deny contains msg if {
	input.mcp.method == "tools/call"
	not tools.permitted(input.mcp.server, input.mcp.tool, input.tool)
	msg := sprintf("%s may not call %s on server %s (risk %s)", [
		input.principal.sub,
		input.mcp.tool,
		input.mcp.server,
		tools.risk(input.mcp.server, input.mcp.tool, input.tool),
	])
}

deny contains msg if {
	input.mcp.method == "tools/call"
	some msg in arguments.violations
}

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
	"ping",
	"tools/list",
	"resources/list",
	"resources/templates/list",
	"prompts/list",
	"resources/unsubscribe",
	"logging/setLevel",
}

reasons := sort([msg | some msg in deny]) if count(deny) > 0

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
