"""The OpenAPI document lists the permission names by hand (the enum of a permission's ``name``
and the pattern of its string forms): they must stay those of magpie.permissions.names, or the
document would refuse a name the server accepts, or promise one it refuses."""
import re

from magpie.api.openapi import load_spec
from magpie.permissions import Permission
from magpie.permissions.names import ALL_PERMISSION_NAMES


def test_the_document_names_every_permission_name_and_only_those():
    spec = load_spec()
    schemas = spec["components"]["schemas"]
    assert schemas["PermissionInput"]["properties"]["name"]["enum"] == sorted(ALL_PERMISSION_NAMES)
    pattern = re.compile(schemas["PermissionBody"]["properties"]["permission_name"]["pattern"])
    path_parameter = next(p for p in spec["paths"]["/users/{user}/resources/{resource_id}/permissions/{permission}"]
                          ["parameters"] if p["name"] == "permission")
    assert path_parameter["schema"]["pattern"] == pattern.pattern
    for name in ALL_PERMISSION_NAMES:
        for form in (name, f"{name}-match", f"{name}-deny", f"{name}-allow-recursive", f"{name}-deny-match"):
            assert pattern.match(form) and Permission.parse(form).name == name
    for form in ("fly", "read-sideways", "read-match-allow", "read-allow-match-x", "Read", "read-"):
        assert not pattern.match(form), form
