"""A new session's first page shows its numbers before its charts, tables and controls
(leadfunnel/ui/first_paint.py): the chart code is 4.7 MB the browser fetches and compiles the first time, the
table's 1.2 MB, each kind of control dozens of small files — and the browser shows nothing of a run until the
code of every element in it is in."""

from playwright.sync_api import expect

from tests.e2e.conftest import open_expander, wait_idle

# Recorded in the page as the elements arrive: are charts already there when the first number is?
WATCH = """
window.__first = null;
window.__spaces = 0;  // the most charts' spaces kept at once
new MutationObserver(() => {
  window.__spaces = Math.max(window.__spaces, document.querySelectorAll('[class*="_chart_space"]').length);
  if (window.__first) return;
  const number = document.querySelector('[data-testid="stMain"] [data-testid="stMetricValue"]');
  const count = (selector) => document.querySelectorAll(selector).length;
  if (number) window.__first = {charts: count('[data-testid="stPlotlyChart"]'),
                                forms: count('[data-testid="stMain"] [data-testid="stForm"]'),
                                controls: count('[data-testid="stSidebar"] :is([data-testid="stSelectbox"], '
                                                + '[data-testid="stRadio"], [data-testid="stDateInput"], '
                                                + '[data-testid="stMultiSelect"])'),
                                tables: count('[data-testid="stDataFrame"]'),
                                numbers: [...document.querySelectorAll(
                                  '[data-testid="stMain"] [data-testid="stMetric"]')].map((m) => m.innerText)};
}).observe(document, {childList: true, subtree: true});
"""


def test_first_page_of_a_session_shows_numbers_then_charts(server, page):
    page.add_init_script(WATCH)
    page.goto(f"{server.url}/")  # the funnel is the home page
    expect(page.locator(".js-plotly-plot")).to_have_count(2, timeout=30_000)  # then the charts arrive
    first = page.evaluate("window.__first")
    # the numbers came alone: no chart, the sidebar's controls and the stage table not yet there
    assert {key: first[key] for key in ("charts", "forms", "controls", "tables")} == {
        "charts": 0, "forms": 0, "controls": 0, "tables": 0}
    # the funnel chart's space was kept; the monthly chart, below the first screen, was not drawn at all
    assert page.evaluate("window.__spaces") == 1
    expect(page.locator('[class*="st-key-funnel_chart_space"]')).to_have_count(0)
    assert page.locator('[data-testid="stMetricValue"]').first.inner_text().replace(",", "").isdigit()


def test_the_sla_policy_form_in_its_closed_expander_follows_the_numbers(server, page):
    page.add_init_script(WATCH)
    page.goto(f"{server.url}/sla")
    page.locator('[data-testid="stExpander"] [data-testid="stForm"]').wait_for(state="attached", timeout=30_000)
    assert page.evaluate("window.__first")["forms"] == 0  # the form's controls did not hold back the numbers
    open_expander(page, "SLA policy agreed by marketing and sales")
    expect(page.get_by_role("button", name="Try these settings")).to_be_visible()
    # every working day and every touch type shows whole: in a third of the form the pills scrolled sideways
    hidden = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stForm"] [data-testid=stButtonGroup]')]
        .flatMap((group) => { const box = group.getBoundingClientRect();
            return [...group.querySelectorAll('button')].filter((b) => b.getBoundingClientRect().right > box.right + 1)
                .map((b) => b.innerText); })""")
    assert hidden == []


def test_later_pages_of_the_session_draw_charts_at_once(server, page):
    page.goto(f"{server.url}/")  # the funnel is the home page
    expect(page.locator(".js-plotly-plot")).to_have_count(2, timeout=30_000)
    wait_idle(page)
    page.evaluate("""() => { window.__spaces = 0; new MutationObserver(() => {
        window.__spaces += document.querySelectorAll('[class*="_space"]').length; })
        .observe(document, {childList: true, subtree: true}); }""")
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Velocity").click()
    expect(page.locator(".js-plotly-plot")).to_have_count(1, timeout=30_000)
    assert page.evaluate("window.__spaces") == 0  # no kept space: the session has painted before


def test_a_shared_links_first_numbers_are_its_view_before_its_controls_exist(server, page):
    """A link in the meeting chat (Japanese, cohort mode, one channel): the first numbers on screen, drawn before
    any control, are already the link's view — the same numbers once the controls have arrived and say so."""
    page.add_init_script(WATCH)
    page.goto(f"{server.url}/?lang=ja&mode=cohort&channel=webinar")
    expect(page.locator(".js-plotly-plot")).to_have_count(2, timeout=30_000)
    wait_idle(page)
    first = page.evaluate("window.__first")
    assert first["controls"] == 0 and first["numbers"]
    now = page.locator('[data-testid="stMain"] [data-testid="stMetric"]').all_inner_texts()
    assert now == first["numbers"]
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_role("radio", name="コホート")).to_be_checked()
    expect(sidebar.locator('[data-testid="stMultiSelect"]').first).to_contain_text("ウェビナー")


def test_a_run_begun_before_the_probe_reports_is_not_stopped_by_it(server, page):
    """The probe reports only while it is current. Here it waits (a skeleton stays on screen: an element whose
    code is still loading) while the reader opens another page; that page's run draws everything itself, and a
    late report would start one more run — which, after a click, stops the click's run and loses the click."""
    page.add_init_script("""
window.__runs = 0;
new MutationObserver((records) => { for (const r of records) {
  if (r.target.getAttribute('data-testid') === 'stApp' && r.target.getAttribute('data-test-script-state') === 'running'
      && r.oldValue !== 'running') window.__runs += 1; } })
  .observe(document, {attributes: true, attributeOldValue: true, subtree: true,
                      attributeFilter: ['data-test-script-state']});
document.addEventListener('DOMContentLoaded', () => {  // a skeleton that never goes: the probe keeps waiting
  const loading = document.createElement('div');
  loading.setAttribute('data-testid', 'stSkeleton');
  document.body.appendChild(loading);
});
""")
    page.goto(f"{server.url}/")
    page.locator('[data-testid="stMain"] [data-testid="stMetricValue"]').first.wait_for(timeout=30_000)
    expect(page.locator('[data-testid="stBidiComponentIsolated"]')).to_have_count(1)  # the probe, waiting
    page.evaluate("window.__runs = 0")
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Velocity").click()
    expect(page.locator(".js-plotly-plot")).to_have_count(1, timeout=30_000)
    page.wait_for_timeout(3_500)  # past the probe's longest wait
    wait_idle(page)
    assert page.evaluate("window.__runs") == 1  # the page switch's run only


def test_a_page_opened_at_its_own_address_connects_at_once(server, page):
    """Opened at `/sla`, Streamlit's page would first ask `/sla/_stcore/health`, fail and wait 100 ms before asking
    the server's root; the server names its root in the page (leadfunnel/ui/one_address.py)."""
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(f"{server.url}/sla")
    wait_idle(page)
    page.get_by_role("heading", name="SLA").first.wait_for()
    stcore = [url.removeprefix(server.url) for url in asked if "/_stcore/" in url]
    assert "/_stcore/health" in stcore
    assert [url for url in stcore if not url.startswith("/_stcore/")] == []  # nothing under /sla/_stcore
    # the page's links still lead to each page's own address
    expect(page.locator('[data-testid="stSidebarNav"] a', has_text="Channels")).to_have_attribute(
        "href", f"{server.url}/channels")
