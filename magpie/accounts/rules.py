"""The rules for what a client may send about accounts: user and group names, emails, passwords
and statuses, written once for the API, the pages and the permissions file.

The patterns are also those of ``openapi.yaml`` (a unit test holds them equal), so a request the
document accepts is one these rules accept. Messages about a password never quote it.
"""
import re
from typing import Optional

from magpie.config import MIN_PASSWORD_LENGTH
from magpie.errors import ConflictError, InvalidInput
from magpie.names import has_control_characters, validate_name

#: Longest names and emails the tables hold (ziggurat's columns).
NAME_MAX_LENGTH = 128
EMAIL_MAX_LENGTH = 100
PASSWORD_MAX_LENGTH = 1024
DESCRIPTION_MAX_LENGTH = 1024

#: A name starts with a letter or digit, is not only digits (``{user}`` reads digits as an id) and
#: holds ASCII letters, digits and ``_ . @ + -``. ``$(?![\s\S])``: no trailing newline either.
NAME_PATTERN = r"^(?:[0-9]*[A-Za-z]|[0-9]+[_.@+-])[A-Za-z0-9_.@+-]*$(?![\s\S])"
EMAIL_PATTERN = r"^[^\s@\x00-\x1f\x7f]+@[^\s@\x00-\x1f\x7f]+$(?![\s\S])"
DESCRIPTION_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$(?![\s\S])"

#: ``/users/current`` names the signed-in user (Magpie's alias): no account may be called so.
RESERVED_USER_NAMES = frozenset(["current"])

#: Stored in ``users.status``: 1 may sign in (ziggurat's default), 0 may not.
STATUSES = {"OK": 1, "Locked": 0}

_NAME = re.compile(NAME_PATTERN)
_EMAIL = re.compile(EMAIL_PATTERN)
_DESCRIPTION = re.compile(DESCRIPTION_PATTERN)


def validate_account_name(name: object, field: str, what: str) -> str:
    """A user or group name: a path segment (:func:`magpie.names.validate_name`) of at most 128
    characters drawn from :data:`NAME_PATTERN`."""
    validate_name(name, field, what)
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidInput(field, f"a {what} name has at most {NAME_MAX_LENGTH} characters")
    if not _NAME.search(name):
        raise InvalidInput(field, f"{what} name {name!r} is not allowed: ASCII letters, digits and _ . @ + -, "
                                  f"starting with a letter or digit, and not only digits")
    return name


def validate_user_name(name: object) -> str:
    name = validate_account_name(name, "user_name", "user")
    if name in RESERVED_USER_NAMES:
        raise ConflictError(f"the user name {name!r} is reserved: /users/{name} names the signed-in user")
    return name


def validate_group_name(name: object) -> str:
    return validate_account_name(name, "group_name", "group")


def validate_email(email: object) -> str:
    if not isinstance(email, str) or not email:
        raise InvalidInput("email", "an email must be a non-empty string")
    if len(email) > EMAIL_MAX_LENGTH:
        raise InvalidInput("email", f"an email has at most {EMAIL_MAX_LENGTH} characters")
    if has_control_characters(email) or not _EMAIL.search(email):
        raise InvalidInput("email", f"email {email!r} is not of the form name@domain (no spaces)")
    return email


def validate_password(password: object) -> str:
    """A new password: a string of :data:`magpie.config.MIN_PASSWORD_LENGTH` to 1024 characters.
    The messages never hold the value."""
    if not isinstance(password, str):
        raise InvalidInput("password", "a password must be a string")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("password", f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise InvalidInput("password", f"a password has at most {PASSWORD_MAX_LENGTH} characters")
    return password


def validate_description(description: Optional[object]) -> str:
    if description is None:
        return ""
    if not isinstance(description, str):
        raise InvalidInput("description", "a description must be a string")
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise InvalidInput("description", f"a description has at most {DESCRIPTION_MAX_LENGTH} characters")
    if not _DESCRIPTION.search(description):
        raise InvalidInput("description", "a description cannot hold control characters but tabs and newlines")
    return description


def parse_status(status: object) -> int:
    """The stored value of a status name (``OK``, ``Locked``)."""
    if not isinstance(status, str) or status not in STATUSES:
        raise InvalidInput("status", f"status must be one of {', '.join(STATUSES)}")
    return STATUSES[status]


def status_name(value: Optional[int]) -> str:
    return "OK" if value == STATUSES["OK"] else "Locked"
