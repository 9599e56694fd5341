"""Part I, cluster 2 (diplomatic and public support): national focal points, embassy
contact points, coordinating mechanisms, high-level visits and statements."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from marshmallow import Schema

from core import fields as f
from core.eventtypes import EventType
from core.views.figures import tally_figure
from core.views.itemfigures import ItemFigures, OnDate, OnDays
from core.views.model import (
    Indicator,
    Item,
    ItemHandler,
    SummaryFigure,
    Tally,
    ViewFact,
)
from core.words import STATE_PARTY, Noun, Phrase, Terms, Text, Words
from plugins import hookimpl
from plugins.builtin.membership_state import as_state_party
from plugins.builtin.party_items import (
    dates_of_records,
    happened_by,
    happened_counts,
    kinds_by,
    party_handler,
    party_with_days,
    share_of_states_parties,
    share_sentence,
)
from plugins.builtin.report_words import by_topic, counted_by
from reports.sections import ProseContext, ReportProse

AREA = "diplomatic_support"

FORUMS = (
    "general_assembly",
    "security_council",
    "human_rights_council",
    "regional_organisation",
    "bilateral",
    "other",
)


class FocalPointDesignated(Schema):
    state = f.state()
    office = f.text(max_length=500)


class ContactPointDesignated(Schema):
    state = f.state()
    location = f.choice(["the_hague", "brussels", "new_york"])
    office = f.text(max_length=500)


class CoordinatingMechanismEstablished(Schema):
    state = f.state()
    form = f.choice(["task_force", "working_group", "inter_institutional", "other"])


class HighLevelVisit(Schema):
    organ = f.choice(["presidency", "prosecutor", "registry", "assembly"])
    host = f.party()


class StatementDelivered(Schema):
    speaker = f.party()
    forum = f.choice(FORUMS)
    topic = f.choice(
        ["general_support", "arrest_and_surrender", "cooperation", "universality", "other"]
    )


# -- how the events read -----------------------------------------------------------

PLACES = Terms(
    {
        "the_hague": ("The Hague", "La Haye"),
        "brussels": ("Brussels", "Bruxelles"),
        "new_york": ("New York", "New York"),
    }
)
FORMS = Terms(
    {
        "task_force": ("task force", "groupe de travail spécial"),
        "working_group": ("working group", "groupe de travail"),
        "inter_institutional": ("inter-institutional", "mécanisme interinstitutionnel"),
        "other": ("other", "autre"),
    }
)
#: Who made a visit, after "Visit by" and "Visite" ("du Procureur"): a French noun takes
#: the article's gender; the Assembly is the States Parties', not an organ of the Court.
VISITORS = Terms(
    {
        "presidency": ("the Presidency of the Court", "de la Présidence de la Cour"),
        "prosecutor": ("the Prosecutor of the Court", "du Procureur de la Cour"),
        "registry": ("the Registry of the Court", "du Greffe de la Cour"),
        "assembly": ("the Assembly of States Parties", "de l’Assemblée des États Parties"),
    }
)
FORUM_WORDS = Terms(
    {
        "general_assembly": ("general assembly", "Assemblée générale"),
        "security_council": ("security council", "Conseil de sécurité"),
        "human_rights_council": ("human rights council", "Conseil des droits de l’homme"),
        "regional_organisation": ("regional organisation", "organisation régionale"),
        "bilateral": ("bilateral", "bilatérale"),
        "other": ("other", "autre"),
    }
)
STATEMENT_TOPICS = Terms(
    {
        "general_support": ("general support", "soutien général"),
        "arrest_and_surrender": ("arrest and surrender", "arrestation et remise"),
        "cooperation": ("cooperation", "coopération"),
        "universality": ("universality", "universalité"),
        "other": ("other", "autres questions"),
    }
)
#: Statements before the United Nations' organs are Part II's, before a regional
#: organisation Part III's; the others cluster 2's.
UN_FORUMS = frozenset({"general_assembly", "security_council", "human_rights_council"})


def statement_cluster(payload: Mapping[str, Any]) -> str:
    forum = payload.get("forum")
    if forum in UN_FORUMS:
        return "II.B"
    return "III" if forum == "regional_organisation" else "I.B"


FOCAL_POINT = Phrase(
    en="{state} designated a national focal point: {office}.",
    fr="{state} : désignation d’un point focal national : {office}.",
    values=lambda p, w: {"state": w.party(p["state"]), "office": p["office"]},
)
CONTACT_POINT = Phrase(
    en="{state} designated a contact point in {place}: {office}.",
    fr="{state} : désignation d’un point de contact à {place} : {office}.",
    values=lambda p, w: {
        "state": w.party(p["state"]),
        "place": w.term(p["location"], PLACES),
        "office": p["office"],
    },
)
MECHANISM = Phrase(
    en="{state} established a coordinating mechanism ({form}).",
    fr="{state} : création d’un mécanisme de coordination ({form}).",
    values=lambda p, w: {"state": w.party(p["state"]), "form": w.term(p["form"], FORMS)},
)
VISIT = Phrase(
    en="Visit by {organ} to {host}.",
    fr="Visite {organ} : {host}.",
    values=lambda p, w: {"organ": w.term(p["organ"], VISITORS), "host": w.party(p["host"])},
)
STATEMENT = Phrase(
    en="Statement by {speaker} ({forum}) on {topic}.",
    fr="{speaker} : déclaration ({forum}) ; thème : {topic}.",
    values=lambda p, w: {
        "speaker": w.party(p["speaker"]),
        "forum": w.term(p["forum"], FORUM_WORDS),
        "topic": w.term(p["topic"], STATEMENT_TOPICS),
    },
)


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "FocalPointDesignated",
            FocalPointDesignated,
            AREA,
            "A State designated its national focal point (replaces an earlier one).",
            party_fields=("state",),
            sentence=FOCAL_POINT,
            cluster="I.B",
            checks=as_state_party(),
        ),
        EventType(
            "ContactPointDesignated",
            ContactPointDesignated,
            AREA,
            "A State designated a contact point at an embassy in The Hague, Brussels or New York.",
            party_fields=("state",),
            sentence=CONTACT_POINT,
            cluster="I.B",
            checks=as_state_party(),
        ),
        EventType(
            "CoordinatingMechanismEstablished",
            CoordinatingMechanismEstablished,
            AREA,
            "A State set up a coordinating mechanism for Court issues (recommendation 8).",
            party_fields=("state",),
            sentence=MECHANISM,
            cluster="I.B",
            checks=as_state_party(),
        ),
        EventType(
            "HighLevelVisit",
            HighLevelVisit,
            AREA,
            "A high-level visit by an organ of the Court or the Assembly.",
            party_fields=("host",),
            sentence=VISIT,
            cluster="I.B",
            activity=True,
        ),
        EventType(
            "StatementDelivered",
            StatementDelivered,
            AREA,
            "A statement supporting the Court was delivered in a forum.",
            party_fields=("speaker",),
            sentence=STATEMENT,
            cluster=statement_cluster,
            activity=True,
        ),
    ]


# -- views -------------------------------------------------------------------------

STRUCTURE_EVENTS = frozenset(
    {"FocalPointDesignated", "ContactPointDesignated", "CoordinatingMechanismEstablished"}
)


def fold_structures(item: Item, fact: ViewFact) -> Item:
    p = fact.payload
    if fact.type == "FocalPointDesignated":
        record = {"on": fact.occurred_on, "office": p["office"], "event": fact.id}
        return {**item, "focal_points": [*item.get("focal_points", []), record]}
    if fact.type == "ContactPointDesignated":
        record = {
            "on": fact.occurred_on,
            "location": p["location"],
            "office": p["office"],
            "event": fact.id,
        }
        return {**item, "contact_points_history": [*item.get("contact_points_history", []), record]}
    record = {"on": fact.occurred_on, "form": p["form"], "event": fact.id}
    return {**item, "coordinating_mechanisms": [*item.get("coordinating_mechanisms", []), record]}


def present_structures(item: Item, on: date) -> Item:
    """The focal point and contact points in office on `on`: the latest designation by
    then replaces earlier ones (per location for contact points)."""
    shown = dict(item)
    focal = sorted(happened_by(item.get("focal_points", []), on), key=lambda r: r["on"])
    shown["focal_points"] = focal
    shown["focal_point"] = focal[-1] if focal else None
    contacts: dict[str, Item] = {}
    history = sorted(happened_by(item.get("contact_points_history", []), on), key=lambda r: r["on"])
    for record in history:
        contacts[record["location"]] = record
    shown["contact_points_history"] = history
    shown["contact_points"] = [contacts[place] for place in sorted(contacts)]
    mechanisms = sorted(
        happened_by(item.get("coordinating_mechanisms", []), on), key=lambda r: r["on"]
    )
    shown["coordinating_mechanisms"] = mechanisms
    shown["coordinating_mechanism"] = mechanisms[-1] if mechanisms else None
    return shown


def records(item: Item, field: str) -> list[str]:
    value = item.get(field)
    found = value if isinstance(value, list) else [value]
    return [r["event"] for r in found if r]


def party_with(field: str, name: str, description: str, on_days: OnDays) -> OnDate:
    return OnDate(
        name,
        description,
        "parties",
        lambda item: bool(item.get("is_party")) and bool(item.get(field)),
        lambda item: records(item, field),
        on_days,
    )


def latest_of(field: str) -> OnDays:
    """A State Party with a record of `field` by the day: the latest one counts."""
    return party_with_days(
        lambda item, days: [min(n, 1) for n in happened_counts(item.get(field, []), days)],
        dates_of_records(field),
    )


STRUCTURE_FIGURES = ItemFigures(
    (
        party_with(
            "focal_point",
            "parties.with_focal_point",
            "States Parties with a national focal point on the reading's date.",
            latest_of("focal_points"),
        ),
        party_with(
            "contact_points",
            "parties.with_contact_point",
            "States Parties with an embassy contact point for the Court.",
            # The latest contact point in each location counts.
            party_with_days(
                lambda item, days: kinds_by(
                    item.get("contact_points_history", []), days, "location"
                ),
                dates_of_records("contact_points_history"),
            ),
        ),
        party_with(
            "coordinating_mechanism",
            "parties.with_coordinating_mechanism",
            "States Parties with a coordinating mechanism for Court issues.",
            latest_of("coordinating_mechanisms"),
        ),
    )
)


@hookimpl
def followup_view_handlers() -> list[ItemHandler]:
    return [
        party_handler(
            STRUCTURE_EVENTS, fold_structures, present_structures, counts=STRUCTURE_FIGURES.counts
        )
    ]


@hookimpl
def followup_tallies() -> list[Tally]:
    return [
        Tally(frozenset({"HighLevelVisit"}), lambda f: {f"visits.{f.payload['organ']}": 1}),
        Tally(frozenset({"StatementDelivered"}), statement_counts),
    ]


def statement_counts(fact: ViewFact) -> dict[str, int]:
    """By topic, and by the section of the report the forum belongs to (statements
    before the United Nations' organs are Part II's, in regional organisations Part
    III's, bilateral and other ones cluster 2's), with those on arrest and surrender."""
    topic = fact.payload["topic"]
    section = statement_cluster(fact.payload)
    counts = {f"statements.{topic}": 1, f"statements.in.{section}": 1}
    if topic == "arrest_and_surrender":
        counts[f"statements.in.{section}.arrest_and_surrender"] = 1
    return counts


#: Statements by the section of the report their forum belongs to: (figure, section,
#: description).
STATEMENTS_BY_SECTION = (
    (
        "activities.statements_bilateral_and_other",
        "I.B",
        "Statements supporting the Court in bilateral contacts and other fora in the period.",
    ),
    (
        "activities.statements_before_the_united_nations",
        "II.B",
        "Statements supporting the Court before organs of the United Nations in the period.",
    ),
    (
        "activities.statements_in_regional_organisations",
        "III",
        "Statements supporting the Court in regional organisations in the period.",
    ),
)


def delivered_in(section: str) -> Callable[[ViewFact], bool]:
    """Whether a statement belongs to a section (by its forum)."""
    return lambda fact: statement_cluster(fact.payload) == section


@hookimpl
def followup_summary_figures() -> list[SummaryFigure]:
    return [
        *STRUCTURE_FIGURES.summary(),
        tally_figure(
            "activities.high_level_visits",
            "High-level visits in the period.",
            "events.HighLevelVisit",
            ["HighLevelVisit"],
        ),
        tally_figure(
            "activities.statements",
            "Statements supporting the Court delivered in the period.",
            "events.StatementDelivered",
            ["StatementDelivered"],
        ),
        tally_figure(
            "activities.statements_on_arrest_and_surrender",
            "Statements on arrest and surrender in the period.",
            "statements.arrest_and_surrender",
            ["StatementDelivered"],
            counted=lambda fact: fact.payload["topic"] == "arrest_and_surrender",
            events_counter="statements.arrest_and_surrender",
        ),
        *(
            tally_figure(
                name,
                description,
                f"statements.in.{section}",
                ["StatementDelivered"],
                counted=delivered_in(section),
                events_counter=f"statements.in.{section}",
            )
            for name, section, description in STATEMENTS_BY_SECTION
        ),
        tally_figure(
            "activities.statements_before_the_united_nations_on_arrest_and_surrender",
            "Statements on arrest and surrender before organs of the United Nations in the period.",
            "statements.in.II.B.arrest_and_surrender",
            ["StatementDelivered"],
            counted=lambda fact: (
                statement_cluster(fact.payload) == "II.B"
                and fact.payload["topic"] == "arrest_and_surrender"
            ),
            events_counter="statements.in.II.B.arrest_and_surrender",
        ),
    ]


@hookimpl
def followup_indicators() -> list[Indicator]:
    return [
        Indicator(
            (7, 22),
            "focal_points",
            "Share of States Parties with a national focal point.",
            lambda reading: share_of_states_parties(reading, "parties.with_focal_point"),
            reads=lambda value, w: share_sentence(
                value,
                w,
                en="States Parties with a national focal point",
                fr="États Parties dotés d’un point focal national",
            ),
        ),
        Indicator(
            (8,),
            "coordinating_mechanisms",
            "Share of States Parties with a coordinating mechanism.",
            lambda reading: share_of_states_parties(reading, "parties.with_coordinating_mechanism"),
            reads=lambda value, w: share_sentence(
                value,
                w,
                en="States Parties with a coordinating mechanism",
                fr="États Parties dotés d’un mécanisme de coordination",
            ),
        ),
        Indicator(
            (9, 25),
            "contact_points",
            "Share of States Parties with an embassy contact point.",
            lambda reading: share_of_states_parties(reading, "parties.with_contact_point"),
            reads=lambda value, w: share_sentence(
                value,
                w,
                en="States Parties with an embassy contact point",
                fr="États Parties dotés d’un point de contact dans une ambassade",
            ),
        ),
        Indicator(
            (10, 33, 54),
            "high_level_visits",
            "High-level visits in the period, by organ.",
            lambda reading: {
                organ: reading.tally(f"visits.{organ}")
                for organ in ("presidency", "prosecutor", "registry", "assembly")
            },
            reads=by_organ,
        ),
        Indicator(
            (11, 17, 47, 48),
            "statements",
            "Statements in the period, by topic.",
            lambda reading: {
                topic: reading.tally(f"statements.{topic}")
                for topic in (
                    "general_support",
                    "arrest_and_surrender",
                    "cooperation",
                    "universality",
                    "other",
                )
            },
            reads=lambda value, w: by_topic(
                value,
                w,
                STATEMENT_TOPICS,
                STATEMENT_NOUN,
                en="Statements in the period",
                fr="Déclarations pendant la période",
            ),
        ),
    ]


# -- the annual report ----------------------------------------------------------------

STATEMENT_NOUN = Noun(("statement", "statements"), ("déclaration", "déclarations"), feminine=True)
VISIT_NOUN = Noun(
    ("high-level visit", "high-level visits"),
    ("visite de haut niveau", "visites de haut niveau"),
    feminine=True,
)
#: The organs in a listing: 'the Presidency', 'la Présidence'.
ORGAN_NAMES = Terms(
    {
        "presidency": ("the Presidency", "la Présidence"),
        "prosecutor": ("the Prosecutor", "le Procureur"),
        "registry": ("the Registry", "le Greffe"),
        "assembly": ("the Assembly", "l’Assemblée"),
    }
)


def by_organ(value: Mapping[str, int], w: Words) -> str:
    """'High-level visits in the period: three by the Presidency and one by the
    Registry.'"""
    return counted_by(
        value,
        w,
        ORGAN_NAMES,
        en="High-level visits in the period",
        fr="Visites de haut niveau pendant la période",
        en_by="by",
        fr_by="par",
        feminine=True,
    )


def structures_said(p: ProseContext) -> list[str]:
    """National focal points, embassy contact points and coordinating mechanisms at the
    period's end."""
    w = p.words
    focal = p.now("parties.with_focal_point") or 0
    contact = p.now("parties.with_contact_point") or 0
    mechanism = p.now("parties.with_coordinating_mechanism") or 0
    if not (focal or contact or mechanism):
        return []
    clauses = [
        w.say(
            en=f"{w.count(focal, STATE_PARTY)} had designated a national focal point "
            f"{p.compared('parties.with_focal_point', stock=True)}",
            fr=f"{w.count(focal, STATE_PARTY)} {w.agree(focal, one='avait', other='avaient')} "
            f"désigné un point focal national {p.compared('parties.with_focal_point', stock=True)}",
        )
    ]
    if contact:
        clauses.append(
            w.say(
                en=f"{w.cardinal(contact)} a contact point at an embassy",
                fr=f"{w.cardinal(contact)} un point de contact dans une ambassade",
            )
        )
    if mechanism:
        clauses.append(
            w.say(
                en=f"{w.cardinal(mechanism)} a coordinating mechanism",
                fr=f"{w.cardinal(mechanism)} un mécanisme de coordination",
            )
        )
    return [p.sentence(f"{p.at_end}, {w.listing(clauses)}.")]


def visits_said(p: ProseContext) -> list[str]:
    w = p.words
    visits = p.now("activities.high_level_visits") or 0
    statements = p.now("activities.statements_bilateral_and_other") or 0
    said = []
    compared = p.compared("activities.high_level_visits", feminine=True)
    if visits:
        said.append(
            p.sentence(
                w.say(
                    en=f"{p.during}, organs of the Court and the Assembly made "
                    f"{w.count(visits, VISIT_NOUN)} {compared}.",
                    fr=f"{p.during}, les organes de la Cour et l’Assemblée ont effectué "
                    f"{w.count(visits, VISIT_NOUN)} {compared}.",
                )
            )
        )
    if statements:
        said.append(
            p.sentence(
                w.say(
                    en=f"States delivered {w.count(statements, STATEMENT_NOUN)} in support of the "
                    "Court in their bilateral contacts and in other fora "
                    f"{p.compared('activities.statements_bilateral_and_other', feminine=True)}.",
                    fr=f"Les États ont prononcé {w.count(statements, STATEMENT_NOUN)} de soutien à "
                    "la Cour dans leurs contacts bilatéraux et dans d’autres instances "
                    f"{p.compared('activities.statements_bilateral_and_other', feminine=True)}.",
                )
            )
        )
    return said


def diplomatic_outstanding(p: ProseContext) -> list[str]:
    w = p.words
    parties = p.now("parties.states_parties") or 0
    without = parties - (p.now("parties.with_focal_point") or 0)
    if parties and without > 0:
        return [
            p.sentence(
                w.say(
                    en=f"{p.at_end}, {w.cardinal(without)} of the {w.count(parties, STATE_PARTY)} "
                    f"had not designated a national focal point.",
                    fr=f"{p.at_end}, {w.cardinal(without)} des {w.count(parties, STATE_PARTY)} "
                    f"{w.agree(without, one='n’avait', other='n’avaient')} pas désigné de point "
                    "focal national.",
                )
            )
        ]
    return []


def diplomatic_summary(p: ProseContext) -> list[str]:
    return [*structures_said(p), *visits_said(p)[:1]]


def diplomatic_omnibus(p: ProseContext) -> list[tuple[str, str]]:
    w = p.words
    parties = p.now("parties.states_parties") or 0
    if not parties or (p.now("parties.with_focal_point") or 0) >= parties:
        return []
    return [
        (
            w.say(en="Encourages", fr="Encourage"),
            w.say(
                en="States Parties that have not yet done so to designate a national focal "
                "point for cooperation with the Court and a contact point at their embassies;",
                fr="les États Parties qui ne l’ont pas encore fait à désigner un point focal "
                "national pour la coopération avec la Cour et un point de contact dans leurs "
                "ambassades ;",
            ),
        )
    ]


def united_nations_statements(p: ProseContext) -> list[str]:
    w = p.words
    count = p.now("activities.statements_before_the_united_nations") or 0
    if not count:
        return []
    arrest = p.now("activities.statements_before_the_united_nations_on_arrest_and_surrender") or 0
    text = w.say(
        en=f"{p.during}, States delivered {w.count(count, STATEMENT_NOUN)} in support of the Court "
        "before the General Assembly, the Security Council and the Human Rights Council "
        f"{p.compared('activities.statements_before_the_united_nations', feminine=True)}",
        fr=f"{p.during}, les États ont prononcé {w.count(count, STATEMENT_NOUN)} "
        "de soutien à la Cour "
        "devant l’Assemblée générale, le Conseil de sécurité et le Conseil des droits de "
        f"l’homme {p.compared('activities.statements_before_the_united_nations', feminine=True)}",
    )
    if arrest:
        text += w.say(
            en=f", {w.cardinal(arrest)} of them on arrest and surrender",
            fr=f", dont {w.cardinal(arrest, feminine=True)} sur l’arrestation et la remise",
        )
    return [p.sentence(text + ".")]


def regional_statements(p: ProseContext) -> list[str]:
    w = p.words
    count = p.now("activities.statements_in_regional_organisations") or 0
    if not count:
        return []
    return [
        p.sentence(
            w.say(
                en=f"{p.during}, States delivered {w.count(count, STATEMENT_NOUN)} "
                "in support of the "
                "Court within regional organisations "
                f"{p.compared('activities.statements_in_regional_organisations', feminine=True)}.",
                fr=f"{p.during}, les États ont prononcé {w.count(count, STATEMENT_NOUN)} "
                "de soutien à "
                "la Cour au sein d’organisations régionales "
                f"{p.compared('activities.statements_in_regional_organisations', feminine=True)}.",
            )
        )
    ]


@hookimpl
def followup_report_prose() -> list[ReportProse]:
    return [
        ReportProse(
            "diplomatic_support",
            "I.B",
            figures=(
                (
                    "parties.with_focal_point",
                    Text(
                        "States Parties with a national focal point",
                        "États Parties dotés d’un point focal national",
                    ),
                ),
                (
                    "parties.with_contact_point",
                    Text(
                        "States Parties with an embassy contact point",
                        "États Parties dotés d’un point de contact dans une ambassade",
                    ),
                ),
                (
                    "parties.with_coordinating_mechanism",
                    Text(
                        "States Parties with a coordinating mechanism",
                        "États Parties dotés d’un mécanisme de coordination",
                    ),
                ),
                (
                    "activities.high_level_visits",
                    Text("High-level visits", "Visites de haut niveau"),
                ),
                (
                    "activities.statements_bilateral_and_other",
                    Text(
                        "Statements in support of the Court, bilateral and other fora",
                        "Déclarations de soutien à la Cour, contacts bilatéraux et autres "
                        "instances",
                    ),
                ),
            ),
            done=lambda p: [*structures_said(p), *visits_said(p)],
            outstanding=diplomatic_outstanding,
            summary=diplomatic_summary,
            omnibus=diplomatic_omnibus,
        ),
        ReportProse(
            "diplomatic_support.arrest_and_surrender",
            "I.D",
            figures=(
                (
                    "activities.statements_on_arrest_and_surrender",
                    Text(
                        "Statements on arrest and surrender, in all fora",
                        "Déclarations sur l’arrestation et la remise, toutes instances",
                    ),
                ),
            ),
            order=10,
        ),
        ReportProse(
            "diplomatic_support.united_nations",
            "II.B",
            figures=(
                (
                    "activities.statements_before_the_united_nations",
                    Text(
                        "Statements in support of the Court before organs of the United Nations",
                        "Déclarations de soutien à la Cour devant les organes des Nations Unies",
                    ),
                ),
                (
                    "activities.statements_before_the_united_nations_on_arrest_and_surrender",
                    Text("of which on arrest and surrender", "dont sur l’arrestation et la remise"),
                ),
            ),
            done=united_nations_statements,
            summary=united_nations_statements,
        ),
        ReportProse(
            "diplomatic_support.regional_organisations",
            "III",
            figures=(
                (
                    "activities.statements_in_regional_organisations",
                    Text(
                        "Statements in support of the Court in regional organisations",
                        "Déclarations de soutien à la Cour au sein d’organisations régionales",
                    ),
                ),
            ),
            done=regional_statements,
            order=10,
        ),
    ]
