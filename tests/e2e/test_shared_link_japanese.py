"""Journey: a colleague pastes a link in the meeting chat; the Japanese UI shows the same numbers."""

from tests.e2e.conftest import wait_idle
from tests.e2e.test_read_the_funnel import metric_value

VIEW = "from=2026-05-01&to=2026-07-31&mode=cohort&channel=webinar&channel=seo"


def test_shared_link_in_japanese_shows_the_same_numbers(server, page):
    page.goto(f"{server.url}/?{VIEW}")
    wait_idle(page)
    page.get_by_role("heading", name="Funnel").wait_for()
    english = [metric_value(page, label) for label in ("Lead", "MQL", "SQL", "Won")]
    page.goto(f"{server.url}/?{VIEW}&lang=ja")
    wait_idle(page)
    page.get_by_role("heading", name="ファネル").wait_for()
    japanese = [metric_value(page, label) for label in ("リード", "MQL", "SQL", "受注")]
    assert japanese == english
    assert page.get_by_text("Page not found").count() == 0
    assert int(english[0].replace(",", "")) > 0
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert "ウェビナー" in sidebar.inner_text() and "コホート" in sidebar.inner_text()
    # The link keeps the view: what the address bar shows opens the same page again.
    assert "channel=webinar" in page.url and "lang=ja" in page.url


def dropzone_texts(page) -> list[str]:
    """What the upload box shows: its button and limit line (Streamlit's own texts, painted over by CSS)."""
    page.locator('.st-key-uploads [data-testid="stFileUploaderDropzone"] button').wait_for()  # drawn after the run
    return page.evaluate("""() => {
        const zone = document.querySelector('.st-key-uploads [data-testid="stFileUploaderDropzone"]');
        const shown = (el) => getComputedStyle(el).fontSize !== '0px' ? el.textContent
                                                                       : getComputedStyle(el, '::after').content;
        return [shown(zone.querySelector('button p')),
                shown(zone.querySelector('[data-testid="stFileUploaderDropzoneInstructions"] span'))];
    }""")


def test_the_upload_box_speaks_the_readers_language(small_server, page):
    page.goto(f"{small_server.url}/data?lang=ja")
    wait_idle(page)
    page.get_by_role("heading", name="1. アップロード").wait_for()
    assert dropzone_texts(page) == ['"アップロード"', '"1ファイル 200 MB まで・CSV, TSV, TXT, XLSX, PARQUET"']
    page.goto(f"{small_server.url}/data?lang=en")
    wait_idle(page)
    page.get_by_role("heading", name="1. Upload").wait_for()
    assert dropzone_texts(page) == ["Upload", "200MB per file • CSV, TSV, TXT, XLSX, PARQUET"]
