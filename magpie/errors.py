"""Domain errors: what went wrong in terms an administrator understands, each carrying the thing
that failed. The API turns them into 404, 409 and 400; the pages into messages."""


class NotFoundError(LookupError):
    """No such service, resource, user or group; the message names what was asked for."""


class ConflictError(Exception):
    """The request contradicts what is stored: a duplicate name, a child its parent cannot hold."""


class InvalidInput(ValueError):
    """A value the caller sent cannot be used; ``field`` names it (``configuration/timeout``)."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


class RefusedInput(InvalidInput):
    """A well-formed value that policy refuses (a service URL to an internal address): 403, since
    the request is valid and the server declines it."""
