"""Every command in ``signfuse.cli.COMMANDS`` resolves: its module imports, the attribute is a click
command, and ``signfuse NAME --help`` works.

The lazy group turns a command module that is missing into a stub ("not available in this build"); this
test imports each module directly, so a command whose module fails to import fails here instead.
"""

from __future__ import annotations

import importlib

import click
import pytest

from signfuse.cli import COMMANDS, cli


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_resolves_and_has_help(name, runner):
    module, attr, short = COMMANDS[name]
    mod = importlib.import_module(f"signfuse.cli.{module}")
    cmd = getattr(mod, attr, None)
    assert isinstance(cmd, click.Command), f"signfuse.cli.{module}.{attr} is {cmd!r}, not a click command"
    assert short, f"COMMANDS[{name!r}] has no one-line help"
    res = runner.invoke(cli, [name, "--help"])
    assert res.exit_code == 0, res.output
    assert "not available in this build" not in res.output
    assert f"Usage: cli {name}" in res.output or f"Usage: signfuse {name}" in res.output, res.output


def test_group_help_lists_every_command(runner):
    res = runner.invoke(cli, ["--help"])
    assert res.exit_code == 0, res.output
    for name in COMMANDS:
        assert name in res.output


def test_unknown_command_is_a_usage_error(runner):
    res = runner.invoke(cli, ["no-such-command"])
    assert res.exit_code == 2 and "No such command" in res.output
