"""`phishloop token`: API tokens for report buttons, integrations and people."""

from __future__ import annotations

import getpass
import json
from datetime import datetime
from typing import Any

import click

from phishloop.cli.django_env import ensure_django

ROLES = ("reporter", "viewer", "analyst", "admin")  # each includes the rights of those before


def cli_actor() -> str:
    """How the audit trail names whoever ran the command."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name (some containers)
        return "cli"


@click.group("token")
def token_group() -> None:
    """Create, list and revoke API tokens.

    \b
    Roles, each including the ones before it:
      reporter  submit reports (report buttons, mail integrations)
      viewer    read reports and incidents
      analyst   decide verdicts, merge and split incidents
      admin     everything, including failed pipeline jobs

    \b
    Example:
      phishloop token create outlook-button --role reporter
      curl -H "Authorization: Bearer $TOKEN" ... http://localhost:8000/api/v1/reports
    """


@token_group.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the token may do.")
def create_command(name: str, role: str) -> None:
    """Create a token NAME and print it (shown only this once)."""
    ensure_django()
    from phishloop.server.accounts.tokens import create_token  # noqa: PLC0415

    if not name.strip() or len(name) > 100:
        raise click.BadParameter("give a name of 1 to 100 characters", param_hint="NAME")
    try:
        issued = create_token(name, role, actor=cli_actor())
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(issued.secret)
    click.echo(
        f"Created {role} token {name!r}. It is shown only now: store it safely.\n"
        f"Use it as the header  Authorization: Bearer <token>",
        err=True,
    )


@token_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per token.")
def list_command(as_json: bool) -> None:
    """List tokens (names, roles, first characters; never the secrets)."""
    ensure_django()
    from phishloop.server.accounts.models import ApiToken  # noqa: PLC0415

    rows = [_row(token) for token in ApiToken.objects.order_by("name")]
    if as_json:
        for row in rows:
            click.echo(json.dumps(row))
        return
    if not rows:
        click.echo("No tokens yet: phishloop token create NAME --role ROLE", err=True)
        return
    _table(rows)


def _row(token: Any) -> dict[str, Any]:
    return {
        "name": token.name,
        "role": token.role,
        "prefix": token.prefix,
        "created": _when(token.created_at),
        "last_used": _when(token.last_used_at),
        "revoked": _when(token.revoked_at),
    }


def _when(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else None


def _table(rows: list[dict[str, Any]]) -> None:
    header = ("NAME", "ROLE", "STARTS WITH", "CREATED", "LAST USED", "STATUS")
    lines = [header] + [
        (
            row["name"],
            row["role"],
            row["prefix"] + "…",
            row["created"],
            row["last_used"] or "never",
            f"revoked {row['revoked']}" if row["revoked"] else "active",
        )
        for row in rows
    ]
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    for line in lines:
        click.echo(
            "  ".join(
                str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)
            ).rstrip()
        )


@token_group.command("revoke")
@click.argument("name")
def revoke_command(name: str) -> None:
    """Revoke token NAME: requests with it are refused from now on."""
    ensure_django()
    from phishloop.server.accounts.models import ApiToken  # noqa: PLC0415
    from phishloop.server.accounts.tokens import revoke_token  # noqa: PLC0415

    already = ApiToken.objects.filter(name=name).exclude(revoked_at=None).first()
    try:
        token = revoke_token(name, actor=cli_actor())
    except ApiToken.DoesNotExist:
        raise click.ClickException(f"no token named {name!r} (see phishloop token list)") from None
    if already is not None:
        click.echo(f"Token {name!r} was already revoked on {_when(token.revoked_at)}.", err=True)
    else:
        click.echo(f"Revoked token {name!r}; requests using it now get 401.", err=True)
