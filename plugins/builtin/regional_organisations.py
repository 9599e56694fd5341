"""Part III (international and regional organisations): working groups within
organisations, and workshops and seminars (recommendations 4, 59, 65)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from core import fields as f
from core.eventtypes import EventType
from core.parties import PartyKind, lookup
from core.views.figures import tally_figure
from core.views.model import Indicator, Reading, SummaryFigure, Tally, ViewFact
from core.words import STATE, Noun, Phrase, Terms, Text, Words
from plugins import hookimpl
from plugins.builtin.report_words import counted_by, one_count
from reports.sections import ProseContext, ReportProse

AREA = "regional_organisations"


#: Workshop topics: the practical issues the recommendations name (4, 59) and the areas
#: of the report. Figures count these; the organiser's words go in `topics_text`.
TOPICS = (
    "implementing_legislation",
    "arrest_and_surrender",
    "freezing_of_assets",
    "financial_investigations",
    "witness_protection",
    "victims",
    "enforcement_of_sentences",
    "requests_for_assistance",
    "cooperation",
    "complementarity",
    "universality",
    "other",
)


def topic_key(text: str) -> str:
    """'Implementing legislation', 'implementing-legislation' -> 'implementing_legislation'."""
    return "_".join(text.strip().lower().replace("-", " ").split())


class Topic(fields.String):
    """A topic of the list, written as it is or in words ("Arrest and surrender")."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        key = topic_key(text)
        if key not in TOPICS:
            raise ValidationError(
                f"{text[:60]!r} is not a topic of the list ({', '.join(TOPICS)}); "
                "put your own words in topics_text."
            )
        return key


class WorkingGroupEstablished(Schema):
    organisation = f.PartyCode(
        kinds={PartyKind.ORGANISATION, PartyKind.UNITED_NATIONS}, registrable=True, required=True
    )
    mandate = f.text()


class WorkshopHeld(Schema):
    title = f.text(max_length=500)
    organiser = f.party()
    host = f.PartyCode(registrable=True, load_default=None)
    participants = f.parties()
    attendees = f.count(minimum=0)
    topics = fields.List(
        Topic(),
        required=True,
        validate=validate.Length(max=len(TOPICS)),
        metadata={"description": "Topics of the list (figures count them): " + ", ".join(TOPICS)},
    )
    topics_text = fields.String(  # added: left out of the payload when not given
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "The topics in the organiser's own words."},
    )


# -- how the events read -----------------------------------------------------------

PARTICIPANT = Noun(("participant", "participants"), ("participant", "participants"))


def workshop_cluster(payload: Mapping[str, Any]) -> str:
    """Workshops organisations hold are Part III's, the United Nations' (its organs and
    offices too: the Office of Legal Affairs...) Part II's; the others cluster 1's
    (general legal mechanisms). The organiser is known by the built-in parties: one
    registered in the log counts with the others (a tally reads the event alone)."""
    organiser = lookup(str(payload.get("organiser")))
    kind = organiser.kind if organiser is not None else None
    if kind is PartyKind.ORGANISATION:
        return "III"
    return "II.A" if kind is PartyKind.UNITED_NATIONS else "I.A"


WORKING_GROUP = Phrase(
    en="{organisation} established a working group: {mandate}.",
    fr="{organisation} : création d’un groupe de travail : {mandate}.",
    values=lambda p, w: {"organisation": w.party(p["organisation"]), "mandate": p["mandate"]},
)
#: The topics in words ('arrest and surrender', 'arrestation et remise').
TOPIC_NAMES = Terms(
    {
        "implementing_legislation": ("implementing legislation", "législation de mise en œuvre"),
        "arrest_and_surrender": ("arrest and surrender", "arrestation et remise"),
        "freezing_of_assets": ("freezing of assets", "gel des avoirs"),
        "financial_investigations": ("financial investigations", "enquêtes financières"),
        "witness_protection": ("witness protection", "protection des témoins"),
        "victims": ("victims", "victimes"),
        "enforcement_of_sentences": ("enforcement of sentences", "exécution des peines"),
        "requests_for_assistance": ("requests for assistance", "demandes d’assistance"),
        "cooperation": ("cooperation", "coopération"),
        "complementarity": ("complementarity", "complémentarité"),
        "universality": ("universality", "universalité"),
        "other": ("other topics", "autres thèmes"),
    }
)
# French names a State without its article here ('organisateur : Kenya'), as a label.
WORKSHOP = Phrase(
    en="Workshop: {title}, organised by {organiser}{host}; {attendees} from {states}; {topics}.",
    fr="Atelier : {title} ; organisateur : {organiser}{host} ; {attendees} venus {states} ; "
    "{topics}.",
    values=lambda p, w: {
        "title": p["title"],
        "organiser": w.party(p["organiser"]),
        "host": w.say(en=f", hosted by {w.party(p['host'])}", fr=f" ; hôte : {w.party(p['host'])}")
        if p.get("host")
        else "",
        "attendees": w.count(p["attendees"], PARTICIPANT),
        "states": w.say(
            en=w.count(len(p["participants"]), STATE),
            fr=w.of(w.count(len(p["participants"]), STATE)),
        ),
        "topics": ", ".join(w.term(topic, TOPIC_NAMES) for topic in p["topics"]),
    },
)


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "WorkingGroupEstablished",
            WorkingGroupEstablished,
            AREA,
            "An organisation set up a working group on the Court (recommendation 64).",
            party_fields=("organisation",),
            sentence=WORKING_GROUP,
            cluster="III",
            activity=True,
        ),
        EventType(
            "WorkshopHeld",
            WorkshopHeld,
            AREA,
            "A workshop or seminar on cooperation was held.",
            party_fields=("organiser", "host", "participants"),
            sentence=WORKSHOP,
            cluster=workshop_cluster,
            activity=True,
        ),
    ]


# -- views -------------------------------------------------------------------------

#: Workshop topics the recommendations name (free text elsewhere).
PRACTICAL_TOPICS = ("arrest_and_surrender", "freezing_of_assets", "financial_investigations")


def workshop_counts(fact: ViewFact) -> dict[str, int]:
    counts = {"workshops.attendees": fact.payload["attendees"]}
    for topic in fact.payload["topics"]:
        # Events recorded before topics were a list may hold free text: counted as the
        # topic they name ("Implementing legislation"), or as other.
        key = topic_key(topic)
        counts[f"workshops.topic.{key if key in TOPICS else 'other'}"] = 1
    # By the section of the report that lists the workshop (who organised it); those
    # of Part III are the organisations' (indicator 65).
    section = workshop_cluster(fact.payload)
    if section == "III":
        counts["workshops.by_organisations"] = 1
    counts[f"workshops.in.{section}"] = 1
    counts[f"workshops.in.{section}.attendees"] = fact.payload["attendees"]
    return counts


#: Workshops by the section of the report their organiser belongs to: (figure suffix,
#: section, who organised them).
WORKSHOPS_BY_SECTION = (
    ("by_states", "I.A", "States and the Court"),
    ("by_the_united_nations", "II.A", "the United Nations"),
    ("by_organisations", "III", "international and regional organisations"),
)


@hookimpl
def followup_tallies() -> list[Tally]:
    return [Tally(frozenset({"WorkshopHeld"}), workshop_counts)]


def organised_in(section: str) -> Callable[[ViewFact], bool]:
    """Whether a workshop belongs to a section (by its organiser)."""
    return lambda fact: workshop_cluster(fact.payload) == section


@hookimpl
def followup_summary_figures() -> list[SummaryFigure]:
    return [
        tally_figure(
            "activities.workshops",
            "Workshops and seminars held in the period.",
            "events.WorkshopHeld",
            ["WorkshopHeld"],
        ),
        tally_figure(
            "activities.workshop_attendees",
            "Attendees of the period's workshops.",
            "workshops.attendees",
            ["WorkshopHeld"],
        ),
        *(
            figure
            for suffix, section, who in WORKSHOPS_BY_SECTION
            for figure in (
                tally_figure(
                    f"activities.workshops_{suffix}",
                    f"Workshops and seminars organised by {who} in the period.",
                    f"workshops.in.{section}",
                    ["WorkshopHeld"],
                    counted=organised_in(section),
                    events_counter=f"workshops.in.{section}",
                ),
                tally_figure(
                    f"activities.workshops_{suffix}_attendees",
                    f"Attendees of the workshops and seminars organised by {who} in the period.",
                    f"workshops.in.{section}.attendees",
                    ["WorkshopHeld"],
                    counted=organised_in(section),
                    events_counter=f"workshops.in.{section}",
                ),
            )
        ),
        tally_figure(
            "activities.working_groups",
            "Working groups on the Court established in organisations in the period.",
            "events.WorkingGroupEstablished",
            ["WorkingGroupEstablished"],
        ),
    ]


def topics(reading: Reading, names: tuple[str, ...]) -> dict[str, int]:
    return {name: reading.tally(f"workshops.topic.{name}") for name in names}


@hookimpl
def followup_indicators() -> list[Indicator]:
    return [
        Indicator(
            (4,),
            "workshops_on_legislation",
            "Workshops in the period on implementing legislation.",
            lambda r: topics(r, ("implementing_legislation",)),
            reads=lambda value, w: one_count(
                value["implementing_legislation"],
                w,
                en="Workshops on implementing legislation in the period",
                fr="Ateliers sur la législation de mise en œuvre pendant la période",
            ),
        ),
        Indicator(
            (59,),
            "workshops_on_practical_cooperation",
            "Workshops in the period on arrest and surrender, freezing of assets and "
            "financial investigations.",
            lambda r: topics(r, PRACTICAL_TOPICS),
            reads=practical_words,
        ),
        Indicator(
            (65,),
            "regional_workshops",
            "Workshops in the period organised by international or regional organisations.",
            lambda r: {"workshops": r.tally("workshops.by_organisations")},
            reads=lambda value, w: one_count(
                value["workshops"],
                w,
                en="Workshops organised by international or regional organisations in the period",
                fr="Ateliers organisés par des organisations internationales ou régionales "
                "pendant la période",
            ),
        ),
        Indicator(
            (64,),
            "working_groups",
            "Working groups established in the period.",
            lambda r: {"working_groups": r.tally("events.WorkingGroupEstablished")},
            reads=lambda value, w: one_count(
                value["working_groups"],
                w,
                en="Working groups established in the period",
                fr="Groupes de travail créés pendant la période",
            ),
        ),
    ]


# -- the annual report ----------------------------------------------------------------

WORKSHOP_NOUN = Noun(
    ("workshop or seminar", "workshops and seminars"),
    ("atelier ou séminaire", "ateliers et séminaires"),
)
WORKING_GROUP_NOUN = Noun(
    ("working group", "working groups"), ("groupe de travail", "groupes de travail")
)
TOPIC_WORDS = Terms(
    {
        "arrest_and_surrender": ("arrest and surrender", "l’arrestation et la remise"),
        "freezing_of_assets": ("freezing of assets", "le gel des avoirs"),
        "financial_investigations": ("financial investigations", "les enquêtes financières"),
    }
)


def practical_words(value: Mapping[str, Any], w: Words) -> str:
    """'Workshops on practical cooperation in the period: one on arrest and
    surrender.'"""
    return counted_by(
        value,
        w,
        TOPIC_WORDS,
        en="Workshops on practical cooperation in the period",
        fr="Ateliers sur la coopération pratique pendant la période",
        en_by="on",
        fr_by="sur",
    )


def workshops_said(p: ProseContext, suffix: str, *, en: str, fr: str) -> list[str]:
    """'In 2024, international and regional organisations organised 12 workshops and
    seminars (five in 2023), with 840 participants.'"""
    w = p.words
    figure = f"activities.workshops_{suffix}"
    count = p.now(figure) or 0
    if not count:
        return []
    attendees = p.now(f"{figure}_attendees") or 0
    text = w.say(
        en=f"{p.during}, {en} organised {w.count(count, WORKSHOP_NOUN)} {p.compared(figure)}",
        fr=f"{p.during}, {fr} {w.count(count, WORKSHOP_NOUN)} {p.compared(figure)}",
    )
    if attendees:
        text += w.say(
            en=f", with {w.count(attendees, PARTICIPANT)}",
            fr=f", qui ont réuni {w.count(attendees, PARTICIPANT)}",
        )
    return [p.sentence(text + ".")]


def working_groups_said(p: ProseContext) -> list[str]:
    w = p.words
    count = p.now("activities.working_groups") or 0
    if not count:
        return []
    return [
        p.sentence(
            w.say(
                en=f"{p.during}, {w.count(count, WORKING_GROUP_NOUN)} on the Court "
                f"{w.agree(count, one='was', other='were')} established within organisations.",
                fr=f"{p.during}, {w.count(count, WORKING_GROUP_NOUN)} sur la Cour "
                f"{w.agree(count, one='a été créé', other='ont été créés')} au sein "
                "d’organisations.",
            )
        )
    ]


def workshops_summary(p: ProseContext) -> list[str]:
    """All workshops and seminars of the period, whoever organised them."""
    w = p.words
    count = p.now("activities.workshops") or 0
    if not count:
        return []
    attendees = p.now("activities.workshop_attendees") or 0
    return [
        p.sentence(
            w.say(
                en=f"{p.during}, {w.count(count, WORKSHOP_NOUN)} on cooperation "
                f"{w.agree(count, one='was', other='were')} held "
                f"{p.compared('activities.workshops')}, "
                f"with {w.count(attendees, PARTICIPANT)}.",
                fr=f"{p.during}, {w.count(count, WORKSHOP_NOUN)} sur la coopération "
                f"{w.agree(count, one='a été organisé', other='ont été organisés')} "
                f"{p.compared('activities.workshops')}, qui ont réuni "
                f"{w.count(attendees, PARTICIPANT)}.",
            )
        )
    ]


def figures_of(suffix: str, en: str, fr: str) -> tuple[tuple[str, Text], ...]:
    return (
        (
            f"activities.workshops_{suffix}",
            Text(
                f"Workshops and seminars organised by {en}",
                f"Ateliers et séminaires organisés par {fr}",
            ),
        ),
        (
            f"activities.workshops_{suffix}_attendees",
            Text(
                "Participants in these workshops and seminars",
                "Participants à ces ateliers et séminaires",
            ),
        ),
    )


@hookimpl
def followup_report_prose() -> list[ReportProse]:
    return [
        ReportProse(
            "regional_organisations.states",
            "I.A",
            figures=figures_of("by_states", "States and the Court", "des États et la Cour"),
            done=lambda p: workshops_said(
                p, "by_states", en="States and the Court", fr="des États et la Cour ont organisé"
            ),
            order=10,
        ),
        ReportProse(
            "regional_organisations.united_nations",
            "II.A",
            figures=figures_of(
                "by_the_united_nations", "the United Nations", "l’Organisation des Nations Unies"
            ),
            done=lambda p: workshops_said(
                p,
                "by_the_united_nations",
                en="the United Nations",
                fr="l’Organisation des Nations Unies a organisé",
            ),
            order=10,
        ),
        ReportProse(
            "regional_organisations",
            "III",
            figures=(
                *figures_of(
                    "by_organisations",
                    "international and regional organisations",
                    "des organisations internationales et régionales",
                ),
                (
                    "activities.working_groups",
                    Text(
                        "Working groups on the Court established",
                        "Groupes de travail sur la Cour créés",
                    ),
                ),
            ),
            done=lambda p: [
                *workshops_said(
                    p,
                    "by_organisations",
                    en="international and regional organisations",
                    fr="des organisations internationales et régionales ont organisé",
                ),
                *working_groups_said(p),
            ],
            summary=workshops_summary,
        ),
    ]
