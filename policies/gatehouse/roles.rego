# Roles a principal holds: those named in its token, plus those its groups map to in data.access.
package gatehouse.roles

held contains role if {
	some role in input.principal.roles
	data.access.roles[role]
}

held contains role if {
	some group in input.principal.groups
	some role in data.access.group_roles[group]
}

held contains "reader" if input.principal.auth in {"jwt", "api_key", "dev"}

is_admin if "security_admin" in held
