"""The report's data made into the document: HTML from the Jinja2 template beside this
module, then a PDF/A-3 by WeasyPrint with the data attached.

A pure function of the data: no clock, no randomness, no dict order left to chance.
The PDF's dates are the report's `as_of`; its identifier is a digest of its content
(WeasyPrint's, for PDF/A); the charts' ids are their names; the fonts are shipped in
``fonts/``. So the same data gives the same bytes, which `report verify` relies on.
"""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import orjson
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from core.catalogue import Catalogue
from core.parties import ORGANISATIONS
from core.recommendations import UNOFFICIAL, catalogue, get, short_title, text_in
from core.views.model import Indicator
from core.words import LANGUAGES, Noun, Words
from core.words import text_in as worded
from reports.annual import charts, prose
from reports.annual.clusters import CLUSTERS, PARTS, Cluster, part_label
from reports.errors import ReportError
from reports.sections import ProseContext, ReportContributions

FOLDER = Path(__file__).resolve().parent

#: The name of the data attached inside the PDF.
ATTACHMENT = "report-data.json"

#: PDF/A-3 (which allows attachments), level B, and tagged for accessibility.
PDF_VARIANT = "pdf/a-3b"

ROMAN = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(FOLDER),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    env.filters["lower_first"] = lambda text: text[:1].lower() + text[1:]
    return env


def attachment_bytes(data: Mapping[str, Any]) -> bytes:
    """The data as attached: JSON with sorted keys, so equal data is equal bytes."""
    # Areas may key by number (the follow-up's recommendations): attached as strings.
    return orjson.dumps(
        data, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS
    )


def as_of_moment(data: Mapping[str, Any]) -> datetime:
    text = data["log"]["as_of"]
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def canonical(data: Mapping[str, Any]) -> dict[str, Any]:
    """The data as it is attached (keys sorted at every level): the document is drawn
    from this form, so data fresh from the views and data read back from a PDF draw
    the same bytes."""
    loaded: dict[str, Any] = orjson.loads(attachment_bytes(data))
    return loaded


@dataclass(frozen=True)
class Drawing:
    """What the document is drawn with besides its data: the plugins' contributions
    (charts, sentences, sections' rendering, indicators' words) and the catalogue of
    event types (each listed event's sentence)."""

    report: ReportContributions
    catalogue: Catalogue
    indicators: Sequence[Indicator] = ()


def drawing(sources: Any) -> Drawing:
    """The drawing of the composition root's services (``ReportSources``)."""
    return Drawing(sources.report, sources.app.catalogue, tuple(sources.views.indicators))


def words_for(language: str) -> Words:
    if language not in LANGUAGES:
        raise ReportError(f"The report is drawn in {' or '.join(LANGUAGES)}, not {language!r}.")
    return Words(language)


def html(data: Mapping[str, Any], drawn_with: Drawing, language: str = "en") -> str:
    """The report as HTML in `language` (relative links resolve in this module's
    folder)."""
    page = environment().get_template("template.html")
    return page.render(**context(canonical(data), drawn_with, words_for(language)))


def pdf(data: Mapping[str, Any], drawn_with: Drawing, language: str = "en") -> bytes:
    return write_pdf(html(data, drawn_with, language), data)


def _in_folder(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    return Path(os.path.normpath(unquote(parts.path))).is_relative_to(FOLDER)


def local_only() -> Any:
    """A URL fetcher for the report's own files (stylesheet, fonts) and data: URIs (the
    charts) only: a plugin's section cannot make the renderer reach the network or read
    other files, and nothing outside the report can change its bytes."""
    from weasyprint.urls import URLFetcher

    class LocalOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:") or _in_folder(url):
                return super().fetch(url, headers)
            raise ValueError(f"the annual report loads nothing from {url[:80]}")

    return LocalOnly(allowed_protocols=("file", "data"))


def write_pdf(document: str, data: Mapping[str, Any]) -> bytes:
    """WeasyPrint's rendering of the report's HTML, with the data attached."""
    from weasyprint import HTML, Attachment

    moment = as_of_moment(data).replace(microsecond=0, tzinfo=None)
    attachment = Attachment(
        string=attachment_bytes(data),
        name=ATTACHMENT,
        description="The data of this report: figures, lists and chart series, with the log "
        "position, as_of and chain digest they were derived at.",
        created=moment,
        modified=moment,
        relationship="Data",
    )
    written = HTML(string=document, base_url=str(FOLDER) + "/", url_fetcher=local_only()).write_pdf(
        pdf_variant=PDF_VARIANT,
        pdf_tags=True,
        attachments=[attachment],
    )
    assert written is not None
    return written


# -- what the template is given -----------------------------------------------------


def roman(number: int) -> str:
    return ROMAN[number] if number < len(ROMAN) else str(number)


def _paragraphs(text: str) -> list[str]:
    return [" ".join(part.split()) for part in text.split("\n\n") if part.strip()]


class Narratives:
    """The Bureau's drafted texts of the report's year, by section and part, in the
    document's language when one was drafted in it (else the English, said so)."""

    def __init__(self, entries: Sequence[Mapping[str, Any]], words: Words) -> None:
        self.words = words
        self.found: dict[tuple[str, str], dict[str, Any]] = {}
        for entry in entries:
            key = (entry["section"], entry["part"])
            chosen = self.found.get(key)
            if chosen is None or entry["language"] == words.language:
                self.found[key] = dict(entry)

    def get(self, section: str, part: str = "narrative") -> dict[str, Any] | None:
        entry = self.found.get((section, part))
        if entry is None:
            return None
        sources = list(entry["sources"])
        if entry["language"] != self.words.language:
            sources.append(self.words.text("Text drafted by the Bureau in English."))
        return {"paragraphs": _paragraphs(entry["text"]), "sources": sources}

    def length(self, section: str, part: str = "narrative") -> int:
        found = self.get(section, part)
        return len(found["paragraphs"]) if found else 0

    def sections(self) -> list[str]:
        return sorted({section for section, _ in self.found})


def context(data: Mapping[str, Any], drawn_with: Drawing, w: Words) -> dict[str, Any]:
    """Everything the template shows, in the language of `w`."""
    report = data["report"]
    heading = data["heading"]
    p = ProseContext(data, w)
    _ = w.text
    calendar = p.calendar_year
    period = {
        "first": w.date(report["from"]),
        "last": w.date(report["to"]),
        "during": p.during,
        "short": report["label"] if calendar else _("Period"),
        "previous_short": report["previous"]["label"] if calendar else _("Previous period"),
        "total": _("To {day}").format(day=w.date(report["to"])),
        "end": w.date(report["to"]),
    }
    narratives = Narratives(data["areas"].get("narratives", []), w)
    added, annexes = _plugin_sections(data, drawn_with, w)
    counter = Numbering()
    summary_table = _summary_table(data, w, counter)
    parts, contents_parts = _parts(data, drawn_with, w, p, narratives, added, counter)
    title = _("Report of the Bureau on cooperation")
    contents: list[dict[str, Any]] = [
        {"anchor": "executive_summary", "label": _("Executive summary"), "level": 1},
        *_added_contents(added, "executive_summary"),
        {"anchor": "introduction", "label": _("Cooperation – the follow-up mechanism"), "level": 1},
        *_added_contents(added, "introduction"),
        *contents_parts,
        {
            "anchor": "conclusion",
            "label": f"{part_label('IV', w)}. {_(PARTS['IV'])}",
            "level": 1,
        },
        *_added_contents(added, "conclusion"),
        {"anchor": "annex-I", "label": _("Annexes"), "level": 1, "paras": False, "page": False},
        *(
            {"anchor": f"annex-{number}", "label": f"{number}. {label}", "level": 2, "paras": False}
            for number, label in (
                ("I", _("Language to be included in the omnibus resolution")),
                ("II", _("List of relevant international and regional organisations")),
                ("III", _("States Parties")),
                ("IV", _("The record: where the figures of this report come from")),
                ("V", _("Status of implementation of the recommendations")),
            )
        ),
        *(
            {
                "anchor": a["anchor"],
                "label": f"{a['number']}. {a['title']}",
                "level": 2,
                "paras": False,
            }
            for a in annexes
        ),
    ]
    for entry in contents:
        entry.setdefault("paras", True)
        entry.setdefault("page", True)
        entry.setdefault("single", False)
    entry_of = {e["anchor"]: e for e in contents}
    entry_of["introduction"]["single"] = False
    session = w.ordinal(heading["session"], feminine=True) if heading.get("session") else None
    to_decide = _("[to be decided]")
    dates = (
        w.dates(heading["session_from"], heading["session_to"])
        if heading.get("session_from") and heading.get("session_to")
        else heading.get("session_dates")
    )
    symbol = heading.get("symbol") or "ICC-ASP/…"
    states = data["areas"].get("states_parties", {"rows": [], "withheld": 0})
    states_shown = _states(states, drawn_with, w)
    status_counts = prose.status_counts(data)
    return {
        "lang": w.language,
        "_": _,
        "colon": w.typeset(" :").lstrip(" ") if w.language == "fr" else ":",
        "title": title,
        "subtitle": _("Follow-up of cooperation {period}").format(period=p.during),
        "description": f"{title}, {p.during} ({symbol})",
        "generator": data.get("document", {}).get("generator", "followup"),
        "created": as_of_moment(data).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "draft": bool(heading.get("draft")),
        "heading": {
            "symbol": symbol,
            "session": (
                _("{ordinal} session").format(ordinal=session).capitalize()
                if session
                else to_decide
            ),
            "venue": _venue(heading, w) or to_decide,
            "dates": dates or to_decide,
            "date": w.date(heading["document_date"]),
            "original": _("Original: English"),
            "distribution": _("Distr.: General"),
        },
        "note": _note(heading, w, p),
        "period": period,
        "contents": contents,
        "executive_summary": {
            "narrative": narratives.get("executive_summary"),
            "paragraphs": _summary(data, drawn_with, p),
            "status": [
                prose.paragraph(
                    [
                        prose.status_sentence(status_counts, p),
                        *filter(
                            None,
                            [prose.changes_sentence(data, p), prose.actions_sentence(data, p)],
                        ),
                    ],
                    p,
                ),
                w.sentence(
                    _(
                        "Table {number} gives the status of the recommendations by section; "
                        "annex V gives the status of each, with the evidence recorded."
                    ).format(number=summary_table["number"])
                ),
            ],
            "figures_note": _(
                "The figures are those of the follow-up record as it stood on {day}; annex IV "
                "says how to verify them."
            ).format(day=w.date(data["log"]["as_of"])),
            "table": summary_table,
            "recommends": narratives.get("executive_summary", "recommendations"),
        },
        "introduction": {
            "narrative": narratives.get("introduction"),
            "paragraphs": _introduction(data, w, p, narratives),
        },
        "parts": parts,
        "conclusion": {
            "narrative": narratives.get("conclusion"),
            "recommends": narratives.get("conclusion", "recommendations"),
            "paragraphs": _conclusion(data, w, p, status_counts),
        },
        "plugin_sections": added,
        "annexes": annexes,
        "omnibus": _omnibus(data, drawn_with, w, p, symbol, session),
        "organisations": [(code, w.party(code)) for code in ORGANISATIONS],
        "states": states_shown,
        "states_note": _states_note(states, w),
        "integrity": _integrity(data, w, p),
        "status_annex": _status_annex(data, drawn_with, w, p),
        "part_bookmark": {key: f"{part_label(key, w)}. {_(title)}" for key, title in PARTS.items()},
        "part_label": {key: part_label(key, w) for key in PARTS},
        "conclusion_title": _(PARTS["IV"]),
        "unofficial": w.language in UNOFFICIAL,
    }


class Numbering:
    """Tables and figures are numbered in document order."""

    def __init__(self) -> None:
        self.tables = 0
        self.figures = 0

    def table(self) -> int:
        self.tables += 1
        return self.tables

    def figure(self) -> int:
        self.figures += 1
        return self.figures


def _venue(heading: Mapping[str, Any], w: Words) -> str | None:
    venue = heading.get("venue")
    if w.language == "fr" and heading.get("venue_fr"):
        return str(heading["venue_fr"])
    return w.text(venue) if venue else None


def _note(heading: Mapping[str, Any], w: Words, p: ProseContext) -> str:
    """The Note by the Secretariat: the mandate, then what the report covers."""
    _ = w.text
    mandate = heading.get("mandate")
    if mandate:
        resolution = mandate
        if heading.get("mandate_date"):
            resolution = _("{resolution}, of {day}").format(
                resolution=mandate, day=w.date(heading["mandate_date"])
            )
        if heading.get("mandate_paragraph"):
            pursuant = _("Pursuant to paragraph {paragraph} of resolution {resolution}").format(
                paragraph=heading["mandate_paragraph"], resolution=resolution
            )
        else:
            pursuant = _("Pursuant to resolution {resolution}").format(resolution=resolution)
    else:
        pursuant = _("Pursuant to [resolution to be decided]")
    first = _(
        "{pursuant}, the Bureau of the Assembly of States Parties hereby submits its report "
        "on cooperation for consideration by the Assembly."
    ).format(pursuant=pursuant)
    second = _(
        "The report covers {period}. It was prepared with the focal point for cooperation "
        "from the record of the follow-up of the recommendations of the Bureau's report on "
        "cooperation of 2007 (ICC-ASP/6/21)."
    ).format(period=_covered(p))
    return f"{w.sentence(first)} {w.sentence(second)}"


def _covered(p: ProseContext) -> str:
    """What the report covers, after 'covers': '2024', 'the period from 1 March to 31 May
    2024' ('la période du 1er mars au 31 mai 2024')."""
    w = p.words
    if p.calendar_year:
        return str(p.year)
    return w.say(en="the period ", fr="la période ") + w.period(p.first, p.last)


def _plugin_sections(
    data: Mapping[str, Any], drawn_with: Drawing, w: Words
) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    from reports.annual.gather import render_fragment

    by_key = {section.key: section for section in drawn_with.report.sections}
    added: dict[str, list[dict[str, Any]]] = defaultdict(list)
    annexes: list[dict[str, Any]] = []
    for entry in data["plugin_sections"]:
        section = by_key.get(entry["key"])
        if "html" in entry:
            html_text = entry["html"]
        elif section is not None and section.render is not None:
            rendered = section.render(entry["data"], w)
            html_text = rendered if isinstance(rendered, str) else render_fragment(rendered)
        else:
            raise ReportError(
                f"The report's section {entry['key']!r} is drawn by a plugin that is not "
                "installed here."
            )
        title = worded(section.title, w) if section is not None else entry.get("title", "")
        shown = {
            "key": entry["key"],
            "title": title,
            "html": html_text,
            "anchor": "added-" + entry["key"].replace(".", "-"),
        }
        if entry["after"] == "annexes":
            shown["number"] = roman(6 + len(annexes))
            annexes.append(shown)
        else:
            added[entry["after"]].append(shown)
    return dict(added), annexes


def _added_contents(
    added: Mapping[str, list[dict[str, Any]]], after: str, level: int = 2
) -> list[dict[str, Any]]:
    return [
        {
            "anchor": section["anchor"],
            "label": section["title"],
            "level": level,
            # One numbered paragraph: its number alone, not "25–25".
            "single": len(re.findall(r"class=[\"']para[\"']", section["html"])) == 1,
        }
        for section in added.get(after, [])
    ]


def _prose_of(drawn_with: Drawing, section: str) -> list[Any]:
    found = [c for c in drawn_with.report.prose if c.section == section]
    return sorted(found, key=lambda c: c.order)


def _summary(data: Mapping[str, Any], drawn_with: Drawing, p: ProseContext) -> list[str]:
    """The executive summary's paragraphs: each area's summary sentences, in the order
    of the report's sections."""
    paragraphs = []
    for cluster in CLUSTERS:
        for contribution in _prose_of(drawn_with, cluster.key):
            if contribution.summary is None:
                continue
            said = [s for s in contribution.summary(p) if s]
            if said:
                paragraphs.append(prose.paragraph(said, p))
    return paragraphs


def _summary_table(data: Mapping[str, Any], w: Words, counter: Numbering) -> dict[str, Any]:
    """Table 1: the recommendations by status at the end of the period, per section, and
    how many changed status since a year before."""
    _ = w.text
    shown = [s for s in prose.STATUSES if s != "restricted" or prose.status_counts(data)[s]]
    rows = []
    totals: Counter[str] = Counter()
    changed_total = 0
    for cluster in CLUSTERS:
        counts = prose.status_counts(data, cluster.recommendations)
        totals.update(counts)
        changed = sum(
            1
            for n in cluster.recommendations
            if prose.status_of(data, n) != prose.year_before_of(data, n)
        )
        changed_total += changed
        numbers = cluster.recommendations
        rows.append(
            {
                "section": f"{cluster.key}",
                "title": cluster.name(w),
                "numbers": f"{numbers[0]}–{numbers[-1]}" if len(numbers) > 1 else str(numbers[0]),
                "counts": [w.number(counts.get(s, 0)) if counts.get(s) else "–" for s in shown],
                "changed": w.number(changed) if changed else "–",
            }
        )
    return {
        "number": counter.table(),
        "columns": [_(prose.STATUS_LABELS[s]) for s in shown],
        "rows": rows,
        "total": [w.number(totals[s]) if totals.get(s) else "–" for s in shown],
        "changed": w.number(changed_total) if changed_total else "–",
        "before_label": _("Changed since {when}").format(
            when=ProseContext(data, w)
            .at_previous_end.removeprefix("at the end of ")
            .removeprefix("à la fin de ")
        ),
    }


def _introduction(
    data: Mapping[str, Any], w: Words, p: ProseContext, narratives: Narratives
) -> list[dict[str, Any]]:
    _ = w.text
    drafted = [s for s in narratives.sections() if s]
    if drafted:
        own = _(
            "The Bureau's own account and recommendations are given where it recorded them; "
            "elsewhere the text is drawn from the record alone and says so."
        )
    else:
        own = _(
            "The Bureau recorded no narrative of its own for {year}: the text of this report "
            "is drawn from the record alone."
        ).format(year=p.year)
    return [
        {
            "text": w.sentence(
                _(
                    "In its 2007 report on cooperation, the Bureau made 66 recommendations to "
                    "States Parties, the Court and the Assembly, and recommended a follow-up "
                    "mechanism: a focal point for cooperation who keeps the work going and "
                    "reports to the Assembly."
                )
            ),
            "sources": [_("ICC-ASP/6/21, paragraphs 9 and 78, and annex I.")],
        },
        {
            "text": w.sentence(
                _(
                    "This report is drawn from the focal point's record of the action taken in "
                    "follow-up of those recommendations. It covers {period}, as the record "
                    "stood on {day}. Restricted information is counted in the figures but not "
                    "itemised, and confidential information is left out; annex IV says how to "
                    "verify that the report matches the record."
                ).format(period=_covered(p), day=w.date(data["log"]["as_of"]))
            ),
            "sources": [],
        },
        {
            "text": w.sentence(
                _(
                    "Part I follows the seven clusters of the 2007 report; Part II concerns "
                    "cooperation in the United Nations context and Part III international and "
                    "regional organisations. For each section, the report sets out what was "
                    "done in the period, what remains outstanding and what the Bureau "
                    "recommends, with the figures of the period compared with the previous "
                    "period and with all years to date. Annex V gives the status of each "
                    "recommendation."
                )
            )
            + " "
            + w.sentence(own),
            "sources": [],
        },
    ]


def _conclusion(
    data: Mapping[str, Any], w: Words, p: ProseContext, counts: Mapping[str, int]
) -> list[str]:
    _ = w.text
    outstanding = sum(counts.get(s, 0) for s in prose.OUTSTANDING)
    said = [prose.status_sentence(counts, p)]
    if outstanding:
        said.append(
            w.sentence(
                _(
                    "The {count} recommendations that remain outstanding are listed, with the "
                    "evidence recorded for each, in annex V."
                ).format(count=w.cardinal(outstanding))
                if outstanding > 1
                else _(
                    "The one recommendation that remains outstanding is listed, with the "
                    "evidence recorded, in annex V."
                )
            )
        )
    session = data["heading"].get("session")
    follow = (
        _(
            "The Bureau will continue, through its focal point for cooperation, to follow up "
            "the recommendations of its 2007 report, and will report to the Assembly at its "
            "{ordinal} session."
        ).format(ordinal=w.ordinal(session + 1, feminine=True))
        if session
        else _(
            "The Bureau will continue, through its focal point for cooperation, to follow up "
            "the recommendations of its 2007 report, and will report to the Assembly at its "
            "next session."
        )
    )
    return [" ".join(said), w.sentence(follow)]


def _omnibus(
    data: Mapping[str, Any],
    drawn_with: Drawing,
    w: Words,
    p: ProseContext,
    symbol: str,
    session: str | None,
) -> list[tuple[str, str]]:
    """Annex I: the language proposed for the omnibus resolution, as (operative verb,
    the rest) pairs; the verb is set in italics. The areas add theirs in between."""
    _ = w.text
    language = [
        (
            _("Takes note"),
            _(
                "of the report of the Bureau on cooperation ({symbol}), covering {period}, "
                "submitted to the Assembly at its {ordinal} session;"
            ).format(symbol=symbol, period=_covered(p), ordinal=session or _("next"))
            if p.calendar_year is False
            else _(
                "of the report of the Bureau on cooperation in {year} ({symbol}), submitted "
                "to the Assembly at its {ordinal} session;"
            ).format(symbol=symbol, year=p.year, ordinal=session or _("next")),
        )
    ]
    for cluster in CLUSTERS:
        for contribution in _prose_of(drawn_with, cluster.key):
            if contribution.omnibus is not None:
                language.extend((w.typeset(v), w.typeset(r)) for v, r in contribution.omnibus(p))
    language.append(
        (
            _("Requests"),
            _(
                "the Bureau, through its focal point for cooperation, to continue to follow up "
                "the recommendations of the 2007 report and to report to the Assembly at its "
                "next session."
            ),
        )
    )
    return language


def _parts(
    data: Mapping[str, Any],
    drawn_with: Drawing,
    w: Words,
    p: ProseContext,
    narratives: Narratives,
    added: Mapping[str, list[dict[str, Any]]],
    counter: Numbering,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    _ = w.text
    parts: list[dict[str, Any]] = []
    contents: list[dict[str, Any]] = []
    years = data["charts"]["years"]
    drawn = charts.draw(data["charts"], drawn_with.report.charts, w)
    first_recommendations = True
    for key, title in PARTS.items():
        clusters = [c for c in CLUSTERS if c.part == key]
        if not clusters:
            continue
        shown = []
        label = f"{part_label(key, w)}. {_(title)}"
        contents.append({"anchor": f"part-{key}", "label": label, "level": 1})
        for cluster in clusters:
            shown.append(
                _cluster(data, drawn_with, w, p, narratives, cluster, drawn, years, counter)
            )
            shown[-1]["footnote_unofficial"] = first_recommendations and w.language in UNOFFICIAL
            first_recommendations = False
            if cluster.has_own_heading:
                contents.append(
                    {
                        "anchor": cluster.anchor,
                        "label": cluster.heading(w),
                        "level": 2,
                    }
                )
            contents.extend(_added_contents(added, cluster.key, level=3))
        parts.append({"key": key, "title": _(title), "clusters": shown, "anchor": f"part-{key}"})
    return parts, contents


def _cluster(
    data: Mapping[str, Any],
    drawn_with: Drawing,
    w: Words,
    p: ProseContext,
    narratives: Narratives,
    cluster: Cluster,
    drawn: Mapping[str, str],
    years: Sequence[int],
    counter: Numbering,
) -> dict[str, Any]:
    _ = w.text
    section = data["sections"][cluster.key]
    contributions = _prose_of(drawn_with, cluster.key)
    done = [s for c in contributions if c.done is not None for s in c.done(p) if s]
    if not done:
        done = [
            w.sentence(
                _("No activity under this section was recorded {period}.").format(period=p.during)
            )
        ]
    shown_charts: list[dict[str, Any]] = []
    for chart in (c for c in drawn_with.report.charts if c.after == cluster.key):
        series = data["charts"][chart.name]
        caption = worded(chart.caption, w)
        if charts.is_empty(series):
            empty = (
                chart.empty(w)
                if chart.empty is not None
                else _("Nothing was recorded from {first} to {last} for this chart: {caption}")
            )
            shown_charts.append(
                {"empty": w.sentence(empty.format(first=years[0], last=years[-1], caption=caption))}
            )
            continue
        shown_charts.append(
            {
                "uri": charts.data_uri(drawn[chart.name]),
                "number": counter.figure(),
                "caption": caption,
                "alt": f"{caption} ({years[0]}–{years[-1]})",
            }
        )
    figure_rows = [
        {
            "label": label(w),
            "sub": label.en.startswith("of which"),
            "now": w.number(p.now(name)),
            "before": w.number(p.before(name)),
            "total": w.number(p.total(name)),
        }
        for c in contributions
        for name, label in c.figures
        if p.now(name) is not None or p.total(name) is not None
    ]
    catalogue_types = drawn_with.catalogue.types
    activities = [
        {
            "date": w.short_date(row["date"]),
            "text": _reads(catalogue_types, row, w),
            "summary": row["summary"],
            "sources": row["sources"],
        }
        for row in section["activities"]
    ]
    notes = []
    if section["more"]:
        more = section["more"]
        notes.append(
            w.sentence(
                w.say(
                    en=f"The follow-up record holds {w.count(more, _more_public_activities())} "
                    f"of the period that {w.agree(more, one='is', other='are')} not listed here.",
                    fr=f"Le registre de suivi contient {w.count(more, _more_public_activities())} "
                    f"de la période, qui ne {w.agree(more, one='figure', other='figurent')} "
                    "pas ici.",
                )
            )
        )
    if section["withheld"]:
        withheld = section["withheld"]
        notes.append(
            w.sentence(
                w.say(
                    en=f"The figures also count {w.count(withheld, _restricted_activities())} "
                    f"of the period, which {w.agree(withheld, one='is', other='are')} not "
                    "itemised.",
                    fr="Les chiffres comptent aussi "
                    f"{w.count(withheld, _restricted_activities())} de la période, qui ne "
                    f"{w.agree(withheld, one='est', other='sont')} pas "
                    f"{w.agree(withheld, one='détaillée', other='détaillées')}.",
                )
            )
        )
    outstanding = [s for c in contributions if c.outstanding is not None for s in c.outstanding(p)]
    outstanding.append(prose.outstanding_sentence(data, cluster.recommendations, p))
    actions = prose.actions_sentence(data, p, section=cluster.key)
    if actions is not None:
        outstanding.append(actions)
    recommends = narratives.get(cluster.key, "recommendations")
    numbers = cluster.recommendations
    return {
        "key": cluster.key,
        "anchor": cluster.anchor,
        "heading": cluster.heading(w),
        "name": cluster.name(w),
        "show_heading": cluster.has_own_heading,
        "narrative": narratives.get(cluster.key),
        "done": prose.paragraph(done, p),
        "charts": shown_charts,
        "figures": figure_rows,
        "figures_number": counter.table() if figure_rows else None,
        "figures_caption": _("Figures for {section}").format(section=_lower_first(cluster.name(w))),
        "activities": activities,
        "activities_number": counter.table() if activities else None,
        "activities_caption": _("Activities {period}").format(period=p.during),
        "activities_notes": notes,
        "outstanding": prose.paragraph(outstanding, p),
        "recommends": recommends,
        "recommends_generated": None
        if recommends
        else " ".join(prose.recommends_sentences(data, numbers, p)),
        "recommendations": [
            _recommendation_row(data, drawn_with, w, n) for n in cluster.recommendations
        ],
        "recommendations_number": counter.table(),
        "recommendations_caption": (
            _("Recommendations {first} to {last}: status at the end of the period").format(
                first=numbers[0], last=numbers[-1]
            )
            if len(numbers) > 1
            else _("Recommendation {number}: status at the end of the period").format(
                number=numbers[0]
            )
        ),
    }


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _more_public_activities() -> Noun:
    return Noun(
        ("more public activity", "more public activities"),
        ("autre activité publique", "autres activités publiques"),
        feminine=True,
    )


def _restricted_activities() -> Noun:
    return Noun(
        ("restricted activity", "restricted activities"),
        ("activité à diffusion restreinte", "activités à diffusion restreinte"),
        feminine=True,
    )


def _reads(types: Mapping[str, Any], row: Mapping[str, Any], w: Words) -> str:
    """An event's sentence in the document's language (its type's name in words when no
    plugin installed here knows the type)."""
    event_type = types.get(row["type"])
    if event_type is None:
        from core.words import fallback_sentence

        return fallback_sentence(row["type"])(row["payload"], w)
    return str(event_type.reads(row["payload"], w))


def _addressee(addressee: str, w: Words) -> str:
    """'States Parties', 'The Court'; 'États Parties', 'La Cour' (context 'addressee':
    a Part's title may read the same in English and differently in French)."""
    return w.typeset(w.gettext(addressee[:1].upper() + addressee[1:], "addressee"))


def _status_label(status: str, w: Words) -> str:
    return w.text(prose.STATUS_LABELS[status])


def _indicators(data: Mapping[str, Any], drawn_with: Drawing, w: Words, number: int) -> list[str]:
    by_name = {indicator.name: indicator for indicator in drawn_with.indicators}
    found = []
    for entry in data["recommendations"][str(number)]["indicators"]:
        indicator = by_name.get(entry["name"])
        if indicator is not None and indicator.reads is not None:
            found.append(w.sentence(indicator.reads(entry["value"], w)))
        else:
            description = indicator.description if indicator is not None else entry["name"]
            found.append(prose.indicator_fallback(description, entry["value"], w))
    return found


def _recommendation_row(
    data: Mapping[str, Any], drawn_with: Drawing, w: Words, number: int
) -> dict[str, Any]:
    r = get(number)
    standing = prose.standing(data, number)
    status = standing.get("status", "not_assessed")
    return {
        "number": number,
        "text": w.typeset(text_in(number, w.language)),
        "addressee": _addressee(r.addressee, w),
        "status": _status_label(status, w),
        "since": (
            w.text("since {day}").format(day=w.short_date(standing["since"]))
            if standing.get("since")
            else None
        ),
        "indicators": _indicators(data, drawn_with, w, number),
    }


#: An indicator defined with a target, against it on the period's last day.
TRACKED = {
    "met": ("target met", "cible atteinte"),
    "on_track": ("on track", "en bonne voie"),
    "behind": ("behind", "en retard"),
    "missed": ("target missed", "cible manquée"),
    "unknown": ("no value", "aucune valeur"),
    "before_baseline": ("before its baseline", "avant sa valeur de référence"),
}


def _action_counts(counts: Mapping[str, int], w: Words) -> str:
    """'3 / 1': the recommendation's open and overdue actions (the follow-up's counts,
    restricted actions included)."""
    if not counts:
        return "–"
    return f"{w.number(counts.get('open', 0))} / {w.number(counts.get('overdue', 0))}"


def _actions_of(followed: Mapping[str, Any], w: Words) -> list[str]:
    """The public actions the focal point planned for a recommendation: those open at
    the end of the period (with their lead, due date and whether overdue) and those
    completed in it (with their documents)."""
    lines = []
    for action in followed.get("completed_actions", []):
        documents = ", ".join(action.get("documents") or [])
        lines.append(
            w.say(
                en=f"Completed {w.short_date(action['completed_on'])}: ",
                fr=f"Achevée le {w.short_date(action['completed_on'])} : ",
            )
            + w.typeset(action["description"].rstrip("."))
            + (f" ({documents})" if documents else "")
            + "."
        )
    for action in followed.get("open_actions", []):
        lead = w.party(action["lead"]) if action.get("lead") else None
        due = w.short_date(action["due_on"]) if action.get("due_on") else None
        said = [
            *([w.say(en=f"lead: {lead}", fr=f"responsable : {lead}")] if lead else []),
            *([w.say(en=f"due {due}", fr=f"échéance : {due}")] if due else []),
            *([w.say(en="overdue", fr="en retard")] if action.get("overdue") else []),
        ]
        lines.append(
            w.typeset(
                w.say(en="Open: ", fr="En cours : ")
                + action["description"].rstrip(".")
                + (f" ({'; '.join(said)})" if said else "")
                + "."
            )
        )
    return lines


def _tracked(tracked: Mapping[str, Any], w: Words) -> list[str]:
    """'Focal points designated: 41 (target 60 by 31 Dec 2025; on track).'"""
    lines = []
    for name in sorted(tracked):
        entry = tracked[name]
        target = entry.get("target") or {}
        where = TRACKED.get(entry.get("status", ""))
        said = [
            w.say(
                en=f"target {w.number(target.get('value'))} by {w.short_date(target.get('on'))}",
                fr=f"cible : {w.number(target.get('value'))} au {w.short_date(target.get('on'))}",
            )
        ]
        if where is not None:
            said.append(w.say(en=where[0], fr=where[1]))
        description = str(entry.get("description") or name).rstrip(".")
        lines.append(
            w.sentence(f"{description}: {w.number(entry.get('value'))} ({'; '.join(said)}).")
        )
    return lines


def _status_annex(
    data: Mapping[str, Any], drawn_with: Drawing, w: Words, p: ProseContext
) -> dict[str, Any]:
    """Annex V: each recommendation's status at the end of the period and a year
    before, since when, the assessment's reasons, the evidence and the indicators."""
    _ = w.text
    types = drawn_with.catalogue.types
    follow_up = data["areas"].get("recommendation_follow_up", {}).get("recommendations")
    rows = []
    for r in catalogue():
        standing = prose.standing(data, r.number)
        evidence = data["recommendations"][str(r.number)]["evidence"]
        listed = [
            w.typeset(f"{w.short_date(row['date'])}: {_reads(types, row, w)}")
            for row in evidence["latest"]
        ]
        more = evidence["public"] - len(listed)
        counts = []
        if more > 0:
            counts.append(_("{count} more").format(count=w.cardinal(more)))
        if evidence["restricted"]:
            counts.append(_("{count} restricted").format(count=w.cardinal(evidence["restricted"])))
        followed = (follow_up or {}).get(str(r.number), {})
        rows.append(
            {
                "number": r.number,
                "title": w.typeset(short_title(r.number, w.language)),
                "addressee": _addressee(r.addressee, w),
                "status": _status_label(standing.get("status", "not_assessed"), w),
                "since": w.short_date(standing["since"]) if standing.get("since") else "–",
                "before": _status_label(standing.get("year_before", "not_assessed"), w),
                "rationale": standing.get("rationale"),
                "evidence": [*_actions_of(followed, w), *listed],
                "evidence_more": ", ".join(counts),
                "actions": _action_counts(followed.get("actions", {}), w),
                "indicators": [
                    *_indicators(data, drawn_with, w, r.number),
                    *_tracked(followed.get("tracked_indicators", {}), w),
                ],
            }
        )
    return {
        "rows": rows,
        "has_actions": follow_up is not None,
        "at_end": _("Status {when}").format(when=p.at_end),
        "before": _("Status {when}").format(when=p.at_previous_end),
        "intro": w.sentence(
            _(
                "For each recommendation of the 2007 report: its status {when} and a year "
                "before, since when it has held, the reasons the focal point recorded with the "
                "latest assessment, the latest events of the period that cite it (the "
                "evidence), and its indicators."
            ).format(when=p.at_end)
        ),
        "unofficial": w.language in UNOFFICIAL,
    }


def _states(states: Mapping[str, Any], drawn_with: Drawing, w: Words) -> list[dict[str, Any]]:
    """Annex III's rows in the document's language (the area words them, when it says
    how), sorted by name as the language sorts."""
    contributor = next((d for d in drawn_with.report.data if d.key == "states_parties"), None)
    if contributor is not None and contributor.words is not None:
        rows = list(contributor.words(states, w)["rows"])
    else:
        rows = [dict(row) for row in states["rows"]]
    return rows


def _states_note(states: Mapping[str, Any], w: Words) -> str:
    _ = w.text
    note = w.sentence(
        _(
            "Dates are those of the record; legislation shows the scope of the latest "
            "enactment and its year. Only public records are shown."
        )
    )
    withheld = states.get("withheld", 0)
    if withheld:
        note += " " + w.sentence(
            w.say(
                en=f"{w.cardinal(withheld)} further "
                f"{w.agree(withheld, one='State Party', other='States Parties')}, recorded as "
                f"restricted, {w.agree(withheld, one='is', other='are')} counted in the "
                "figures but not listed.",
                fr=f"{w.cardinal(withheld)} autre{w.agree(withheld, one='', other='s')} "
                f"{w.agree(withheld, one='État Partie', other='États Parties')}, "
                f"{w.agree(withheld, one='enregistré', other='enregistrés')} à diffusion "
                f"restreinte, {w.agree(withheld, one='est', other='sont')} "
                f"{w.agree(withheld, one='compté', other='comptés')} dans les chiffres mais "
                f"non {w.agree(withheld, one='énuméré', other='énumérés')}.",
            )
        )
    return note


def _integrity(data: Mapping[str, Any], w: Words, p: ProseContext) -> dict[str, Any]:
    log = data["log"]
    return {
        "period": w.dates(data["report"]["from"], data["report"]["to"]),
        "position": w.number(log["position"]),
        "raw_position": log["position"],
        "as_of": log["as_of"],
        "head": log["head"],
        "attachment": w.text(
            "{name} (figures, lists and chart series, with the position, as_of and digest above)"
        ).format(name=ATTACHMENT),
        "checkpoint": data.get("checkpoint"),
    }
