"""The annotation page compared with ELAN (issue 13): sound, tiers, lanes, overlay, failed saves.

Each test drives Debian's chromium through playwright (see test_browser.py for the server helpers),
saves a screenshot in its tmp folder and checks the layout (nothing overlaps, nothing overflows).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from .conftest import FPS
from .test_browser import launch_browser, start_server, tl_point, wait_saved

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

N = 50  # frames (2 s at 25 fps)
SR = 16000
TONE_START_S = 0.8


@pytest.fixture(scope="module")
def site(tmp_path_factory, pw):
    from signfuse import io
    from signfuse.audio.features import analyze_file
    from signfuse.motion import features as motion_features
    from signfuse.testing.audio import tone
    from signfuse.testing.media import write_video
    from signfuse.testing.motion import holistic_sequence

    root = tmp_path_factory.mktemp("tools")
    # a talking clip: silence, then a 220 Hz tone from 0.8 s; frame i has red level 5 i
    y = np.zeros(2 * SR, np.float32)
    y[int(TONE_START_S * SR) :] = tone(220.0, sr=SR, duration=2.0 - TONE_START_S, amplitude=0.6)
    frames = []
    for i in range(N):
        img = np.zeros((240, 320, 3), np.uint8)
        img[..., 0] = 5 * i
        frames.append(img)
    write_video(root / "talk.mp4", frames, fps=FPS, audio=(y, SR))
    # landmarks: body, face and both hands; the right hand moves during 0.4-1.2 s
    t = np.arange(N) / FPS
    right = np.stack([0.6 + np.clip(t - 0.4, 0, 0.8) * 0.8, -0.4 + 0 * t], axis=1)
    seq = holistic_sequence(fps=FPS, n_frames=N, right=right, origin=(160.0, 120.0), shoulder_width=70.0)
    io.write(seq, root / "talk.pose")
    io.write_stream(motion_features(seq), root / "talk.motion.parquet")
    feats, _, _, _ = analyze_file(root / "talk.mp4")
    io.write_stream(feats, root / "talk.audio.parquet")
    # two overlapping AU activities (need stacking) and an events file
    au12 = np.where((t >= 0.2) & (t < 0.9), 4.0, 0.0)
    au01 = np.where((t >= 0.6) & (t < 1.1), 3.0, 0.0)
    (root / "talk.face.csv").write_text(
        "time,AU01,AU12\n" + "\n".join(f"{a:.4f},{b},{c}" for a, b, c in zip(t, au01, au12))
    )
    (root / "talk.events.json").write_text(
        json.dumps([{"start": 0.1, "end": 0.9, "type": "brow_raise"}, {"start": 0.5, "end": 1.5, "type": "head_shake"}])
    )
    write_video(root / "elan.mp4", frames[:25], fps=FPS)  # for an imported ELAN sample
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.csv").write_text("time,AU12\n0,1\n0.04,2\n")
    write_video(root / "linked.mp4", frames[:25], fps=FPS)
    (root / "linked.face.csv").symlink_to(outside / "secret.csv")  # a sidecar leading outside ROOT
    url, stop = start_server(root)
    browser = launch_browser(pw)
    yield {"root": root, "url": url, "browser": browser}
    browser.close()
    stop()


def open_talk(site, **kw):
    page = site["browser"].new_page(viewport={"width": 1400, "height": 1000}, **kw)
    page.goto(site["url"] + "/#/video/talk.mp4")
    page.wait_for_function(
        "() => window.signfuse && signfuse.state.doc && document.getElementById('video').readyState >= 2"
    )
    page.wait_for_function("() => signfuse.state.lanes.length >= 5")
    page.evaluate("() => signfuse.render()")
    return page


def lane(page, lane_id: str) -> int:
    return page.evaluate(f"() => signfuse.state.lanes.findIndex(l => l.id === '{lane_id}')")


def canvas_pixels(page, x0: float, y0: float, w: float, h: float) -> np.ndarray:
    """RGBA pixels of a CSS-pixel rectangle of the timeline canvas."""
    data = page.evaluate(f"""() => {{ const c = document.getElementById('timeline'), d = devicePixelRatio;
        const img = c.getContext('2d').getImageData(Math.round({x0} * d), Math.round({y0} * d),
                                                     Math.max(1, Math.round({w} * d)), Math.max(1, Math.round({h} * d)));
        return [img.width, img.height, Array.from(img.data)]; }}""")
    return np.array(data[2], np.uint8).reshape(data[1], data[0], 4)


def assert_layout(page) -> None:
    """No horizontal overflow; player, inspector and timeline do not overlap; labels never overlap."""
    boxes = page.evaluate("""() => Object.fromEntries(['player', 'inspector', 'timeline-wrap'].map(id => {
        const r = document.getElementById(id).getBoundingClientRect(); return [id, [r.left, r.top, r.right, r.bottom]]; }))""")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    p, i, t = boxes["player"], boxes["inspector"], boxes["timeline-wrap"]
    assert p[2] <= i[0] + 1, boxes  # inspector to the right of the player
    assert max(p[3], i[3]) <= t[1] + 1, boxes  # timeline below both
    rects = page.evaluate("() => signfuse.state.labelRects")
    for k, a in enumerate(rects):
        for b in rects[k + 1 :]:
            ox = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
            oy = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
            assert not (ox > 0.5 and oy > 0.5), (a, b)


# ------------------------------------------------------------------ sound
def test_sound_waveform_and_f0_lanes_follow_the_timeline(site, tmp_path):
    page = open_talk(site)
    assert page.evaluate("() => document.getElementById('video').muted") is False
    page.click("#mute-btn")
    assert page.evaluate("() => document.getElementById('video').muted") is True
    assert page.inner_text("#mute-btn") == "Sound off"
    page.locator("#timeline").focus()
    page.keyboard.press("m")
    assert page.evaluate("() => document.getElementById('video').muted") is False
    page.fill("#volume", "0.3")
    page.dispatch_event("#volume", "input")
    assert abs(page.evaluate("() => document.getElementById('video').volume") - 0.3) < 1e-6
    # lanes: the waveform first, then F0 and energy from talk.audio.parquet; one events lane
    ids = page.evaluate("() => signfuse.state.lanes.map(l => l.id)")
    assert ids[0] == "waveform" and {"audio-f0", "audio-energy"} <= set(ids)
    assert [i for i in ids if "events" in i] == ["events-file"] and len(ids) == len(set(ids))
    # the waveform is drawn on the timeline's clock: silent before the tone starts, loud after
    j = lane(page, "waveform")
    top = page.evaluate(f"() => signfuse.laneTop({j})")
    lane_h = page.evaluate("() => signfuse.LANE_H")
    x_on = page.evaluate(f"() => signfuse.timeToX({TONE_START_S * 1000})")
    label_w = page.evaluate("() => signfuse.LABEL_W")

    def ink(x0, x1):
        """Mean height (px) of the waveform's blue per column (silence is a 1 px line)."""
        px = canvas_pixels(page, x0, top + 2, x1 - x0, lane_h - 4)
        blue = (px[..., 2] > 120) & (px[..., 0] < 100)
        return blue.sum(axis=0).mean() / page.evaluate("() => devicePixelRatio")

    before, after = ink(label_w + 2, x_on - 4), ink(x_on + 4, x_on + 60)
    assert after > 10 and before <= 1.5, (before, after)
    # F0 near 220 Hz where voiced, in a lane with its scale
    f0 = page.evaluate(
        "() => signfuse.state.lanes.find(l => l.id === 'audio-f0').curves.f0_hz.v.filter(v => v != null)"
    )
    assert abs(float(np.median(f0)) - 220) < 8
    # playing moves the playhead with the sound
    page.locator("#timeline").focus()
    page.keyboard.press("Space")
    page.wait_for_function("() => document.getElementById('video').currentTime > 0.3")
    page.keyboard.press("Space")
    page.wait_for_function("() => document.getElementById('video').paused")
    # the timeline redraws on animation frames: let two pass so the canvas shows the paused position
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    t_now = page.evaluate("() => document.getElementById('video').currentTime")
    x_head = page.evaluate(f"() => signfuse.timeToX({t_now * 1000})")
    px = canvas_pixels(page, x_head - 3, 2, 7, 10)
    assert ((px[..., 0] > 200) & (px[..., 1] < 90)).any()  # the red playhead is where the video is
    page.screenshot(path=str(tmp_path / "sound.png"), full_page=True)
    assert_layout(page)
    page.close()


# ------------------------------------------------------------------ tiers
def test_tiers_add_rename_reorder_parent_vocabulary_delete_and_eaf_round_trip(site, tmp_path, shared_data):
    from signfuse.io.elan import read_eaf

    page = open_talk(site)
    # a gloss on the dominant-hand tier (0.2-1.0 s)
    x0, y = tl_point(page, 0, 200)
    x1, _ = tl_point(page, 0, 1000)
    page.mouse.move(x0, y)
    page.mouse.down()
    page.mouse.move(x1, y, steps=4)
    page.mouse.up()
    page.wait_for_function("() => document.activeElement.id === 'value-input'")
    page.keyboard.type("HOUSE")
    page.keyboard.press("Enter")
    # add a tier below it, rename it, make it a symbolic subdivision of gloss-dom
    page.evaluate("() => { signfuse.state.activeTier = 0; signfuse.updateTierPanel(); }")
    page.click("#tier-add-btn")
    assert page.evaluate("() => signfuse.state.doc.tiers[1].id") == "tier-7"
    page.fill("#tier-name", "phonology")
    page.press("#tier-name", "Enter")
    page.select_option("#tier-parent", "gloss-dom")
    page.select_option("#tier-type", "Symbolic_Subdivision")
    tier = page.evaluate("() => signfuse.state.doc.tiers[1]")
    assert tier["id"] == "phonology" and tier["parent"] == "gloss-dom"
    lt = page.evaluate(f"() => signfuse.state.doc.elan.linguistic_types['{tier['linguistic_type']}']")
    assert lt["CONSTRAINTS"] == "Symbolic_Subdivision" and lt["TIME_ALIGNABLE"] == "false"
    # a vocabulary for it
    page.click("#vocab-edit-btn")
    page.fill("#vocab-name", "phon")
    page.fill("#vocab-entries", "handshape\nlocation\nmovement\n")
    page.click("#vocab-save-btn")
    assert page.evaluate("() => signfuse.state.doc.vocabularies.phon") == ["handshape", "location", "movement"]
    assert page.evaluate("() => signfuse.state.doc.tiers[1].vocabulary") == "phon"
    # two subdivisions of HOUSE: drags inside the parent's span make reference annotations in order
    for value in ("handshape", "movement"):
        xa, yy = tl_point(page, 1, 300)
        xb, _ = tl_point(page, 1, 600)
        page.mouse.move(xa, yy)
        page.mouse.down()
        page.mouse.move(xb, yy, steps=3)
        page.mouse.up()
        page.wait_for_function("() => document.activeElement.id === 'value-input'")
        page.keyboard.type(value)
        page.keyboard.press("Enter")
    subs = page.evaluate(
        "() => signfuse.state.doc.tiers[1].annotations.map(a => [a.value, a.ref, a.previous || null, a._t0, a._t1])"
    )
    house = page.evaluate("() => signfuse.state.doc.tiers[0].annotations[0]")
    assert [(v, r) for v, r, *_ in subs] == [("handshape", house["id"]), ("movement", house["id"])]
    assert subs[0][2] is None and subs[1][2] == page.evaluate("() => signfuse.state.doc.tiers[1].annotations[0].id")
    # they split the parent's span evenly
    assert subs[0][3] == house["start_ms"] and subs[1][4] == house["end_ms"] and abs(subs[0][4] - subs[1][3]) < 1e-6
    # a drag outside any parent annotation makes nothing
    xa, yy = tl_point(page, 1, 1500)
    xb, _ = tl_point(page, 1, 1800)
    page.mouse.move(xa, yy)
    page.mouse.down()
    page.mouse.move(xb, yy, steps=3)
    page.mouse.up()
    assert len(page.evaluate("() => signfuse.state.doc.tiers[1].annotations")) == 2
    # reorder: move "translation" up one, then a scratch tier added and deleted
    idx = page.evaluate("() => signfuse.state.doc.tiers.findIndex(t => t.id === 'translation')")
    page.evaluate(f"() => {{ signfuse.state.activeTier = {idx}; signfuse.updateTierPanel(); }}")
    page.click("#tier-up-btn")
    order = page.evaluate("() => signfuse.state.doc.tiers.map(t => t.id)")
    assert order.index("translation") == idx - 1
    page.click("#tier-add-btn")
    page.fill("#tier-name", "scratch")
    page.press("#tier-name", "Enter")
    assert "scratch" in page.evaluate("() => signfuse.state.doc.tiers.map(t => t.id)")
    page.click("#tier-delete-btn")
    assert "scratch" not in page.evaluate("() => signfuse.state.doc.tiers.map(t => t.id)")
    # a renamed parent keeps its children
    page.evaluate("() => { signfuse.state.activeTier = 0; signfuse.updateTierPanel(); }")
    page.fill("#tier-name", "gloss-right")
    page.press("#tier-name", "Enter")
    assert page.evaluate("() => signfuse.state.doc.tiers[1].parent") == "gloss-right"
    wait_saved(page)
    page.screenshot(path=str(tmp_path / "tiers.png"), full_page=True)
    assert_layout(page)
    # the saved document round-trips through .eaf (valid EAF 3.0)
    with page.expect_download() as dl:
        page.click("#export-eaf")
    eaf = tmp_path / "talk.eaf"
    dl.value.save_as(eaf)
    xsd_path = shared_data / "elan" / "EAFv3.0.xsd"
    xmlschema = pytest.importorskip("xmlschema")
    xmlschema.XMLSchema(str(xsd_path)).validate(str(eaf))
    back = read_eaf(eaf)
    tiers = {t["id"]: t for t in back["tiers"]}
    assert tiers["phonology"]["parent"] == "gloss-right" and tiers["phonology"]["vocabulary"] == "phon"
    assert (
        back["elan"]["linguistic_types"][tiers["phonology"]["linguistic_type"]]["CONSTRAINTS"] == "Symbolic_Subdivision"
    )
    assert [a["value"] for a in tiers["phonology"]["annotations"]] == ["handshape", "movement"]
    assert back["vocabularies"]["phon"] == ["handshape", "location", "movement"]
    assert [t["id"] for t in back["tiers"]].index("translation") == order.index("translation")
    page.close()


# ------------------------------------------------------------------ lanes
def test_lanes_one_per_hand_stacked_labels_curves_above_boxes(site, tmp_path):
    page = open_talk(site)
    ids = page.evaluate("() => signfuse.state.lanes.map(l => l.id)")
    assert "motion-rh" in ids and "motion-lh" in ids and "motion" not in ids
    # the two AU spans overlap: stacked in two rows of the AU lane
    j = lane(page, "face-au")
    rows = page.evaluate(
        f"() => [signfuse.state.lanes[{j}]._rows, signfuse.state.lanes[{j}].segments.map(s => s._row)]"
    )
    assert rows[0] == 2 and sorted(rows[1]) == [0, 1]
    # overlapping annotations on one tier stack too
    page.evaluate("""() => { const t = signfuse.state.doc.tiers[5];
        t.annotations.push({id: 'o1', start_ms: 100, end_ms: 1500, value: 'first long note'},
                           {id: 'o2', start_ms: 400, end_ms: 1200, value: 'second overlapping note'});
        signfuse.rebuild(); signfuse.render(); }""")
    assert page.evaluate("() => signfuse.state.doc.tiers[5]._rows") == 2
    assert_layout(page)  # labels never overlap
    # a box that starts before the view keeps its label at the left edge
    page.evaluate("() => { signfuse.state.viewStart = 700; signfuse.state.msPerPx = 1; signfuse.render(); }")
    label_w = page.evaluate("() => signfuse.LABEL_W")
    rects = page.evaluate("() => signfuse.state.labelRects")
    top5 = page.evaluate("() => signfuse.tierTop(5)")
    assert any(abs(r[0] - (label_w + 3)) < 0.5 and top5 <= r[1] <= top5 + 28 for r in rects), rects
    assert_layout(page)
    # the speed curve is drawn above the movement boxes: its colour where it crosses a box
    page.evaluate("() => { signfuse.state.viewStart = 0; signfuse.state.msPerPx = 2000 / 1000; signfuse.render(); }")
    k = lane(page, "motion-rh")
    seg = page.evaluate(f"""() => signfuse.state.lanes[{k}].segments.find(s => s.value.startsWith('movement'))""")
    assert seg is not None
    curve = page.evaluate(f"() => signfuse.state.lanes[{k}].curves.rh_speed")
    tt = np.array(curve["t"]) * 1000
    vv = np.array([np.nan if v is None else v for v in curve["v"]])
    mid = (seg["start_ms"] + seg["end_ms"]) / 2
    i = int(np.argmin(np.abs(tt - mid)))
    lo, hi = np.nanmin(vv), np.nanmax(vv)
    top = page.evaluate(f"() => signfuse.laneTop({k})")
    lane_h = page.evaluate("() => signfuse.LANE_H")
    x = page.evaluate(f"() => signfuse.timeToX({tt[i]})")
    yy = top + lane_h - 3 - (vv[i] - lo) / (hi - lo) * (lane_h - 6)
    px = canvas_pixels(page, x - 1, yy - 1, 3, 3).reshape(-1, 4)
    purple = (px[:, 0] > 100) & (px[:, 2] > 120) & (px[:, 1] < 110)
    assert purple.any(), px
    page.screenshot(path=str(tmp_path / "lanes.png"), full_page=True)
    page.close()


# ------------------------------------------------------------------ overlay
def test_overlay_part_toggles_and_opacity(site, tmp_path):
    page = open_talk(site)
    page.wait_for_function("() => signfuse.state.lmMeta !== null")
    page.evaluate("() => signfuse.seekFrame(30)")
    page.wait_for_function("() => document.getElementById('frame-no').textContent === '30'")

    def painted():
        page.evaluate("() => signfuse.drawOverlay()")
        return page.evaluate("""() => { const c = document.getElementById('overlay');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0, opaque = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) { n++; if (d[i] >= 250) opaque++; }
            return [n, opaque]; }""")

    all_on, opaque_on = painted()
    assert all_on > 200 and opaque_on > 0.1 * all_on
    counts = {}
    for part in ("face", "hands", "body"):
        page.uncheck(f"#show-{part}")
        counts[part] = painted()[0]
        page.check(f"#show-{part}")
    assert all(0 < counts[p] < all_on for p in counts), (counts, all_on)
    for part in ("face", "hands", "body"):
        page.uncheck(f"#show-{part}")
    assert painted()[0] == 0
    for part in ("face", "hands", "body"):
        page.check(f"#show-{part}")
    page.fill("#overlay-opacity", "0.3")
    page.dispatch_event("#overlay-opacity", "input")
    n, opaque = painted()
    assert n > 0.8 * all_on and opaque < 0.1 * opaque_on  # (almost) nothing is opaque any more
    page.screenshot(path=str(tmp_path / "overlay.png"))
    assert_layout(page)
    page.close()


# ------------------------------------------------------------------ a failed save and a damaged file
def test_failed_save_shows_the_reason_and_a_damaged_file_opens(site, tmp_path, monkeypatch):
    import errno
    import os

    import signfuse.annotate.store as store_mod

    page = open_talk(site)
    real_open = os.open
    monkeypatch.setattr(
        store_mod.os,
        "open",
        lambda p, *a, **k: (
            (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left on device"))
            if str(p).endswith(".tmp")
            else real_open(p, *a, **k)
        ),
    )
    x0, y = tl_point(page, 2, 300)
    x1, _ = tl_point(page, 2, 700)
    page.mouse.move(x0, y)
    page.mouse.down()
    page.mouse.move(x1, y, steps=3)
    page.mouse.up()
    page.wait_for_function("() => document.activeElement.id === 'value-input'")
    page.keyboard.type("brow raise")
    page.keyboard.press("Enter")
    page.wait_for_selector("#error-banner:not([hidden])", timeout=15000)
    text = page.inner_text("#error-banner")
    assert "the disk is full" in text and "kept in this page" in text and str(site["root"]) not in text
    page.screenshot(path=str(tmp_path / "save-failed.png"))
    monkeypatch.undo()
    page.click("#retry-btn")
    wait_saved(page)
    assert page.is_hidden("#error-banner")
    saved = json.loads((site["root"] / "talk.annotations.json").read_text())
    assert any(a["value"] == "brow raise" for t in saved["tiers"] for a in t["annotations"])
    page.close()
    # truncate the file: the page opens the newest valid revision and says so
    p = site["root"] / "talk.annotations.json"
    rev = json.loads(p.read_text())["revision"]
    p.write_text(p.read_text()[:40])
    page = site["browser"].new_page(viewport={"width": 1400, "height": 1000})
    page.goto(site["url"] + "/")
    row = "#video-table tr:has(a.video-link:text-is('talk.mp4')) .row-warning"
    page.wait_for_selector(row)
    assert "damaged annotation file" in page.inner_text(row)
    page.close()
    page = open_talk(site)
    assert page.is_visible("#damage-banner")
    banner = page.inner_text("#damage-banner")
    assert "damaged" in banner and (f"revision {rev - 1}" in banner or "No valid earlier revision" in banner)
    page.screenshot(path=str(tmp_path / "damaged.png"))
    page.close()


# ------------------------------------------------------------------ an ELAN file with every tier type
def test_imported_elan_tier_types_show_and_edit(site, tmp_path, shared_data):
    import httpx

    from signfuse.io.elan import read_eaf

    sample = shared_data / "elan" / "sample_3.0.eaf"
    r = httpx.post(
        site["url"] + "/api/import.eaf",
        params={"path": "elan.mp4", "base_revision": 0},
        content=sample.read_bytes(),
        headers={"Content-Type": "application/xml", "X-Signfuse": "1"},
    )
    assert r.status_code == 200, r.text
    page = site["browser"].new_page(viewport={"width": 1400, "height": 1000})
    page.goto(site["url"] + "/#/video/elan.mp4")
    page.wait_for_function("() => window.signfuse && signfuse.state.doc && signfuse.state.doc.tiers.length === 6")
    expected = {
        "words-timesub": ("text", "Time_Subdivision"),
        "words-symsub": ("text", "Symbolic_Subdivision"),
        "gest_included": ("text", "Included_In"),
        "words-pos": ("words-symsub", "Symbolic_Association"),
    }
    for tier_id, (parent, kind) in expected.items():
        i = page.evaluate(f"() => signfuse.state.doc.tiers.findIndex(t => t.id === '{tier_id}')")
        page.evaluate(f"() => {{ signfuse.state.activeTier = {i}; signfuse.updateTierPanel(); }}")
        assert page.input_value("#tier-parent") == parent and page.input_value("#tier-type") == kind, tier_id
    assert page.input_value("#tier-vocab") == "POS"  # words-pos, the last one shown
    # add one subdivision to the first text annotation: the chain grows by one, in order
    i = page.evaluate("() => signfuse.state.doc.tiers.findIndex(t => t.id === 'words-symsub')")
    first = page.evaluate(
        "() => { const t = signfuse.state.doc.tiers[0].annotations[0]; return [t.id, t._t0, t._t1]; }"
    )
    before = page.evaluate(
        f"() => signfuse.state.doc.tiers[{i}].annotations.filter(a => a.ref === '{first[0]}').length"
    )
    page.evaluate(
        f"() => {{ const S = signfuse.state; S.viewStart = {first[1]}; "
        f"S.msPerPx = ({first[2]} - {first[1]}) / 400; signfuse.render(); }}"
    )
    x0, y = tl_point(page, i, first[1] + (first[2] - first[1]) * 0.2)
    x1, _ = tl_point(page, i, first[1] + (first[2] - first[1]) * 0.6)
    page.mouse.move(x0, y)
    page.mouse.down()
    page.mouse.move(x1, y, steps=3)
    page.mouse.up()
    page.wait_for_function("() => document.activeElement.id === 'value-input'")
    page.keyboard.type("NEW")
    page.keyboard.press("Enter")
    subs = page.evaluate(
        f"() => signfuse.state.doc.tiers[{i}].annotations.filter(a => a.ref === '{first[0]}')"
        ".map(a => [a.id, a.previous || null, a.value])"
    )
    assert len(subs) == before + 1 and subs[-1][2] == "NEW" and subs[-1][1] == subs[-2][0]
    wait_saved(page)
    page.screenshot(path=str(tmp_path / "elan-tiers.png"), full_page=True)
    assert_layout(page)
    page.close()
    out = tmp_path / "back.eaf"
    out.write_bytes(httpx.get(site["url"] + "/api/export.eaf", params={"path": "elan.mp4"}).content)
    xmlschema = pytest.importorskip("xmlschema")
    xmlschema.XMLSchema(str(shared_data / "elan" / "EAFv3.0.xsd")).validate(str(out))
    back = {t["id"]: t for t in read_eaf(out)["tiers"]}
    assert "NEW" in [a["value"] for a in back["words-symsub"]["annotations"]]
    assert len(back["words-pos"]["annotations"]) == 1995


def test_a_refused_sidecar_is_shown_without_server_paths(site, tmp_path):
    page = site["browser"].new_page(viewport={"width": 1400, "height": 1000})
    page.goto(site["url"] + "/#/video/linked.mp4")
    page.wait_for_function("() => document.getElementById('lane-errors').textContent.includes('outside ROOT')")
    text = page.inner_text("#lane-errors")
    assert "linked.face.csv leads outside ROOT" in text and "/tmp" not in text
    page.screenshot(path=str(tmp_path / "refused.png"))
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.close()
