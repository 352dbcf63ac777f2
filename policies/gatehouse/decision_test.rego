package gatehouse_test

import data.gatehouse

principal(sub, groups) := {"sub": sub, "iss": "https://idp.example.com", "groups": groups, "roles": [], "scopes": ["mcp"], "claims": {}, "auth": "jwt"}

# A tools/call input as the gateway builds it for arguments that match the tool's schema and name
# no path or URL; with_paths and with_urls add what the gateway reports for those that do.
call(who, server, tool, risk, args) := {
	"version": 1,
	"principal": who,
	"mcp": {
		"method": "tools/call",
		"server": server,
		"tool": tool,
		"arguments": args,
		"arguments_valid": true,
		"argument_errors": [],
		"undeclared_arguments": [],
		"paths": [],
		"urls": [],
	},
	"tool": {"risk": risk, "tags": []},
	"server": {"name": server, "tags": []},
}

with_paths(req, facts) := object.union(req, {"mcp": {"paths": facts}})

with_urls(req, facts) := object.union(req, {"mcp": {"urls": facts}})

# input.mcp.paths entries: a path-named argument's normalized value, a decoded file: URI
path_fact(from, path) := {"from": from, "kind": "path", "path": path, "absolute": startswith(path, "/"), "error": null}

file_uri_fact(from, path) := object.union(path_fact(from, path), {"kind": "file_uri"})

# input.mcp.urls entries, as the gateway parses them
url_fact(from, scheme, host, address_class) := {
	"from": from,
	"scheme": scheme,
	"host": host,
	"port": null,
	"address_class": address_class,
	"credentials": false,
	"error": null,
}

# the fetch server of the examples: its catalog entry tags it as fetching URLs
fetch(who, url, host) := with_urls(
	object.union(call(who, "fetch", "fetch", "read", {"url": url}), {"server": {"tags": ["fetches-urls"]}}),
	[url_fact("/arguments/url", "https", host, null)],
)

alice := principal("alice", ["eng"])

mallory := principal("mallory", ["contractors"])

sam := principal("sam", ["security"])

test_read_tool_allowed_for_everyone_signed_in if {
	d := gatehouse.decision with input as call(mallory, "github", "search_repositories", "read", {})
	d.allow
	d.reasons == ["mallory holds role reader"]
}

test_write_tool_allowed_for_developers if {
	gatehouse.decision.allow with input as call(alice, "github", "create_issue", "write", {"title": "x"})
}

test_write_tool_denied_for_readers if {
	d := gatehouse.decision with input as call(mallory, "github", "create_issue", "write", {})
	not d.allow
	d.reasons == ["mallory may not call create_issue on server github (risk write)"]
}

test_destructive_tool_denied_without_grant if {
	not gatehouse.decision.allow with input as call(alice, "filesystem", "delete_file", "destructive", {"path": "/sandbox/a"})
}

test_destructive_tool_allowed_with_grant_and_confirmation if {
	d := gatehouse.decision with input as call(sam, "filesystem", "delete_file", "destructive", {"path": "/sandbox/a"})
	d.allow
	d.obligations.confirm == true
}

test_denied_tool_refused_even_for_admins if {
	not gatehouse.decision.allow with input as call(sam, "github", "merge_pull_request", "write", {})
}

test_path_outside_sandbox_refused if {
	req := with_paths(
		call(alice, "filesystem", "write_file", "write", {"path": "/etc/passwd", "content": "x"}),
		[path_fact("/arguments/path", "/etc/passwd")],
	)
	d := gatehouse.decision with input as req
	not d.allow
	d.reasons == [`argument path=/etc/passwd is outside the allowed paths ["/sandbox", "/tmp/gatehouse"]`]
}

test_path_traversal_refused if {
	# the gateway resolves /sandbox/../etc/passwd before the policy sees it
	req := with_paths(
		call(alice, "filesystem", "read_file", "read", {"path": "/sandbox/../etc/passwd"}),
		[path_fact("/arguments/path", "/etc/passwd")],
	)
	not gatehouse.decision.allow with input as req
}

test_path_inside_sandbox_allowed if {
	req := with_paths(
		call(alice, "filesystem", "write_file", "write", {"path": "/sandbox/notes.txt", "content": "hi"}),
		[path_fact("/arguments/path", "/sandbox/notes.txt")],
	)
	gatehouse.decision.allow with input as req
}

test_url_host_checked if {
	gatehouse.decision.allow with input as fetch(alice, "https://docs.example.com/guide", "docs.example.com")
	not gatehouse.decision.allow with input as fetch(alice, "https://docs.example.com.evil.io/", "docs.example.com.evil.io")
}

test_unknown_risk_uses_policy_table if {
	gatehouse.decision.allow with input as call(mallory, "postgres", "list_tables", null, {})
	not gatehouse.decision.allow with input as call(mallory, "postgres", "execute", null, {})
}

test_unauthenticated_denied if {
	anon := object.union(principal("anonymous", []), {"auth": "none"})
	d := gatehouse.decision with input as call(anon, "github", "search_repositories", "read", {})
	not d.allow
	"unauthenticated requests are not allowed" in d.reasons
}

test_unknown_method_denied if {
	req := object.union(call(alice, "github", "x", "read", {}), {"mcp": {"method": "sampling/createMessage"}})
	not gatehouse.decision.allow with input as req
}

test_secret_arguments_redacted if {
	d := gatehouse.decision with input as call(alice, "github", "create_issue", "write", {"title": "t", "api_token": "s3cr3t"})
	d.obligations.redact_arguments == ["api_token"]
}

test_rate_limit_applies_to_non_admins if {
	d := gatehouse.decision with input as fetch(alice, "https://api.example.com/", "api.example.com")
	d.obligations.rate_limit == {"requests": 60, "per": "1m"}
}

test_tools_list_filters_visible_tools if {
	req := {
		"version": 1,
		"principal": mallory,
		"mcp": {"method": "tools/list"},
		"list": [
			{"server": "github", "name": "search_repositories", "risk": "read"},
			{"server": "github", "name": "create_issue", "risk": "write"},
			{"server": "everything", "name": "printEnv", "risk": "read"},
			{"server": "postgres", "name": "query"},
		],
	}
	d := gatehouse.decision with input as req
	d.allow
	d.visible_tools == ["github__search_repositories", "postgres__query"]
}

test_resources_read_needs_visible_server if {
	req := {"version": 1, "principal": principal("ann", ["data"]), "mcp": {"method": "resources/read", "server": "postgres", "uri": "postgres://t"}}
	gatehouse.decision.allow with input as req
}

test_admins_are_not_rate_limited if {
	d := gatehouse.decision with input as fetch(sam, "https://api.example.com/", "api.example.com")
	d.obligations.rate_limit == null
}
