# Path rules: the files a request names must lie inside allowed roots.
#
# The gateway finds the paths and normalizes them (input.mcp.paths, docs/policy-contract.md):
# values of path-named arguments at any depth, arrays included (path, paths[], source,
# destination, file_path, ...), and file: URIs anywhere (arguments and the resource URI of
# resources/read), percent-decoded, with ".." resolved. So /tmp/gatehouse/../../etc/passwd is
# /etc/passwd here, and a root matches with or without its trailing slash.
#
# - A server with `path_roots` in data.access.argument_rules: every path must be inside them.
# - Any other server: file: URIs must be inside data.access.file_roots.
package gatehouse.paths

import data.gatehouse.arguments.label

violations contains msg if {
	some fact in checked
	fact.error != null
	msg := sprintf("argument %s cannot be checked as a path: %s", [label(fact.from), fact.error])
}

violations contains msg if {
	some fact in checked
	fact.error == null
	not inside(fact, roots)
	msg := sprintf("argument %s=%s is outside the allowed paths %v", [label(fact.from), fact.path, roots])
}

# Without the gateway's facts nothing can be checked: refuse rather than trust raw strings.
violations contains msg if {
	data.access.argument_rules[input.mcp.server].path_roots
	not is_array(input.mcp.paths)
	msg := sprintf("the paths in this request were not reported by the gateway (input.mcp.paths is missing); server %s only allows paths it can check", [input.mcp.server])
}

roots := data.access.argument_rules[input.mcp.server].path_roots if {
	data.access.argument_rules[input.mcp.server].path_roots
} else := data.access.file_roots

checked contains fact if {
	data.access.argument_rules[input.mcp.server].path_roots
	some fact in input.mcp.paths
}

checked contains fact if {
	some fact in input.mcp.paths
	fact.kind == "file_uri"
}

inside(fact, allowed) if {
	fact.absolute
	some root in allowed
	fact.path == trim_suffix(root, "/")
}

inside(fact, allowed) if {
	fact.absolute
	is_string(fact.path)
	some root in allowed
	startswith(fact.path, concat("", [trim_suffix(root, "/"), "/"]))
}
