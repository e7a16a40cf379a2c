"""The ``signfuse`` command: one click group whose commands load lazily.

Each command lives in its own module under :mod:`signfuse.cli` and is imported only when it runs, so
``signfuse info`` does not pay for importing torch or MediaPipe. A command's module must define a
``click.Command`` under the attribute named in :data:`COMMANDS`.
"""

from __future__ import annotations

import importlib
import logging
import sys
import warnings

import click

from ..errors import SignfuseError

# command name -> (module under signfuse.cli, attribute, one-line help shown by --help[, help group]);
# a command without a group is listed under "tools".
COMMANDS: dict[str, tuple[str, ...]] = {
    "demo": ("demo", "demo", "Run the whole pipeline on the embedded synthetic corpus.", "tools"),
    "info": ("files", "info", "Describe a landmark file as JSON.", "data"),
    "convert": ("files", "convert", "Convert a landmark file between formats (by extension).", "data"),
    "synth": ("synth", "synth", "Generate the embedded synthetic signing corpus.", "data"),
    "render": ("render", "render", "Draw a landmark file as a video.", "tools"),
    "extract": ("extract", "extract", "Extract MediaPipe Holistic landmarks from videos and images.", "data"),
    "face": ("face", "face", "Face action units, head pose and non-manual events.", "features"),
    "audio": ("audio", "audio", "Frame-level audio features (mel, MFCC, F0, ...).", "features"),
    "audio-windows": ("audio", "audio_windows", "Compare Hamming, Hann and Blackman windows.", "features"),
    "motion": ("motion", "motion", "Hand and head kinematics, holds, taps.", "features"),
    "correlate": ("correlate", "correlate", "Lagged correlation and alignment of prosody and gesture.",
                  "features"),
    "train": ("train", "train", "Train a recognition model.", "models"),
    "eval": ("train", "eval_cmd", "Evaluate a checkpoint.", "models"),
    "recognize": ("train", "recognize", "Recognize signs in a video or landmark file.", "models"),
    "ablate": ("train", "ablate", "Compare stream sets with the same seeds.", "models"),
    "adapt": ("train", "adapt", "Cross-region adaptation experiments.", "models"),
    "export": ("train", "export", "Export a checkpoint to ONNX.", "models"),
    "a2g": ("a2g", "a2g", "Audio-to-gesture models.", "models"),
    "emotion": ("emotion", "emotion", "Tri-modal emotion and intensity models.", "models"),
    "translate": ("translate", "translate", "Gloss -> text translation: train, eval, predict.", "models"),
    "score": ("translate", "score", "WER of gloss predictions against a corpus (JSON).", "models"),
    "annotate": ("annotate", "annotate", "Web annotation tool for glosses and action units.", "tools"),
    "annotations": ("annotate", "annotations", "Export and import annotation files.", "tools"),
    "live": ("live", "live", "Live captions in the browser from the camera.", "tools"),
}

# The sections of `signfuse --help`, in order: name -> heading.
GROUPS: dict[str, str] = {"data": "Data commands", "features": "Feature commands", "models": "Model commands",
                          "tools": "Tool commands"}


def command_group(name: str) -> str:
    """The --help section of command ``name`` ("tools" when its COMMANDS entry names none or an unknown one)."""
    entry = COMMANDS[name]
    group = entry[3] if len(entry) > 3 else "tools"
    return group if group in GROUPS else "tools"


class LazyGroup(click.Group):
    """A group that imports a command's module only when the command is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr, help_ = COMMANDS[name][:3]
        try:
            mod = importlib.import_module(f"{__name__}.{module}")
        except ModuleNotFoundError as e:
            if e.name and e.name.startswith(f"{__name__}.{module}"):
                @click.command(name=name, help=f"{help_} (not available in this build)")
                def missing() -> None:
                    raise click.ClickException(f"command {name!r} is not available in this build")
                return missing
            raise
        return getattr(mod, attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help from the table, so `signfuse --help` imports nothing heavy; one section per group,
        # commands in table order (the order of a workflow) within it.
        for group, heading in GROUPS.items():
            rows = [(name, COMMANDS[name][2]) for name in COMMANDS if command_group(name) == group]
            if rows:
                with formatter.section(heading):
                    formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SignfuseError as e:
            raise click.ClickException(str(e)) from e
        except OSError as e:
            # A file the system refused (a read-only folder, a full disk, no permission) that no library
            # function turned into a DataError: still one line naming the file, no traceback.
            if e.filename is None:
                raise
            name = e.filename if e.filename2 is None else f"{e.filename} -> {e.filename2}"
            raise click.ClickException(f"{name}: {e.strerror or e}") from e


# Commands that train or run Lightning models (Lightning prints INFO banners at import and fit); recognize
# is not one: with an ONNX model it needs neither torch nor Lightning.
_LIGHTNING_COMMANDS = {"demo", "train", "eval", "ablate", "adapt", "export", "a2g", "emotion"}


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="signfuse")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.pass_context
def cli(ctx: click.Context, verbose: int) -> None:
    """signfuse: multimodal sign-language understanding."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.meta["signfuse.verbose"] = verbose
    if ctx.invoked_subcommand in _LIGHTNING_COMMANDS:
        quiet_lightning(ctx)


def quiet_lightning(ctx: click.Context | None = None) -> None:
    """Import Lightning and quiet it unless -vv was given (GPU/TPU banners and tips stay for -vv only).

    Lightning sets its loggers to INFO when it is imported, so it is imported first, then quieted. The group
    calls this only for the commands that train (``recognize`` needs no Lightning: a checkpoint is loaded
    with torch alone, an ONNX model without torch).
    """
    ctx = ctx or click.get_current_context(silent=True)
    if ctx is not None and ctx.find_root().meta.get("signfuse.verbose", 0) >= 2:
        return
    import lightning.pytorch  # noqa: F401

    for name in ("lightning", "lightning.pytorch", "lightning.fabric", "pytorch_lightning"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # a deprecation inside Lightning itself, nothing a user can act on
    warnings.filterwarnings("ignore", message=r".*isinstance\(treespec, LeafSpec\).*")
    warnings.filterwarnings("ignore", message=r".*smaller than the logging interval.*")


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="signfuse")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
