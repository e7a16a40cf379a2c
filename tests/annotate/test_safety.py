"""Issue 14 on the annotation server: files outside ROOT, size limits, failed writes, damaged files,
the umask and the overwrite policy of `signfuse annotations`."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import numpy as np
import pytest

from signfuse.annotate.store import REVISIONS_DIR, AnnotationStore, annotation_path

from .conftest import FPS, N_FRAMES


def _doc(client, path="clip.mp4", value="HOUSE", n=1):
    doc = client.get("/api/annotations", params={"path": path}).json()
    doc["tiers"][0]["annotations"] = [{"id": f"a{i}", "start_ms": 40 * i, "end_ms": 40 * i + 20, "value": value}
                                      for i in range(n)]
    return doc


def _put(client, doc, base, path="clip.mp4"):
    return client.put("/api/annotations", params={"path": path}, json={"base_revision": base, "document": doc})


def _outside(tmp_path: Path) -> Path:
    out = tmp_path / "outside"
    out.mkdir(exist_ok=True)
    return out


# ------------------------------------------------------------------ 5. sidecar files escape ROOT
def test_symlinked_sidecars_leading_outside_root_are_refused(client, media_root, tmp_path):
    from signfuse import io
    from signfuse.sequence import Component, LandmarkSequence
    from signfuse.topology import POSE_EDGES, POSE_POINTS

    out = _outside(tmp_path)
    seq = LandmarkSequence((Component("POSE", POSE_POINTS, POSE_EDGES),),
                           np.ones((N_FRAMES, 1, len(POSE_POINTS), 3), np.float32),
                           np.ones((N_FRAMES, 1, len(POSE_POINTS)), np.float32), fps=FPS)
    io.write(seq, out / "secret.pose")
    (out / "secret.csv").write_text("time,AU12\n0,1\n0.04,2\n0.08,1\n")
    (out / "secret.json").write_text(json.dumps([{"start": 0, "end": 1, "type": "blink"}]))
    (media_root / "clip.pose").symlink_to(out / "secret.pose")
    (media_root / "clip.face.csv").symlink_to(out / "secret.csv")
    (media_root / "clip.events.json").symlink_to(out / "secret.json")
    r = client.get("/api/landmarks", params={"path": "clip.mp4", "start": 0, "count": 5})
    assert r.status_code == 400 and "clip.pose leads outside ROOT" in r.json()["detail"]
    s = client.get("/api/suggestions", params={"path": "clip.mp4"}).json()
    assert s["lanes"] == []
    assert any("clip.face.csv leads outside ROOT" in e for e in s["errors"])
    assert any("clip.events.json leads outside ROOT" in e for e in s["errors"])
    row = next(v for v in client.get("/api/videos").json()["videos"] if v["path"] == "clip.mp4")
    assert row["landmarks"] is False and "leads outside ROOT" in row["error"]
    # no response names a server path
    for resp in (r, client.get("/api/suggestions", params={"path": "clip.mp4"}), client.get("/api/videos"),
                 client.get("/api/info", params={"path": "clip.mp4"})):
        assert str(tmp_path) not in resp.text
    # a link that stays inside ROOT is fine
    for name in ("clip.pose", "clip.face.csv", "clip.events.json"):
        (media_root / name).unlink()
    (media_root / "sub" / "real.pose").write_bytes((out / "secret.pose").read_bytes())
    (media_root / "clip.pose").symlink_to(media_root / "sub" / "real.pose")
    assert client.get("/api/landmarks", params={"path": "clip.mp4", "start": 0, "count": 5}).status_code == 200


def test_annotation_file_and_revisions_folder_links_outside_root_are_refused(client, media_root, tmp_path):
    out = _outside(tmp_path)
    (out / "x.annotations.json").write_text("{}")
    annotation_path(media_root / "clip.mp4").symlink_to(out / "x.annotations.json")
    r = client.get("/api/annotations", params={"path": "clip.mp4"})
    assert r.status_code == 400 and "clip.annotations.json leads outside ROOT" in r.json()["detail"]
    assert _put(client, _doc(client, "sub/second.mp4"), 0, "sub/second.mp4").status_code == 200
    doc = _doc(client, "sub/second.mp4")
    (media_root / "sub" / REVISIONS_DIR).symlink_to(out)
    r = _put(client, doc, 1, "sub/second.mp4")
    assert r.status_code == 400 and "leads outside ROOT" in r.json()["detail"]
    assert list(out.iterdir()) == [out / "x.annotations.json"]  # nothing was written outside
    assert str(tmp_path) not in r.text


def test_error_messages_name_files_relative_to_root(client, media_root, tmp_path):
    annotation_path(media_root / "sub" / "second.mp4").write_text('{"schema": "signfuse.annotations", "vers')
    r = client.get("/api/info", params={"path": "sub/second.mp4"})
    assert r.status_code == 200 and r.json()["damaged"].startswith("sub/second.annotations.json: ")
    bad_eaf = client.post("/api/import.eaf", params={"path": "clip.mp4", "base_revision": 0},
                          content=b"<ANNOTATION_DOCUMENT", headers={"Content-Type": "application/xml"})
    assert bad_eaf.status_code == 422 and "the uploaded .eaf" in bad_eaf.text
    for resp in (r, bad_eaf, client.get("/api/videos")):
        assert str(tmp_path) not in resp.text and "/tmp/" not in resp.text


# ------------------------------------------------------------------ 6. limits in bytes
def test_document_size_is_capped(media_root):
    from fastapi.testclient import TestClient

    from signfuse.annotate.server import create_app

    with TestClient(create_app(media_root, max_document_bytes=20_000), headers={"X-Signfuse": "1"}) as c:
        ok = _put(c, _doc(c, n=10), 0)
        assert ok.status_code == 200
        big = _doc(c, value="x" * 9000, n=3)  # 27 kB of values: every value is within the schema's bounds
        r = _put(c, big, 1)
        assert r.status_code == 413 and "limit of 20,000 bytes" in r.json()["detail"]
        assert c.get("/api/annotations", params={"path": "clip.mp4"}).json()["revision"] == 1
    # the issue's document (5,000 values of 10,000 characters, 50 MB) is refused by the default body limit
    from signfuse.annotate.server import MAX_BODY_BYTES

    assert MAX_BODY_BYTES < 50_000_000


def test_revision_budget_in_bytes(media_root):
    store = AnnotationStore(media_root, keep_revisions=200, revision_budget_bytes=30_000)
    doc = store.load("clip.mp4")
    from signfuse.annotate.schema import Annotation

    doc.tiers[0].annotations.extend(Annotation(id=f"a{i}", start_ms=i, end_ms=i + 1, value="v" * 50)
                                    for i in range(60))
    rev = 0
    for _ in range(30):
        rev = store.save("clip.mp4", doc, base_revision=rev).revision
    d = media_root / REVISIONS_DIR
    sizes = [p.stat().st_size for p in d.glob("clip.r*.json")]
    assert sum(sizes) <= 30_000 and len(sizes) >= 2
    assert store.revisions("clip.mp4")[-1] == rev - 1  # the newest backup is kept
    # a budget smaller than one revision still keeps the newest one
    tiny = AnnotationStore(media_root, revision_budget_bytes=0)
    tiny.save("clip.mp4", doc, base_revision=rev)
    assert tiny.revisions("clip.mp4") == [rev]


# ------------------------------------------------------------------ 7. read-only folder, full disk
@pytest.mark.parametrize("where, err, kind", [
    ("open", errno.EROFS, "read_only"),
    ("write", errno.ENOSPC, "disk_full"),
    ("replace", errno.EACCES, "read_only"),
])
def test_failed_writes_answer_json_and_leave_nothing(client, media_root, monkeypatch, where, err, kind):
    import signfuse.annotate.store as store_mod

    assert _put(client, _doc(client), 0).status_code == 200
    before = annotation_path(media_root / "clip.mp4").read_bytes()
    real_open, real_fdopen, real_replace = os.open, os.fdopen, os.replace

    def boom(*a, **k):
        raise OSError(err, os.strerror(err))

    class Full:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            raise OSError(err, os.strerror(err))

    if where == "open":
        monkeypatch.setattr(store_mod.os, "open", lambda p, *a, **k: boom() if str(p).endswith(".tmp")
                            else real_open(p, *a, **k))
    elif where == "write":
        monkeypatch.setattr(store_mod.os, "fdopen", lambda fd, *a, **k: Full(real_fdopen(fd, *a, **k)))
    else:
        monkeypatch.setattr(store_mod.os, "replace", lambda s, d: boom() if str(s).endswith(".tmp")
                            else real_replace(s, d))
    r = _put(client, _doc(client, value="TREE"), 1)
    monkeypatch.undo()
    assert r.status_code == 507, r.text
    body = r.json()
    assert body["kind"] == kind and body["detail"].startswith("clip.annotations.json: not saved")
    assert annotation_path(media_root / "clip.mp4").read_bytes() == before
    assert not [p for p in media_root.iterdir() if p.name.endswith(".tmp")]
    assert _put(client, _doc(client, value="TREE"), 1).status_code == 200  # and it works again


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_really_read_only_folder(client, media_root):
    os.chmod(media_root, 0o555)
    try:
        r = _put(client, _doc(client), 0)
    finally:
        os.chmod(media_root, 0o755)
    assert r.status_code == 507 and r.json()["kind"] == "read_only"


# ------------------------------------------------------------------ 9. a damaged file does not lock the video
def test_truncated_file_offers_the_newest_valid_revision(client, media_root):
    for i in range(3):
        assert _put(client, _doc(client, value=f"V{i}"), i).status_code == 200
    p = annotation_path(media_root / "clip.mp4")
    text = p.read_bytes()
    p.write_bytes(text[: len(text) // 2])  # a full disk or a crash cut it
    info = client.get("/api/info", params={"path": "clip.mp4"}).json()
    assert "not a valid signfuse annotation file" in info["damaged"] and info["recovered_revision"] == 2
    doc = client.get("/api/annotations", params={"path": "clip.mp4"}).json()
    assert doc["revision"] == 2 and doc["tiers"][0]["annotations"][0]["value"] == "V1"
    row = next(v for v in client.get("/api/videos").json()["videos"] if v["path"] == "clip.mp4")
    assert row["revision"] == 2 and "damaged" in row["error"]
    doc["tiers"][0]["annotations"][0]["value"] = "FIXED"
    r = _put(client, doc, 2)
    assert r.status_code == 200 and r.json()["revision"] == 3
    assert json.loads(p.read_text())["tiers"][0]["annotations"][0]["value"] == "FIXED"
    kept = list((media_root / REVISIONS_DIR).glob("clip.damaged-*.json"))
    assert len(kept) == 1 and kept[0].read_bytes() == text[: len(text) // 2]
    assert client.get("/api/info", params={"path": "clip.mp4"}).json()["damaged"] is None


def test_damaged_file_without_revisions_starts_fresh(client, media_root):
    p = annotation_path(media_root / "clip.mp4")
    p.write_bytes(b"\x00\x01binary")
    doc = client.get("/api/annotations", params={"path": "clip.mp4"}).json()
    assert doc["revision"] == 0
    assert client.get("/api/info", params={"path": "clip.mp4"}).json()["recovered_revision"] is None
    assert _put(client, _doc(client), 0).status_code == 200
    assert list((media_root / REVISIONS_DIR).glob("clip.damaged-*.json"))


# ------------------------------------------------------------------ 10. umask and overwrite policy
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_files_are_created_with_the_umask(client, media_root, tmp_path, umask, mode):
    from signfuse.annotate import export_eaf, load_document, save_document

    old = os.umask(umask)
    try:
        assert _put(client, _doc(client), 0).status_code == 200
        p = annotation_path(media_root / "clip.mp4")
        assert p.stat().st_mode & 0o777 == mode
        doc = load_document(p)
        assert save_document(doc, tmp_path / "x.json").stat().st_mode & 0o777 == mode
        assert export_eaf(doc, tmp_path / "x.eaf").stat().st_mode & 0o777 == mode
    finally:
        os.umask(old)


def test_annotations_import_and_export_refuse_to_overwrite(tmp_path):
    from click.testing import CliRunner

    from signfuse.annotate import export_eaf, save_document
    from signfuse.annotate.schema import default_document
    from signfuse.cli import cli

    doc = default_document(media_path="clip.mp4")
    eaf = export_eaf(doc, tmp_path / "in.eaf")
    dst = tmp_path / "out.annotations.json"
    dst.write_text("precious")
    runner = CliRunner()
    r = runner.invoke(cli, ["annotations", "import", str(eaf), str(dst)])
    assert r.exit_code != 0 and "exists (use --force to overwrite)" in r.output and dst.read_text() == "precious"
    r = runner.invoke(cli, ["annotations", "import", str(eaf), str(dst), "--force"])
    assert r.exit_code == 0 and dst.read_text() != "precious"
    src = save_document(doc, tmp_path / "src.annotations.json")
    r = runner.invoke(cli, ["annotations", "export", str(src), str(eaf)])
    assert r.exit_code != 0 and "exists" in r.output
    assert runner.invoke(cli, ["annotations", "export", str(src), str(eaf), "--force"]).exit_code == 0
    r = runner.invoke(cli, ["annotations", "export", str(src), str(tmp_path / "nowhere" / "x.eaf")])
    assert r.exit_code != 0 and "no such folder" in r.output


def test_tier_parent_cycles_are_refused(client):
    doc = _doc(client)
    doc["tiers"][0]["parent"] = doc["tiers"][1]["id"]
    doc["tiers"][1]["parent"] = doc["tiers"][0]["id"]
    r = _put(client, doc, 0)
    assert r.status_code == 422 and "cycle" in r.text
    doc["tiers"][1]["parent"] = None  # a plain parent is fine
    assert _put(client, doc, 0).status_code == 200


def test_an_unreadable_file_is_a_json_error_without_server_paths(client, media_root, monkeypatch, tmp_path):
    assert _put(client, _doc(client), 0).status_code == 200
    target = annotation_path(media_root / "clip.mp4")
    real = Path.read_bytes

    def denied(self):
        if self.name == target.name:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    os.utime(target, ns=(1, 1))  # not the cached version
    monkeypatch.setattr(Path, "read_bytes", denied)
    r = client.get("/api/annotations", params={"path": "clip.mp4"})
    monkeypatch.undo()
    assert r.status_code == 503 and r.json()["kind"] == "os_error" and "Permission denied" in r.text
    assert str(tmp_path) not in r.text
