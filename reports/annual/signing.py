"""The Bureau's signature on its report: PAdES (ETSI EN 319 142, B-B level) by pyhanko,
added as an incremental update, so the report's own revision, its PDF/A-3 parts and its
attached data stay byte for byte as they were drawn (and `report verify` still draws
them again to compare).

Configured by files outside the store: FOLLOWUP_REPORT_SIGNING_KEY (the private key,
PEM, unencrypted or with FOLLOWUP_REPORT_SIGNING_PASSPHRASE), FOLLOWUP_REPORT_SIGNING_CERT
(the Bureau's certificate, PEM) and optionally FOLLOWUP_REPORT_SIGNING_CHAIN
(intermediate certificates, PEM). Verification trusts the certificates given with
`report verify --trust CA.pem` (or FOLLOWUP_REPORT_TRUST)."""

from __future__ import annotations

import io
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reports.errors import ReportError

KEY_VARIABLE = "FOLLOWUP_REPORT_SIGNING_KEY"
CERT_VARIABLE = "FOLLOWUP_REPORT_SIGNING_CERT"
CHAIN_VARIABLE = "FOLLOWUP_REPORT_SIGNING_CHAIN"
PASSPHRASE_VARIABLE = "FOLLOWUP_REPORT_SIGNING_PASSPHRASE"  # noqa: S105 (a name)
TRUST_VARIABLE = "FOLLOWUP_REPORT_TRUST"
FIELD = "BureauSignature"


def sign(
    document: bytes,
    key: Path | None = None,
    cert: Path | None = None,
    chain: Sequence[Path] = (),
    environ: Mapping[str, str] = os.environ,
) -> bytes:
    """The report signed by the Bureau (an incremental update of `document`)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    key = key or _path(environ, KEY_VARIABLE)
    cert = cert or _path(environ, CERT_VARIABLE)
    if key is None or cert is None:
        raise ReportError(
            f"Signing needs the Bureau's key and certificate: {KEY_VARIABLE}, {CERT_VARIABLE}."
        )
    if not chain and environ.get(CHAIN_VARIABLE):
        chain = [Path(environ[CHAIN_VARIABLE])]
    passphrase = environ.get(PASSPHRASE_VARIABLE)
    signer = signers.SimpleSigner.load(
        str(key),
        str(cert),
        ca_chain_files=tuple(str(p) for p in chain),
        key_passphrase=passphrase.encode() if passphrase else None,
    )
    if signer is None:
        raise ReportError(f"Cannot load the signing key {key} with the certificate {cert}.")

    class KeepingMetadata(IncrementalPdfFileWriter):
        """pyhanko rewrites the XMP metadata it finds as a plain stream with a fresh
        packet of its own, which drops the PDF/A-3 identification: the update leaves
        the report's metadata as drawn (the signature carries its own time)."""

        def _update_meta(self) -> None:
            return None

    writer = KeepingMetadata(io.BytesIO(document), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason="Report of the Bureau on cooperation",
    )
    out = signers.sign_pdf(writer, meta, signer=signer)
    return bytes(out.getbuffer())


def _path(environ: Mapping[str, str], name: str) -> Path | None:
    value = environ.get(name)
    return Path(value) if value else None


@dataclass
class SignatureCheck:
    """What the Bureau's signature on a report says; `ok` when it is intact, valid,
    trusted and covers the whole file."""

    signer: str = ""
    signed_at: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def signatures(document: bytes) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return len(PdfFileReader(io.BytesIO(document), strict=False).embedded_signatures)
    except Exception:
        return 0


def check(
    document: bytes, trust: Sequence[Path] = (), environ: Mapping[str, str] = os.environ
) -> SignatureCheck:
    """Validate the report's PAdES signature against the trusted certificates."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    if not trust and environ.get(TRUST_VARIABLE):
        trust = [Path(environ[TRUST_VARIABLE])]
    found = SignatureCheck()
    try:
        reader = PdfFileReader(io.BytesIO(document), strict=False)
        embedded = reader.embedded_signatures
    except Exception as error:
        found.problems.append(f"the signed file cannot be read: {error}")
        return found
    if len(embedded) != 1:
        found.problems.append(f"{len(embedded)} signatures; the Bureau's report has one")
        return found
    signature = embedded[0]
    try:
        context = ValidationContext(trust_roots=[load_cert_from_pemder(str(p)) for p in trust])
        status = validate_pdf_signature(signature, context)
    except Exception as error:
        found.problems.append(f"the signature cannot be validated: {error}")
        return found
    found.signer = status.signing_cert.subject.human_friendly if status.signing_cert else ""
    found.signed_at = str(status.signer_reported_dt or "")
    if not status.intact or not status.valid:
        found.problems.append("the signature does not verify: the signed bytes were altered")
    if not status.trusted:
        found.problems.append("the signing certificate is not trusted (give --trust CA.pem)")
    if status.coverage is None or status.coverage.name != "ENTIRE_FILE":
        found.problems.append("the file was changed after it was signed")
    return found
