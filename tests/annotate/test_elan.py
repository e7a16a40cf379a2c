"""ELAN .eaf 3.0 import/export (signfuse.io.elan) and the `signfuse annotations` commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from signfuse.annotate import export_eaf, import_eaf, load_document
from signfuse.annotate.schema import Annotation, default_document
from signfuse.errors import FormatError
from signfuse.io.elan import read_eaf, write_eaf


def _key(doc: dict) -> dict:
    return {
        t["id"]: sorted(
            (a["id"], a.get("start_ms"), a.get("end_ms"), a["value"], a.get("ref"), a.get("previous"))
            for a in t["annotations"]
        )
        for t in doc["tiers"]
    }


@pytest.fixture(scope="module")
def xsd(shared_data):
    xmlschema = pytest.importorskip("xmlschema")
    return xmlschema.XMLSchema(str(shared_data / "elan" / "EAFv3.0.xsd"))


def _raw_eaf(path: Path):
    """Tiers, values and time values straight from the XML (independent of pympi)."""
    import xml.etree.ElementTree as ET

    root = ET.parse(path).getroot()
    ts = {t.get("TIME_SLOT_ID"): t.get("TIME_VALUE") for t in root.iter("TIME_SLOT")}
    tiers = {}
    for tier in root.iter("TIER"):
        rows = []
        for a in tier.iter("ALIGNABLE_ANNOTATION"):
            rows.append(
                (
                    a.get("ANNOTATION_ID"),
                    ts[a.get("TIME_SLOT_REF1")],
                    ts[a.get("TIME_SLOT_REF2")],
                    a.findtext("ANNOTATION_VALUE") or "",
                )
            )
        for a in tier.iter("REF_ANNOTATION"):
            rows.append(
                (
                    a.get("ANNOTATION_ID"),
                    a.get("ANNOTATION_REF"),
                    a.get("PREVIOUS_ANNOTATION"),
                    a.findtext("ANNOTATION_VALUE") or "",
                )
            )
        tiers[tier.get("TIER_ID")] = (dict(tier.attrib), sorted(rows))
    lts = {lt.get("LINGUISTIC_TYPE_ID"): dict(lt.attrib) for lt in root.iter("LINGUISTIC_TYPE")}
    cvs = {
        cv.get("CV_ID"): sorted(
            (e.get("CVE_ID"), v.text, v.get("LANG_REF")) for e in cv.iter("CV_ENTRY_ML") for v in e.iter("CVE_VALUE")
        )
        for cv in root.iter("CONTROLLED_VOCABULARY")
    }
    return tiers, lts, cvs


def test_sample_round_trip_keeps_every_tier_value_and_time(shared_data, tmp_path):
    src = shared_data / "elan" / "sample_3.0.eaf"
    doc = import_eaf(src)
    assert [t.id for t in doc.tiers] == [
        "text",
        "words-timesub",
        "words-symsub",
        "gestures",
        "gest_included",
        "words-pos",
    ]
    assert doc.n_annotations == 8778
    out = export_eaf(doc, tmp_path / "again.eaf")
    t0, lt0, cv0 = _raw_eaf(src)
    t1, lt1, cv1 = _raw_eaf(out)
    assert t1 == t0  # every tier (with attributes), annotation id, value and time value
    assert lt1 == lt0 and cv1 == cv0
    # and once more through the JSON form
    doc2 = import_eaf(out)
    assert _key(doc2.to_json_dict()) == _key(doc.to_json_dict())


@pytest.mark.slow
def test_sample_export_is_valid_eaf_3_0(shared_data, tmp_path, xsd):
    out = export_eaf(import_eaf(shared_data / "elan" / "sample_3.0.eaf"), tmp_path / "again.eaf")
    xsd.validate(str(out))  # raises XMLSchemaValidationError when invalid


def test_unaligned_slots_stay_shared(shared_data, tmp_path):
    doc = read_eaf(shared_data / "elan" / "sample_3.0.eaf")
    ts = [a for t in doc["tiers"] if t["id"] == "words-timesub" for a in t["annotations"]]
    assert any(a["start_ms"] is None or a["end_ms"] is None for a in ts)  # the sample has unaligned slots
    out = write_eaf(doc, tmp_path / "x.eaf")
    again = read_eaf(out)
    a0 = {
        a["id"]: (a["start_slot"], a["end_slot"]) for t in doc["tiers"] for a in t["annotations"] if "start_slot" in a
    }
    a1 = {
        a["id"]: (a["start_slot"], a["end_slot"]) for t in again["tiers"] for a in t["annotations"] if "start_slot" in a
    }
    assert a0 == a1


def test_signfuse_document_round_trip(tmp_path, xsd):
    doc = default_document(media_path="clip.mp4", duration_ms=5000, fps=25.0, gloss_vocabulary=["HOUSE", "TREE"])
    doc.tier("gloss-dom").annotations.append(Annotation(id="g1", start_ms=400, end_ms=880, value="HOUSE"))
    doc.tier("au").annotations.append(Annotation(id="u1", start_ms=0, end_ms=1000, value="AU12C"))
    doc.tier("nonmanual").annotations.append(Annotation(id="n1", start_ms=40, end_ms=920, value="brow raise"))
    doc.tier("translation").annotations.append(Annotation(id="t1", start_ms=0, end_ms=2000, value="a house & <tree>"))
    doc = doc.model_copy(update={"status": "done"})
    out = export_eaf(doc, tmp_path / "clip.eaf", media_base=tmp_path)
    xsd.validate(str(out))
    back = import_eaf(out)
    assert back.status == "done"
    assert back.media.fps == 25.0 and back.media.duration_ms == 5000
    assert [(t.id, t.kind, t.vocabulary) for t in back.tiers] == [(t.id, t.kind, t.vocabulary) for t in doc.tiers]
    assert _key(back.to_json_dict()) == _key(doc.to_json_dict())
    assert back.vocabularies["gloss"] == ["HOUSE", "TREE"]
    text = out.read_text()
    assert 'RELATIVE_MEDIA_URL="./clip.mp4"' in text and "EAFv3.0.xsd" in text
    # edited times after import get fresh, consistent slots
    back.tier("gloss-dom").annotations[0].start_ms = 500
    out2 = export_eaf(back, tmp_path / "clip2.eaf")
    xsd.validate(str(out2))
    assert import_eaf(out2).tier("gloss-dom").annotations[0].start_ms == 500


def test_bad_eaf_is_a_format_error(tmp_path):
    p = tmp_path / "bad.eaf"
    p.write_text("<ANNOTATION_DOCUMENT><unclosed></ANNOTATION_DOCUMENT>")
    with pytest.raises(FormatError):
        read_eaf(p)


def test_cli_export_import(shared_data, tmp_path):
    from click.testing import CliRunner

    from signfuse.cli import cli

    runner = CliRunner()
    js = tmp_path / "s.annotations.json"
    r = runner.invoke(cli, ["annotations", "import", str(shared_data / "elan" / "sample_3.0.eaf"), str(js)])
    assert r.exit_code == 0, r.output
    assert load_document(js).n_annotations == 8778
    eaf = tmp_path / "s.eaf"
    r = runner.invoke(cli, ["annotations", "export", str(js), str(eaf)])
    assert r.exit_code == 0, r.output
    assert _raw_eaf(eaf)[0] == _raw_eaf(shared_data / "elan" / "sample_3.0.eaf")[0]
    r = runner.invoke(cli, ["annotations", "export", str(js), str(tmp_path / "x.txt")])
    assert r.exit_code != 0 and ".eaf or .json" in r.output
    r = runner.invoke(cli, ["annotations", "import", str(tmp_path / "missing.eaf"), str(js)])
    assert r.exit_code != 0 and "no such file" in r.output


def test_cli_annotate_messages(tmp_path):
    from click.testing import CliRunner

    from signfuse.cli import cli

    runner = CliRunner()
    r = runner.invoke(cli, ["annotate", str(tmp_path / "nope")])
    assert r.exit_code != 0 and "no such folder" in r.output
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("x")
    r = runner.invoke(cli, ["annotate", str(tmp_path / "empty")])
    assert r.exit_code != 0 and "holds no videos" in r.output
