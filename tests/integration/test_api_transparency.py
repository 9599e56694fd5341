"""The proofs over HTTP: the signed checkpoint, inclusion proofs with the events'
visibility (a proof reveals hashes, never a payload; an event the caller may not see
is 404), consistency proofs, and witnesses' cosignatures (checked, then recorded)."""

from __future__ import annotations

import base64
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from auditor import tlog
from core.checkpoints import SigningKey

MARKER = "confidential-marker-7c1"


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> SigningKey:
    key = SigningKey.generate("icc.example/followup")
    monkeypatch.setenv("FOLLOWUP_LOG_KEY", key.text)
    return key


def workshop(n: int, classification: str = "public") -> dict:
    return {
        "type": "WorkshopHeld",
        "occurred_on": "2010-05-05",
        "title": f"Workshop {n} {MARKER if classification == 'confidential' else ''}",
        "organiser": "ICC",
        "participants": ["KEN"],
        "attendees": n,
        "topics": [],
        "classification": classification,
    }


def test_checkpoint_and_proofs_over_http(api_client, key: SigningKey) -> None:
    api = api_client
    created = [api.post("/api/v1/events", workshop(n)).get_json() for n in range(70)]
    hidden = api.post("/api/v1/events", workshop(99, "confidential"), who="focal_point_2")
    hidden_id = hidden.get_json()["id"]
    api.post("/api/v1/events", workshop(100))

    answer = api.get("/api/v1/audit/checkpoint", who="bureau")
    assert answer.status_code == 200 and answer.mimetype == "text/plain"
    verified = tlog.verify_checkpoint(answer.get_data(as_text=True), [key.verifier])
    point = verified.checkpoint
    assert point.origin == "icc.example/followup" and point.size == api.head_position()

    for event in (created[0], created[64], created[69]):
        proof = api.get(f"/api/v1/events/{event['id']}/proof").get_json()
        assert MARKER not in str(proof) and "title" not in proof and "leaf" not in proof
        tlog.verify_inclusion(
            proof["leaf_index"],
            point.size,
            bytes.fromhex(proof["leaf_hash"]),
            [bytes.fromhex(h) for h in proof["hashes"]],
            point.root,
        )
    # The confidential event of another focal point: no proof, as if absent.
    assert api.get(f"/api/v1/events/{hidden_id}/proof").status_code == 404
    assert api.get(f"/api/v1/events/{hidden_id}/proof", who="bureau").status_code == 404
    assert api.get(f"/api/v1/events/{hidden_id}/proof", who="auditor").status_code == 200
    assert api.get(f"/api/v1/events/{hidden_id}/proof", who="admin").status_code == 403
    assert api.get(f"/api/v1/events/{created[3]['id']}/proof?size=2").status_code == 404

    small = tlog.verify_checkpoint(
        api.get("/api/v1/audit/checkpoint?size=30").get_data(as_text=True), [key.verifier]
    ).checkpoint
    proof = api.get(f"/api/v1/audit/consistency?from=30&to={point.size}").get_json()
    tlog.verify_consistency(
        30, point.size, small.root, point.root, [bytes.fromhex(h) for h in proof["hashes"]]
    )
    assert api.get("/api/v1/audit/consistency?from=9&to=3").status_code == 422
    assert api.get("/api/v1/audit/consistency?from=3&to=9999").status_code == 404
    assert api.get("/api/v1/audit/checkpoint?size=9999").status_code == 404


def test_no_key_no_checkpoint(api_client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FOLLOWUP_LOG_KEY", raising=False)
    monkeypatch.delenv("FOLLOWUP_LOG_KEY_FILE", raising=False)
    answer = api_client.get("/api/v1/audit/checkpoint", who="auditor")
    assert answer.status_code == 404 and "FOLLOWUP_LOG_KEY" in answer.get_json()["message"]


def cosign(private: Ed25519PrivateKey, name: str, signed: str, when: int) -> tuple[str, str]:
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    witness = tlog.VerifierKey(name, tlog.COSIGNATURE, public)
    note = tlog.Note.parse(signed)
    signature = private.sign(tlog.cosigned_message(note.text, when))
    line = tlog.Signature(name, witness.id, when.to_bytes(8, "big") + signature)
    return tlog.Note(note.text, (*note.signatures, line)).signed, witness.text


def test_witness_cosignatures_are_checked_and_recorded(
    api_client, key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = api_client
    for n in range(5):
        api.post("/api/v1/events", workshop(n))
    signed = api.get("/api/v1/audit/checkpoint").get_data(as_text=True)
    private = Ed25519PrivateKey.generate()
    cosigned, witness = cosign(private, "witness.example/w1", signed, int(time.time()))
    monkeypatch.setenv("FOLLOWUP_WITNESS_KEYS", witness)

    def post(body: str, who: str = "auditor"):
        return api.client.post(
            "/api/v1/audit/cosignatures",
            data=body.encode(),
            headers=api.headers(who, **{"Content-Type": "text/plain"}),
        )

    assert post(cosigned, who="focal_point").status_code == 403
    before = api.head_position()
    answer = post(cosigned)
    assert answer.status_code == 201, answer.get_json()
    assert api.head_position() == before + 1
    recorded = api.get("/api/v1/events?type=CheckpointCosigned", who="auditor").get_json()
    assert recorded["items"][0]["witness"] == "witness.example/w1"

    # A cosignature that does not verify, one by an unknown witness, a checkpoint that
    # is not the log's: refused, nothing recorded.
    broken = cosigned[:-6] + ("A" if cosigned[-6] != "A" else "B") + cosigned[-5:]
    stranger, _ = cosign(Ed25519PrivateKey.generate(), "witness.example/w1", signed, 1)
    other = SigningKey.generate("icc.example/followup")
    foreign = tlog.Note(tlog.Note.parse(signed).text, (other.sign(tlog.Note.parse(signed).text),))
    for body in (broken, stranger, foreign.signed, "not a note"):
        answer = post(body)
        assert answer.status_code == 422, (body, answer.get_json())
    assert api.head_position() == before + 1
    assert (
        base64.b64decode(recorded["items"][0]["root"])
        == tlog.Checkpoint.parse(tlog.Note.parse(signed).text).root
    )
