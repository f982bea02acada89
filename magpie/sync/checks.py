"""Remote input checked before anything is stored: every name a crawl (or a third-party sync
type) gives must be one ``POST .../resources`` accepts, or ``adopt`` could not create it and no
local resource could ever match it.

A node with a bad name is left out, with a problem line naming it; a tree deeper than
:data:`~magpie.sync.config.MAX_TREE_DEPTH` or with a type no column can hold fails the sync.
Iterative: remote input never drives recursion.
"""
import re
from typing import List

from magpie.errors import InvalidInput
from magpie.models import NAME_LENGTH
from magpie.names import validate_name, without_unstorable
from magpie.sync.config import MAX_TREE_DEPTH

#: Longest ``resource_type`` a remote node may carry (the column's size).
TYPE_LENGTH = 30


#: Characters a name or a title may not hold, found in one search (the rules are validate_name's).
_UNSTORABLE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
_SUSPECT = re.compile("[\x00-\x1f\x7f/\ud800-\udfff]")


class RemoteTreeError(ValueError):
    """The crawled tree cannot be stored at all; the sync fails and keeps the last good tree."""


def clean_display_name(display: object) -> object:
    """A title is only shown: control characters and lone surrogates go, long ones are cut."""
    if not isinstance(display, str):
        return None
    return without_unstorable(display)[:NAME_LENGTH] or None


def check_remote_tree(main_node: dict, problems: List[str]) -> None:
    """Check the nodes below ``main_node`` in place: bad names are removed with a problem line,
    titles cleaned; :class:`RemoteTreeError` for a tree too deep or a node type that is not a
    short string. One regular expression per name and title finds the rare bad ones, which
    :func:`~magpie.names.validate_name` then explains (a million nodes are checked in a second)."""
    stack = [(main_node, ())]
    while stack:
        node, path = stack.pop()
        children = node["children"]
        if children and len(path) >= MAX_TREE_DEPTH:
            raise RemoteTreeError(f"the remote tree is deeper than {MAX_TREE_DEPTH} levels below "
                                  f"{'/'.join(path)[:200]!r}")
        bad = []
        for name, child in children.items():
            if type(name) is not str or not name or len(name) > NAME_LENGTH or name in (".", "..") or \
                    name.isspace() or _SUSPECT.search(name):
                try:
                    validate_name(name, "remote name", "remote")
                except InvalidInput as exc:
                    shown = "/".join(path + (str(name).encode("utf-8", "backslashreplace").decode("utf-8")[:100],))
                    problems.append(f"skipped remote node {shown!r}: {exc}")
                    bad.append(name)
                    continue
            resource_type = child.get("resource_type", "directory")
            if type(resource_type) is not str or not 0 < len(resource_type) <= TYPE_LENGTH:
                raise RemoteTreeError(f"remote node {'/'.join(path + (name,))!r} has no usable resource_type "
                                      f"(a string of 1 to {TYPE_LENGTH} characters)")
            display = child.get("resource_display_name")
            if display is not None and (type(display) is not str or len(display) > NAME_LENGTH
                                        or _UNSTORABLE.search(display)):
                child["resource_display_name"] = clean_display_name(display)
            if child["children"]:
                stack.append((child, path + (name,)))
        for name in bad:
            del children[name]
