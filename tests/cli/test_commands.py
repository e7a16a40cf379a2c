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
    module, attr, short = COMMANDS[name][:3]
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


def test_group_help_sections(runner, monkeypatch):
    """`signfuse --help` lists commands in sections (data, features, models, tools), each command once; a
    command whose entry names no group (or one not in GROUPS) is listed under tools."""
    from signfuse import cli as cli_pkg

    monkeypatch.setitem(cli_pkg.COMMANDS, "zz-nogroup", ("files", "info", "A command added without a group."))
    monkeypatch.setitem(cli_pkg.COMMANDS, "zz-badgroup", ("files", "info", "A group nobody declared.", "misc"))
    out = runner.invoke(cli, ["--help"]).output
    heads = [out.index(h + ":") for h in cli_pkg.GROUPS.values()]
    assert heads == sorted(heads), out                                  # data, features, models, tools
    def section(name):                                                  # the heading a command sits under
        at = out.index(f"\n  {name} ")
        return max((h for h in cli_pkg.GROUPS.values() if out.index(h + ":") < at), key=lambda h: out.index(h))
    assert section("info") == "Data commands" and section("extract") == "Data commands"
    assert section("audio-windows") == "Feature commands" and section("correlate") == "Feature commands"
    assert section("train") == "Model commands" and section("recognize") == "Model commands"
    assert section("annotate") == "Tool commands"
    assert section("zz-nogroup") == "Tool commands" and section("zz-badgroup") == "Tool commands"
    for name in cli_pkg.COMMANDS:
        assert out.count(f"\n  {name} ") == 1, name
    assert runner.invoke(cli, ["zz-nogroup", "--help"]).exit_code == 0   # a 3-field entry still resolves


def test_unknown_command_is_a_usage_error(runner):
    res = runner.invoke(cli, ["no-such-command"])
    assert res.exit_code == 2 and "No such command" in res.output
