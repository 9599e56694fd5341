"""The Bureau's PAdES signature on the annual report, with a throwaway CA made here:
signing is an incremental update (the report as drawn, PDF/A-3 and its attached data
kept byte for byte); `report verify` checks the signature, the log's signed checkpoint
the report carries and every figure; one changed byte fails it."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pypdf import PdfReader

from auditor import tlog
from cli import main
from core.checkpoints import SigningKey
from followup.bootstrap import bootstrap
from reports.annual import produce
from reports.annual.document import ATTACHMENT
from tests.report_history import SETTINGS, record

pytestmark = pytest.mark.slow


def name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def certificate(subject: str, key, issuer: str, issuer_key, *, ca: bool) -> x509.Certificate:
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name(subject))
        .issuer_name(name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
    )  # fmt: skip
    if not ca:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = certificate("Throwaway test CA", ca_key, "Throwaway test CA", ca_key, ca=True)
    bureau_key = ec.generate_private_key(ec.SECP256R1())
    bureau = certificate(
        "Bureau of the Assembly", bureau_key, "Throwaway test CA", ca_key, ca=False
    )
    stranger_key = ec.generate_private_key(ec.SECP256R1())
    stranger = certificate("Stranger CA", stranger_key, "Stranger CA", stranger_key, ca=True)
    files = {
        "ca": ca.public_bytes(serialization.Encoding.PEM),
        "stranger": stranger.public_bytes(serialization.Encoding.PEM),
        "cert": bureau.public_bytes(serialization.Encoding.PEM),
        "key": bureau_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    }
    paths = {}
    for label, content in files.items():
        paths[label] = folder / f"{label}.pem"
        paths[label].write_bytes(content)
    return paths


def test_a_signed_report_verifies_and_one_changed_byte_fails(
    pki: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_key = SigningKey.generate("icc.example/followup")
    monkeypatch.setenv("FOLLOWUP_LOG_KEY", log_key.text)
    url = f"sqlite:///{tmp_path}/followup.sqlite"
    services = bootstrap(url, load_entry_points=False)
    try:
        record(services.app)
        report = produce(services, year=2024, config=SETTINGS)
    finally:
        services.close()
    # The report carries the log's signed checkpoint of its position, visibly too.
    point = tlog.verify_checkpoint(report.data["checkpoint"], [log_key.verifier]).checkpoint
    assert point.size == report.position
    drawn = tmp_path / "report.pdf"
    drawn.write_bytes(report.pdf)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(report.pdf)).pages)
    assert "icc.example/followup" in text and "signed checkpoint" in text

    signed = tmp_path / "signed.pdf"
    runner = CliRunner()
    made = runner.invoke(
        main,
        ["report", "sign", str(drawn), "-o", str(signed), "--key", str(pki["key"]),
         "--cert", str(pki["cert"])],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    content = signed.read_bytes()
    # An incremental update: the report as drawn is intact, its data still attached.
    assert content.startswith(report.pdf) and len(content) > len(report.pdf)
    assert (
        PdfReader(io.BytesIO(content)).attachments[ATTACHMENT][0]
        == PdfReader(io.BytesIO(report.pdf)).attachments[ATTACHMENT][0]
    )
    metadata = PdfReader(io.BytesIO(content)).trailer["/Root"]["/Metadata"].get_object()
    assert b'pdfaid:part="3"' in metadata.get_data()  # still PDF/A-3

    verify = ["report", "verify", "--database-url", url, "--key", log_key.verifier.text]
    result = runner.invoke(main, [*verify, "--trust", str(pki["ca"]), str(signed)])
    assert result.exit_code == 0, result.output
    assert "signature: PAdES by" in result.output and "checkpoint: signed by" in result.output

    # Not trusted: another CA.
    result = runner.invoke(
        main, [*verify, "--no-redraw", "--trust", str(pki["stranger"]), str(signed)]
    )
    assert result.exit_code == 1 and "not trusted" in result.output

    # One byte changed, in the report's pages (a signed byte): refused.
    altered = bytearray(content)
    at = content.index(b"stream", len(content) // 3) + 20
    altered[at] ^= 0x01
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(bytes(altered))
    result = runner.invoke(main, [*verify, "--trust", str(pki["ca"]), str(changed)])
    assert result.exit_code == 1 and "FAILED" in result.output, result.output
