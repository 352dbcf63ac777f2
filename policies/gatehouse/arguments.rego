# Argument rules: what a call may touch, checked before it reaches the upstream.
package gatehouse.arguments

# Path arguments of file tools must stay inside the allowed prefixes of their server.
violations contains msg if {
	rule := data.access.argument_rules[input.mcp.server]
	some name in rule.path_arguments
	path := input.mcp.arguments[name]
	not path_allowed(path, rule.allowed_prefixes)
	msg := sprintf("argument %s=%s is outside the allowed paths %v", [name, path, rule.allowed_prefixes])
}

violations contains msg if {
	rule := data.access.argument_rules[input.mcp.server]
	some name in rule.path_arguments
	path := input.mcp.arguments[name]
	contains(path, "..")
	msg := sprintf("argument %s must not contain '..'", [name])
}

# URL arguments may only name allowed hosts.
violations contains msg if {
	rule := data.access.argument_rules[input.mcp.server]
	some name in rule.url_arguments
	url := input.mcp.arguments[name]
	not url_allowed(url, rule.allowed_hosts)
	msg := sprintf("argument %s names a host that is not allowed: %s", [name, url])
}

violations contains msg if {
	rule := data.access.argument_rules[input.mcp.server]
	some name, limit in rule.max_lengths
	value := input.mcp.arguments[name]
	is_string(value)
	count(value) > limit
	msg := sprintf("argument %s is longer than %d characters", [name, limit])
}

path_allowed(path, prefixes) if {
	some prefix in prefixes
	startswith(path, prefix)
}

url_allowed(url, hosts) if {
	some host in hosts
	some scheme in ["https://", "http://"]
	startswith(url, concat("", [scheme, host, "/"]))
}

url_allowed(url, hosts) if {
	some host in hosts
	some scheme in ["https://", "http://"]
	url == concat("", [scheme, host])
}

# Arguments whose values must not reach the audit store or traces.
redactions contains name if {
	some name, _ in input.mcp.arguments
	some pattern in data.access.secret_argument_names
	contains(lower(name), pattern)
}
