"""The account rules, and that openapi.yaml says the same: a request the document accepts is one
the rules accept (Schemathesis relies on it), and the other way round."""
import pytest
import yaml

from magpie.accounts import rules
from magpie.api.openapi import SPEC_PATH
from magpie.config import MIN_PASSWORD_LENGTH
from magpie.errors import ConflictError, InvalidInput


@pytest.fixture(scope="module")
def schemas():
    with SPEC_PATH.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)["components"]["schemas"]


def test_the_document_states_the_rules(schemas):
    assert schemas["UserName"]["pattern"] == rules.NAME_PATTERN == schemas["GroupName"]["pattern"]
    assert schemas["UserName"]["maxLength"] == rules.NAME_MAX_LENGTH == schemas["GroupName"]["maxLength"]
    assert schemas["Email"]["pattern"] == rules.EMAIL_PATTERN
    assert schemas["Email"]["maxLength"] == rules.EMAIL_MAX_LENGTH
    assert schemas["Password"]["minLength"] == MIN_PASSWORD_LENGTH
    assert schemas["Password"]["maxLength"] == rules.PASSWORD_MAX_LENGTH
    assert schemas["Password"]["format"] == "password"  # its validation messages never quote it
    assert schemas["GroupDescription"]["pattern"] == rules.DESCRIPTION_PATTERN
    assert schemas["UserStatus"]["enum"] == list(rules.STATUSES)


@pytest.mark.parametrize("name", ["alice", "a", "1a", "7_up", "jean.dupont@example.org", "x" * 128])
def test_good_names(name):
    assert rules.validate_user_name(name) == name
    assert rules.validate_group_name(name) == name


@pytest.mark.parametrize("name", ["", " ", "12", "_a", "a b", "a/b", "a\n", "é", "x" * 129, None, 12])
def test_bad_names_name_the_field(name):
    with pytest.raises(InvalidInput) as raised:
        rules.validate_user_name(name)
    assert raised.value.field == "user_name"


def test_current_is_reserved():
    with pytest.raises(ConflictError):
        rules.validate_user_name("current")
    assert rules.validate_group_name("current") == "current"


@pytest.mark.parametrize("email, good", [("a@b", True), ("jean.dupont+x@example.org", True), ("ab", False),
                                         ("a@b@c", False), ("a b@c", False), ("a@b\n", False), ("@b", False),
                                         ("a@" + "b" * 99, False)])
def test_emails(email, good):
    if good:
        assert rules.validate_email(email) == email
    else:
        with pytest.raises(InvalidInput):
            rules.validate_email(email)


def test_password_messages_never_hold_the_password():
    for password in ("short", "x" * 2000):
        with pytest.raises(InvalidInput) as raised:
            rules.validate_password(password)
        assert raised.value.field == "password" and password not in str(raised.value)
    assert rules.validate_password("p" * MIN_PASSWORD_LENGTH)


def test_statuses_and_descriptions():
    assert rules.parse_status("OK") == 1 and rules.parse_status("Locked") == 0
    assert rules.status_name(1) == "OK" and rules.status_name(0) == "Locked"
    with pytest.raises(InvalidInput):
        rules.parse_status(["OK"])
    assert rules.validate_description("two\nlines\tand a tab") == "two\nlines\tand a tab"
    assert rules.validate_description(None) == ""
    with pytest.raises(InvalidInput):
        rules.validate_description("bell\x07")
