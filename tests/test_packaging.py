"""pyproject.toml keeps its promises: a core install without the heavy extras, one version source.

`make check-core` (scripts/check_core_install.sh) proves the core install in a fresh venv; these are
the fast checks of the same rules on the declarations themselves.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import signfuse
from signfuse._layers import LAZY_ONLY

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _name(req: str) -> str:
    return re.split(r"[\s<>=!~;\[]", req, maxsplit=1)[0].lower().replace("_", "-")


def test_core_dependencies_have_no_heavy_extra_and_allow_numpy_2():
    core = {_name(r): r for r in PROJECT["dependencies"]}
    heavy = {m.replace("_", "-") for m in LAZY_ONLY}
    assert not heavy & set(core), f"heavy packages in the core dependencies: {sorted(heavy & set(core))}"
    assert "<2" not in core["numpy"].replace(" ", ""), core["numpy"]


def test_every_heavy_package_belongs_to_an_extra_and_all_has_every_extra():
    extras = PROJECT["optional-dependencies"]
    in_extras = {_name(r) for name, reqs in extras.items() for r in reqs if name != "all"}
    # starlette comes with fastapi
    assert {m.replace("_", "-") for m in LAZY_ONLY} - {"starlette"} <= in_extras
    assert "mediapipe==0.10.21" in extras["vision"]
    everything = {name for name in extras if name not in ("all", "test")}
    (req,) = extras["all"]
    listed = set(re.fullmatch(r"signfuse\[(.*)\]", req).group(1).split(","))
    assert listed == everything


def test_one_version_source():
    assert "version" not in PROJECT and "version" in PROJECT["dynamic"]
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert setuptools["dynamic"]["version"] == {"attr": "signfuse.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.?(dev|a|b|rc)\d+)?", signfuse.__version__)


def test_py_typed_is_shipped():
    assert (Path(signfuse.__file__).parent / "py.typed").is_file()
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["signfuse"]
    assert "py.typed" in package_data
