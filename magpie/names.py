"""The rules for names and ids a client may send, written once for services, resources and the
configuration that names them."""
import re
from typing import Optional, Union

from magpie.errors import InvalidInput
from magpie.models import NAME_LENGTH

#: Largest id a client may name (the ids are 32-bit integers on PostgreSQL).
MAX_ID = 2 ** 31 - 1

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def has_control_characters(text: str) -> bool:
    return bool(_CONTROL.search(text))


def parse_id(value: Union[int, str]) -> Optional[int]:
    """The integer id ``value`` spells, or None when it is not one a row could have."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)
    else:
        return None
    return number if 0 < number <= MAX_ID else None


def validate_name(name: object, field: str = "resource_name", what: str = "resource") -> str:
    """A name is one path segment: not empty, no '/', no control character, not too long."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput(field, f"a {what} name must be a non-empty string")
    if "/" in name or has_control_characters(name):
        raise InvalidInput(field, f"a {what} name cannot hold '/' nor control characters")
    if len(name) > NAME_LENGTH:
        raise InvalidInput(field, f"a {what} name has at most {NAME_LENGTH} characters")
    return name
