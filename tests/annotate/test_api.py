"""API tests of the annotation server (FastAPI TestClient)."""

from __future__ import annotations

import json
import os

import pytest

from signfuse.annotate.schema import AnnotationDocument
from signfuse.annotate.store import REVISIONS_DIR, annotation_path

from .conftest import FPS, N_FRAMES


def _doc_with(client, path="clip.mp4", anns=(("gloss-dom", "HOUSE", 400, 880),)):
    doc = client.get("/api/annotations", params={"path": path}).json()
    for i, (tier, value, s, e) in enumerate(anns):
        t = next(t for t in doc["tiers"] if t["id"] == tier)
        t["annotations"].append({"id": f"a{i}", "start_ms": s, "end_ms": e, "value": value})
    return doc


def test_lists_videos_with_status(client, media_root):
    r = client.get("/api/videos")
    assert r.status_code == 200
    rows = {v["path"]: v for v in r.json()["videos"]}
    assert set(rows) == {"clip.mp4", "sub/second.mp4"}
    assert rows["clip.mp4"]["annotations"] == 0 and rows["clip.mp4"]["status"] == "todo"
    doc = _doc_with(client)
    assert client.put("/api/annotations", params={"path": "clip.mp4"},
                      json={"base_revision": 0, "document": doc}).status_code == 200
    rows = {v["path"]: v for v in client.get("/api/videos").json()["videos"]}
    assert rows["clip.mp4"]["annotations"] == 1 and rows["clip.mp4"]["revision"] == 1


def test_info_probes_the_video(client):
    info = client.get("/api/info", params={"path": "clip.mp4"}).json()
    assert info["fps"] == pytest.approx(FPS)
    assert info["frames"] == N_FRAMES
    assert info["duration_ms"] == 2000


def test_default_document_has_the_signfuse_tiers(client):
    doc = client.get("/api/annotations", params={"path": "clip.mp4"}).json()
    assert doc["schema"] == "signfuse.annotations" and doc["version"] == 1 and doc["revision"] == 0
    assert [t["kind"] for t in doc["tiers"]] == ["gloss_dominant", "gloss_nondominant", "nonmanual", "au",
                                                 "translation", "notes"]
    assert "AU12C" in doc["vocabularies"]["au"] and "brow raise" in doc["vocabularies"]["nonmanual"]
    assert doc["media"]["fps"] == pytest.approx(FPS)


def test_save_is_versioned_and_keeps_backups(client, media_root):
    doc = _doc_with(client)
    r1 = client.put("/api/annotations", params={"path": "clip.mp4"}, json={"base_revision": 0, "document": doc})
    assert r1.json()["revision"] == 1
    doc["tiers"][0]["annotations"][0]["value"] = "TREE"
    r2 = client.put("/api/annotations", params={"path": "clip.mp4"}, json={"base_revision": 1, "document": doc})
    assert r2.status_code == 200 and r2.json()["revision"] == 2
    saved = json.loads(annotation_path(media_root / "clip.mp4").read_text())
    assert saved["revision"] == 2 and saved["tiers"][0]["annotations"][0]["value"] == "TREE"
    backup = media_root / REVISIONS_DIR / "clip.r000001.json"
    assert json.loads(backup.read_text())["tiers"][0]["annotations"][0]["value"] == "HOUSE"
    assert client.get("/api/revisions", params={"path": "clip.mp4"}).json() == {"revisions": [1], "current": 2}
    # no temporary files left behind
    assert not [p for p in media_root.iterdir() if p.name.endswith(".tmp")]


def test_stale_revision_gets_409_and_merge_keeps_both_edits(client):
    doc = _doc_with(client)
    client.put("/api/annotations", params={"path": "clip.mp4"}, json={"base_revision": 0, "document": doc})
    # tab A and tab B both start from revision 1
    a = json.loads(json.dumps(doc))
    b = json.loads(json.dumps(doc))
    a["tiers"][0]["annotations"].append({"id": "fromA", "start_ms": 1000, "end_ms": 1200, "value": "A-SIGN"})
    b["tiers"][3]["annotations"].append({"id": "fromB", "start_ms": 100, "end_ms": 300, "value": "AU12C"})
    b["tiers"][0]["annotations"][0]["value"] = "HOUSE-B"
    assert client.put("/api/annotations", params={"path": "clip.mp4"},
                      json={"base_revision": 1, "document": a}).json()["revision"] == 2
    r = client.put("/api/annotations", params={"path": "clip.mp4"}, json={"base_revision": 1, "document": b})
    assert r.status_code == 409
    body = r.json()
    assert body["current_revision"] == 2 and body["base_revision"] == 1
    assert any(x["id"] == "fromA" for x in body["current"]["tiers"][0]["annotations"])
    m = client.post("/api/annotations/merge", params={"path": "clip.mp4"}, json={"base_revision": 1, "document": b})
    assert m.status_code == 200
    merged = m.json()["document"]
    assert m.json()["revision"] == 3 and m.json()["conflicts"] == []
    values = {x["id"]: x["value"] for t in merged["tiers"] for x in t["annotations"]}
    assert values == {"a0": "HOUSE-B", "fromA": "A-SIGN", "fromB": "AU12C"}


def test_merge_conflict_keeps_theirs_as_a_copy(client):
    doc = _doc_with(client)
    client.put("/api/annotations", params={"path": "clip.mp4"}, json={"base_revision": 0, "document": doc})
    a = json.loads(json.dumps(doc))
    b = json.loads(json.dumps(doc))
    a["tiers"][0]["annotations"][0]["value"] = "FROM-A"
    b["tiers"][0]["annotations"][0]["value"] = "FROM-B"
    client.put("/api/annotations", params={"path": "clip.mp4"}, json={"base_revision": 1, "document": a})
    m = client.post("/api/annotations/merge", params={"path": "clip.mp4"}, json={"base_revision": 1, "document": b})
    values = {x["id"]: x["value"] for t in m.json()["document"]["tiers"] for x in t["annotations"]}
    assert values == {"a0": "FROM-B", "a0-theirs": "FROM-A"}
    assert m.json()["conflicts"][0]["id"] == "a0"


def test_merge_deletions(client):
    doc = _doc_with(client, anns=[("gloss-dom", "X", 0, 100), ("gloss-dom", "Y", 200, 300)])
    client.put("/api/annotations", params={"path": "clip.mp4"}, json={"base_revision": 0, "document": doc})
    a = json.loads(json.dumps(doc))
    b = json.loads(json.dumps(doc))
    a["tiers"][0]["annotations"] = [x for x in a["tiers"][0]["annotations"] if x["id"] != "a0"]  # A deletes X
    b["tiers"][0]["annotations"][1]["value"] = "Y2"  # B edits Y
    client.put("/api/annotations", params={"path": "clip.mp4"}, json={"base_revision": 1, "document": a})
    m = client.post("/api/annotations/merge", params={"path": "clip.mp4"}, json={"base_revision": 1, "document": b})
    values = {x["id"]: x["value"] for t in m.json()["document"]["tiers"] for x in t["annotations"]}
    assert values == {"a1": "Y2"}


@pytest.mark.parametrize("bad", [
    "../secret.mp4", "sub/../../secret.mp4", "/etc/passwd", "%2e%2e/secret.mp4", "..%2fsecret.mp4",
    "sub/%2e%2e/%2e%2e/secret.mp4", "C:\\windows\\x.mp4", "sub\\..\\..\\secret.mp4", ".signfuse-revisions/x.mp4",
    "clip.mp4\x00.txt", "", "notes.txt",
])
def test_rejects_unsafe_paths(client, bad):
    r = client.get("/api/video", params={"path": bad})
    assert r.status_code in (400, 404, 422), r.text
    assert r.status_code != 200


def test_rejects_raw_encoded_traversal_in_url(client, tmp_path):
    (tmp_path / "secret.mp4").write_bytes(b"TOPSECRET-BYTES")
    for raw in ["/api/video?path=..%2Fsecret.mp4", "/api/video?path=%2e%2e%2fsecret.mp4",
                "/api/video?path=%252e%252e%252fsecret.mp4", "/static/..%2F..%2Fserver.py",
                "/static/%2e%2e/server.py"]:
        r = client.get(raw)
        assert r.status_code in (400, 404), (raw, r.status_code)
        assert b"TOPSECRET-BYTES" not in r.content and b"create_app" not in r.content


def test_rejects_symlink_out_of_root(client, media_root, tmp_path):
    outside = tmp_path / "outside.mp4"
    outside.write_bytes(b"outside")
    os.symlink(outside, media_root / "link.mp4")
    os.symlink(tmp_path, media_root / "linkdir")
    assert client.get("/api/video", params={"path": "link.mp4"}).status_code == 400
    assert client.get("/api/video", params={"path": "linkdir/outside.mp4"}).status_code == 400
    assert "link.mp4" not in {v["path"] for v in client.get("/api/videos").json()["videos"]}


def test_serves_video_with_range_requests(client, media_root):
    full = (media_root / "clip.mp4").read_bytes()
    r = client.get("/api/video", params={"path": "clip.mp4"}, headers={"Range": "bytes=10-19"})
    assert r.status_code == 206 and r.content == full[10:20]
    assert r.headers["content-type"] == "video/mp4"


def test_validates_bodies(client):
    doc = _doc_with(client)
    doc["tiers"][3]["annotations"].append({"id": "bad", "start_ms": 10, "end_ms": 20, "value": "smile"})
    r = client.put("/api/annotations", params={"path": "clip.mp4"}, json={"base_revision": 0, "document": doc})
    assert r.status_code == 422 and "AU12" in r.text
    doc = _doc_with(client, anns=[("gloss-dom", "X", 500, 100)])
    assert client.put("/api/annotations", params={"path": "clip.mp4"},
                      json={"base_revision": 0, "document": doc}).status_code == 422
    doc = _doc_with(client)
    doc["evil"] = "__import__('os')"
    assert client.put("/api/annotations", params={"path": "clip.mp4"},
                      json={"base_revision": 0, "document": doc}).status_code == 422
    assert client.put("/api/annotations", params={"path": "clip.mp4"}, content=b"{not json",
                      headers={"Content-Type": "application/json"}).status_code == 422


def test_body_size_is_bounded(media_root):
    from fastapi.testclient import TestClient

    from signfuse.annotate.server import create_app

    with TestClient(create_app(media_root, max_body_bytes=1000), headers={"X-Signfuse": "1"}) as c:
        r = c.put("/api/annotations", params={"path": "clip.mp4"}, content=b"x" * 5000,
                  headers={"Content-Type": "application/json"})
        assert r.status_code == 413


def test_csrf_header_and_host_are_checked(media_root):
    from fastapi.testclient import TestClient

    from signfuse.annotate.server import create_app

    app = create_app(media_root)
    with TestClient(app) as c:
        r = c.put("/api/annotations", params={"path": "clip.mp4"}, json={"base_revision": 0, "document": {}})
        assert r.status_code == 403
        assert c.get("/api/videos", headers={"Host": "evil.example"}).status_code == 400
        page = c.get("/")
        assert page.status_code == 200 and "signfuse annotate" in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]


def test_export_and_import_eaf(client, media_root, tmp_path):
    from signfuse.io.elan import read_eaf

    doc = _doc_with(client, anns=[("gloss-dom", "HOUSE", 400, 880), ("au", "AU12C", 0, 1000),
                                  ("nonmanual", "brow raise", 40, 920)])
    client.put("/api/annotations", params={"path": "clip.mp4"}, json={"base_revision": 0, "document": doc})
    r = client.get("/api/export.eaf", params={"path": "clip.mp4"})
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    p = tmp_path / "out.eaf"
    p.write_bytes(r.content)
    back = read_eaf(p)
    got = {(t["id"], a["value"], a["start_ms"], a["end_ms"]) for t in back["tiers"] for a in t["annotations"]}
    assert got == {("gloss-dom", "HOUSE", 400, 880), ("au", "AU12C", 0, 1000), ("nonmanual", "brow raise", 40, 920)}
    assert [t["kind"] for t in back["tiers"]][:4] == ["gloss_dominant", "gloss_nondominant", "nonmanual", "au"]
    # import it into the second video
    r = client.post("/api/import.eaf", params={"path": "sub/second.mp4", "base_revision": 0}, content=r.content,
                    headers={"Content-Type": "application/xml"})
    assert r.status_code == 200 and r.json()["n_annotations"] == 3
    d2 = client.get("/api/annotations", params={"path": "sub/second.mp4"}).json()
    assert d2["media"]["path"] == "second.mp4"
    bad = client.post("/api/import.eaf", params={"path": "clip.mp4", "base_revision": 1},
                      content=b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>',
                      headers={"Content-Type": "application/xml"})
    assert bad.status_code == 400


def test_root_must_exist(tmp_path):
    from signfuse.annotate.server import create_app
    from signfuse.errors import ParameterError

    with pytest.raises(ParameterError, match="does not exist"):
        create_app(tmp_path / "missing")


def test_document_schema_round_trip():
    from signfuse.annotate.schema import default_document

    d = default_document(media_path="x.mp4", duration_ms=1000, fps=25.0, gloss_vocabulary=["A", "B"])
    again = AnnotationDocument.model_validate_json(d.model_dump_json(by_alias=True))
    assert again == d and again.vocabularies["gloss"] == ["A", "B"]
    with pytest.raises(ValueError, match="duplicate annotation id"):
        data = d.to_json_dict()
        data["tiers"][0]["annotations"] = [{"id": "x", "start_ms": 0, "end_ms": 1}] * 2
        AnnotationDocument.model_validate(data)
    with pytest.raises(ValueError):
        AnnotationDocument.model_validate({**d.to_json_dict(), "version": 2})


def test_old_revisions_are_pruned_and_gloss_list_is_used(media_root):
    from signfuse.annotate.store import AnnotationStore, read_gloss_list

    (media_root / "glosses.txt").write_text("# my glosses\nHOUSE\nTREE\n\n")
    glosses = read_gloss_list(media_root / "glosses.txt")
    assert glosses == ["HOUSE", "TREE"]
    store = AnnotationStore(media_root, keep_revisions=3, gloss_vocabulary=glosses)
    doc = store.load("clip.mp4")
    assert doc.vocabularies["gloss"] == ["HOUSE", "TREE"]
    rev = 0
    for _ in range(6):
        rev = store.save("clip.mp4", doc, base_revision=rev).revision
    assert rev == 6
    assert store.revisions("clip.mp4") == [3, 4, 5]
    assert store.load_revision("clip.mp4", 4).revision == 4
    assert store.load_revision("clip.mp4", 1) is None


def test_save_leaves_the_garbage_collector_as_it_was(client):
    import gc

    doc = _doc_with(client)
    assert gc.isenabled()
    r = client.put("/api/annotations", params={"path": "clip.mp4"}, json={"base_revision": 0, "document": doc})
    assert r.status_code == 200 and "save;dur=" in r.headers["server-timing"]
    assert gc.isenabled()
