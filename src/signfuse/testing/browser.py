"""Drive signfuse's web pages in a real browser: Debian's chromium under playwright, offline.

The annotation tool, the live-caption page and the demo report are tested end to end in a browser
(``tests/annotate``, ``tests/live``, ``tests/demo``). ``playwright install`` downloads its own browsers,
which a machine without internet (and many clusters) cannot do, so the tests launch the system's
chromium (``bash scripts/sysdeps.sh`` installs Debian's) with the flags below: no sandbox (root in a
container), no network of its own (every asset must come from the signfuse server), and for the live
page a fake camera reading a ``.y4m`` file.

:func:`serve` runs any ASGI app under uvicorn in a daemon thread on a free local port, so that a test
can point the browser at it and stop it afterwards.

>>> from signfuse.testing.browser import launch, serve           # doctest: +SKIP
>>> url, stop = serve(create_app(root))
>>> browser = launch(playwright)
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "CAMERA_ARGS", "free_port", "launch", "serve"]

#: Debian's chromium (``apt-get install chromium``), the browser the tests drive
CHROMIUM = Path("/usr/bin/chromium")

#: flags for a headless chromium that stays offline: nothing of its own goes to the network
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-proxy-server",
)

#: a fake camera (add ``--use-file-for-fake-video-capture=FILE.y4m``) that needs no permission prompt,
#: and software WebGL (SwiftShader) for MediaPipe's WASM graph
CAMERA_ARGS: tuple[str, ...] = (
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--enable-unsafe-swiftshader",
    "--use-angle=swiftshader",
)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(pw: Any, *, camera: str | Path | None = None, gpu: bool = False, extra: Sequence[str] = ()) -> Any:
    """A headless :data:`CHROMIUM` from a playwright instance (``sync_playwright()``'s object).

    ``camera``: a ``.y4m`` file played as the camera (with :data:`CAMERA_ARGS`). ``gpu=False`` adds
    ``--disable-gpu`` (pages without WebGL); the camera pages need SwiftShader's GL, so it is left out there.
    """
    args = list(CHROMIUM_ARGS)
    if camera is not None:
        args += [*CAMERA_ARGS, f"--use-file-for-fake-video-capture={camera}"]
    elif not gpu:
        args.append("--disable-gpu")
    return pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=[*args, *extra])


def serve(app: Any, *, name: str = "server", timeout_s: float = 20.0, **config: Any) -> tuple[str, Callable[[], None]]:
    """Run the ASGI ``app`` under uvicorn in a daemon thread; returns ``(base_url, stop)``.

    ``config`` goes to :class:`uvicorn.Config` (e.g. ``ws=``). Raises RuntimeError naming ``name`` when
    the server has not started within ``timeout_s``.
    """
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **config))
    th = threading.Thread(target=server.run, daemon=True)
    th.start()
    t0 = time.monotonic()
    while not server.started:
        if time.monotonic() - t0 > timeout_s or not th.is_alive():
            raise RuntimeError(f"{name} did not start on 127.0.0.1:{port}")
        time.sleep(0.05)

    def stop() -> None:
        server.should_exit = True
        th.join(10)

    return f"http://127.0.0.1:{port}", stop
