"""The annual report over real HTTP against `followup serve`: the Bureau downloads the
PDF, the command line draws the same bytes for the same `as_of` in another process, and
`followup report verify` accepts the downloaded file."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.roles import ROLES
from tests.report_history import EVENTS, settings_file
from tests.server import followup, serve

pytestmark = pytest.mark.slow


def download(base: str, path: str, token: str) -> tuple[int, dict[str, str], bytes]:
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_the_bureau_downloads_the_report_the_command_line_draws_and_verifies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The heading's settings, for the server and the command line alike.
    monkeypatch.setenv("FOLLOWUP_REPORT_CONFIG", settings_file(tmp_path))
    url = f"sqlite:///{tmp_path}/followup.sqlite"
    followup("init", url=url)
    history = tmp_path / "history.jsonl"
    history.write_text("".join(json.dumps(event) + "\n" for event in EVENTS))
    followup("events", "import", str(history), url=url)
    tokens = {
        role: followup("token", "create", "--role", role, "--label", role, url=url).strip()
        for role in ROLES
    }
    with serve(url, tmp_path / "server.log", workers=2) as server:
        status, headers, body = download(
            server.base, "/api/v1/reports/annual/2024.pdf", tokens["bureau"]
        )
        assert status == 200, body[:500]
        assert headers["Content-Type"] == "application/pdf"
        assert body.startswith(b"%PDF-1.7")
        refused, _, _ = download(
            server.base, "/api/v1/reports/annual/2024.pdf", tokens["focal_point"]
        )
        assert refused == 403
    as_of, position = headers["X-Followup-As-Of"], headers["X-Followup-Position"]
    downloaded = tmp_path / "downloaded.pdf"
    downloaded.write_bytes(body)
    drawn = tmp_path / "drawn.pdf"
    output = followup("report", "--year", "2024", "--as-of", as_of, "-o", str(drawn), url=url)
    assert f"log position {position}, as of {as_of}" in output
    assert drawn.read_bytes() == body
    verified = subprocess.run(
        [sys.executable, "-m", "cli", "report", "verify", str(downloaded), "--database-url", url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.startswith(
        f"OK report on 2024 (2024-01-01 to 2024-12-31) at log position {position}"
    )
    assert "pages: a fresh rendering of the attached data (en) is byte-identical" in verified.stdout
