"""What several API modules share: view options, a boolean query parameter, the user a URL or a
query names, and who is acting (for the audit log)."""
from typing import Optional

from magpie import models
from magpie.accounts.security import ADMIN_PERMISSION, CURRENT_USER, SELF_PERMISSION
from magpie.accounts.users import find_user

TRUE_VALUES = ("true", "1")

#: view_config options of JSON views checked against openapi.yaml: administrators only, or
#: administrators and the user the URL names (see magpie.accounts.security.UserContext).
ADMIN = dict(renderer="json", openapi=True, permission=ADMIN_PERMISSION)
SELF = dict(ADMIN, permission=SELF_PERMISSION)


def flag(request, name: str) -> bool:
    """A boolean query parameter; the OpenAPI document already refused values other than
    true/false/1/0."""
    return request.GET.get(name, "false").lower() in TRUE_VALUES


def user_named(request, ref: str) -> models.User:
    """The user ``ref`` names by id, name or ``current`` (the caller), else 404 naming it."""
    if ref == CURRENT_USER and request.identity is not None:
        ref = request.identity.user_id
    return find_user(request.dbsession, ref)


def actor(request) -> Optional[str]:
    return request.identity.user_name if request.identity is not None else None
