"""The rules for names and ids a client may send, written once for services, resources, users,
groups and the configuration that names them, and the one way to find a row by either."""
import re
from typing import Optional, Union

import sqlalchemy as sa
from sqlalchemy.orm import Session

from magpie.errors import InvalidInput, NotFoundError
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


def find_by_id_or_name(session: Session, model, name_column, ref: Union[int, str], what: str, *criteria):
    """The row of ``model`` whose id or name is ``ref``, else :class:`NotFoundError` naming it.
    Digits are read as an id, which is why names may never be only digits. ``criteria`` narrow
    the name lookup (so that it can use a partial index)."""
    row_id = parse_id(ref)
    if row_id is not None:
        found = session.get(model, row_id)
    elif isinstance(ref, str) and ref and not has_control_characters(ref):
        found = session.execute(sa.select(model).where(name_column == ref, *criteria)).scalar_one_or_none()
    else:
        found = None
    if found is None:
        raise NotFoundError(f"no {what} {ref!r}")
    return found


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def has_lone_surrogates(text: str) -> bool:
    """Half of a UTF-16 pair: no encoding can store it (databases, JSON answers refuse it)."""
    return bool(_LONE_SURROGATE.search(text))


def without_unstorable(text: str) -> str:
    """``text`` without control characters and lone surrogates (for titles, which are only shown)."""
    return _LONE_SURROGATE.sub("", _CONTROL.sub("", text))


def validate_name(name: object, field: str = "resource_name", what: str = "resource") -> str:
    """A name is one path segment: not empty, not '.' nor '..', no '/', no control character, no
    lone surrogate, not too long."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput(field, f"a {what} name must be a non-empty string")
    if "/" in name or has_control_characters(name):
        raise InvalidInput(field, f"a {what} name cannot hold '/' nor control characters")
    if name in (".", ".."):
        raise InvalidInput(field, f"a {what} name cannot be '.' nor '..'")
    if has_lone_surrogates(name):
        raise InvalidInput(field, f"a {what} name cannot hold lone surrogates (invalid Unicode)")
    if len(name) > NAME_LENGTH:
        raise InvalidInput(field, f"a {what} name has at most {NAME_LENGTH} characters")
    return name
