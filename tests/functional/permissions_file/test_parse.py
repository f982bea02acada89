"""Reading permissions files without a database: what is accepted, and each bad entry named by
its file and position (counted from 0)."""
import pytest
import yaml

from magpie.permissions import Access, Permission, Scope
from magpie.setup_files.permissions_file import PermissionsFileError, load_permissions_config, parse_document
from tests.functional.permissions_file.conftest import EXAMPLE, FIXTURES


def parse(text: str, environ=None):
    return parse_document(yaml.safe_load(text), "permissions.cfg", environ=environ or {})


def test_the_example_reads_as_magpie_means_it():
    config = load_permissions_config(str(EXAMPLE), environ={"ALICE_PASSWORD": "a-long-password"})
    first, browse, deny, layer, service = config.permissions
    assert (first.service, first.path, first.type, first.group, first.user) == \
        ("thredds", ("birdhouse", "cmip6", "tas.nc"), "file", "researchers", None)
    assert first.permission == Permission("read", Access.ALLOW, Scope.RECURSIVE)
    assert browse.permission == Permission("browse", Access.ALLOW, Scope.MATCH)  # the object form
    assert deny.path == ("birdhouse", "private") and deny.permission.deny  # a trailing slash is ignored
    assert layer.path == ("public", "roads")  # no leading slash is fine too
    assert service.path == () and (service.user, service.group) == ("bob", "readers")
    assert all(entry.action == "create" for entry in config.permissions)
    assert config.users["alice"].password == "a-long-password"  # from ${ALICE_PASSWORD}
    assert config.users["alice"].groups == ("researchers",)
    assert config.groups["researchers"].description == "Read access to the archive"
    assert first.where == f"{EXAMPLE}: permissions[0]"


def test_a_directory_is_read_in_name_order_and_only_its_cfg_files():
    directory = FIXTURES / "conf.d"
    config = load_permissions_config(str(directory))  # notes.txt is not YAML: it was not read
    assert config.sources == [str(directory / "10-grant.cfg"), str(directory / "20-revoke.cfg")]
    assert [entry.action for entry in config.permissions] == ["create", "create", "remove"]


def test_environment_variables_both_syntaxes_and_the_dollar_escape():
    config = parse("users:\n  - {username: u1, password: '$PW-${SUFFIX}$$x'}\n",
                   environ={"PW": "secret-part", "SUFFIX": "end"})
    assert config.users["u1"].password == "secret-part-end$x"


def test_the_password_is_never_shown():
    config = parse("users:\n  - {username: u1, password: a-password-not-to-show}\n")
    assert "a-password-not-to-show" not in repr(config.users["u1"])
    with pytest.raises(PermissionsFileError) as error:
        parse("users:\n  - {username: u1, password: shortpw}\n")
    assert "shortpw" not in str(error.value) and "users[0]" in str(error.value)


ENTRY = "permissions:\n  - {service: thredds, group: g, permission: read}\n"


@pytest.mark.parametrize("text, message", [
    ("- a list\n", "permissions.cfg: expected a mapping with 'permissions'"),
    ("services: []\n", "permissions.cfg: unknown section(s) services"),
    ("permissions: {service: thredds}\n", "permissions.cfg: 'permissions' must be a list"),
    (ENTRY + "  - just text\n", "permissions.cfg: permissions[1]: expected a mapping"),
    (ENTRY + "  - {service: t, group: g, permission: read, colour: red}\n",
     "permissions[1]: unknown key(s) colour"),
    (ENTRY + "  - {group: g, permission: read}\n", "permissions[1]: 'service' is missing"),
    (ENTRY + "  - {service: t, group: g}\n", "permissions[1]: 'permission' is missing"),
    (ENTRY + "  - {service: t, group: g, permission: fly}\n", "permissions[1]: invalid permission 'fly'"),
    (ENTRY + "  - {service: t, group: g, permission: read-sideways}\n", "permissions[1]: invalid permission"),
    (ENTRY + "  - {service: t, group: g, permission: {name: read, scope: deep}}\n", "unknown scope 'deep'"),
    (ENTRY + "  - {service: t, group: g, permission: read, action: grant}\n", "permissions[1]: unknown action 'grant'"),
    (ENTRY + "  - {service: t, permission: read}\n", "permissions[1]: give 'user' and/or 'group'"),
    (ENTRY + "  - {service: t, resource: /a, type: folder, group: g, permission: read}\n",
     "permissions[1]: unknown resource type 'folder'"),
    (ENTRY + "  - {service: t, type: file, group: g, permission: read}\n", "permissions[1]: 'type' is the type"),
    (ENTRY + "  - {service: t, resource: /a//b, group: g, permission: read}\n",
     "permissions[1]: 'resource' '/a//b': a resource name must be a non-empty string"),
    (ENTRY + "  - {service: t, user: 'bad name', permission: read}\n", "permissions[1]: user name 'bad name'"),
    (ENTRY + "  - {service: 3, group: g, permission: read}\n", "permissions[1]: 'service' must be a string"),
    ("users:\n  - {password: pw}\n", "permissions.cfg: users[0]: 'username' is missing"),
    ("users:\n  - {username: u, email: not-an-email}\n", "users[0]: email 'not-an-email'"),
    ("users:\n  - {username: u, group: [g, 3]}\n", "users[0]: 'group' must be a group name or a list"),
    ("users:\n  - {username: u, password: 12345678901234}\n", "users[0]: 'password' must be a string"),
    ("users:\n  - {username: u, password: '${NOT_SET_ANYWHERE}'}\n",
     "users[0]: 'password': environment variable 'NOT_SET_ANYWHERE' is not set"),
    ("groups:\n  - {name: g, discoverable: maybe}\n", "groups[0]: 'discoverable' must be true or false"),
    ("groups:\n  - {name: g}\n  - {name: g, description: other}\n",
     "groups[1]: group 'g' is already defined differently at permissions.cfg: groups[0]"),
])
def test_bad_entries_are_named_by_file_and_position(text, message):
    with pytest.raises(PermissionsFileError) as error:
        parse(text)
    assert message in str(error.value)


def test_the_same_user_may_be_listed_again_identically_across_files(tmp_path):
    for name, email in (("a.cfg", "u@example.org"), ("b.cfg", "u@example.org")):
        (tmp_path / name).write_text(f"users:\n  - {{username: u, email: {email}}}\n", encoding="utf-8")
    assert list(load_permissions_config(str(tmp_path)).users) == ["u"]
    (tmp_path / "c.cfg").write_text("users:\n  - {username: u, email: other@example.org}\n", encoding="utf-8")
    with pytest.raises(PermissionsFileError, match=r"c\.cfg: users\[0\]: user 'u' is already defined differently "
                                                   r"at .*a\.cfg: users\[0\]"):
        load_permissions_config(str(tmp_path))


def test_a_file_that_is_not_yaml_is_named_without_quoting_it(tmp_path):
    path = tmp_path / "permissions.cfg"
    path.write_text("users:\n  - {username: u, password: 'a-secret-password\n", encoding="utf-8")
    with pytest.raises(PermissionsFileError) as error:
        load_permissions_config(str(path))
    assert str(error.value).startswith(f"{path}: not valid YAML at line ")
    assert "a-secret-password" not in str(error.value)


def test_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(PermissionsFileError, match="missing.cfg: cannot read"):
        load_permissions_config(str(tmp_path / "missing.cfg"))
