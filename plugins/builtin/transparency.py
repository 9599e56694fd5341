"""What the log records about proving itself to outsiders: which keys sign its
checkpoints (activated, rotated) and which witnesses cosigned which checkpoint. Like the
scheduler's records, these are the system's own: no role records them through the API,
they name no party and no view counts them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core import fields as f
from core.checkpoints import KEY_ACTIVATED
from core.eventtypes import EventType
from core.witnesses import COSIGNED
from core.words import EVENT, Phrase
from plugins import hookimpl

AREA = "transparency"

#: A note verifier key: NAME+KEYID+BASE64 (auditor/tlog.py).
VERIFIER_KEY = r"^[^\s+]{1,200}\+[0-9a-f]{8}\+[A-Za-z0-9+/]{43}[A-Za-z0-9+/=]{1,2}$"


def _verifier_key(required: bool = True) -> fields.String:
    extra = {"required": True} if required else {"load_default": None}
    return fields.String(
        validate=validate.Regexp(VERIFIER_KEY, error="Not a note verifier key."),
        metadata={"description": "A public key as NAME+KEYID+BASE64 (c2sp.org/signed-note)."},
        **extra,
    )


class LogKeyActivated(Schema):
    key_name = f.text()
    verifier_key = _verifier_key()
    replaces = _verifier_key(required=False)


class CheckpointCosigned(Schema):
    witness = f.text()
    tree_size = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    root = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9+/]{43}=$"))
    cosigned_at = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    signature = f.text(max_length=1000)


# -- how the events read -----------------------------------------------------------

KEY_ACTIVATION = Phrase(
    en="Key {key_name} began to sign the log's checkpoints{replacing}.",
    fr="La clé {key_name} signe désormais les points de contrôle du journal{replacing}.",
    values=lambda p, w: {
        "key_name": p["key_name"],
        "replacing": w.say(en=", replacing an earlier key", fr=", à la place d’une clé antérieure")
        if p.get("replaces")
        else "",
    },
)
COSIGNATURE = Phrase(
    en="Witness {witness} cosigned the log's checkpoint of {events}.",
    fr="Témoin {witness} : cosignature du point de contrôle du journal ({events}).",
    values=lambda p, w: {"witness": p["witness"], "events": w.count(p["tree_size"], EVENT)},
)


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "LogKeyActivated",
            LogKeyActivated,
            AREA,
            "A key began to sign the log's checkpoints (replacing an earlier one, if named).",
            writers=frozenset(),
            system_record=KEY_ACTIVATED,
            sentence=KEY_ACTIVATION,
        ),
        EventType(
            "CheckpointCosigned",
            CheckpointCosigned,
            AREA,
            "A witness cosigned one of the log's checkpoints (its signature line is kept).",
            writers=frozenset(),
            system_record=COSIGNED,
            sentence=COSIGNATURE,
        ),
    ]
