import pytest


@pytest.fixture(scope="session")
def quick_demo(tmp_path_factory):
    """``run_demo(quick=True, workers=2)`` once per session: (out folder, report). About 15 s of CPU; the
    stages after the corpus run in two spawned worker processes, as ``signfuse demo`` runs them."""
    pytest.importorskip("signfuse.datasets.synthetic")
    from signfuse.demo import run_demo

    out = tmp_path_factory.mktemp("demo_quick")
    return out, run_demo(out, seed=0, quick=True, workers=2)
