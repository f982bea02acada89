"""Permission values: parsing every form Magpie accepts, formatting, and refusing bad values."""
import pytest

from magpie.permissions import Access, InvalidPermission, Permission, Scope, format_permissions


def test_bare_name_is_allow_recursive_as_in_magpie():
    assert Permission.parse("read") == Permission("read", Access.ALLOW, Scope.RECURSIVE)


def test_legacy_match_suffix_is_allow_match():
    assert Permission.parse("read-match") == Permission("read", Access.ALLOW, Scope.MATCH)


def test_name_with_access_only_is_recursive():
    assert Permission.parse("write-deny") == Permission("write", Access.DENY, Scope.RECURSIVE)


@pytest.mark.parametrize("text, access, scope", [
    ("read-allow-recursive", Access.ALLOW, Scope.RECURSIVE),
    ("read-allow-match", Access.ALLOW, Scope.MATCH),
    ("read-deny-recursive", Access.DENY, Scope.RECURSIVE),
    ("read-deny-match", Access.DENY, Scope.MATCH),
])
def test_explicit_form_reads_access_and_scope(text, access, scope):
    permission = Permission.parse(text)
    assert (permission.name, permission.access, permission.scope) == ("read", access, scope)


def test_parse_ignores_case_and_surrounding_space():
    assert Permission.parse("  GetMap-Deny-Match ") == Permission("getmap", Access.DENY, Scope.MATCH)


def test_object_form_reads_name_access_scope():
    value = {"name": "execute", "access": "deny", "scope": "match"}
    assert Permission.parse(value) == Permission("execute", Access.DENY, Scope.MATCH)


def test_object_form_defaults_to_allow_recursive():
    assert Permission.parse({"name": "browse"}) == Permission("browse", Access.ALLOW, Scope.RECURSIVE)


def test_as_json_reads_back_through_parse():
    permission = Permission("write", Access.DENY, Scope.MATCH)
    assert Permission.parse(permission.as_json("inherited", "group:4:editors")) == permission


def test_parse_returns_a_permission_unchanged():
    permission = Permission("read")
    assert Permission.parse(permission) is permission


def test_constructor_accepts_access_and_scope_strings():
    permission = Permission("read", "deny", "match")
    assert permission.access is Access.DENY and permission.scope is Scope.MATCH
    assert permission.deny and permission.match


@pytest.mark.parametrize("value", [
    "",
    "unknown",
    "read-sometimes",
    "read-allow-everywhere",
    "read-maybe-match",
    "read-allow-match-extra",
    "unknown-allow-match",
    {"access": "allow"},
    {"name": 5},
    {"name": "read", "access": "perhaps"},
    {"name": "read", "scope": 3},
    42,
    None,
    ["read"],
])
def test_bad_value_raises_invalid_permission_naming_it(value):
    with pytest.raises(InvalidPermission) as caught:
        Permission.parse(value)
    assert repr(value) in str(caught.value)


def test_invalid_permission_is_a_value_error():
    assert issubclass(InvalidPermission, ValueError)


def test_constructor_refuses_unknown_name_and_modifiers():
    with pytest.raises(InvalidPermission, match="unknown permission name 'fly'"):
        Permission("fly")
    with pytest.raises(InvalidPermission, match="unknown access 'maybe'"):
        Permission("read", "maybe")
    with pytest.raises(InvalidPermission, match="unknown scope 'wide'"):
        Permission("read", Access.ALLOW, "wide")


def test_str_and_explicit_are_name_access_scope():
    permission = Permission("read")
    assert str(permission) == permission.explicit == "read-allow-recursive"


@pytest.mark.parametrize("text, implicit", [
    ("read-allow-recursive", "read"),
    ("read-allow-match", "read-match"),
    ("read-deny-recursive", None),
    ("read-deny-match", None),
])
def test_implicit_form_follows_magpie_and_has_none_for_deny(text, implicit):
    assert Permission.parse(text).implicit == implicit


def test_as_json_is_magpies_permission_object():
    permission = Permission("read", Access.DENY, Scope.MATCH)
    assert permission.as_json("effective", "user:7:alice") == {
        "name": "read", "access": "deny", "scope": "match", "type": "effective", "reason": "user:7:alice"}


def test_as_json_leaves_out_a_missing_reason():
    assert "reason" not in Permission("read").as_json("applied")


def test_as_json_refuses_an_unknown_type():
    with pytest.raises(ValueError, match="unknown permission type 'granted'"):
        Permission("read").as_json("granted")


def test_implicit_and_explicit_strings_are_the_same_permission():
    assert len({Permission.parse("read"), Permission.parse("read-allow-recursive")}) == 1


def test_format_lists_implicit_then_explicit_names_and_one_object_each():
    formatted = format_permissions(["read", "read-allow-recursive"])
    assert formatted["permission_names"] == ["read", "read-allow-recursive"]
    assert formatted["permissions"] == [
        {"name": "read", "access": "allow", "scope": "recursive", "type": "applied"}]


def test_format_orders_by_name_then_priority_and_omits_implicit_deny():
    formatted = format_permissions(["write-deny-match", "read-deny-recursive", "read-match", "read"])
    assert formatted["permission_names"] == [
        "read-match", "read-allow-match", "read", "read-allow-recursive", "read-deny-recursive",
        "write-deny-match"]


def test_format_keeps_the_first_reason_of_duplicates():
    formatted = format_permissions([("read", "user:1:a"), ("read-allow-recursive", "group:2:b")], "inherited")
    assert formatted["permissions"] == [
        {"name": "read", "access": "allow", "scope": "recursive", "type": "inherited", "reason": "user:1:a"}]


def test_format_allowed_expands_every_access_and_scope():
    formatted = format_permissions(["read-deny-match"], "allowed")
    assert formatted["permission_names"] == [
        "read-match", "read-allow-match", "read", "read-allow-recursive",
        "read-deny-match", "read-deny-recursive"]
    assert {item["type"] for item in formatted["permissions"]} == {"allowed"}
    assert len(formatted["permissions"]) == 4


def test_format_of_nothing_is_two_empty_lists():
    assert format_permissions([]) == {"permission_names": [], "permissions": []}
