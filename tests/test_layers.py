"""Layers only look down, and signfuse's modules import one another without cycles.

Every module under ``src/signfuse`` is parsed with :mod:`ast` (nothing is imported, so a broken module
cannot hide its imports); every ``import``/``from ... import`` counts, at module level, inside
functions (lazy imports), under ``if TYPE_CHECKING`` and in ``importlib.import_module("...")`` calls with
a constant name. The layer of each module comes from :data:`signfuse._layers.LAYERS`, the one table.

A violation is one of:

- an import of a higher layer (reported with module, line, imported module and both layers);
- an import cycle among signfuse modules (module-level and lazy imports alike: a lazy cycle is still two
  modules that cannot be understood, tested or moved apart);
- a heavy optional dependency (``LAZY_ONLY``) imported at module level;
- a third-party package imported outside the packages allowed to (``ONLY_IN``) or at all (``NEVER``);
- a restricted signfuse module imported from too low a layer (``IMPORTABLE_FROM``).
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import signfuse
from signfuse._layers import IMPORTABLE_FROM, LAYERS, LAZY_ONLY, NEVER, ONLY_IN, layer_of

SRC = Path(signfuse.__file__).resolve().parent

# Violations in today's tree, each as "importer -> imported" (a layer climb) or "cycle: a, b, ..." (the
# sorted members of one cycle). The issue "One house for every task" removes them; the lead deletes an
# entry as each move lands. The list can only shrink: a new violation fails, and so does an entry here
# that no longer happens (delete it).
KNOWN_VIOLATIONS: frozenset[str] = frozenset()  # every violation of the first review is fixed; keep it empty


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name
    imported: str  # dotted module name; a signfuse one is resolved to the deepest module that exists
    line: int
    lazy: bool  # inside a function
    type_only: bool = False  # under `if TYPE_CHECKING:`

    @property
    def internal(self) -> bool:
        return self.imported == "signfuse" or self.imported.startswith("signfuse.")


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}


MODULES = _modules()


def _resolve(name: str) -> str:
    """The deepest existing signfuse module that ``name`` (a module or ``module.attribute``) names."""
    parts = name.split(".")
    for n in range(len(parts), 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in MODULES:
            return candidate
    return name  # a module that does not exist: reported by test_every_import_resolves


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _is_module(name: str) -> bool:
    # `from matplotlib import pyplot` imports the module matplotlib.pyplot; only NEVER needs to know
    return name in NEVER


def _imports(module: str, path: Path) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[Import] = []

    def add(name: str, node: ast.stmt | ast.expr, lazy: bool, type_only: bool) -> None:
        internal = name == "signfuse" or name.startswith("signfuse.")
        found.append(Import(module, _resolve(name) if internal else name, node.lineno, lazy, type_only))

    def visit(node: ast.AST, lazy: bool, type_only: bool) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node, lazy, type_only)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                if node.level > 1:
                    base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                # `from . import audio` imports the submodule; `from .x import f` imports module x
                sub = f"{target}.{alias.name}"
                add(sub if sub in MODULES or not node.level and _is_module(sub) else target, node, lazy, type_only)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            add(node.args[0].value, node, lazy, type_only)
        inner = lazy or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            visit(node.test, inner, type_only)
            for child in node.body:
                visit(child, inner, True)
            for child in node.orelse:
                visit(child, inner, type_only)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, inner, type_only)

    visit(tree, False, False)
    return found


ALL_IMPORTS: list[Import] = [imp for m, p in MODULES.items() for imp in _imports(m, p)]


def _where(imp: Import) -> str:
    return f"{MODULES[imp.importer].relative_to(SRC.parent)}:{imp.line}: {imp.importer}"


def _under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _fmt_layer(x: float | None) -> str:
    return "none" if x is None else f"{x:g}"


def _layer_climbs() -> dict[str, list[str]]:
    """key ("importer -> imported") -> human-readable lines, one per import statement."""
    out: dict[str, list[str]] = {}
    for imp in ALL_IMPORTS:
        if not imp.internal:
            continue
        lo, hi = layer_of(imp.importer), layer_of(imp.imported)
        if lo is None or hi is None or hi <= lo:
            continue
        key = f"{imp.importer} -> {imp.imported}"
        out.setdefault(key, []).append(
            f"{_where(imp)} (layer {_fmt_layer(lo)}) imports {imp.imported} (layer {_fmt_layer(hi)})"
            f"{' lazily' if imp.lazy else ''}"
        )
    return out


def _rule_breaks() -> dict[str, list[str]]:
    """The third-party rules (LAZY_ONLY, ONLY_IN, NEVER) and IMPORTABLE_FROM."""
    out: dict[str, list[str]] = {}
    for imp in ALL_IMPORTS:
        top = imp.imported.split(".")[0]
        if imp.type_only:
            continue
        if not imp.internal:
            if top in LAZY_ONLY and not imp.lazy:
                out.setdefault(f"{imp.importer} -> {top} (module level)", []).append(
                    f"{_where(imp)} imports {imp.imported} at module level; import it inside the function "
                    "that needs it and raise errors.DependencyError with the extra to install"
                )
            allowed = ONLY_IN.get(top)
            if allowed is not None and not any(_under(imp.importer, p) for p in allowed):
                out.setdefault(f"{imp.importer} -> {top}", []).append(
                    f"{_where(imp)} imports {imp.imported}; only {', '.join(allowed)} may"
                )
            for never in NEVER:
                if _under(imp.imported, never):
                    out.setdefault(f"{imp.importer} -> {never}", []).append(
                        f"{_where(imp)} imports {imp.imported}, which no signfuse module may"
                    )
            continue
        for restricted, min_layer in IMPORTABLE_FROM.items():
            top_package = ".".join(restricted.split(".")[:2])
            lo = layer_of(imp.importer)
            if (
                _under(imp.imported, restricted)
                and not _under(imp.importer, top_package)
                and lo is not None
                and lo < min_layer
            ):
                out.setdefault(f"{imp.importer} -> {restricted}", []).append(
                    f"{_where(imp)} (layer {_fmt_layer(lo)}) imports {imp.imported}; only layers "
                    f">= {_fmt_layer(min_layer)} may"
                )
    return out


def _cycles() -> dict[str, list[str]]:
    """Strongly connected components of the import graph (Tarjan), each with its edges."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    where: dict[tuple[str, str], Import] = {}
    for imp in ALL_IMPORTS:
        if imp.internal and imp.imported in graph and imp.imported != imp.importer:
            graph[imp.importer].add(imp.imported)
            where.setdefault((imp.importer, imp.imported), imp)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def strongconnect(v: str) -> None:  # recursion depth is bounded by the number of modules (~150)
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                components.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    out: dict[str, list[str]] = {}
    for comp in components:
        members = set(comp)
        lines = []
        for (a, b), imp in sorted(where.items()):
            if a in members and b in members:
                lines.append(
                    f"{MODULES[a].relative_to(SRC.parent)}:{imp.line}: {a} imports {b}{' lazily' if imp.lazy else ''}"
                )
        out["cycle: " + ", ".join(comp)] = lines
    return out


def _violations() -> dict[str, list[str]]:
    return {**_layer_climbs(), **_cycles(), **_rule_breaks()}


def test_every_module_has_a_layer():
    missing = sorted(m for m in MODULES if layer_of(m) is None)
    assert not missing, (
        f"modules without a layer: {missing}; give their package an entry in "
        "signfuse._layers.LAYERS (DESIGN.md lists the layers)"
    )


def test_every_import_resolves():
    # An import of a signfuse module that does not exist would otherwise escape the layer check.
    bad = [
        f"{_where(i)} imports {i.imported}, which is not a module in src/signfuse"
        for i in ALL_IMPORTS
        if i.internal and i.imported not in MODULES
    ]
    assert not bad, "\n".join(bad)


def test_no_new_layer_violation_or_cycle():
    found = _violations()
    new = {k: v for k, v in found.items() if k not in KNOWN_VIOLATIONS}
    assert not new, (
        "imports that break the layering (DESIGN.md, 'Layers'; the rules are data in src/signfuse/_layers.py):\n"
    ) + "\n".join(f"{k}\n    " + "\n    ".join(v) for k, v in sorted(new.items()))


def test_known_violations_still_exist():
    # The list only shrinks: an entry whose violation is gone must be deleted.
    gone = sorted(KNOWN_VIOLATIONS - set(_violations()))
    assert not gone, f"fixed, so delete from KNOWN_VIOLATIONS in tests/test_layers.py: {gone}"


def test_layer_table_names_only_signfuse_modules():
    assert all(k == "signfuse" or k.startswith("signfuse.") for k in [*LAYERS, *IMPORTABLE_FROM])
    assert all(p in LAYERS for allowed in ONLY_IN.values() for p in allowed)


# The checker itself: a test that cannot fail would prove nothing, so it runs on small made-up trees.
@pytest.fixture
def fake_tree(tmp_path, monkeypatch):
    this = sys.modules[__name__]

    def make(files: dict[str, str]) -> None:
        root = tmp_path / f"tree{len(list(tmp_path.iterdir()))}" / "signfuse"
        for rel, text in files.items():
            p = root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text)
        monkeypatch.setattr(this, "SRC", root)
        mods = _modules()
        monkeypatch.setattr(this, "MODULES", mods)
        monkeypatch.setattr(this, "ALL_IMPORTS", [imp for m, p in mods.items() for imp in _imports(m, p)])

    return make


def test_checker_finds_a_lazy_climb_with_its_line(fake_tree):
    fake_tree(
        {
            "__init__.py": "",
            "io/__init__.py": "",
            "models/__init__.py": "",
            "io/x.py": "import numpy\n\ndef f():\n    from ..models import thing\n",
        }
    )
    found = _violations()
    assert list(found) == ["signfuse.io.x -> signfuse.models"]
    assert (
        "signfuse/io/x.py:4: signfuse.io.x (layer 2) imports signfuse.models (layer 7) lazily"
        in found["signfuse.io.x -> signfuse.models"][0]
    )


def test_checker_finds_a_peer_cycle_and_resolves_from_dot_import(fake_tree):
    fake_tree(
        {
            "__init__.py": "",
            "audio/__init__.py": "",
            "audio/a.py": "from . import b\n",
            "audio/b.py": "def g():\n    import signfuse.audio.a\n",
        }
    )
    assert list(_violations()) == ["cycle: signfuse.audio.a, signfuse.audio.b"]


def test_checker_accepts_downward_and_sees_import_module(fake_tree):
    fake_tree(
        {
            "__init__.py": "",
            "cli/__init__.py": "import importlib\nimportlib.import_module('signfuse.io')\n",
            "io/__init__.py": "from ..errors import E\n",
            "errors.py": "",
            "errors2.py": "import importlib\nimportlib.import_module('signfuse.cli')\n",
        }
    )
    assert layer_of("signfuse.errors2") is None  # no entry: test_every_module_has_a_layer would say so
    assert _violations() == {}
    fake_tree(
        {
            "__init__.py": "",
            "cli/__init__.py": "",
            "io/__init__.py": "import importlib\nimportlib.import_module('signfuse.cli')\n",
        }
    )
    assert list(_violations()) == ["signfuse.io -> signfuse.cli"]


def test_checker_finds_heavy_top_level_imports_and_pyplot(fake_tree):
    fake_tree(
        {
            "__init__.py": "",
            "vision/__init__.py": "import mediapipe\n\ndef f():\n    import ray\n",
            "face/__init__.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import mediapipe\n"
            "def f():\n    from matplotlib import pyplot\n",
        }
    )
    assert set(_violations()) == {
        "signfuse.vision -> mediapipe (module level)",
        "signfuse.face -> matplotlib",
        "signfuse.face -> matplotlib.pyplot",
    }


def test_checker_restricts_the_demo_corpus(fake_tree):
    fake_tree(
        {
            "__init__.py": "",
            "datasets/__init__.py": "def f():\n    from . import synthetic\n",
            "datasets/synthetic/__init__.py": "",
            "samples/__init__.py": "from ..datasets import synthetic\n",
            "face/__init__.py": "def f():\n    from ..datasets.synthetic import x\n",
        }
    )
    assert list(_violations()) == ["signfuse.face -> signfuse.datasets.synthetic"]
