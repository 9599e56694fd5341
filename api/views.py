"""The views (DESIGN.md §5): what the Bureau reads, as of any time (`as_of`), on any
date (`on`), over a period of occurrence (`from`/`to`), at the caller's clearance.
Every answer says what it is of: `as_of`, `on`, `position` and the items or object."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import orjson
from flask import Response, current_app, jsonify
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from api.auth import allow, current_caller
from api.events import AsOf
from api.openapi import response
from core.errors import InvalidEvent, NotFound
from core.fields import PartyCode
from core.roles import READERS
from core.views.model import LEVEL_OF_ROLE, Item, Level
from core.views.reading import ViewReading
from followup.bootstrap import Services
from plugins.builtin import actions, follow_up, queries

blueprint = Blueprint(
    "views",
    __name__,
    description="The state of cooperation, as of any time and on any date.",
)

READ = sorted(READERS)
NOT_FOUND = {"404": response("No such thing.")}

#: What every view answer says it is of.
ABOUT: dict[str, Any] = {
    "as_of": {"type": "string", "nullable": True, "description": "Transaction time read."},
    "on": {"type": "string", "format": "date", "description": "Valid date read."},
    "position": {"type": "integer", "description": "Last log position included."},
    "behind": {
        "type": "integer",
        "description": "Events recorded by the time asked for (as_of, or now) that the "
        "views had not yet folded when this was answered: 0 when the answer is of the "
        "time asked for. The views are kept current in the background; a request waits "
        "a little only for its caller's own recent writes.",
    },
    "final": {
        "type": "boolean",
        "description": "Whether the answer is final: false when as_of is later than the "
        "log has reached (what is recorded until then will change it).",
    },
    "from": {"type": "string", "format": "date", "nullable": True},
    "to": {"type": "string", "format": "date", "nullable": True},
}


def answer(**properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {**ABOUT, **properties},
        "required": ["as_of", "on", "position", "behind", "final", *properties],
    }


LIST_SCHEMA = answer(
    total=({"type": "integer", "description": "Items before paging."}),
    items={"type": "array", "items": {"type": "object"}},
)
ITEM_SCHEMA = answer(item={"type": "object"})
FIGURE_SCHEMA = {
    "type": "object",
    "properties": {"value": {"nullable": True}, "events": {"type": "integer"}},
    "required": ["value", "events"],
}
SUMMARY_SCHEMA = answer(figures={"type": "object", "additionalProperties": FIGURE_SCHEMA})


class ViewQuery(Schema):
    """Time travel and paging, common to every view."""

    class Meta:
        unknown = RAISE

    as_of = AsOf(
        metadata={
            "type": "string",
            "maxLength": 40,
            "description": "The views as the system knew them then (RFC 3339 or a date: the "
            "end of that day, UTC). Default: now.",
        }
    )
    on = fields.Date(
        metadata={
            "description": "The state of the world on this date (later facts are not "
            "yet true). Default: the date of as_of, or today."
        }
    )
    from_ = fields.Date(data_key="from", metadata={"description": "Period of occurrence: from."})
    to = fields.Date(metadata={"description": "Period of occurrence: to (inclusive)."})
    limit = fields.Integer(
        load_default=1000,
        validate=validate.Range(min=1, max=10_000),
        metadata={"description": "At most this many items (default 1000)."},
    )
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**9))

    @validates_schema
    def period(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        start: date | None = data.get("from_")
        end: date | None = data.get("to")
        if start is not None and end is not None and start > end:
            raise ValidationError("Must not be before from.", "to")


class AgreementQuery(ViewQuery):
    kind = fields.String(validate=validate.Length(max=60))
    party = PartyCode(registrable=True)
    status = fields.String(validate=validate.OneOf(["signed", "in_force", "terminated"]))


class WarrantQuery(ViewQuery):
    status = fields.String(
        validate=validate.OneOf(
            [
                "at_large",
                "in_national_custody",
                "arrested",
                "surrendered",
                "serving_sentence",
                "released",
                "closed",
            ]
        )
    )
    situation = fields.String(validate=validate.Length(max=200))
    party = PartyCode(registrable=True)


class RequestQuery(ViewQuery):
    addressee = PartyCode(registrable=True)
    status = fields.String(validate=validate.OneOf(["open", "answered"]))
    category = fields.String(validate=validate.Length(max=60))


class ActionQuery(ViewQuery):
    recommendation = fields.Integer(
        validate=validate.Range(min=1, max=66),
        metadata={"description": "Only actions that advance this recommendation."},
    )
    lead = PartyCode(metadata={"description": "Only actions this party or organisation leads."})
    person = fields.String(
        validate=validate.Length(min=1, max=254),
        metadata={"description": "Only actions this person is responsible for (name or email)."},
    )
    status = fields.String(
        validate=validate.OneOf(["open", "overdue", "completed", "abandoned"]),
        metadata={
            "description": "On the `on` date: open (overdue ones included), overdue (open "
            "past the due date), completed, abandoned. With from/to, completed and "
            "abandoned mean in that period."
        },
    )


class PartyQuery(ViewQuery):
    states_parties = fields.Boolean(
        load_default=False, metadata={"description": "Only States Parties on the date."}
    )


class ActivityQuery(ViewQuery):
    type = fields.List(fields.String(validate=validate.Length(max=100)))
    party = PartyCode(registrable=True)


def services() -> Services:
    found: Services = current_app.extensions["followup"]
    return found


def level() -> Level:
    return LEVEL_OF_ROLE[current_caller().role]


def reading(query: Mapping[str, Any]) -> ViewReading:
    """The views at the caller's clearance, read where they are (a request never
    waits for a long catch-up: the answer says how many events it is `behind`)."""
    return services().views.reading(
        level(),
        as_of=query.get("as_of"),
        on=query.get("on"),
        first=query.get("from_"),
        last=query.get("to"),
        caller=current_caller().recorded_by,
    )


#: orjson writes what the standard library would (keys in their order, int keys as
#: strings); dates and dataclasses go to Flask's own `default`, as jsonify sends them.
ORJSON_OPTIONS = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


def jsonified(body: Mapping[str, Any]) -> Response:
    """jsonify(body), written by orjson: a page of big items (States' records, the
    assessments) is written in a tenth of the time. The same JSON (not the same
    bytes: non-ASCII characters are sent as UTF-8, not escaped); indented in debug."""
    if current_app.debug:
        return jsonify(body)
    provider = current_app.json
    text = orjson.dumps(body, default=getattr(provider, "default", None), option=ORJSON_OPTIONS)
    return current_app.response_class(text + b"\n", mimetype="application/json")


def listed(query: Mapping[str, Any], read: ViewReading, items: list[Item]) -> Response:
    start, limit = query["offset"], query["limit"]
    return jsonified(
        {
            **services().views.envelope(read, query.get("as_of")),
            "total": len(items),
            "items": items[start : start + limit],
        }
    )


def paged(query: Mapping[str, Any], read: ViewReading, total: int, items: list[Any]) -> Response:
    """A page read on its own (the total counted without reading every item)."""
    return jsonified(
        {**services().views.envelope(read, query.get("as_of")), "total": total, "items": items}
    )


def first_page(query: Mapping[str, Any], read: ViewReading, view: str) -> Response:
    """The items of a view, with no filter but the date: only the page's are read."""
    total, items = read.page(view, query["offset"], query["limit"])
    return paged(query, read, total, items)


def unfiltered(query: Mapping[str, Any], *names: str) -> bool:
    return all(query.get(name) is None for name in ("from_", "to", *names))


def single(query: Mapping[str, Any], read: ViewReading, name: str, value: Any) -> Response:
    return jsonified({**services().views.envelope(read, query.get("as_of")), name: value})


def indicators(read: ViewReading) -> Callable[[int], dict[str, Any]]:
    return lambda number: services().views.indicators_for(read, number)


#: The Bureau's dashboard beside the 66 (plugins/builtin/follow_up.py).
STATUS_COUNTS = {"type": "object", "additionalProperties": {"type": "integer"}}
TALLY_PROPERTIES: dict[str, Any] = {
    "recommendations": {"type": "integer"},
    "status": STATUS_COUNTS,
    "status_before": STATUS_COUNTS,
    "actions": STATUS_COUNTS,
}
DASHBOARD_TALLY = {"type": "object", "properties": TALLY_PROPERTIES}
DASHBOARD_SCHEMA = {
    "type": "object",
    "description": "Per cluster and overall: recommendations by status on `on` and on "
    "`before` (`from`, or a year before `on`), actions open and overdue on `on`; and the "
    "recommendations whose status changed in between.",
    "properties": {
        "on": {"type": "string", "format": "date"},
        "before": {"type": "string", "format": "date"},
        "overall": DASHBOARD_TALLY,
        "clusters": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    **TALLY_PROPERTIES,
                    "cluster": {"type": "string"},
                    "title": {"type": "string"},
                },
            },
        },
        "changed": {"type": "array", "items": {"type": "object"}},
    },
}
RECOMMENDATIONS_SCHEMA = answer(
    total=LIST_SCHEMA["properties"]["total"],
    items=LIST_SCHEMA["properties"]["items"],
    dashboard=DASHBOARD_SCHEMA,
)


LIST_DOC = {"200": response("The items, and what they are of (as_of, on, position).", LIST_SCHEMA)}


@blueprint.route("/summary", methods=["GET"])
@allow(*READ)
@blueprint.arguments(ViewQuery, location="query", as_kwargs=True, unknown=RAISE)
@blueprint.doc(
    responses={"200": response("Headline figures: {name: {value, events}}.", SUMMARY_SCHEMA)}
)
def summary(**query: Any) -> Response:
    """Headline figures

    Every figure has a stable name (README, "Summary figures") and says how many events
    contributed to it; GET /audit/explain lists them."""
    read = reading(query)
    return single(query, read, "figures", services().views.summary(read))


@blueprint.route("/parties", methods=["GET"])
@allow(*READ)
@blueprint.arguments(PartyQuery, location="query", as_kwargs=True, unknown=RAISE)
@blueprint.doc(responses=LIST_DOC)
def list_parties(**query: Any) -> Response:
    """States and organisations

    Party to the Statute since/until, legislation, APIC, focal and contact points,
    agreements, arrests and surrenders facilitated, requests addressed to it."""
    read = reading(query)
    if not query["states_parties"]:
        return paged(query, read, *queries.parties_page(read, query["offset"], query["limit"]))
    return listed(query, read, queries.parties(read, states_parties_only=True))


@blueprint.route("/parties/<string:code>", methods=["GET"])
@allow(*READ)
@blueprint.arguments(ViewQuery, location="query", as_kwargs=True, unknown=RAISE)
@blueprint.doc(
    responses={**NOT_FOUND, "200": response("One party, with its activities.", ITEM_SCHEMA)}
)
def get_party(code: str, **query: Any) -> Response:
    """One State or organisation

    With its activities (workshops, visas, experts, gratis personnel) in the period, or
    up to the date without one."""
    read = reading(query)
    return single(query, read, "item", queries.party(read, code))


@blueprint.route("/recommendations", methods=["GET"])
@allow(*READ)
@blueprint.arguments(ViewQuery, location="query", as_kwargs=True, unknown=RAISE)
@blueprint.doc(
    responses={
        "200": response(
            "The 66 and their follow-up, and the dashboard (what they are of: as_of, on, "
            "position).",
            RECOMMENDATIONS_SCHEMA,
        )
    }
)
def list_recommendations(**query: Any) -> Response:
    """The 66 recommendations and the dashboard

    Each with its status on `on` (rationale, date, who assessed it, since when, the
    status before), how many events cite it, its actions (open, overdue, completed,
    abandoned), the States' self-assessments, the plugins' indicators and those defined
    with targets (value, baseline, target, status). `dashboard`: per cluster and
    overall, statuses on `on` and a year before (or on `from`), actions open and
    overdue, and the recommendations whose status changed in between."""
    read = reading(query)
    views = services().views
    overview = follow_up.Overview(read, views.indicators, views.figures)
    rows = overview.rows()
    start, limit = query["offset"], query["limit"]
    return jsonified(
        {
            **services().views.envelope(read, query.get("as_of")),
            "total": len(rows),
            "items": rows[start : start + limit],
            "dashboard": follow_up.dashboard(overview, rows),
        }
    )


@blueprint.route("/recommendations/<int:number>", methods=["GET"])
@allow(*READ)
@blueprint.arguments(ViewQuery, location="query", as_kwargs=True, unknown=RAISE)
@blueprint.doc(
    responses={**NOT_FOUND, "200": response("One recommendation and its events.", ITEM_SCHEMA)}
)
def get_recommendation(number: int, **query: Any) -> Response:
    """One recommendation

    With its whole follow-up on `on`: every assessment (who, when, why), its actions
    as they stood, the events that cite it (in log order), the States' answers about
    it, and its indicators with their trend."""
    read = reading(query)
    found = queries.recommendation(read, number, indicators(read), services().views.figures)
    return single(query, read, "item", found)


@blueprint.route("/actions", methods=["GET"])
@allow(*READ)
@blueprint.arguments(ActionQuery, location="query", as_kwargs=True, unknown=RAISE)
@blueprint.doc(responses=LIST_DOC)
def list_actions(**query: Any) -> Response:
    """Actions planned to follow up the recommendations

    Each as it stood on `on`: its recommendations, lead, person responsible, due date
    (after any rescheduling), progress, state (`open`, `overdue`, `completed`,
    `abandoned`) and evidence. Filters: `recommendation`, `lead`, `person`, `status`;
    with `from`/`to`, completed (or abandoned) in that period."""
    read = reading(query)
    found = actions.actions(
        read.items("actions"),
        read.period,
        recommendation=query.get("recommendation"),
        lead=query.get("lead"),
        person=query.get("person"),
        status=query.get("status"),
    )
    return listed(query, read, found)


@blueprint.route("/actions/<string:action>", methods=["GET"])
@allow(*READ)
@blueprint.arguments(ViewQuery, location="query", as_kwargs=True, unknown=RAISE)
@blueprint.doc(responses={**NOT_FOUND, "200": response("One action and its history.", ITEM_SCHEMA)})
def get_action(action: str, **query: Any) -> Response:
    """One action

    As it stood on `on`, with its progress reports, reschedulings and evidence."""
    read = reading(query)
    found = read.item("actions", action) if len(action) <= 100 else None
    if found is None:
        raise NotFound(f"No action {action[:100]!r} on {read.period.on.isoformat()}.")
    return single(query, read, "item", actions.on_the_day(found, read.period.on))


@blueprint.route("/agreements", methods=["GET"])
@allow(*READ)
@blueprint.arguments(AgreementQuery, location="query", as_kwargs=True, unknown=RAISE)
@blueprint.doc(responses=LIST_DOC)
def list_agreements(**query: Any) -> Response:
    """Agreements with the Court

    Status (`signed`, `in_force`, `terminated`) on the `on` date."""
    read = reading(query)
    if unfiltered(query, "kind", "party", "status"):
        return first_page(query, read, "agreements")
    found = queries.agreements(
        read, kind=query.get("kind"), party=query.get("party"), status=query.get("status")
    )
    return listed(query, read, found)


@blueprint.route("/warrants", methods=["GET"])
@allow(*READ)
@blueprint.arguments(WarrantQuery, location="query", as_kwargs=True, unknown=RAISE)
@blueprint.doc(responses=LIST_DOC)
def list_warrants(**query: Any) -> Response:
    """Arrest warrants

    Status (`at_large`, `arrested`, `surrendered`, `closed`) on the `on` date."""
    read = reading(query)
    if unfiltered(query, "status", "situation", "party"):
        return first_page(query, read, "warrants")
    found = queries.warrants(
        read,
        status=query.get("status"),
        situation=query.get("situation"),
        party=query.get("party"),
    )
    return listed(query, read, found)


@blueprint.route("/requests", methods=["GET"])
@allow(*READ)
@blueprint.arguments(RequestQuery, location="query", as_kwargs=True, unknown=RAISE)
@blueprint.doc(responses=LIST_DOC)
def list_requests(**query: Any) -> Response:
    """Requests for assistance

    Open or answered on the `on` date, with days to answer."""
    read = reading(query)
    if unfiltered(query, "addressee", "status", "category"):
        return first_page(query, read, "requests")
    found = queries.requests(
        read,
        addressee=query.get("addressee"),
        status=query.get("status"),
        category=query.get("category"),
    )
    return listed(query, read, found)


@blueprint.route("/witness-protection", methods=["GET"])
@allow(*READ)
@blueprint.arguments(ViewQuery, location="query", as_kwargs=True, unknown=RAISE)
@blueprint.doc(responses=LIST_DOC)
def list_witness_protection(**query: Any) -> Response:
    """Witness protection applications

    Persons covered and relocations by the `on` date."""
    read = reading(query)
    if unfiltered(query):
        return first_page(query, read, "witness_protection")
    return listed(query, read, queries.witness_protection(read))


@blueprint.route("/activities", methods=["GET"])
@allow(*READ)
@blueprint.arguments(ActivityQuery, location="query", as_kwargs=True, unknown=RAISE)
@blueprint.doc(responses=LIST_DOC)
def list_activities(**query: Any) -> Response:
    """Activities

    Workshops, visits, statements, resolutions and the other actions without a lifecycle,
    that occurred in the period (as corrected)."""
    known = queries.activity_types(services().catalogue)
    unknown = {str(i): t for i, t in enumerate(query.get("type") or []) if t not in known}
    if unknown:
        message = f"Must be one of: {', '.join(known)}."
        raise InvalidEvent({"type": {index: [message] for index in unknown}})
    read = reading(query)
    total, found = queries.activities_page(
        read,
        types=query.get("type"),
        party=query.get("party"),
        offset=query["offset"],
        limit=query["limit"],
    )
    return paged(query, read, total, found)


@blueprint.route("/views/<string:name>", methods=["GET"])
@allow(*READ)
@blueprint.arguments(ViewQuery, location="query", as_kwargs=True, unknown=RAISE)
@blueprint.doc(responses={**NOT_FOUND, **LIST_DOC})
def list_view(name: str, **query: Any) -> Response:
    """Any view by name

    Every view plugins contribute, including third parties' (items as folded, shown on
    the `on` date)."""
    views = services().views
    if name not in views.folds.views:
        raise NotFound(f"No view {name!r}; views: {', '.join(views.folds.views)}.")
    return first_page(query, reading(query), name)
