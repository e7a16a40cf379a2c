"""Small helpers shared by signfuse's local web apps (``live``; ``annotate`` has its own copy for now).

A local web app binds to the loopback address by default, refuses requests whose ``Host`` header is
not an allowed name (DNS rebinding: a web page on another site that resolves its own name to
127.0.0.1 would otherwise reach the server), and warns when it is bound to every interface.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "DEFAULT_ALLOWED_HOSTS",
    "EXPOSED_WARNING",
    "LOOPBACK",
    "allowed_hosts_for",
    "display_url",
    "host_allowed",
    "is_loopback",
]

LOOPBACK = ("127.0.0.1", "localhost", "::1")
DEFAULT_ALLOWED_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]", "testserver")
EXPOSED_WARNING = ("warning: the server is reachable from other machines; it has no login. "
                   "Use it only on a network you trust.")


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the server on this machine."""
    return host in LOOPBACK


def allowed_hosts_for(host: str) -> tuple[str, ...] | None:
    """The ``Host`` names to accept for a server bound to ``host``.

    Loopback: the loopback names only. ``0.0.0.0``/``::`` (every interface): ``None``, any name (the
    user asked for other devices, whose address we cannot know). A named address: loopback plus it.
    """
    if is_loopback(host):
        return DEFAULT_ALLOWED_HOSTS
    if host in ("0.0.0.0", "::"):
        return None
    return (*DEFAULT_ALLOWED_HOSTS, host)


def host_allowed(host_header: str | None, hosts: Iterable[str] | None) -> bool:
    """Whether a request's ``Host`` header (``name[:port]``, ``[v6]:port``) names an allowed host."""
    if hosts is None:
        return True
    host = (host_header or "").lower()
    if host.startswith("["):
        name = host[: host.find("]") + 1] if "]" in host else host
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return name in {h.lower() for h in hosts}


def display_url(host: str, port: int) -> str:
    """``http://host:port/`` with IPv6 addresses bracketed."""
    return f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
