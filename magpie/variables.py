"""Environment variables in the files magpie reads (providers, permissions): ``$VAR``, ``${VAR}``
and ``$$``, as Magpie reads its files, with one difference written once here: an unset variable
is an error instead of text kept as it is."""
import os
import re
from typing import Mapping, Optional

_VARIABLE = re.compile(r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*)|\$)")


class UnsetVariable(KeyError):
    """A file names an environment variable that is not set; ``name`` says which."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(name)


def expand_variables(value: str, environ: Optional[Mapping[str, str]] = None) -> str:
    """``$VAR`` and ``${VAR}`` from the environment, ``$$`` as ``$``, as Magpie reads its files; an
    unset variable raises :class:`UnsetVariable` (Magpie keeps the text, which would then become
    a URL or a password)."""
    environ = os.environ if environ is None else environ

    def replace(match: re.Match) -> str:
        name = match.group("braced") or match.group("plain")
        if name is None:
            return "$"
        if name not in environ:
            raise UnsetVariable(name)
        return environ[name]

    return _VARIABLE.sub(replace, value)
