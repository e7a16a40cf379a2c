"""End-to-end tests of the annotation page in Debian's chromium, driven by playwright.

They start the real server (uvicorn, 127.0.0.1, a free port) in a thread, and skip with a reason when
/usr/bin/chromium or playwright is missing (``bash scripts/sysdeps.sh`` installs chromium).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from signfuse.testing.browser import launch, serve

from .conftest import FPS, N_FRAMES, make_video

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


def start_server(root: Path, **kwargs):
    """The annotation app under uvicorn in a daemon thread; returns (base_url, stop)."""
    from signfuse.annotate.server import create_app

    return serve(create_app(root, **kwargs), name="annotation server")


def launch_browser(pw):
    return launch(pw)


@pytest.fixture(scope="module")
def site(tmp_path_factory, pw):
    from signfuse import io
    from signfuse.sequence import Component, LandmarkSequence
    from signfuse.topology import HAND_EDGES, HAND_POINTS, POSE_EDGES, POSE_POINTS

    root = tmp_path_factory.mktemp("site")
    make_video(root / "clip.mp4", size=(320, 240))
    make_video(root / "other.mp4", n_frames=25, size=(320, 240))
    # landmarks beside the video: a pose skeleton and a right hand moving right
    rng = np.random.default_rng(0)
    comps = (Component("POSE", POSE_POINTS, POSE_EDGES), Component("RIGHT_HAND", HAND_POINTS, HAND_EDGES))
    n = len(POSE_POINTS) + len(HAND_POINTS)
    base = rng.uniform(60, 200, size=(1, 1, n, 3)).astype(np.float32)
    data = np.repeat(base, N_FRAMES, axis=0)
    data[:, 0, len(POSE_POINTS) :, 0] += np.arange(N_FRAMES)[:, None]
    io.write(
        LandmarkSequence(comps, data, np.ones((N_FRAMES, 1, n), np.float32), fps=FPS, width=320, height=240),
        root / "clip.pose",
    )
    # face AU curve beside the video: AU12 active in frames 10-24
    t = np.arange(N_FRAMES) / FPS
    au = np.where((np.arange(N_FRAMES) >= 10) & (np.arange(N_FRAMES) < 25), 4.5, 0.0)
    (root / "clip.face.csv").write_text("time,AU12\n" + "\n".join(f"{a:.4f},{b}" for a, b in zip(t, au)))
    url, stop = start_server(root)
    browser = launch_browser(pw)
    yield {"root": root, "url": url, "browser": browser}
    browser.close()
    stop()


def open_editor(page, url: str, video: str = "clip.mp4") -> None:
    page.goto(url + "/")
    page.wait_for_selector(f"a.video-link:text('{video}')")
    page.click(f"a.video-link:text('{video}')")
    page.wait_for_function(
        "() => window.signfuse && window.signfuse.state.doc && document.getElementById('video').readyState >= 2"
    )
    page.wait_for_function("() => window.signfuse.state.lanes !== undefined")


def red_level(page) -> float:
    """Mean red level of the displayed video frame (the test video encodes frame i as red 5*i)."""
    return page.evaluate("""() => { const v = document.getElementById('video');
        const c = document.createElement('canvas'); c.width = v.videoWidth; c.height = v.videoHeight;
        const x = c.getContext('2d'); x.drawImage(v, 0, 0);
        const d = x.getImageData(0, 0, c.width, Math.floor(c.height / 2)).data;
        let s = 0; for (let i = 0; i < d.length; i += 4) s += d[i]; return s / (d.length / 4); }""")


def wait_frame(page, frame: int) -> None:
    page.wait_for_function(
        f"() => document.getElementById('frame-no').textContent === '{frame}' && "
        "!document.getElementById('video').seeking"
    )
    page.wait_for_timeout(100)


def tl_point(page, tier: int, ms: float) -> tuple[float, float]:
    box = page.locator("#timeline").bounding_box()
    x, y = page.evaluate(f"() => [signfuse.timeToX({ms}), signfuse.tierTop({tier}) + signfuse.ROW_H / 2]")
    return box["x"] + x, box["y"] + y


def annotations(page, tier: str) -> list[dict]:
    return page.evaluate(f"""() => signfuse.state.doc.tiers.find(t => t.id === '{tier}').annotations
        .map(a => ({{id: a.id, start_ms: a.start_ms, end_ms: a.end_ms, value: a.value}}))""")


def wait_saved(page) -> None:
    page.wait_for_function(
        "() => document.getElementById('save-status').textContent.startsWith('saved')", timeout=15000
    )


def test_list_open_and_frame_accurate_stepping(site):
    page = site["browser"].new_page(viewport={"width": 1280, "height": 900})
    page.goto(site["url"] + "/")
    page.wait_for_selector("a.video-link")
    rows = page.locator("#video-table tbody tr")
    assert rows.count() == 2
    assert "not started" in rows.nth(0).inner_text()
    open_editor(page, site["url"])
    assert page.locator("#fps").inner_text() == "25"
    page.locator("#timeline").focus()
    for _ in range(7):
        page.keyboard.press("ArrowRight")
    wait_frame(page, 7)
    assert abs(red_level(page) - 35) < 4
    page.keyboard.press("Shift+ArrowRight")
    wait_frame(page, 17)
    assert abs(red_level(page) - 85) < 4
    page.keyboard.press("ArrowLeft")
    wait_frame(page, 16)
    assert abs(red_level(page) - 80) < 4
    assert page.locator("#timecode").inner_text() == "0:00.640"
    # playback speed and play/pause with space
    page.select_option("#speed", "0.5")
    assert page.evaluate("() => document.getElementById('video').playbackRate") == 0.5
    page.keyboard.press("Space")
    page.wait_for_function("() => !document.getElementById('video').paused")
    page.keyboard.press("Space")
    page.wait_for_function("() => document.getElementById('video').paused")
    # the skeleton overlay is drawn from clip.pose
    page.wait_for_function("() => signfuse.state.lmMeta !== null")
    painted = page.evaluate("""() => { const c = document.getElementById('overlay');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }""")
    assert painted > 50
    page.close()


def test_create_edit_delete_reload_export(site, tmp_path):
    from signfuse.io.elan import read_eaf

    page = site["browser"].new_page(viewport={"width": 1280, "height": 900})
    open_editor(page, site["url"])
    # --- mouse: drag on the dominant-hand gloss tier from 200 ms to 600 ms, type a gloss
    x0, y = tl_point(page, 0, 200)
    x1, _ = tl_point(page, 0, 600)
    page.mouse.move(x0, y)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, y, steps=3)
    page.mouse.move(x1, y, steps=3)
    page.mouse.up()
    page.wait_for_function("() => document.activeElement.id === 'value-input'")
    page.keyboard.type("HOUSE")
    page.keyboard.press("Enter")
    anns = annotations(page, "gloss-dom")
    assert [(a["value"], a["start_ms"], a["end_ms"]) for a in anns] == [("HOUSE", 200, 600)], page.evaluate(
        "() => JSON.stringify([signfuse.state.doc.tiers.map(t => [t.id, t.annotations]), signfuse.state.msPerPx, signfuse.state.viewStart, document.getElementById('save-status').textContent])"
    )
    # --- keyboard: tier 2, mark in at frame 20, out at frame 25, Enter, type
    page.locator("#timeline").focus()
    page.evaluate("() => signfuse.seekFrame(20)")
    wait_frame(page, 20)
    page.keyboard.press("2")
    page.keyboard.press("i")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    wait_frame(page, 25)
    page.keyboard.press("o")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'value-input'")
    page.keyboard.type("TREE")
    page.keyboard.press("Enter")
    assert [(a["value"], a["start_ms"], a["end_ms"]) for a in annotations(page, "gloss-nondom")] == [
        ("TREE", 800, 1000)
    ]
    # --- move HOUSE by dragging its middle ~ +200 ms, then resize its right edge to ~1200 ms
    xm, y = tl_point(page, 0, 400)
    xt, _ = tl_point(page, 0, 600)
    page.mouse.move(xm, y)
    page.mouse.down()
    page.mouse.move(xt, y, steps=4)
    page.mouse.up()
    a = annotations(page, "gloss-dom")[0]
    assert a["end_ms"] - a["start_ms"] == 400 and 360 <= a["start_ms"] <= 440 and a["start_ms"] % 40 == 0
    xe, y = tl_point(page, 0, a["end_ms"])
    x2, _ = tl_point(page, 0, 1200)
    page.mouse.move(xe - 1, y)
    page.mouse.down()
    page.mouse.move(x2, y, steps=4)
    page.mouse.up()
    a = annotations(page, "gloss-dom")[0]
    assert 1160 <= a["end_ms"] <= 1240 and a["end_ms"] % 40 == 0
    # --- keyboard edits of the selected annotation: one frame to the right with alt+right
    before = a["start_ms"]
    page.locator("#timeline").focus()
    page.keyboard.press("Alt+ArrowRight")
    assert annotations(page, "gloss-dom")[0]["start_ms"] == before + 40
    # --- an AU value that is not an action unit is refused
    x, y = tl_point(page, 3, 1400)
    x2, _ = tl_point(page, 3, 1800)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x2, y, steps=3)
    page.mouse.up()
    page.wait_for_function("() => document.activeElement.id === 'value-input'")
    page.keyboard.type("smile")
    page.keyboard.press("Enter")
    assert "invalid" in page.get_attribute("#value-input", "class")
    page.fill("#value-input", "AU12C")
    page.keyboard.press("Enter")
    assert [a["value"] for a in annotations(page, "au")] == ["AU12C"]
    # --- delete TREE with the Delete key (after clicking it), undo, delete again
    x, y = tl_point(page, 1, 900)
    page.mouse.click(x, y)
    page.keyboard.press("Delete")
    assert annotations(page, "gloss-nondom") == []
    page.keyboard.press("Control+z")
    assert [a["value"] for a in annotations(page, "gloss-nondom")] == ["TREE"]
    page.keyboard.press("Control+Shift+z")
    assert annotations(page, "gloss-nondom") == []
    # --- autosave, reload, see them
    wait_saved(page)
    expected = annotations(page, "gloss-dom")
    page.reload()
    page.wait_for_function("() => window.signfuse && window.signfuse.state.doc")
    assert annotations(page, "gloss-dom") == expected
    assert annotations(page, "gloss-nondom") == []
    assert [a["value"] for a in annotations(page, "au")] == ["AU12C"]
    saved = json.loads((site["root"] / "clip.annotations.json").read_text())
    assert saved["revision"] >= 1
    # --- export ELAN from the page and read it back
    with page.expect_download() as dl:
        page.click("#export-eaf")
    p = tmp_path / "export.eaf"
    dl.value.save_as(p)
    back = read_eaf(p)
    got = {(t["id"], x["value"], x["start_ms"], x["end_ms"]) for t in back["tiers"] for x in t["annotations"]}
    assert ("gloss-dom", "HOUSE", expected[0]["start_ms"], expected[0]["end_ms"]) in got
    assert any(v[0] == "au" and v[1] == "AU12C" for v in got)
    # --- the page looks right
    shot = tmp_path / "annotate.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    page.close()


def test_accept_suggestion(site):
    page = site["browser"].new_page(viewport={"width": 1280, "height": 900})
    open_editor(page, site["url"], "clip.mp4")
    page.wait_for_function("() => signfuse.state.lanes.length > 0")
    box = page.locator("#timeline").bounding_box()
    x, y = page.evaluate("() => [signfuse.timeToX(700), signfuse.laneTop(0) + signfuse.LANE_H / 2]")
    page.mouse.click(box["x"] + x, box["y"] + y)
    assert page.locator("#suggestion-box").is_visible()
    page.keyboard.press("a")
    au = annotations(page, "au")
    assert ("AU12E", 400, 1000) in [(a["value"], a["start_ms"], a["end_ms"]) for a in au]
    page.close()


def test_two_tabs_conflict_and_merge(site):
    ctx = site["browser"].new_context(viewport={"width": 1280, "height": 900})
    a, b = ctx.new_page(), ctx.new_page()
    open_editor(a, site["url"], "other.mp4")
    open_editor(b, site["url"], "other.mp4")
    for page, tier, ms, word in ((a, 0, 100, "FROM-A"), (b, 1, 300, "FROM-B")):
        x0, y = tl_point(page, tier, ms)
        x1, _ = tl_point(page, tier, ms + 200)
        page.mouse.move(x0, y)
        page.mouse.down()
        page.mouse.move(x1, y, steps=3)
        page.mouse.up()
        page.wait_for_function("() => document.activeElement.id === 'value-input'")
        page.keyboard.type(word)
        page.keyboard.press("Enter")
        if page is a:
            wait_saved(a)
    b.wait_for_selector("#conflict-banner:not([hidden])", timeout=15000)
    b.click("#merge-btn")
    b.wait_for_function("() => document.getElementById('save-status').textContent.startsWith('merged')")
    values = b.evaluate("() => signfuse.state.doc.tiers.flatMap(t => t.annotations.map(a => a.value))")
    assert sorted(values) == ["FROM-A", "FROM-B"]
    saved = json.loads((site["root"] / "other.annotations.json").read_text())
    assert sorted(x["value"] for t in saved["tiers"] for x in t["annotations"]) == ["FROM-A", "FROM-B"]
    ctx.close()
