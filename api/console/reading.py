"""What every reader sees: the dashboard of headline figures and charts, the log's
events (filtered and paged as `GET /events`), one event with its corrections and
retractions, the 66 recommendations, the parties, and every view. All as of the time
and on the date the person travelled to, at their clearance."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from flask import Response, abort, request
from marshmallow import Schema, ValidationError

from api.console import access
from api.console.access import page, services
from api.console.blueprint import blueprint
from api.console.forms import choices
from api.console.rendering import Time, level, render, sentence, time_query
from api.views import AgreementQuery, RequestQuery, WarrantQuery, indicators
from core.envelope import Event
from core.errors import NotFound
from core.eventtypes import Effect, EventType
from core.fields import PartyCode
from core.parties import lookup
from core.queries import EventFilter, EventPage, find_events, position_as_of
from core.recommendations import catalogue as recommendation_catalogue
from core.roles import ADMIN, AUDITOR, BUREAU, READERS, ROLES
from core.views.reading import ViewReading
from plugins.builtin import queries

READ = sorted(READERS)
#: Rows per page of a list, as the API's default page of events.
PAGE = 50

#: The dashboard's headline figures, in this order (those the plugins provide).
HEADLINE = (
    ("parties.states_parties", "States Parties"),
    ("agreements.all.in_force", "Agreements in force"),
    ("warrants.at_large", "Persons sought at large"),
    ("requests.open", "Requests for assistance open"),
    ("recommendations.implemented", "Recommendations implemented"),
    ("activities.workshops", "Workshops in the period"),
)

#: The dashboard's charts: a title and the figures drawn as bars.
CHARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Recommendations by status",
        (
            "recommendations.not_started",
            "recommendations.in_progress",
            "recommendations.ongoing",
            "recommendations.implemented",
        ),
    ),
    (
        "Agreements in force, by kind",
        (
            "agreements.enforcement_of_sentences.in_force",
            "agreements.witness_relocation.in_force",
            "agreements.interim_release.in_force",
            "agreements.release_of_persons.in_force",
            "agreements.cooperation.in_force",
            "agreements.memorandum_of_understanding.in_force",
            "agreements.transfer.in_force",
            "agreements.other.in_force",
        ),
    ),
    (
        "Requests for assistance in the period",
        (
            "requests.sent",
            "requests.granted",
            "requests.partially_granted",
            "requests.refused",
        ),
    ),
)


def _statuses(query: type[Schema]) -> tuple[str, ...]:
    """A view's statuses, as the API's query for it takes them."""
    return choices(query().fields["status"])


#: The views with a page of their own, their filters (as the API's), and the column
#: names shown first.
VIEW_PAGES: dict[str, dict[str, Any]] = {
    "agreements": {
        "title": "Agreements",
        "filters": {"kind": "text", "party": "party", "status": _statuses(AgreementQuery)},
    },
    "warrants": {
        "title": "Arrest warrants",
        "filters": {
            "status": _statuses(WarrantQuery),
            "situation": "text",
            "party": "party",
        },
    },
    "requests": {
        "title": "Requests for assistance",
        "filters": {"addressee": "party", "status": _statuses(RequestQuery), "category": "text"},
    },
    "witness_protection": {"title": "Witness protection", "filters": {}},
    "activities": {"title": "Activities", "filters": {"type": "activity", "party": "party"}},
}


def reading(time: Time, *, period: bool = True) -> ViewReading:
    """The views at the person's clearance, as of the page's time, read as the API
    reads them for a request (never waiting for a long catch-up, the person's own
    writes waited for: core.views.service)."""
    return services().views.reading(
        level(),
        as_of=time.as_of,
        on=time.on,
        first=time.first if period else None,
        last=time.last if period else None,
        caller=access.caller().recorded_by,
    )


def about(read: ViewReading, time: Time) -> dict[str, Any]:
    """What the page is of: as_of, on, position (and the period)."""
    return services().views.envelope(read, time.as_of)


def _offset() -> int:
    try:
        return max(0, min(int(request.args.get("offset", 0)), 10**9))
    except ValueError:
        return 0


def paged(items: list[Any]) -> dict[str, Any]:
    """One page of a list, and where the others are (offset, as the API's views)."""
    start = _offset()
    return {
        "rows": items[start : start + PAGE],
        "total": len(items),
        "offset": start,
        "previous": max(0, start - PAGE) if start > 0 else None,
        "next": start + PAGE if start + PAGE < len(items) else None,
        "page_size": PAGE,
    }


def _party_filter(name: str, errors: dict[str, list[str]]) -> str | None:
    """A party code from the query, checked by the API's own field (and its words)."""
    value = request.args.get(name, "").strip().upper()
    if not value:
        return None
    try:
        return str(PartyCode().deserialize(value))
    except ValidationError as error:
        errors[name] = (
            [str(m) for m in error.messages]
            if isinstance(error.messages, list)
            else [str(error.messages)]
        )
        return None


# -- the dashboard ---------------------------------------------------------------------


@blueprint.route("/", methods=["GET"])
@page(*ROLES)
def dashboard() -> Response:
    person = access.current_person()
    if person is not None and person.role == ADMIN:
        return render("admin.html")
    time = time_query()
    read = reading(time)
    figures = services().views.summary(read)
    described = services().views.figures
    headline = [(name, label, figures[name]) for name, label in HEADLINE if name in figures]
    groups: dict[str, list[tuple[str, Mapping[str, Any], str]]] = defaultdict(list)
    for name, figure in figures.items():
        groups[name.split(".")[0]].append((name, figure, described[name].description))
    charts = []
    for title, names in CHARTS:
        bars = [(name, figures[name]["value"] or 0) for name in names if name in figures]
        if bars:
            charts.append({"title": title, "bars": bars, "top": max(v for _, v in bars) or 1})
    return render(
        "dashboard.html",
        time=time,
        about=about(read, time),
        headline=headline,
        groups=sorted(groups.items()),
        charts=charts,
        explainable=person is not None and person.role in (BUREAU, AUDITOR),
    )


# -- the log's events ---------------------------------------------------------------


@blueprint.route("/events", methods=["GET"])
@page(*READ)
def events() -> Response:
    """The log's events the person may see, filtered and paged by position as
    `GET /events` (type, party, from, to, recorded_by, as_of, after)."""
    app = services().app
    time = time_query()
    errors: dict[str, list[str]] = {}
    types = [t for t in request.args.getlist("type") if t]
    unknown = [t for t in types if t not in app.catalogue]
    if unknown:
        errors["type"] = ["Unknown event type."]
        types = []
    where = EventFilter(
        types=frozenset(types),
        party=_party_filter("party", errors),
        occurred_from=time.first,
        occurred_to=time.last,
        recorded_by=request.args.get("recorded_by", "").strip()[:300] or None,
    )
    try:
        after = max(0, min(int(request.args.get("after", 0)), 2**53))
    except ValueError:
        after = 0
    found, upto = log_events(where, time, after)
    return render(
        "events.html",
        time=time,
        errors={**time.errors, **errors},
        events=found.events,
        next_after=found.next_after,
        after=after,
        position=upto,
        types=app.catalogue.names(),
        chosen_types=types,
    )


def log_events(where: EventFilter, time: Time, after: int = 0) -> tuple[EventPage, int]:
    """A page of the log's events the person may see, as the log stood at the page's
    time (as `GET /events` reads them); and the position it stood at."""
    app = services().app
    upto = position_as_of(app, time.as_of) if time.as_of else app.head().position
    visible = access.visibility().at(upto)
    return find_events(app, where, after=after, upto=upto, limit=PAGE, visible=visible), upto


def visible_event(event_id: UUID) -> Event:
    """The event, if the person may see it; else "not found", as the API says."""
    event = services().app.get_event(event_id)
    if not access.visibility().sees(event):
        raise NotFound(f"No event {event_id}.")
    return event


def changes_of(event: Event) -> list[Event]:
    """The corrections and retractions of an event the person may see, in order."""
    app = services().app
    dossier = app.dossier(None, event.stream) if event.stream else None
    if dossier is None:
        return []
    found = []
    for member in dossier.members:
        event_type = app.catalogue.types.get(member.type)
        if event_type is None or event_type.target_of(member.payload) != str(event.id):
            continue
        change = app.get_event(member.event_id)
        if access.visibility().sees(change):
            found.append(change)
    return found


@blueprint.route("/events/<uuid:event_id>", methods=["GET"])
@page(*READ)
def event_page(event_id: UUID) -> Response:
    app = services().app
    event = visible_event(event_id)
    event_type = app.catalogue.types.get(event.type)
    dossier = app.dossier(None, event.stream) if event.stream else None
    now = dossier.member(event.id, app.catalogue) if dossier is not None else None
    person = access.current_person()
    role = person.role if person else None
    changeable = (
        event_type is not None
        and event_type.effect is Effect.RECORD
        and (now is None or not now.retracted)
    )
    changes = changes_of(event)
    now_reads = (
        sentence({"type": event.type, "payload": now.payload})
        if now is not None and changes and not now.retracted
        else None
    )
    follow_ups = following(event, event_type, role) if changeable and event_type else []
    correct = changer(Effect.CORRECT, role) if changeable else None
    retract = changer(Effect.RETRACT, role) if changeable else None
    return render(
        "event.html",
        event=event,
        flat=event.to_flat(),
        event_type=event_type,
        now=now,
        changes=changes,
        now_reads=now_reads,
        follow_ups=follow_ups,
        correct=correct,
        retract=retract,
        recorded=request.args.get("recorded") == "1",
    )


def following(event: Event, event_type: EventType, role: str | None) -> list[tuple[str, str]]:
    """What may be recorded next in the event's lifecycle (an action's progress, an
    agreement's entry into force...): the types with the field that names the lifecycle,
    which the person's role records, each with a link to its form, filled in."""
    subject = event_type.subject_of(event.payload)
    if subject is None:
        return []
    value = subject.partition(":")[2]
    keys = [k for k, v in event.payload.items() if isinstance(v, str) and v == value]
    if not keys:
        return []
    key = keys[0]
    found = []
    for name, other in sorted(services().catalogue.types.items()):
        if (
            name == event.type
            or other.effect is not Effect.RECORD
            or role not in other.writers
            or key not in other.schema._declared_fields
        ):
            continue
        try:
            same = other.subject_of({key: value}) == subject
        except (KeyError, TypeError, ValueError):  # its lifecycle is named by more fields
            same = False
        if same:
            found.append((name, f"/console/record/{name}?{urlencode({key: value})}"))
    return found


def changer(effect: Effect, role: str | None) -> tuple[str, EventType] | None:
    """The type that corrects (or retracts) events, if the person's role writes it."""
    for name, event_type in services().catalogue.types.items():
        if event_type.effect is effect and role in event_type.writers:
            return name, event_type
    return None


# -- recommendations -------------------------------------------------------------------


@blueprint.route("/recommendations", methods=["GET"])
@page(*READ)
def recommendations() -> Response:
    time = time_query()
    read = reading(time)
    # The list shows no indicators (a recommendation's page does): none are computed,
    # which keeps the page fast on a long log (an indicator may read every fact).
    items = queries.recommendations(read, lambda number: {})
    clusters: dict[str, dict[str, Any]] = {}
    for item in items:
        key = f"{item['part']}.{item['cluster']}" if item.get("cluster") else str(item["part"])
        cluster = clusters.setdefault(
            key,
            {"title": item.get("cluster_title") or key, "items": [], "status": defaultdict(int)},
        )
        cluster["items"].append(item)
        cluster["status"][item["status"]] += 1
    status = request.args.get("status") or None
    if status:
        for cluster in clusters.values():
            cluster["items"] = [i for i in cluster["items"] if i["status"] == status]
    return render(
        "recommendations.html",
        time=time,
        about=about(read, time),
        clusters=clusters,
        statuses=sorted({i["status"] for i in items} | {"not_assessed"}),
        chosen_status=status,
    )


@blueprint.route("/recommendations/<int:number>", methods=["GET"])
@page(*READ)
def recommendation(number: int) -> Response:
    time = time_query()
    read = reading(time)
    item = queries.recommendation(read, number, indicators(read), services().views.figures)
    shown = {"number", "part", "cluster", "cluster_title", "addressee", "text", "status"}
    person = access.current_person()
    writable = [
        name
        for name, t in services().catalogue.types.items()
        if person is not None
        and person.role in t.writers
        and t.effect is Effect.RECORD
        and ("recommendation" in t.schema._declared_fields or name.startswith("Action"))
    ]
    # The evidence as people read it: each citing event's sentence (the API gives ids).
    cumulative = read.period.first is None and read.period.last is None
    evidence = [
        (fact, sentence({"type": fact.type, "payload": fact.payload}))
        for fact in read.facts(recommendation=number, cumulative=cumulative)
    ]
    return render(
        "recommendation.html",
        time=time,
        about=about(read, time),
        item=item,
        evidence=evidence,
        details={k: v for k, v in item.items() if k not in shown},
        writable=sorted(writable),
        total=len(recommendation_catalogue()),
    )


# -- parties ----------------------------------------------------------------------------


@blueprint.route("/parties", methods=["GET"])
@page(*READ)
def parties() -> Response:
    time = time_query()
    read = reading(time)
    only_states_parties = request.args.get("states_parties") == "1"
    items = queries.parties(read, states_parties_only=only_states_parties)
    kind = request.args.get("kind") or None
    if kind:
        items = [i for i in items if i.get("kind") == kind]
    text = request.args.get("q", "").strip().lower()[:100]
    if text:
        items = [i for i in items if text in f"{i['party']} {i.get('name', '')}".lower()]
    return render(
        "parties.html",
        time=time,
        about=about(read, time),
        listing=paged(items),
        only_states_parties=only_states_parties,
        kind=kind,
        q=text,
    )


@blueprint.route("/parties/<string:code>", methods=["GET"])
@page(*READ)
def party_profile(code: str) -> Response:
    code = code.upper()[:20]
    if lookup(code) is None:
        abort(404)
    time = time_query()
    read = reading(time)
    item = queries.party(read, code)
    latest, _ = log_events(EventFilter(party=code), time)
    return render(
        "party.html",
        time=time,
        about=about(read, time),
        code=code,
        item=item,
        events=latest.events,
        more=latest.next_after is not None,
    )


# -- every view -------------------------------------------------------------------------


@blueprint.route("/views", methods=["GET"])
@page(*READ)
def views_index() -> Response:
    names = list(services().views.folds.views)
    return render("views.html", names=names, titled=VIEW_PAGES)


@blueprint.route("/views/<string:name>", methods=["GET"])
@page(*READ)
def view_page(name: str) -> Response:
    """Any view: the built-in ones with the API's filters, plugins' as they come."""
    known = services().views.folds.views
    if name not in known and name not in VIEW_PAGES:
        abort(404)
    time = time_query()
    read = reading(time)
    errors: dict[str, list[str]] = {}
    wanted: dict[str, Any] = {}
    spec = VIEW_PAGES.get(name, {"title": None, "filters": {}})
    for field, kind in spec["filters"].items():
        if kind == "party":
            wanted[field] = _party_filter(field, errors)
        elif isinstance(kind, tuple):
            value = request.args.get(field) or None
            wanted[field] = value if value in kind else None
        else:
            wanted[field] = (request.args.get(field) or "").strip()[:200] or None
    if name == "agreements":
        items = queries.agreements(read, **wanted)
    elif name == "warrants":
        items = queries.warrants(read, **wanted)
    elif name == "requests":
        items = queries.requests(read, **wanted)
    elif name == "witness_protection":
        items = queries.witness_protection(read)
    elif name == "activities":
        kinds = queries.activity_types(services().catalogue)
        chosen = wanted.pop("type")
        items = queries.activities(read, types=[chosen] if chosen in kinds else None, **wanted)
    else:
        items = read.items(name)
    columns: list[str] = []
    for item in items[:50]:
        for key, value in item.items():
            if key not in columns and not isinstance(value, dict | list):
                columns.append(key)
    return render(
        "view.html",
        time=time,
        about=about(read, time),
        name=name,
        spec=spec,
        filters=spec["filters"],
        wanted=wanted,
        errors={**time.errors, **errors},
        listing=paged(items),
        columns=columns[:8],
        activity_types=queries.activity_types(services().catalogue),
    )
