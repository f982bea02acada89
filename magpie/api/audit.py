"""The access-control audit log, newest first, a page at a time (administrators only)."""
import datetime
from typing import Optional

from pyramid.view import view_config

from magpie import audit
from magpie.api.common import ADMIN
from magpie.errors import InvalidInput
from magpie.names import parse_id
from magpie.services import crud as services


def service_id_of(session, ref: str) -> int:
    """An id is taken as it is, so the entries of a deleted service stay reachable; a name must
    be a current service's."""
    service_id = parse_id(ref)
    return service_id if service_id is not None else services.find_service(session, ref).resource_id


def timestamp(value, field: str) -> Optional[datetime.datetime]:
    """ISO 8601 with a time zone; a naive time would be read in an unknown zone, so it is refused."""
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        try:
            value = datetime.datetime.fromisoformat(str(value).upper())  # RFC 3339 allows 't' and 'z'
        except ValueError:
            raise InvalidInput(field, f"{field}: expected ISO 8601 date and time with a time zone") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(field, f"{field}: give a time zone (Z or an offset such as +01:00)")
    try:
        return value.astimezone(datetime.timezone.utc)
    except OverflowError:  # beyond year 1 or 9999 once in UTC: the nearest instant we can hold
        extreme = datetime.datetime.min if value.year == 1 else datetime.datetime.max
        return extreme.replace(tzinfo=datetime.timezone.utc)


@view_config(route_name="api.audit", request_method="GET", **ADMIN)
def get_audit_log(request):
    query = request.openapi_validated.parameters.query
    service, user = query.get("service"), query.get("user")
    entries, next_cursor = audit.list_entries(
        request.dbsession,
        service_id=service_id_of(request.dbsession, service) if service is not None else None,
        user_name=user, since=timestamp(query.get("since"), "since"),
        until=timestamp(query.get("until"), "until"), limit=query.get("limit", 50), cursor=query.get("cursor"))
    return {"entries": entries, "next_cursor": next_cursor}
