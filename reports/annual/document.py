"""The report's data made into the document: HTML from the Jinja2 template beside this
module, then a PDF/A-3 by WeasyPrint with the data attached.

A pure function of the data: no clock, no randomness, no dict order left to chance.
The PDF's dates are the report's `as_of`; its identifier is a digest of its content
(WeasyPrint's, for PDF/A); the charts' ids are their names; the fonts are shipped in
``fonts/``. So the same data gives the same bytes, which `report verify` relies on.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import orjson
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from core.parties import ORGANISATIONS
from reports.annual import charts, prose
from reports.annual.clusters import CLUSTERS, PARTS
from reports.sections import ReportChart

FOLDER = Path(__file__).resolve().parent

#: The name of the data attached inside the PDF.
ATTACHMENT = "report-data.json"

#: PDF/A-3 (which allows attachments), level B, and tagged for accessibility.
PDF_VARIANT = "pdf/a-3b"

STATUS_LABELS = {
    "implemented": "Implemented",
    "ongoing": "Ongoing",
    "in_progress": "In progress",
    "not_started": "Not started",
    "not_assessed": "Not assessed",
    "restricted": "Not public",
}

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
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)


def as_of_moment(data: Mapping[str, Any]) -> datetime:
    text = data["log"]["as_of"]
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def canonical(data: Mapping[str, Any]) -> dict[str, Any]:
    """The data as it is attached (keys sorted at every level): the document is drawn
    from this form, so data fresh from the views and data read back from a PDF draw
    the same bytes."""
    loaded: dict[str, Any] = orjson.loads(attachment_bytes(data))
    return loaded


def html(data: Mapping[str, Any], charts: Sequence[ReportChart]) -> str:
    """The report as HTML (relative links resolve in this module's folder), with the
    areas' `charts` drawn from their series in the data."""
    page = environment().get_template("template.html")
    return page.render(**context(canonical(data), charts))


def pdf(data: Mapping[str, Any], charts: Sequence[ReportChart]) -> bytes:
    return write_pdf(html(data, charts), data)


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


def _paragraphs(text: str) -> list[str]:
    return [" ".join(part.split()) for part in text.split("\n\n") if part.strip()]


def roman(number: int) -> str:
    return ROMAN[number] if number < len(ROMAN) else str(number)


def context(data: Mapping[str, Any], contributed: Sequence[ReportChart]) -> dict[str, Any]:
    f = prose.Figures(data)
    report = data["report"]
    heading = data["heading"]
    log = data["log"]
    calendar = report["label"].isdigit()
    period = {
        "label": report["label"],
        "short": report["label"] if calendar else "Period",
        "previous_short": report["previous"]["label"] if calendar else "Previous period",
        "first": prose.long_date(report["from"]),
        "last": prose.long_date(report["to"]),
        "end": prose.long_date(report["to"]),
    }
    drawn = charts.draw(data["charts"], contributed)
    uris = {name: charts.data_uri(svg) for name, svg in drawn.items()}
    status_counts = _status_counts(data)
    title = "Report of the Bureau on cooperation"
    session_words = prose.ordinal_words(heading["session"])
    added, annexes = _plugin_sections(data)
    parts, contents_parts, figure_count = _parts(data, f, uris, added, contributed)
    contents: list[dict[str, Any]] = [
        {"anchor": "executive_summary", "label": "Executive summary", "level": 1},
        *_added_contents(added, "executive_summary"),
        {
            "anchor": "introduction",
            "label": "Cooperation – the follow-up mechanism",
            "level": 1,
            "single": _narrative_length(data, "introduction") == 1,
        },
        *_added_contents(added, "introduction"),
        *contents_parts,
        {"anchor": "conclusion", "label": "Part IV. Conclusion", "level": 1},
        *_added_contents(added, "conclusion"),
        {"anchor": "annex-I", "label": "Annexes", "level": 1, "paras": False, "page": False},
        {
            "anchor": "annex-I",
            "label": "I. Language to be included in the omnibus resolution",
            "level": 2,
            "paras": False,
        },
        {
            "anchor": "annex-II",
            "label": "II. List of relevant international and regional organisations",
            "level": 2,
            "paras": False,
        },
        {"anchor": "annex-III", "label": "III. States Parties", "level": 2, "paras": False},
        {"anchor": "annex-IV", "label": "IV. Integrity", "level": 2, "paras": False},
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
    states = data["states_parties"]
    return {
        "title": title,
        "subtitle": f"Follow-up of cooperation in {period['label']}",
        "description": f"{title}, {period['label']} ({heading['symbol']})",
        "generator": data.get("document", {}).get("generator", "followup"),
        "created": as_of_moment(data).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "heading": {
            "symbol": heading["symbol"],
            "session": f"{session_words.capitalize()} session",
            "venue": heading["venue"],
            "dates": heading["session_dates"],
            "date": prose.long_date(heading["document_date"]),
        },
        "note": (
            "The Bureau of the Assembly of States Parties hereby submits its report on "
            f"cooperation for {period['label'] if calendar else 'the period ' + period['label']}, "
            "prepared with the focal point for cooperation from the record of the follow-up "
            "of the recommendations of its 2007 report on cooperation."
        ),
        "period": period,
        "contents": contents,
        "narratives": {
            section: {"paragraphs": _paragraphs(n["text"]), "sources": n["sources"]}
            for section, n in data["narratives"].items()
        },
        "summary": prose.executive_summary(f),
        "figures_note": (
            f"Figures of the follow-up record at log position {log['position']} "
            f"(as of {log['as_of']}); see annex IV."
        ),
        "recommendations_sentence": prose.recommendations_sentence(status_counts),
        "charts": uris,
        "chart_alt": {
            "recommendations": _alt_recommendations(data["charts"]["recommendations"]),
        },
        "introduction": _introduction(data, period),
        "parts": parts,
        "conclusion": _conclusion(data, f, status_counts),
        "plugin_sections": added,
        "annexes": annexes,
        "omnibus": prose.omnibus_language(data),
        "organisations": list(ORGANISATIONS.items()),
        "states": states["rows"],
        "states_note": _states_note(states),
        "integrity": {
            "position": log["position"],
            "as_of": log["as_of"],
            "head": log["head"],
            "attachment": f"{ATTACHMENT} (figures, lists and chart series, with the "
            "position, as_of and digest above)",
            "checkpoint": data.get("checkpoint"),
        },
        "figure_count": figure_count,
    }


def _status_counts(data: Mapping[str, Any]) -> dict[str, int]:
    series = data["charts"]["recommendations"]
    return {status: sum(series[status]) for status in STATUS_LABELS if status in series}


def _narrative_length(data: Mapping[str, Any], section: str) -> int:
    """How many paragraphs the Bureau's narrative of a section has (0: none)."""
    drafted = data["narratives"].get(section)
    return len(_paragraphs(drafted["text"])) if drafted else 0


def _plugin_sections(
    data: Mapping[str, Any],
) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    added: dict[str, list[dict[str, Any]]] = defaultdict(list)
    annexes: list[dict[str, Any]] = []
    for section in data["plugin_sections"]:
        shown = {**section, "anchor": "added-" + section["key"].replace(".", "-")}
        if section["after"] == "annexes":
            shown["number"] = roman(5 + len(annexes))
            annexes.append(shown)
        else:
            added[section["after"]].append(shown)
    return dict(added), annexes


def _added_contents(
    added: Mapping[str, list[dict[str, Any]]], after: str, level: int = 2
) -> list[dict[str, Any]]:
    return [
        {"anchor": section["anchor"], "label": section["title"], "level": level}
        for section in added.get(after, [])
    ]


def _parts(
    data: Mapping[str, Any],
    f: prose.Figures,
    uris: Mapping[str, str],
    added: Mapping[str, list[dict[str, Any]]],
    contributed: Sequence[ReportChart],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    parts: list[dict[str, Any]] = []
    contents: list[dict[str, Any]] = []
    figure_number = 1
    table_number = 0
    years = data["charts"]["years"]
    for key, title in PARTS.items():
        clusters = [c for c in CLUSTERS if c.part == key]
        if not clusters:
            continue
        shown = []
        contents.append(
            {"anchor": f"part-{key}", "label": f"Part {key}. {title}", "level": 1, "paras": False}
        )
        for cluster in clusters:
            anchor = "s-" + cluster.key.replace(".", "-")
            section = data["sections"][cluster.key]
            shown_charts = []
            for chart in (c for c in contributed if c.after == cluster.key):
                figure_number += 1
                series = data["charts"][chart.name]
                shown_charts.append(
                    {
                        "uri": uris[chart.name],
                        "number": figure_number,
                        "caption": chart.caption,
                        "alt": _alt_series(chart.caption, series, years),
                    }
                )
            tables = (table_number + 1, table_number + 2, table_number + 3)
            table_number += 3
            numbers = cluster.recommendations
            shown.append(
                {
                    "key": cluster.key,
                    "anchor": anchor,
                    "heading": cluster.heading,
                    "title": cluster.title,
                    "show_heading": cluster.heading != PARTS[key],
                    "sentence": prose.cluster_sentence(f, cluster.figures),
                    "charts": shown_charts,
                    "tables": tables,
                    "figures": [
                        {
                            "label": label,
                            "sub": label.startswith("of which"),
                            "now": prose.number(f(name)),
                            "before": prose.number(f.previous(name)),
                            "total": prose.number(f.cumulative(name)),
                        }
                        for name, label in cluster.figures
                    ],
                    "activities": [{**row, "date": row["date"]} for row in section["activities"]],
                    "more": section["more"],
                    "more_text": (
                        f"A further {_activities(section['more'], 'public')} of the period "
                        f"{_are(section['more'])} in the follow-up record "
                        "(GET /api/v1/activities) but not listed here."
                    ),
                    "withheld": section["withheld"],
                    "withheld_text": (
                        f"{_activities(section['withheld'], 'restricted')} of the period "
                        f"{_are(section['withheld'])} counted in the figures but not itemised."
                    ),
                    "recommendations": [
                        {**r, "status": STATUS_LABELS[r["status"]]}
                        for r in section["recommendations"]
                    ],
                    "recommendation_span": (
                        f"{numbers[0]} to {numbers[-1]}" if len(numbers) > 1 else str(numbers[0])
                    ),
                }
            )
            contents.append(
                {
                    "anchor": anchor,
                    "label": cluster.heading if cluster.heading != PARTS[key] else title,
                    "level": 2,
                    # The figures' sentence, after the narrative's paragraphs if any.
                    "single": _narrative_length(data, cluster.key) == 0,
                }
            )
            contents.extend(_added_contents(added, cluster.key, level=3))
        parts.append({"key": key, "title": title, "clusters": shown})
    return parts, contents, figure_number


def _are(count: int) -> str:
    return "is" if count == 1 else "are"


def _activities(count: int, kind: str) -> str:
    return prose.plural(count, f"{kind} activity", f"{kind} activities")


def _alt_series(caption: str, series: Mapping[str, Any], years: list[int]) -> str:
    described = []
    for name, values in series.items():
        pairs = ", ".join(
            f"{year}: {prose.number(value)}" for year, value in zip(years, values, strict=True)
        )
        described.append(f"{prose.words(name)} — {pairs}")
    return f"Chart. {caption} " + "; ".join(described) + "."


def _alt_recommendations(series: Mapping[str, Any]) -> str:
    described = []
    for index, cluster in enumerate(series["clusters"]):
        counts = ", ".join(
            f"{STATUS_LABELS[s].lower()} {series[s][index]}"
            for s in STATUS_LABELS
            if s in series and series[s][index]
        )
        described.append(f"{cluster}: {counts}")
    return "Chart. Recommendations by status and section: " + "; ".join(described) + "."


def _introduction(data: Mapping[str, Any], period: Mapping[str, str]) -> list[dict[str, Any]]:
    log = data["log"]
    return [
        {
            "text": "In its 2007 report on cooperation, the Bureau made 66 recommendations to "
            "States Parties, the Court and the Assembly, and recommended a follow-up "
            "mechanism: a focal point for cooperation who keeps the work going and reports "
            "to the Assembly.",
            "sources": ["ICC-ASP/6/21, paragraphs 9 and 78, and annex I."],
        },
        {
            "text": "This report is drawn from the focal point's record of every action taken "
            f"in follow-up of those recommendations. It covers {period['first']} to "
            f"{period['last']}; its figures are those of the record as it stood on "
            f"{prose.long_date(log['as_of'])} (position {log['position']} of the record). "
            "Restricted information is counted in the figures but not itemised, and "
            "confidential information is left out. Annex IV explains how to verify that "
            "the report matches the record.",
            "sources": [],
        },
        {
            "text": "Part I follows the seven clusters of the 2007 report; Part II concerns "
            "cooperation in the United Nations context and Part III international and "
            "regional organisations. For each, the report gives the Bureau's narrative, the "
            "figures of the period compared with the previous period and with all years to "
            "date, the activities recorded, and the recommendations with their status and "
            "indicators.",
            "sources": [],
        },
    ]


def _conclusion(
    data: Mapping[str, Any], f: prose.Figures, status_counts: Mapping[str, int]
) -> list[str]:
    next_session = prose.ordinal_words(data["heading"]["session"] + 1)
    return [
        f"At the end of {f.period}, {prose.plural(f('agreements.all.in_force'), 'agreement')} "
        f"with the Court {prose.were(f('agreements.all.in_force'))} in force and "
        f"{prose.plural(f('parties.states_parties'), 'State')} "
        f"{prose.were(f('parties.states_parties'))} parties to the Rome Statute, of which "
        f"{prose.number(f('parties.with_focal_point'))} had designated a national focal point. "
        + prose.recommendations_sentence(status_counts),
        "The Bureau will continue, through its focal point for cooperation, to follow up the "
        "recommendations of its 2007 report, and will report to the Assembly at its "
        f"{next_session} session.",
    ]


def _states_note(states: Mapping[str, Any]) -> str:
    note = (
        "Dates are those of the record; legislation shows the scope of the latest enactment "
        "and its year. Only public records are shown."
    )
    if states["withheld"]:
        note += (
            f" {prose.plural(states['withheld'], 'further State Party', 'further States Parties')}"
            f", recorded as restricted, {_are(states['withheld'])} counted in the figures but "
            "not listed."
        )
    return note
