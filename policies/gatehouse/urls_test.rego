package gatehouse_test

# URL rules on input.mcp.urls: what the gateway reports, parsed (hosts normalized, IP literals
# classified). gzip-file-as-resource fetches the URL in `data`; the catalog tags it fetches-urls.

import data.gatehouse

gzip(host, scheme, address_class) := with_urls(
	object.union(call(alice, "everything", "gzip-file-as-resource", "write", {"data": "…"}), {"tool": {"tags": ["fetches-urls"]}}),
	[url_fact("/arguments/data", scheme, host, address_class)],
)

test_loopback_private_and_link_local_addresses_refused if {
	every entry in [
		["127.0.0.2", "loopback"],
		["::ffff:7f00:1", "loopback"],
		["10.0.0.5", "private"],
		["169.254.10.1", "linkLocal"],
		["fd12::1", "uniqueLocal"],
		["100.64.0.1", "carrierGradeNat"],
		["0.0.0.0", "unspecified"],
		["224.0.0.1", "multicast"],
		["64:ff9b::7f00:1", "rfc6052"],
	] {
		d := gatehouse.decision with input as gzip(entry[0], "http", entry[1])
		not d.allow
		d.reasons == [sprintf("argument data points at %s, a %s address: internal addresses may not be fetched", entry)]
	}
}

test_metadata_endpoints_refused if {
	d := gatehouse.decision with input as gzip("169.254.169.254", "http", "metadata")
	not d.allow
	d.reasons == ["argument data points at 169.254.169.254, a metadata address: internal addresses may not be fetched"]
}

test_internal_host_names_refused if {
	every host in ["localhost", "metadata.google.internal", "db.internal", "app.localhost", "printer.local"] {
		d := gatehouse.decision with input as gzip(host, "http", null)
		not d.allow
		d.reasons == [sprintf("argument data names the internal host %s: internal hosts may not be fetched", [host])]
	}
}

test_other_schemes_refused if {
	every scheme in ["file", "gopher", "ftp", "dict"] {
		d := gatehouse.decision with input as gzip("example.com", scheme, null)
		not d.allow
		d.reasons == [sprintf("argument data uses the scheme %s: only http and https URLs may be fetched", [scheme])]
	}
}

test_file_urls_have_no_host_and_are_refused_for_their_scheme if {
	d := gatehouse.decision with input as gzip(null, "file", null)
	not d.allow
	d.reasons == ["argument data uses the scheme file: only http and https URLs may be fetched"]
}

test_unparsable_urls_refused if {
	req := with_urls(gzip("x", "http", null), [{"from": "/arguments/data", "scheme": "http", "host": null, "port": null, "address_class": null, "credentials": false, "error": "it starts like a URL but the URL parser rejects it"}])
	d := gatehouse.decision with input as req
	not d.allow
	d.reasons == ["argument data is not a URL the gateway can check: it starts like a URL but the URL parser rejects it"]
}

test_public_urls_allowed if {
	gatehouse.decision.allow with input as gzip("example.com", "https", null)
	gatehouse.decision.allow with input as gzip("93.184.216.34", "http", "unicast")
}

test_the_rule_follows_the_tag_not_the_server_name if {
	# the same URL for a tool without the tag: not a fetch, not refused (only metadata is)
	untagged := with_urls(call(alice, "everything", "echo", "read", {"message": "http://127.0.0.1/"}), [url_fact("/arguments/message", "http", "127.0.0.1", "loopback")])
	gatehouse.decision.allow with input as untagged

	# a server tagged as a whole, whatever its name
	fetcher := with_urls(
		object.union(call(alice, "everything", "download", "read", {"src": "http://127.0.0.1/"}), {"server": {"tags": ["fetches-urls"]}}),
		[url_fact("/arguments/src", "http", "127.0.0.1", "loopback")],
	)
	not gatehouse.decision.allow with input as fetcher
}

test_metadata_refused_for_every_tool if {
	req := with_urls(call(alice, "everything", "echo", "read", {"message": "http://169.254.169.254/"}), [url_fact("/arguments/message", "http", "169.254.169.254", "metadata")])
	d := gatehouse.decision with input as req
	not d.allow
	d.reasons == ["argument message names the cloud metadata endpoint 169.254.169.254"]
	named := with_urls(call(alice, "everything", "echo", "read", {"message": "http://metadata.google.internal/"}), [url_fact("/arguments/message", "http", "metadata.google.internal", null)])
	not gatehouse.decision.allow with input as named
}

test_a_fetching_call_without_url_facts_is_refused if {
	req := json.remove(gzip("example.com", "https", null), ["mcp/urls"])
	not gatehouse.decision.allow with input as req
}

test_allowed_hosts_need_a_url_the_gateway_parsed if {
	# "docs.example.com" without a scheme is no URL: the gateway reports none for it
	req := with_urls(fetch(alice, "docs.example.com", "docs.example.com"), [])
	d := gatehouse.decision with input as req
	not d.allow
	d.reasons == ["argument url must be an absolute http or https URL"]
}
