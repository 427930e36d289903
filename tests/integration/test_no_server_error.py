"""No input gives a server error: every form and link of the demo, sent garbage.

The demo consultation is crawled as a facilitator and as a participant (same-site
links, up to three pages per URL shape); then every POST form found is submitted again
with each of its fields in turn replaced by awkward values (empty, blank, huge,
negative, not a number, a NUL byte, markup, the field twice or missing; every
other one as the page's script sends it), and
every link with a query string is followed with each parameter replaced the
same way. Any 5xx fails the test, with the request that caused it. The board's
and the restitution's downloads (PDF, ODT, DOCX…) are fetched along the way.

Found this way, then fixed: a refused comment answered 500; a draft restitution
of a consultation with many working groups could not be made into a PDF.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qsl, urlencode, urlsplit

from lxml import html as lxml_html

from concerto.demo import DEMO_EMAIL, DEMO_PASSWORD, load_demo
from concerto.tables import Consultation, WorkingGroup

AWKWARD = ["", "   ", "x" * 6000, "-1", "0", "99999999999999999999", "1.5", "NaN", "abc", "a\x00b",
           "<script>alert(1)</script>", "2026-13-45", "25:99", "../../etc/passwd"]
_NUMBER = re.compile(r"/\d+")


def _shape(url: str) -> str:
    """A URL with its ids and query values blanked."""
    parts = urlsplit(url)
    return _NUMBER.sub("/N", parts.path) + "?" + "&".join(sorted(key for key, _ in parse_qsl(parts.query)))


def _forms_and_links(page: str, url: str) -> tuple[list[tuple[str, dict[str, str]]], list[str]]:
    doc = lxml_html.fromstring(page)
    forms = []
    for form in doc.xpath("//form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        fields: dict[str, str] = {}
        for element in form.xpath(".//input[@name]|.//textarea[@name]|.//select[@name]"):
            if element.tag == "select":
                options = element.xpath(".//option/@value")
                value = options[0] if options else ""
            elif element.tag == "textarea":
                value = element.text or ""
            elif (element.get("type") or "text") in ("checkbox", "radio") and element.get("checked") is None:
                value = element.get("value") or "on"
            else:
                value = element.get("value") or ""
            fields.setdefault(element.get("name"), value)
        forms.append((form.get("action") or url, fields))
    links = [href.split("#")[0] for href in doc.xpath("//a/@href")]
    return forms, [link for link in links if link.startswith("/") and not link.startswith("//")]


async def _crawl(browser, start: list[str]) -> tuple[dict[str, tuple[str, dict]], list[str], list[str]]:
    """Forms by action shape, links with a query string, and any page that failed.

    Up to three pages of each URL shape are read (three boards, three
    contributions...): pages of one shape show different forms in different states.
    """
    seen: set[str] = set()
    shapes: Counter = Counter()
    queue = list(start)
    forms: dict[str, tuple[str, dict]] = {}
    queries: dict[str, str] = {}
    failures: list[str] = []
    while queue:
        url = queue.pop(0)
        shape = _shape(url)
        if url in seen or shapes[shape] >= 3 or "/logout" in url or url.startswith("/schema"):
            continue
        seen.add(url)
        shapes[shape] += 1
        response = await browser.client.get(url, follow_redirects=False)
        if response.status_code >= 500:
            failures.append(f"GET {url} -> {response.status_code}")
        if "text/html" not in response.headers.get("content-type", ""):
            shapes[shape] = 3  # a download: once is enough
            continue
        page_forms, links = _forms_and_links(response.text, url)
        for action, fields in page_forms:
            if "/language" not in action and "/logout" not in action:
                forms.setdefault(_shape(action), (action, fields))
        for link in links:
            if urlsplit(link).query:
                queries.setdefault(_shape(link), link)
            queue.append(link)
    return forms, list(queries.values()), failures


async def _snapshot(slug: str):
    """A way back to the consultation's and its groups' settings (slug, status, phases...).

    A garbage value can be a valid one (« abc » is a fine new slug; « 0 » closes
    a phase): put back after each form, so the next forms meet the demo as it
    was instead of a 404 or a closed phase.
    """
    consultation = await Consultation.select().where(Consultation.slug == slug).first()
    groups = await WorkingGroup.select().where(WorkingGroup.consultation == consultation["id"])

    async def restore() -> None:
        for table, rows in ((Consultation, [consultation]), (WorkingGroup, groups)):
            for row in rows:
                values = {column: value for column, value in row.items() if column != "id"}
                await table.update(values).where(table.id == row["id"])

    return restore


async def _fuzz(browser, start: list[str], restore) -> tuple[Counter, list[str]]:
    forms, queries, failures = await _crawl(browser, start)
    assert forms, "the crawl found no form"
    codes: Counter = Counter()
    for _shape_key, (action, fields) in sorted(forms.items()):
        names = [name for name in fields if name != "_csrf_token"]
        for name in names:
            variants = [{**fields, name: value} for value in AWKWARD]
            variants.append({key: value for key, value in fields.items() if key != name})
            variants.append({**fields, name: ["1", "2"]})
            for number, data in enumerate(variants):
                data.pop("_csrf_token", None)
                # Every other one as concerto.js sends it (fetch): those errors are problem details.
                response = await browser.post(action, data, fetch=bool(number % 2))
                codes[response.status_code // 100] += 1
                if response.status_code >= 500:
                    shown = {key: (value[:30] if isinstance(value, str) else value) for key, value in data.items()}
                    failures.append(f"POST {action} {shown} -> {response.status_code}")
                elif response.status_code < 400:
                    await restore()
    for link in queries:
        parts = urlsplit(link)
        params = parse_qsl(parts.query, keep_blank_values=True)
        for index, (key, _value) in enumerate(params):
            for value in AWKWARD:
                changed = params[:index] + [(key, value)] + params[index + 1 :]
                url = f"{parts.path}?{urlencode(changed)}"
                response = await browser.client.get(url, follow_redirects=False)
                codes[response.status_code // 100] += 1
                if response.status_code >= 500:
                    failures.append(f"GET {url[:120]} -> {response.status_code}")
    return codes, failures


async def test_no_form_or_link_gives_a_server_error_to_a_facilitator(browser):
    demo = await load_demo()
    await browser.login(DEMO_EMAIL, DEMO_PASSWORD)
    slug = demo["slug"]
    codes, failures = await _fuzz(browser, [f"/c/{slug}/facilitation", f"/c/{slug}", "/facilitation"], await _snapshot(slug))
    assert not failures, "\n".join(failures[:30])
    # Most garbage is refused with a reason, some is accepted (a number is a fine title):
    # the forms were reached in working order, not through a 404 or a closed phase.
    assert codes[4] > 800 and codes[3] > 200, codes


async def test_no_form_or_link_gives_a_server_error_to_a_participant(browser):
    demo = await load_demo()
    slug = demo["slug"]
    await browser.join(slug, demo["token"], "Camille")
    group = await WorkingGroup.select(WorkingGroup.id).where(WorkingGroup.contributions_open.eq(True)).first()
    response = await browser.post(f"/c/{slug}/g/{group['id']}/contributions", {"kind": "acquis", "title": "Ma proposition"})
    assert response.status_code == 303  # one of their own, to edit and withdraw
    mine = response.headers["location"].split("#contribution-")[1]
    codes, failures = await _fuzz(browser, [f"/c/{slug}/contributions/{mine}", f"/c/{slug}"], await _snapshot(slug))
    assert not failures, "\n".join(failures[:30])
    assert codes[4] > 50 and codes[3] > 10, codes
