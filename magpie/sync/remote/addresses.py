"""Server-side request forgery: a service URL must not make magpie read its own network.

Service URLs whose host is, or resolves to, an address that is not globally routable (loopback,
private, link-local and cloud metadata ``169.254.169.254``, carrier-grade NAT, unique local
``fd00::/8``, reserved ...) are refused when a service is registered, and again when the HTTP
client connects: :class:`GuardedAdapter` resolves the host once, checks every address, and
connects to the checked one, so a name that resolves elsewhere the second time (DNS rebinding)
gains nothing. An operator lists internal networks that are legitimate targets in
``magpie.remote.allowed_networks`` (CIDRs or addresses, space-separated), or in the environment
variable ``REMOTE_ALLOWED_NETWORKS``, which both add to. The variable is read at every check, by
every process and command; it has no ``MAGPIE_`` prefix because it describes the machine's
network, not one configuration (commands started with a cleaned ``MAGPIE_*`` environment keep it).
"""
import functools
import ipaddress
import os
import socket
from typing import Iterable, List, Optional, Tuple, Union
from urllib.parse import urlsplit

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection as urllib3_connection

ALLOWED_NETWORKS_VARIABLE = "REMOTE_ALLOWED_NETWORKS"
Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
_configured: Tuple[Network, ...] = ()


class BlockedAddress(ValueError):
    """The host of a URL is, or resolves to, an internal address that is not allowed."""


@functools.lru_cache(maxsize=16)
def parse_networks(text: str) -> Tuple[Network, ...]:
    """Networks of a space-separated list of CIDRs or addresses; a bad entry is a ValueError."""
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in text.split())


def configure(networks: Iterable[str]) -> None:
    """The allow-list of the settings (``magpie.remote.allowed_networks``), for this process."""
    global _configured
    _configured = parse_networks(" ".join(networks))


def allowed_networks() -> Tuple[Network, ...]:
    return _configured + parse_networks(os.environ.get(ALLOWED_NETWORKS_VARIABLE, ""))


def refusal(address: str) -> Optional[str]:
    """Why ``address`` (an IP literal) may not be contacted, or None."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_global and not ip.is_multicast:
        return None
    if any(ip.version == network.version and ip in network for network in allowed_networks()):
        return None
    kind = ("a loopback" if ip.is_loopback else "a link-local" if ip.is_link_local else
            "a private" if ip.is_private else "not a globally routable")
    return f"{ip} is {kind} address (list it in magpie.remote.allowed_networks to allow it)"


def _resolve(host: str, port: int) -> List[str]:
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def checked_addresses(host: str, port: int) -> List[str]:
    """The addresses of ``host``, all allowed, else :class:`BlockedAddress`; ``socket.gaierror``
    when it does not resolve."""
    addresses = _resolve(host, port)
    for address in addresses:
        reason = refusal(address)
        if reason:
            raise BlockedAddress(f"{host} resolves to {reason}" if host != address else reason)
    return addresses


def check_url(url: str) -> None:
    """Refuse ``url`` when its host is or resolves to a refused address. A name that does not
    resolve now passes: the client checks it again when it connects."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
        if host:
            checked_addresses(host, port)
    except BlockedAddress:
        raise
    except (socket.gaierror, UnicodeError, ValueError):  # no such name (now), or no usable URL
        return


class _GuardedConnectionMixin:
    """urllib3's ``_new_conn``, connecting to an address checked after the one resolution."""

    def _new_conn(self):
        try:
            address = checked_addresses(self._dns_host, self.port)[0]
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        try:
            return urllib3_connection.create_connection((address, self.port), self.timeout,
                                                        source_address=self.source_address,
                                                        socket_options=self.socket_options)
        except socket.timeout as exc:
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out. "
                                            f"(connect timeout={self.timeout})") from exc
        except OSError as exc:
            raise NewConnectionError(self, f"Failed to establish a new connection: {exc}") from exc


class GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """requests' adapter whose connections refuse internal addresses (see the module)."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": GuardedHTTPPool, "https": GuardedHTTPSPool}
