package gatehouse_test

# Requests beyond tools/call allow-and-deny: roles from the token, resources and prompts without
# any role, nothing granting, unknown tools, argument limits and confirmations.

import data.gatehouse

unauthenticated_request(method) := {
	"version": 1,
	"principal": object.union(principal("anonymous", []), {"auth": "none"}),
	"mcp": {"method": method, "server": "postgres"},
}

test_roles_from_the_token_count if {
	dana := object.union(principal("dana", []), {"roles": ["developer"]})
	d := gatehouse.decision with input as call(dana, "jira", "create_issue", "write", {})
	d.allow
	d.reasons == ["dana holds role developer"]
}

test_resources_of_invisible_servers_refused if {
	d := gatehouse.decision with input as unauthenticated_request("resources/read")
	not d.allow
	"anonymous may not read resources of server postgres" in d.reasons
}

test_prompts_of_invisible_servers_refused if {
	d := gatehouse.decision with input as unauthenticated_request("prompts/get")
	not d.allow
	"anonymous may not use prompts of server postgres" in d.reasons
}

test_nothing_granted_means_deny if {
	# roles that grant nothing, asking for a completion
	nobody := principal("nobody", [])
	req := {"version": 1, "principal": nobody, "mcp": {"method": "completion/complete", "server": "github"}}
	d := gatehouse.decision with input as req with data.access.roles as {"reader": {"grants": []}}
	not d.allow
	d.reasons == ["no rule grants this request"]
}

test_unknown_tools_count_as_write if {
	d := gatehouse.decision with input as call(mallory, "github", "mystery", null, {})
	not d.allow
	d.reasons == ["mallory may not call mystery on server github (risk write)"]
}

test_bare_allowed_host_accepted if {
	gatehouse.decision.allow with input as fetch(alice, "https://docs.example.com", "docs.example.com")
}

test_overlong_argument_refused if {
	long_url := concat("", ["https://docs.example.com/", concat("", [c | some _ in numbers.range(1, 2048); c := "a"])])
	d := gatehouse.decision with input as fetch(alice, long_url, "docs.example.com")
	not d.allow
	d.reasons == ["argument url is longer than 2048 characters"]
}

test_listed_tools_need_confirmation if {
	d := gatehouse.decision with input as call(sam, "slack", "post_message", "write", {"text": "hi"})
	d.allow
	d.obligations.confirm
}

test_writes_and_destructive_calls_have_default_rate_limits if {
	d := gatehouse.decision with input as call(alice, "everything", "gzip-file-as-resource", "write", {})
	d.obligations.rate_limit == {"requests": 60, "per": "1m"}
	destructive := gatehouse.decision with input as call(sam, "filesystem", "delete_file", "destructive", {"path": "/sandbox/a"})
	destructive.obligations.rate_limit == {"requests": 10, "per": "1m"}
	read := gatehouse.decision with input as call(alice, "everything", "echo", "read", {"message": "hi"})
	read.obligations.rate_limit == null
}

test_a_server_limit_comes_before_the_risk_default if {
	d := gatehouse.decision with input as call(alice, "github", "create_issue", "write", {"title": "t"})
	d.obligations.rate_limit == {"requests": 600, "per": "1h"}
}

test_the_specific_reason_comes_before_the_role_denial if {
	# mallory may not write, and the path is outside: the path is what a client can act on
	req := with_paths(call(mallory, "filesystem", "write_file", "write", {"path": "/etc/x", "content": ""}), [path_fact("/arguments/path", "/etc/x")])
	d := gatehouse.decision with input as req
	d.reasons == [
		`argument path=/etc/x is outside the allowed paths ["/sandbox", "/tmp/gatehouse"]`,
		"mallory may not call write_file on server filesystem (risk write)",
	]
}

test_denied_tools_say_why_in_their_authors_words if {
	d := gatehouse.decision with input as call(sam, "everything", "get-env", "destructive", {})
	not d.allow
	d.reasons[0] == "get-env is not allowed on server everything: dumps the upstream's environment"
}

test_an_input_of_another_version_is_refused if {
	req := object.union(call(alice, "everything", "echo", "read", {"message": "hi"}), {"version": 2})
	d := gatehouse.decision with input as req
	not d.allow
	d.reasons == ["input version 2 is not the version this policy reads (1)"]
	not gatehouse.decision.allow with input as json.remove(req, ["version"])
}

test_malformed_inputs_are_refused if {
	base := call(sam, "github", "create_issue", "write", {"title": "t"})
	gatehouse.decision.allow with input as base
	every broken in [
		object.union(base, {"tool": []}),
		object.union(base, {"tool": {"risk": "harmless"}}),
		object.union(base, {"tool": {"tags": "fetches-urls"}}),
		object.union(base, {"principal": {"groups": "security"}}),
		object.union(base, {"principal": {"sub": ""}}),
		object.union(base, {"principal": {"auth": "magic"}}),
		object.union(base, {"mcp": {"arguments": ["title"]}}),
		object.union(base, {"mcp": {"tool": 7}}),
		object.union(base, {"list": [{"server": "github"}]}),
		json.remove(base, ["mcp/method"]),
	] {
		d := gatehouse.decision with input as broken
		not d.allow
		startswith(d.reasons[0], "malformed input: ")
	}
}
