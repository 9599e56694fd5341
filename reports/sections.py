"""What a plugin adds to the annual report: sections (hook
``followup_report_sections``), charts (``followup_report_charts``) and the data the
report's own parts show (``followup_report_data``). The built-in areas contribute theirs
through the same hooks; the report itself names no event type and no view.

The report is drawn in English or French from one set of data (the attached
``report-data.json``, which ``report verify`` derives again): what is gathered from the
views is language-free (counts, dates, codes, payloads), and the words are written when
the document is drawn, in its language (``core.words.Words``). So a contribution says
how it reads in each language (``Text`` for a title or label, a function of the data
and a ``Words`` for sentences), and the wording can improve without making earlier
reports fail verification.

A plugin returns a list of ``ReportSection``::

    from plugins import hookimpl
    from reports.sections import Fragment, ReportSection, SectionContext, public

    def sanctions(context: SectionContext) -> Fragment:
        regimes = public(context.reading.items("sanctions"))
        return Fragment(
            "<p class='para'>{{ n }} sanctions regimes in {{ period }}.</p>",
            {"n": len(regimes), "period": context.period_label},
        )

    @hookimpl
    def followup_report_sections() -> list[ReportSection]:
        return [ReportSection("acme.sanctions", "Sanctions regimes", after="I.D",
                              content=sanctions)]

- ``after`` says where the section goes: after one of the report's own sections
  (``executive_summary``, ``introduction``, ``I.A`` ... ``I.G``, ``II.A``, ``II.B``,
  ``III``, ``conclusion``), or ``annexes`` to add an annex after Annex IV.
- A section in both languages gives ``gather`` (the context to JSON-able data, kept in
  the attached data and verified) and ``render`` (that data and the language's
  ``Words`` to HTML or a ``Fragment``), and a ``Text`` title. ``content`` (the context
  straight to HTML) is the older form: its HTML is kept in the data and shown as it is
  in both languages.
- ``content`` (or ``gather``) gets a ``SectionContext`` (the views of the report's period, of the
  previous period and up to the period's end, at the log position the report is of,
  at the public report's clearance) and returns either HTML (a ``str``, trusted as it
  is: escape what you did not write) or a ``Fragment``: a Jinja2 template source and
  its values, rendered with autoescaping.
- Paragraphs written ``<p class="para">`` are numbered with the report's own; tables,
  lists and headings (``<h3>`` and below) are styled like the rest of the document.
- The report is public: itemise only items and events whose ``classification`` is
  ``public`` (``public()`` keeps those); restricted ones may only be counted, and
  confidential ones are never in the views the context holds.
- ``content`` must depend only on its context (no clock, no randomness): the HTML it
  returns is kept in the report's attached data, and ``followup report verify``
  derives it again at the report's position and compares.

A ``ReportChart`` is drawn in one section of Parts I to III (``after``): its `series`
(a mapping of series name to one value per year of ``context.chart_years``) is kept in
the attached data under ``charts.<name>``; `draw_in` turns it into SVG in a language
(`draw`, English only, is the older form; ``reports.annual.charts`` has the report's
pygal style and helpers). A chart whose every value is zero is not drawn: the report
says `empty` instead (one sentence).

A ``ReportProse`` is what an area says in one section of Parts I to III: the rows of
the section's table of figures, and sentences written from the report's data (figures
of the period, the previous period and to date, and the areas' data) in a language:
what was done in the period (`done`), what remains outstanding at its end
(`outstanding`), the executive summary's (`summary`) and annex I's operative
paragraphs (`omnibus`). Each writer gets a ``ProseContext`` and returns sentences;
the house rules hold (``core.words``: numbers below ten in words, never a digit first,
nouns agreeing with their number, no sentence about what did not happen unless it
matters, a comparison with the previous period only where it says something).

A ``ReportData`` gathers, from the context, one part of the data the report's own parts
show; each key has one contributor (the built-in areas contribute them all):

- ``narratives``: ``{section: {"text", "drafted_on", "sources"}}``, the Bureau's latest
  public narrative of each section for the year;
- ``recommendation_status``: ``{number: {"status", "assessed_on", "since", "rationale",
  "year_before"}}`` (numbers as text), each assessed recommendation's status on the
  period's last day and the previous period's ("restricted" when the assessment behind
  it is not public);
- ``states_parties``: ``{"rows": [...], "withheld": n}``, annex III;
- ``recommendation_follow_up``: the follow-up of the 66 on the period's last day
  (``plugins/builtin/follow_up.py``): per recommendation its status (since when, the
  status before, whether the assessment behind it is public), its actions (counts; the
  public ones open, and those completed in the period), the States' answers and the
  public indicators defined with targets; and the dashboard (statuses at the period's
  start and end per cluster, actions open and overdue, the recommendations whose status
  changed).
- any other key: data an area's prose reads (``ProseContext.data``).

`words` (optional) turns the gathered data into what the report shows in a language
(names, terms), when the report's own part shows it (annex III).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from core.views.model import Item, Period, Reading, SummaryFigure
from core.words import Noun, Text, Words, text_in

if TYPE_CHECKING:
    from core.application import FollowUp
    from core.views.service import Views


@dataclass(frozen=True)
class Fragment:
    """A Jinja2 template source and the values it is rendered with (autoescaped)."""

    source: str
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SectionContext:
    """What a section's content is made from: the report's period, the views read for
    it at the report's log position, and the headline figures (name -> value)."""

    year: int
    first: date
    last: date
    period_label: str
    previous_label: str
    position: int
    reading: Reading
    previous: Reading
    cumulative: Reading
    figures: Mapping[str, Any]
    previous_figures: Mapping[str, Any]
    cumulative_figures: Mapping[str, Any]
    #: The years the report's charts show (the period's and the nine before).
    chart_years: tuple[int, ...] = ()
    #: The views at the report's position with no date limit: every standing event
    #: whatever its date (a narrative drafted after the period), items as they stand.
    recorded: Reading | None = None
    #: The views at the report's position read for any other dates (a chart's years).
    for_period: Callable[[Period], Reading] | None = None
    #: The summary figures by name (what an indicator defined with a target reads).
    summary_figures: Mapping[str, SummaryFigure] = field(default_factory=dict)


Content = Callable[[SectionContext], "str | Fragment"]


@dataclass(frozen=True)
class ReportSection:
    """A section of the annual report contributed by a plugin. `key` is unique and
    stable (prefix it with your plugin's name); `title` is its heading (a ``Text`` in
    both languages, or English). Either `gather` and `render` (both languages) or
    `content` (HTML kept as it is)."""

    key: str
    title: str | Text
    after: str
    content: Content | None = None
    gather: Callable[[SectionContext], Any] | None = None
    render: Callable[[Any, Words], str | Fragment] | None = None

    def __post_init__(self) -> None:
        if self.content is None and (self.gather is None or self.render is None):
            raise ValueError(
                f"Report section {self.key!r} needs `content`, or `gather` and `render`."
            )


def public(things: Iterable[Item]) -> list[Item]:
    """Only the items (or events as JSON) classified public: the ones a public report
    may itemise."""
    return [thing for thing in things if thing.get("classification", "public") == "public"]


Series = Mapping[str, list[Any]]


@dataclass(frozen=True)
class ReportChart:
    """A chart of the annual report: shown in section `after` (``I.A`` ... ``III``),
    numbered with the report's figures, with `caption`; `series` computes its values
    (restricted events count, as in figures), `draw_in` makes the SVG from them in a
    language (or `draw`, in English). `empty` is the sentence said instead of a chart
    whose every value is zero (``{first}`` and ``{last}``: the years shown)."""

    name: str
    after: str
    caption: str | Text
    series: Callable[[SectionContext], Series]
    draw: Callable[[Series, Sequence[int]], str] | None = None
    draw_in: Callable[[Series, Sequence[int], Words], str] | None = None
    empty: Text | None = None

    def __post_init__(self) -> None:
        if self.draw is None and self.draw_in is None:
            raise ValueError(f"Report chart {self.name!r} needs `draw_in` (or `draw`).")

    def svg(self, series: Series, years: Sequence[int], words: Words) -> str:
        if self.draw_in is not None:
            return self.draw_in(series, years, words)
        assert self.draw is not None
        return self.draw(series, years)


@dataclass(frozen=True)
class ReportData:
    """One part of the data the report's own parts show (see the module's docstring
    for the keys the report reads and what each holds); `words` turns it into what is
    shown, in a language."""

    key: str
    gather: Callable[[SectionContext], Any]
    words: Callable[[Any, Words], Any] | None = None


class ProseContext:
    """What an area's sentences are written from: the report's figures (of the period,
    the previous period and up to the period's end), the areas' data, and the words of
    the language the report is drawn in."""

    def __init__(self, data: Mapping[str, Any], words: Words) -> None:
        self.words = words
        self._now = data["figures"]
        self._before = data["previous_figures"]
        self._total = data["cumulative_figures"]
        self._data = data.get("areas", {})
        report = data["report"]
        self.first = date.fromisoformat(report["from"])
        self.last = date.fromisoformat(report["to"])
        self.calendar_year = self.first == date(self.first.year, 1, 1) and self.last == date(
            self.first.year, 12, 31
        )
        self.year = self.last.year

    # -- values --------------------------------------------------------------------

    def now(self, name: str) -> Any:
        """A figure of the period (None when no plugin gives it)."""
        return self._now.get(name, {}).get("value")

    def before(self, name: str) -> Any:
        """The figure in the previous period."""
        return self._before.get(name, {}).get("value")

    def total(self, name: str) -> Any:
        """The figure up to the period's end (all years to date)."""
        return self._total.get(name, {}).get("value")

    def data(self, key: str, default: Any = None) -> Any:
        """What an area gathered for the report (``ReportData`` of that key)."""
        return self._data.get(key, default)

    # -- the period in words ---------------------------------------------------------

    @property
    def during(self) -> str:
        """'in 2024', 'from 1 March to 31 May 2024'; 'en 2024', 'du 1er mars au ...'."""
        w = self.words
        if self.calendar_year:
            return w.say(en=f"in {self.year}", fr=f"en {self.year}")
        return w.period(self.first, self.last)

    @property
    def at_end(self) -> str:
        """'at the end of 2024', 'on 31 May 2024'; 'à la fin de 2024', 'au 31 mai 2024'."""
        w = self.words
        if self.calendar_year:
            return w.say(en=f"at the end of {self.year}", fr=f"à la fin de {self.year}")
        return w.say(en=f"on {w.date(self.last)}", fr=f"au {w.date(self.last)}")

    @property
    def previously(self) -> str:
        """'in 2023', 'in the previous period'."""
        w = self.words
        if self.calendar_year:
            return w.say(en=f"in {self.year - 1}", fr=f"en {self.year - 1}")
        return w.say(en="in the previous period", fr="au cours de la période précédente")

    @property
    def at_previous_end(self) -> str:
        w = self.words
        if self.calendar_year:
            return w.say(en=f"at the end of {self.year - 1}", fr=f"à la fin de {self.year - 1}")
        return w.say(en="at the end of the previous period", fr="à la fin de la période précédente")

    # -- writing ---------------------------------------------------------------------

    def count(self, count: int, noun: Noun) -> str:
        return self.words.count(count, noun)

    def compared(
        self, name: str, *, stock: bool = False, unit: Noun | None = None, feminine: bool = False
    ) -> str:
        """A comparison with the previous period, in brackets, only where it says
        something (the figure changed by a fifth or more, or from or to none):
        '(five in 2023)', '(188 at the end of 2023)', '(62.5 days in 2023)' with a
        `unit`; '' otherwise. `stock` for a figure that stands on a date (in force,
        parties) rather than counts a period's events; `feminine` when what is counted
        is a feminine noun in French ('aucune en 2023')."""
        now, before = self.now(name), self.before(name)
        if not worth_comparing(now, before):
            return ""
        when = self.at_previous_end if stock else self.previously
        w = self.words
        if unit is None:
            value = w.cardinal(before, feminine=feminine)
        elif isinstance(before, float) and not before.is_integer():
            value = f"{w.number(before)} {w.plural(2, unit)}"
        else:
            value = w.count(int(before), unit)
        return f"({value} {when})"

    def sentence(self, text: str) -> str:
        """A sentence as printed: the gaps an empty comparison leaves closed, a capital
        first letter, French spacing."""
        return self.words.sentence(tidy(text, self.words.language))


def tidy(sentence: str, language: str = "en") -> str:
    """Close the gaps an empty clause leaves: 'signed  and' -> 'signed and', 'signed .'
    -> 'signed.' (and 'signed ;' in English: French spaces its semicolons)."""
    while "  " in sentence:
        sentence = sentence.replace("  ", " ")
    sentence = sentence.replace(" ,", ",").replace(" .", ".").replace(" )", ")")
    if language == "en":
        sentence = sentence.replace(" ;", ";").replace(" :", ":")
    return sentence.strip()


def worth_comparing(now: Any, before: Any) -> bool:
    """Whether a change from `before` to `now` is worth a clause: both known, and a
    change by a fifth of the larger or more (from or to none included)."""
    if not isinstance(now, int | float) or not isinstance(before, int | float):
        return False
    if now == before:
        return False
    return abs(now - before) >= 0.2 * max(abs(now), abs(before))


Writer = Callable[[ProseContext], Sequence[str]]


@dataclass(frozen=True)
class ReportProse:
    """What an area says in one section of Parts I to III (``I.A`` ... ``III``): the
    rows of the section's table of figures, as (figure name, label) pairs, and the
    sentences it writes (each writer returns zero or more sentences in the context's
    language): `done` in the period, `outstanding` at its end, `summary` for the
    executive summary; `omnibus` gives annex I's operative paragraphs as (verb, rest)
    pairs. `order` places it among the section's other contributions."""

    key: str
    section: str
    figures: tuple[tuple[str, Text], ...] = ()
    done: Writer | None = None
    outstanding: Writer | None = None
    summary: Writer | None = None
    omnibus: Callable[[ProseContext], Sequence[tuple[str, str]]] | None = None
    order: int = 0


@dataclass(frozen=True)
class ReportContributions:
    """Everything plugins add to the annual report, collected once by the composition
    root (``followup.registry``)."""

    sections: tuple[ReportSection, ...] = ()
    charts: tuple[ReportChart, ...] = ()
    data: tuple[ReportData, ...] = ()
    prose: tuple[ReportProse, ...] = ()


class ReportSources(Protocol):
    """What the annual report is made from: the log, its views and the plugins'
    contributions (the composition root's services are one)."""

    @property
    def app(self) -> FollowUp: ...

    @property
    def views(self) -> Views: ...

    @property
    def report(self) -> ReportContributions: ...


__all__ = [
    "Content",
    "Fragment",
    "ProseContext",
    "ReportChart",
    "ReportContributions",
    "ReportData",
    "ReportProse",
    "ReportSection",
    "ReportSources",
    "SectionContext",
    "Series",
    "Text",
    "public",
    "text_in",
    "tidy",
    "worth_comparing",
]
