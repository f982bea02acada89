"""Credentials a crawl sends to a protected service: HTTP basic, a bearer token, or named headers
(an API key). They are checked once here, whichever way they came (API, providers file), turned
into request headers, and their values are known so that any text can be cleaned of them."""
import base64
import json
import re
from dataclasses import dataclass
from typing import Dict, Mapping, Tuple

from magpie.errors import InvalidInput

KINDS = ("basic", "bearer", "headers")
MAX_LENGTH = 4096
MAX_HEADERS = 20
REDACTED = "[redacted]"
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$")
#: Shorter values are not searched for in text to redact: they would blank common words.
_MIN_REDACTED = 4


def _text(value: object, field: str, allow_spaces: bool = True, ascii_only: bool = False) -> str:
    """A value of ``field``; what goes into a header as it is (a token, a header value) must be
    printable ASCII, which every HTTP stack sends unchanged."""
    if not isinstance(value, str) or not value or len(value) > MAX_LENGTH or \
            any(ord(c) < 32 or ord(c) == 127 or (ascii_only and ord(c) > 126) for c in value) or \
            (not allow_spaces and " " in value):
        raise InvalidInput(f"credentials/{field}", f"{field} must be a non-empty string of at most {MAX_LENGTH} "
                                                   + ("printable ASCII characters" if ascii_only else
                                                      "characters without control characters")
                                                   + ("" if allow_spaces else " without spaces"))
    return value


@dataclass(frozen=True)
class Credentials:
    """One service's credentials; ``values`` depend on ``kind`` (see :meth:`parse`)."""

    kind: str
    values: Tuple[Tuple[str, str], ...]

    @classmethod
    def parse(cls, document: object) -> "Credentials":
        """``{"kind": "basic", "username", "password"}``, ``{"kind": "bearer", "token"}`` or
        ``{"kind": "headers", "headers": {name: value}}``; InvalidInput names the field at fault
        (never its value)."""
        if not isinstance(document, Mapping) or document.get("kind") not in KINDS:
            raise InvalidInput("credentials/kind", f"credentials need a kind: one of {', '.join(KINDS)}")
        kind = document["kind"]
        expected = {"basic": {"username", "password"}, "bearer": {"token"}, "headers": {"headers"}}[kind]
        unknown = sorted(set(document) - expected - {"kind"})
        if unknown:
            raise InvalidInput(f"credentials/{unknown[0]}", f"{kind} credentials take {', '.join(sorted(expected))} "
                                                            f"only, not {', '.join(unknown)}")
        if kind == "basic":
            username = _text(document.get("username"), "username")
            if ":" in username:
                raise InvalidInput("credentials/username", "a basic-auth username cannot contain ':'")
            return cls(kind, (("username", username), ("password", _text(document.get("password"), "password"))))
        if kind == "bearer":
            return cls(kind, (("token", _text(document.get("token"), "token", allow_spaces=False, ascii_only=True)),))
        headers = document.get("headers")
        if not isinstance(headers, Mapping) or not 0 < len(headers) <= MAX_HEADERS:
            raise InvalidInput("credentials/headers", f"headers must be an object of 1 to {MAX_HEADERS} headers")
        values = []
        for name, value in headers.items():
            if not isinstance(name, str) or not _HEADER_NAME.match(name):
                raise InvalidInput("credentials/headers", f"{str(name)[:128]!r} is not a header name")
            values.append((name, _text(value, f"headers/{name}", ascii_only=True)))
        return cls(kind, tuple(values))

    @classmethod
    def from_json(cls, text: bytes) -> "Credentials":
        return cls.parse(json.loads(text))

    def to_json(self) -> bytes:
        values = dict(self.values)
        document = {"kind": self.kind, **({"headers": values} if self.kind == "headers" else values)}
        return json.dumps(document, separators=(",", ":")).encode("utf-8")

    def request_headers(self) -> Dict[str, str]:
        """The headers that carry these credentials on a request."""
        values = dict(self.values)
        if self.kind == "basic":
            pair = f"{values['username']}:{values['password']}".encode("utf-8")
            return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
        if self.kind == "bearer":
            return {"Authorization": f"Bearer {values['token']}"}
        return values

    def secrets(self) -> Tuple[str, ...]:
        """Every value that must never be shown, the encoded forms of the headers included."""
        found = [value for name, value in self.values if not (self.kind == "basic" and name == "username")]
        found += [header.split(" ", 1)[-1] for header in self.request_headers().values()]
        return tuple(sorted({value for value in found if len(value) >= _MIN_REDACTED}, key=len, reverse=True))

    def redact(self, text: str) -> str:
        for secret in self.secrets():
            text = text.replace(secret, REDACTED)
        return text
