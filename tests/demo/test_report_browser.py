"""The quick demo's report.html in Debian's chromium (playwright): findings first, no horizontal overflow
(page and every table, the a2g table included), figures loaded and beside their tables on a wide screen,
one column on a narrow one. The screenshots stay in the test's tmp folder (pytest keeps the last runs)."""

from __future__ import annotations

import pytest

from signfuse.demo import STAGES
from signfuse.testing.browser import launch

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def browser(pw):
    b = launch(pw)
    yield b
    b.close()


LAYOUT = """() => {
  const doc = document.documentElement;
  const over = [...document.querySelectorAll('.scroll')].filter(e => e.scrollWidth > e.clientWidth + 1)
      .map(e => e.closest('.table').querySelector('h3').textContent);
  const stages = [...document.querySelectorAll('.stage-body')].map(b => {
      const [left, right] = b.children;
      const fig = right.querySelector('figure');
      return {id: b.previousElementSibling.id, left: left.getBoundingClientRect().right,
              figLeft: fig ? fig.getBoundingClientRect().left : null,
              leftTop: left.getBoundingClientRect().top, figTop: fig ? fig.getBoundingClientRect().top : null};
  });
  const imgs = [...document.images].map(i => ({src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0}));
  const findings = document.querySelector('#findings').getBoundingClientRect().top;
  const firstStage = document.querySelector('h2[id^=stage-]').getBoundingClientRect().top;
  return {scroll: doc.scrollWidth, client: doc.clientWidth, over, stages, imgs, findings, firstStage,
          nFindings: document.querySelectorAll('li.finding').length,
          untrusted: document.querySelectorAll('li.finding.untrusted').length};
}"""


def test_report_layout_in_chromium(browser, quick_demo, tmp_path):
    out, report = quick_demo
    page_path = out / "report.html"
    for width in (1500, 820):
        page = browser.new_page(viewport={"width": width, "height": 1000})
        page.goto(page_path.as_uri())
        page.wait_for_load_state("load")
        page.wait_for_function("() => [...document.images].every(i => i.complete)")
        got = page.evaluate(LAYOUT)
        shot = tmp_path / f"report_{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 50_000
        page.close()
        assert got["scroll"] <= got["client"], f"the page scrolls sideways at {width} px"
        assert not got["over"], f"tables wider than their column at {width} px: {got['over']}"
        assert got["imgs"] and all(i["ok"] for i in got["imgs"]), [i for i in got["imgs"] if not i["ok"]]
        assert got["findings"] < got["firstStage"], "the headline findings must come first"
        assert got["nFindings"] >= 6 and got["untrusted"] >= 3  # quick mode: most results flagged
        with_fig = [s for s in got["stages"] if s["figLeft"] is not None]
        assert len(with_fig) == len(STAGES)  # every stage draws at least one figure
        if width >= 1200:  # two columns: each stage's figures to the right of its tables
            assert all(s["figLeft"] >= s["left"] - 1 and abs(s["figTop"] - s["leftTop"]) < 5 for s in with_fig), (
                with_fig
            )
        else:  # one column: figures below the tables
            assert all(s["figTop"] > s["leftTop"] for s in with_fig), with_fig
