"""What the log records about proving itself to outsiders: which keys sign its
checkpoints (activated, rotated) and which witnesses cosigned which checkpoint. Like the
scheduler's records, these are the system's own: no role records them through the API,
they name no party and no view counts them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core import fields as f
from core.eventtypes import EventType
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


@hookimpl
def followup_event_types() -> list[EventType]:
    return [
        EventType(
            "LogKeyActivated",
            LogKeyActivated,
            AREA,
            "A key began to sign the log's checkpoints (replacing an earlier one, if named).",
            writers=frozenset(),
        ),
        EventType(
            "CheckpointCosigned",
            CheckpointCosigned,
            AREA,
            "A witness cosigned one of the log's checkpoints (its signature line is kept).",
            writers=frozenset(),
        ),
    ]
