"""``signfuse live MODEL``: live captions in the browser (camera -> landmarks -> signs and sentences)."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import console, existing_file


def load_translator(path: Path):
    """``signfuse.translate.load_translator(path)``, with a clear error when that module is missing."""
    try:
        from ..translate import load_translator as _load
    except ImportError as e:
        raise click.ClickException(f"--translate {path}: translation (signfuse.translate) is not available "
                                   f"in this build ({e})") from e
    return _load(path)


@click.command("live")
@click.argument("model_path", type=click.Path(path_type=Path), callback=existing_file)
@click.option("--translate", "translate_ckpt", type=click.Path(path_type=Path), default=None,
              callback=existing_file, help="A gloss-to-text checkpoint: captions become sentences.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind (keep 127.0.0.1 unless other devices must connect; 0.0.0.0: every interface).")
@click.option("--port", default=8766, show_default=True, type=click.IntRange(1, 65535))
@click.option("--server-landmarks", is_flag=True,
              help="Let the page send downscaled JPEG frames and extract landmarks here with the Python MediaPipe "
                   "(for browsers where MediaPipe's WASM graph cannot start, e.g. some phones).")
@click.option("--window", "window_s", type=click.FloatRange(min=0, min_open=True), default=2.0, show_default=True,
              help="Seconds of frames each caption looks at.")
@click.option("--hop", "hop_s", type=click.FloatRange(min=0, min_open=True), default=0.5, show_default=True,
              help="Seconds between captions.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="Isolated models: below this probability the caption says 'not sure'.")
@click.option("--top-k", type=click.IntRange(min=1), default=3, show_default=True)
@click.option("--beam", type=click.IntRange(min=0), default=0, help="CTC beam width for continuous models (0: greedy).")
@click.option("--max-connections", type=click.IntRange(min=1), default=16, show_default=True)
@click.option("--ssl-certfile", type=click.Path(path_type=Path), default=None, callback=existing_file,
              help="Serve https with this certificate (browsers open cameras only on https or localhost).")
@click.option("--ssl-keyfile", type=click.Path(path_type=Path), default=None, callback=existing_file,
              help="The certificate's private key.")
def live(model_path: Path, translate_ckpt: Path | None, host: str, port: int, server_landmarks: bool,
         window_s: float, hop_s: float, threshold: float, top_k: int, beam: int, max_connections: int,
         ssl_certfile: Path | None, ssl_keyfile: Path | None) -> None:
    """Serve a page that captions signing from the camera, with MODEL_PATH (.ckpt or .onnx).

    The page runs MediaPipe Holistic itself and sends only landmarks; the video stays in the browser.
    """
    from ..live.server import serve, wasm_assets_present
    from ..web import EXPOSED_WARNING, display_url, is_loopback

    if not wasm_assets_present() and not server_landmarks:
        console.print("[yellow]the in-page MediaPipe files are missing (run `make webassets`); "
                      "only --server-landmarks can work[/yellow]")
    if (ssl_certfile is None) != (ssl_keyfile is None):
        raise click.BadParameter("give both --ssl-certfile and --ssl-keyfile", param_hint="--ssl-certfile")
    translator = load_translator(translate_ckpt) if translate_ckpt else None
    console.print(f"signfuse live: model {model_path}" + (f", translation {translate_ckpt}" if translator else ""))
    url = display_url("localhost" if host == "127.0.0.1" else host, port)
    if ssl_certfile:
        url = "https" + url[4:]
    console.print(f"open [bold]{url}[/bold]  "
                  "(Ctrl+C to stop)")
    if not is_loopback(host):
        console.print(f"[yellow]{EXPOSED_WARNING}[/yellow]")
    if not is_loopback(host) and not ssl_certfile:
        console.print("[yellow]browsers open the camera only on https:// or http://localhost pages; from another "
                      "device give --ssl-certfile/--ssl-keyfile (see README)[/yellow]")
    serve(model_path, host=host, port=port, translator=translator, server_landmarks=server_landmarks,
          window_s=window_s, hop_s=hop_s, threshold=threshold, top_k=top_k, beam=beam,
          max_connections=max_connections, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile)
