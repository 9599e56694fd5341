"""A corpus of hand-picked hostile inputs sent over real HTTP to `followup serve`, on
SQLite and on PostgreSQL: huge strings, deep JSON, wrong encodings, duplicate fields,
NaN and Infinity, NUL bytes and unpaired surrogates, impossible dates, negative and
enormous counts, hostile query strings and paths. None gets a 5xx; none appends
anything; the views still answer afterwards (an event the views cannot hold would break
every later read). SQL and HTML in text fields are ordinary text: stored and returned
exactly as sent."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.roles import ROLES
from tests.server import followup, serve, store_url_for

EVENTS = "/api/v1/events"
BATCH = "/api/v1/events/batch"
VISIT = {"type": "HighLevelVisit", "occurred_on": "2009-04-01", "organ": "registry", "host": "UGA"}
WORKSHOP = {
    "type": "WorkshopHeld",
    "occurred_on": "2010-06-01",
    "title": "Regional seminar",
    "organiser": "AU",
    "participants": ["KEN"],
    "attendees": 4,
    "topics": ["cooperation"],
}
VISAS = {"type": "EmergencyVisaIssued", "occurred_on": "2009-01-01", "state": "KEN", "persons": 2}


def encoded(value: Any) -> bytes:
    return json.dumps(value).encode()


def visit_with(raw_summary: bytes) -> bytes:
    """A visit whose summary is the given raw JSON bytes, spliced in as they are."""
    return encoded(VISIT)[:-1] + b', "summary": ' + raw_summary + b"}"


#: name -> (path, body as sent). Every one must be refused with a 4xx.
REFUSED_BODIES: dict[str, tuple[str, bytes]] = {
    # Size.
    "summary over 2000 characters": (EVENTS, encoded({**VISIT, "summary": "x" * 2001})),
    "a 3 MB summary": (EVENTS, encoded({**VISIT, "summary": "x" * 3_000_000})),
    "a 1 MB title": (EVENTS, encoded({**WORKSHOP, "title": "x" * 1_000_000})),
    "100,000 participants": (EVENTS, encoded({**WORKSHOP, "participants": ["KEN"] * 100_000})),
    "a field name of 100,000 characters": (EVENTS, encoded({**VISIT, "k" * 100_000: 1})),
    "a batch of 10,000 events": (BATCH, encoded({"events": [VISIT] * 10_000})),
    # Depth.
    "100,000 nested arrays": (EVENTS, b"[" * 100_000 + b"]" * 100_000),
    "100,000 nested objects": (EVENTS, b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
    "nesting in the summary": (EVENTS, visit_with(b"[" * 900 + b"]" * 900)),
    "nesting in a correction": (
        EVENTS,
        encoded(
            {
                "type": "EventCorrected",
                "reason": "The figure was wrong.",
                "occurred_on": "2010-01-01",
                "corrects": "00000000-0000-0000-0000-000000000000",
                "changes": {"host": json.loads("[" * 500 + "]" * 500)},
            }
        ),
    ),
    # Encodings.
    "Latin-1": (
        EVENTS,
        json.dumps({**VISIT, "summary": "café"}, ensure_ascii=False).encode("latin-1"),
    ),
    "UTF-16 with its byte-order mark": (EVENTS, json.dumps(VISIT).encode("utf-16")),
    "UTF-16 without one": (EVENTS, json.dumps(VISIT).encode("utf-16-le")),
    "UTF-32": (EVENTS, json.dumps(VISIT).encode("utf-32")),
    "an overlong UTF-8 sequence": (EVENTS, visit_with(b'"\xc0\xaf"')),
    "a truncated UTF-8 sequence": (EVENTS, visit_with(b'"caf\xc3"')),
    "an unpaired surrogate": (EVENTS, visit_with(b'"a\\ud800b"')),
    "an unpaired surrogate in a title": (EVENTS, encoded({**WORKSHOP, "title": "\udfff"})),
    "an unpaired surrogate in a field name": (EVENTS, encoded({**VISIT, "\ud800": 1})),
    # NUL.
    "a NUL byte in the summary": (EVENTS, encoded({**VISIT, "summary": "a\x00b"})),
    "a NUL byte in a title": (EVENTS, encoded({**WORKSHOP, "title": "a\x00b"})),
    "a NUL byte in a list": (EVENTS, encoded({**WORKSHOP, "topics": ["a\x00"]})),
    "a NUL byte in a source": (EVENTS, encoded({**VISIT, "sources": ["doc\x00"]})),
    "a NUL byte in a field name": (BATCH, encoded({"events": [{**VISIT, "a\x00": 1}]})),
    "a raw NUL byte in the body": (EVENTS, visit_with(b'"a\x00b"')),
    # JSON that is not quite JSON.
    "NaN": (EVENTS, visit_with(b"NaN")),
    "Infinity": (EVENTS, encoded(WORKSHOP).replace(b'"attendees": 4', b'"attendees": Infinity')),
    "-Infinity": (EVENTS, encoded(VISAS).replace(b'"persons": 2', b'"persons": -Infinity')),
    "a field given twice": (
        EVENTS,
        b'{"type": "WorkshopHeld", "type": "HighLevelVisit", "occurred_on": "2009-04-01", '
        b'"organ": "registry", "host": "UGA"}',
    ),
    "a field given twice, same value": (EVENTS, encoded(VISIT)[:-1] + b', "host": "UGA"}'),
    "a field given twice in a batch": (
        BATCH,
        b'{"events": [' + encoded(VISIT)[:-1] + b', "organ": "presidency"}]}',
    ),
    "events given twice in a batch": (
        BATCH,
        b'{"events": [' + encoded(VISIT) + b'], "events": [' + encoded(VISIT) + b"]}",
    ),
    "a trailing comma": (EVENTS, encoded(VISIT)[:-1] + b",}"),
    "single quotes": (EVENTS, encoded(VISIT).replace(b'"', b"'")),
    "a comment": (EVENTS, b"/* hi */" + encoded(VISIT)),
    "two documents": (EVENTS, encoded(VISIT) + encoded(VISIT)),
    "empty": (EVENTS, b""),
    "whitespace": (EVENTS, b"   \n"),
    "null": (EVENTS, b"null"),
    "a list of events to POST /events": (EVENTS, encoded([VISIT])),
    "a string": (EVENTS, b'"HighLevelVisit"'),
    "a number": (EVENTS, b"1e999"),
    # Dates.
    "0000-00-00": (EVENTS, encoded({**VISIT, "occurred_on": "0000-00-00"})),
    "2010-02-30": (EVENTS, encoded({**VISIT, "occurred_on": "2010-02-30"})),
    "2010-13-01": (EVENTS, encoded({**VISIT, "occurred_on": "2010-13-01"})),
    "year 10000": (EVENTS, encoded({**VISIT, "occurred_on": "10000-01-01"})),
    "year 0001": (EVENTS, encoded({**VISIT, "occurred_on": "0001-01-01"})),
    "before the Statute (1998-07-16)": (EVENTS, encoded({**VISIT, "occurred_on": "1998-07-16"})),
    "next century": (EVENTS, encoded({**VISIT, "occurred_on": "2199-01-01"})),
    "a date with a time": (EVENTS, encoded({**VISIT, "occurred_on": "2009-04-01T00:00:00Z"})),
    "a date as a number": (EVENTS, encoded({**VISIT, "occurred_on": 20090401})),
    "an in-force date of 0000-00-00": (
        EVENTS,
        encoded(
            {
                "type": "StateBecameParty",
                "occurred_on": "2002-07-01",
                "state": "NLD",
                "instrument": "ratification",
                "in_force_on": "0000-00-00",
            }
        ),
    ),
    # Counts.
    "negative persons": (EVENTS, encoded({**VISAS, "persons": -1})),
    "no persons": (EVENTS, encoded({**VISAS, "persons": 0})),
    "negative attendees": (EVENTS, encoded({**WORKSHOP, "attendees": -5})),
    "2^63 attendees": (EVENTS, encoded({**WORKSHOP, "attendees": 2**63})),
    "10^30 attendees": (EVENTS, encoded({**WORKSHOP, "attendees": 10**30})),
    "ten million persons": (EVENTS, encoded({**VISAS, "persons": 10**7})),
    "persons as a string": (EVENTS, encoded({**VISAS, "persons": "2"})),
    "persons as a float": (EVENTS, encoded({**VISAS, "persons": 2.0})),
    "persons as true": (EVENTS, encoded({**VISAS, "persons": True})),
    "recommendation 0": (EVENTS, encoded({**VISIT, "recommendations": [0]})),
    "recommendation 67": (EVENTS, encoded({**VISIT, "recommendations": [67]})),
    "recommendation -1": (EVENTS, encoded({**VISIT, "recommendations": [-1]})),
    "recommendation true": (EVENTS, encoded({**VISIT, "recommendations": [True]})),
    # Types and fields.
    "type is a list": (EVENTS, encoded({**VISIT, "type": ["HighLevelVisit"]})),
    "type __class__": (EVENTS, encoded({**VISIT, "type": "__class__"})),
    "a system field": (EVENTS, encoded({**VISIT, "position": 1})),
    "a recorded_by of one's choosing": (EVENTS, encoded({**VISIT, "recorded_by": "auditor"})),
    "an unknown party": (EVENTS, encoded({**VISIT, "host": "XXX"})),
    "a party in lower case": (EVENTS, encoded({**VISIT, "host": "uga"})),
    "an unknown classification": (EVENTS, encoded({**VISIT, "classification": "secret"})),
    "a token type": (EVENTS, encoded({"type": "TokenIssued", "occurred_on": "2020-01-01"})),
    "SQL as a party code": (EVENTS, encoded({**VISIT, "host": "UGA' OR '1'='1"})),
    "HTML as a party code": (EVENTS, encoded({**VISIT, "host": "<b>UGA</b>"})),
    "an empty batch": (BATCH, encoded({"events": []})),
    "a batch with another field": (BATCH, encoded({"events": [VISIT], "dry_run": True})),
    "a batch whose second event is invalid": (
        BATCH,
        encoded({"events": [VISIT, {**VISIT, "occurred_on": "0000-00-00"}]}),
    ),
}

#: Hostile query strings and paths: any answer but a 5xx (some are fine dates far away).
READS = [
    f"{EVENTS}?limit=-1",
    f"{EVENTS}?limit=99999999999999999999999",
    f"{EVENTS}?after=99999999999999999999999",
    f"{EVENTS}?after=-1",
    f"{EVENTS}?as_of=0000-00-00",
    f"{EVENTS}?as_of=9999-12-31T23:59:59Z",
    f"{EVENTS}?as_of=2010%00",
    f"{EVENTS}?party=KE%00N",
    f"{EVENTS}?type=Work%00shop",
    f"{EVENTS}?type=" + "A" * 5000,
    f"{EVENTS}?from=2010-01-01%27%20OR%201=1--",
    f"{EVENTS}?from=2010-01-01&to=2009-01-01",
    f"{EVENTS}?limit=1&limit=2",
    f"{EVENTS}/%00",
    f"{EVENTS}/00000000-0000-0000-0000-000000000000",
    f"{EVENTS}/..%2F..%2Fopenapi.json",
    "/api/v1/summary?on=0000-00-00",
    "/api/v1/summary?on=9999-12-31",
    "/api/v1/summary?as_of=9999-12-31",
    "/api/v1/summary?as_of=1900-01-01",
    "/api/v1/summary?from=0001-01-01&to=9999-12-31",
    "/api/v1/summary?from=%3Cscript%3E",
    "/api/v1/parties/KE%00N",
    "/api/v1/parties/%3Cb%3E",
    "/api/v1/parties/" + "A" * 3000,
    "/api/v1/recommendations/99999999999999999999999",
    "/api/v1/recommendations/-1",
    "/api/v1/recommendations/0",
    "/api/v1/agreements?limit=99999999999999999999",
    "/api/v1/agreements?offset=9223372036854775808",
    "/api/v1/agreements?kind=%27%3B%20DROP%20TABLE%20stored_events%3B--",
    "/api/v1/activities?type=%00",
    "/api/v1/views/..%2F..%2Fetc%2Fpasswd",
    "/api/v1/views/a%00b",
    "/api/v1/audit/explain?figure=a%00b",
    "/api/v1/audit/explain?figure=" + "x" * 4000,
    "/api/v1/audit/diff?from=0000-00-00&to=2010-01-01",
    "/api/v1/audit/diff?from=9999-12-31&to=0001-01-01",
    "/api/v1/audit/verify?against=zz@-1",
    "/api/v1/audit/verify?against=" + "0" * 64 + "@99999999999999999999",
]

#: Text that means something elsewhere, recorded as the plain text it is here.
LITERAL = [
    "'); DROP TABLE stored_events; --",
    "1' OR '1'='1",
    "<b>bold</b> <i>italic</i>",
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "&lt;b&gt; and &amp; and &#60;",
    "{{ 7 * 7 }} {% raw %} ${7*7}",
    "\u202eRTL override \u200b zero width \ufeff BOM",
    "Ω ≠ 😀 \t tab \n newline",
]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def server(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    url = store_url_for(request, folder)
    tokens = {
        role: followup("token", "create", "--role", role, "--label", role, url=url).strip()
        for role in ROLES
    }
    with serve(url, folder / "server.log", workers=2) as running:
        running.tokens = tokens
        # Something in the views before the corpus, so that reads have work to do.
        assert running.post(EVENTS, WORKSHOP, "focal_point").status == 201
        yield running


def views_still_answer(server, paths=("/api/v1/summary",)) -> None:
    """The views catch up with the log on every read: one the views cannot hold would
    fail every read from then on."""
    for path in paths:
        reply = server.get(path, "auditor")
        assert reply.status == 200, (path, reply.status, reply.body)


@pytest.mark.parametrize("name", list(REFUSED_BODIES))
def test_hostile_bodies_are_refused_and_append_nothing(server, name):
    path, body = REFUSED_BODIES[name]
    before = server.position()
    reply = server.request(
        "POST",
        path,
        raw=body,
        who="focal_point",
        headers={"Content-Type": "application/json", "Idempotency-Key": f"hostile {name}"},
    )
    assert 400 <= reply.status < 500, (reply.status, reply.body)
    if reply.body is not None:  # gunicorn's own refusals are not JSON
        assert reply.body["code"] == reply.status and reply.body["message"]
    assert server.position() == before
    views_still_answer(server)


@pytest.mark.parametrize("path", READS)
def test_hostile_reads_get_no_server_error(server, path):
    before = server.position()
    for who in ("auditor", "bureau", "focal_point"):
        reply = server.get(path, who)
        assert reply.status < 500, (who, reply.status, reply.body)
    assert server.position() == before


def test_sql_and_html_in_text_fields_are_stored_as_text(server):
    recorded = []
    for n, text in enumerate(LITERAL):
        event = {
            **WORKSHOP,
            "title": f"{text} {n}",
            "summary": text,
            "sources": [text],
            "topics_text": text,
        }
        reply = server.post(EVENTS, event, "focal_point")
        assert reply.status == 201, reply.body
        recorded.append((reply.body["id"], event))
    for event_id, event in recorded:
        stored = server.get(f"{EVENTS}/{event_id}", "auditor").body
        assert {k: stored[k] for k in ("title", "summary", "sources", "topics_text")} == {
            k: event[k] for k in ("title", "summary", "sources", "topics_text")
        }
    titles = {
        item["title"]
        for item in server.get("/api/v1/activities?type=WorkshopHeld&limit=100", "auditor").body[
            "items"
        ]
        if "title" in item
    }
    assert {e["title"] for _, e in recorded} <= titles, titles
    verdict = server.get("/api/v1/audit/verify", "auditor")
    assert verdict.status == 200 and verdict.body["ok"] is True, verdict.body
    views_still_answer(server, ("/api/v1/summary", "/api/v1/activities", "/api/v1/parties/KEN"))


#: Markup in every kind of text the annual report prints: it must print as text.
MARKUP = {
    "bold": "<b>bold</b>",
    "script": "<script>alert(1)</script>",
    "entity": "&lt;i&gt; &amp; &#60;",
    "comment": "<!-- hidden --> shown",
    "style": '<span style="color:red">red</span>',
}


def test_html_in_text_fields_prints_as_text_in_the_annual_report(tmp_path):
    """Workshop titles, event summaries, sources and the Bureau's narrative, each
    holding markup, appear in the PDF (`followup report`) as the literal characters.
    (A year without an answered request, too: its chart once failed the report.)"""
    from io import BytesIO

    from pypdf import PdfReader

    from followup.bootstrap import bootstrap

    url = f"sqlite:///{tmp_path}/followup.sqlite"
    services = bootstrap(url, load_entry_points=False)
    try:
        app = services.app
        for n, (name, text) in enumerate(MARKUP.items()):
            app.record_raw(
                {
                    **WORKSHOP,
                    "occurred_on": f"2024-0{n + 1}-10",
                    "title": f"{name} title {text}",
                    "summary": f"{name} summary {text}",
                    "sources": [f"{name} source {text}"],
                },
                "focal_point",
            )
        app.record_raw(
            {
                "type": "ReportNarrativeDrafted",
                "occurred_on": "2024-10-01",
                "year": 2024,
                "section": "introduction",
                "text": " ".join(f"{name} narrative {text}" for name, text in MARKUP.items()),
            },
            "bureau",
            "bureau",
        )
    finally:
        services.close()
    pdf = tmp_path / "report.pdf"
    followup("report", "--year", "2024", "--draft", "-o", str(pdf), url=url)
    reader = PdfReader(BytesIO(pdf.read_bytes()))
    printed = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    missing = [
        f"{name} {where} {text}"
        for name, text in MARKUP.items()
        for where in ("title", "summary", "source", "narrative")
        if f"{name} {where} {text}" not in printed
    ]
    assert missing == [], printed[:3000]
