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
	# an authentication method the policy gives no role to, asking for a completion
	nobody := object.union(principal("nobody", []), {"auth": "mtls"})
	req := {"version": 1, "principal": nobody, "mcp": {"method": "completion/complete", "server": "github"}}
	d := gatehouse.decision with input as req
	not d.allow
	d.reasons == ["no rule grants this request"]
}

test_unknown_tools_count_as_write if {
	d := gatehouse.decision with input as call(mallory, "github", "mystery", null, {})
	not d.allow
	d.reasons == ["mallory may not call mystery on server github (risk write)"]
}

test_bare_allowed_host_accepted if {
	gatehouse.decision.allow with input as call(alice, "fetch", "fetch", "read", {"url": "https://docs.example.com"})
}

test_overlong_argument_refused if {
	long_url := concat("", ["https://docs.example.com/", concat("", [c | some _ in numbers.range(1, 2048); c := "a"])])
	d := gatehouse.decision with input as call(alice, "fetch", "fetch", "read", {"url": long_url})
	not d.allow
	d.reasons == ["argument url is longer than 2048 characters"]
}

test_listed_tools_need_confirmation if {
	d := gatehouse.decision with input as call(sam, "slack", "post_message", "write", {"text": "hi"})
	d.allow
	d.obligations.confirm
}
