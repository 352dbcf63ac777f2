# URL rules: a tool that fetches what it is given must not be pointed at the gateway's own network.
#
# The gateway parses every URL-valued string of a request at any depth the way fetchers do
# (input.mcp.urls, docs/policy-contract.md): http://2130706433/ and http://0x7f.1/ are host
# 127.0.0.1, [::ffff:127.0.0.1] counts as loopback, "localhost." is "localhost", and IP-literal
# hosts carry their address class (loopback, private, linkLocal, metadata, ...).
#
# For a tool or server tagged `fetches-urls` in the catalog, every URL must use an allowed scheme,
# and name a public address or a host name that is not internal. A host name resolving to a
# private address is not caught here (the policy sees no DNS): allow-list hosts (`allowed_hosts`)
# where that matters. Metadata endpoints are refused in the arguments of every tool.
package gatehouse.urls

import data.gatehouse.arguments.label

fetches_urls if "fetches-urls" in input.tool.tags

fetches_urls if "fetches-urls" in input.server.tags

violations contains msg if {
	fetches_urls
	some url in input.mcp.urls
	url.error != null
	msg := sprintf("argument %s is not a URL the gateway can check: %s", [label(url.from), url.error])
}

violations contains msg if {
	fetches_urls
	some url in input.mcp.urls
	url.error == null
	not url.scheme in data.access.url_rules.schemes
	msg := sprintf("argument %s uses the scheme %s: only %s URLs may be fetched", [
		label(url.from),
		url.scheme,
		concat(" and ", data.access.url_rules.schemes),
	])
}

violations contains msg if {
	fetches_urls
	some url in input.mcp.urls
	url.error == null
	url.address_class != null
	not url.address_class in data.access.url_rules.address_classes
	msg := sprintf("argument %s points at %s, a %s address: internal addresses may not be fetched", [
		label(url.from),
		url.host,
		url.address_class,
	])
}

violations contains msg if {
	fetches_urls
	some url in input.mcp.urls
	url.error == null
	internal_host(url.host)
	msg := sprintf("argument %s names the internal host %s: internal hosts may not be fetched", [label(url.from), url.host])
}

violations contains msg if {
	fetches_urls
	not is_array(input.mcp.urls)
	msg := "the URLs in this request were not reported by the gateway (input.mcp.urls is missing); a tool that fetches URLs only gets URLs the policy can check"
}

# Cloud metadata endpoints hand out credentials: no tool's arguments may name one.
violations contains msg if {
	not fetches_urls
	some url in input.mcp.urls
	metadata_endpoint(url)
	msg := sprintf("argument %s names the cloud metadata endpoint %s", [label(url.from), url.host])
}

# A server with `allowed_hosts` (data.access.argument_rules) may only be sent URLs of those hosts,
# and its `url_arguments` must be URLs.
violations contains msg if {
	hosts := data.access.argument_rules[input.mcp.server].allowed_hosts
	some url in input.mcp.urls
	not url.host in hosts
	msg := sprintf("argument %s names a host that is not allowed: %v", [label(url.from), url.host])
}

violations contains msg if {
	rule := data.access.argument_rules[input.mcp.server]
	some name in rule.url_arguments
	name in object.keys(input.mcp.arguments)
	not reported_url(concat("/", ["/arguments", name]))
	msg := sprintf("argument %s must be an absolute http or https URL", [name])
}

reported_url(from) if {
	some url in input.mcp.urls
	url.from == from
}

# (file: URLs have no host: null is no name)
internal_host(host) if host in data.access.url_rules.internal_hosts

internal_host(host) if {
	is_string(host)
	some suffix in data.access.url_rules.internal_host_suffixes
	endswith(host, suffix)
}

metadata_endpoint(url) if url.address_class == "metadata"

metadata_endpoint(url) if url.host in data.access.url_rules.metadata_hosts
