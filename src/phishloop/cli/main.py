"""The `phishloop` command."""

from __future__ import annotations

import click

from phishloop import __version__
from phishloop.cli.analyze import analyze_command
from phishloop.cli.check import check_command
from phishloop.cli.eval import eval_command
from phishloop.cli.intake import intake_group
from phishloop.cli.intel import intel_group
from phishloop.cli.manage import createsuperuser_command, manage_command, migrate_command
from phishloop.cli.pull import pull_command, restore_command, retry_pull_command
from phishloop.cli.report import report_command
from phishloop.cli.rules import rules_command
from phishloop.cli.serve import serve_command, web_command
from phishloop.cli.token import token_group
from phishloop.cli.train import train_command
from phishloop.cli.worker import worker_command
from phishloop.cli.yara_command import yara_group


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="phishloop")
def cli() -> None:
    """phishloop: a self-hosted closed-loop abuse mailbox.

    Analyse reported email offline: headers, authentication, URLs (with link rewriters
    decoded), attachments, indicators and campaign fingerprints. Or run the service that
    takes reports in, groups campaigns into incidents and decides (docs/server.md).

    \b
    Start with:
      phishloop analyze suspicious.eml
      phishloop analyze --json reports/ > analyses.jsonl
      phishloop serve        # web, API, worker and SMTP intake in one process
    """


cli.add_command(analyze_command)
cli.add_command(check_command)
cli.add_command(createsuperuser_command)
cli.add_command(eval_command)
cli.add_command(intake_group)
cli.add_command(intel_group)
cli.add_command(manage_command)
cli.add_command(migrate_command)
cli.add_command(report_command)
cli.add_command(pull_command)
cli.add_command(restore_command)
cli.add_command(retry_pull_command)
cli.add_command(rules_command)
cli.add_command(serve_command)
cli.add_command(token_group)
cli.add_command(train_command)
cli.add_command(web_command)
cli.add_command(worker_command)
cli.add_command(yara_group)


def main() -> None:
    cli(prog_name="phishloop")
