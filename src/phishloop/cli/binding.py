"""`HOST:PORT` options and the clear message when an address cannot be listened on."""

from __future__ import annotations

import errno

import click

DEFAULT_WEB = "127.0.0.1:8000"
DEFAULT_SMTP = "127.0.0.1:2525"


def parse_bind(value: str, option: str) -> tuple[str, int]:
    """`HOST:PORT`, `[IPv6]:PORT` or `:PORT` (all interfaces) as (host, port)."""
    host, sep, port_text = value.rpartition(":")
    if not sep or not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise click.BadParameter(f"expected HOST:PORT, got {value!r}", param_hint=option)
    host = host.strip("[]") or "0.0.0.0"  # noqa: S104 - ":PORT" asks for every interface
    return host, int(port_text)


def display(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def listen_error(
    what: str, host: str, port: int, exc: OSError, option: str
) -> click.ClickException:
    """Why `what` cannot listen on host:port, and what to do about it."""
    where = display(host, port)
    if exc.errno == errno.EADDRINUSE:
        reason = "the port is already in use (is phishloop, or another server, running?)"
    elif exc.errno == errno.EACCES:
        reason = "permission denied (ports below 1024 need privileges)"
    elif exc.errno == errno.EADDRNOTAVAIL:
        reason = "that address does not belong to this machine"
    else:
        reason = exc.strerror or str(exc)
    return click.ClickException(
        f"{what} cannot listen on {where}: {reason}. Choose another with {option} HOST:PORT."
    )
