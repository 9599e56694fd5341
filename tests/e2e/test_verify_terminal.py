"""`followup verify` shows a progress bar on a terminal, and only there."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from followup.bootstrap import bootstrap
from tests.samples import every_type


def test_a_progress_bar_on_a_terminal_only(sqlite_url):
    services = bootstrap(sqlite_url, load_entry_points=False)
    app = services.app
    app.record_batch([app.validate(e) for e in every_type()[:5]], "tester", None)
    services.close()
    command = [sys.executable, "-m", "cli", "verify", "--database-url", sqlite_url]

    master, slave = pty.openpty()
    process = subprocess.Popen(command, stdout=slave, stderr=slave)
    process.wait(timeout=60)
    os.close(slave)
    output = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal closed
            break
        if not chunk:
            break
        output += chunk
    os.close(master)
    text = output.decode(errors="replace")
    assert process.returncode == 0, text
    assert "verifying" in text and "100%" in text
    assert "OK 5 events, head " in text

    piped = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert piped.returncode == 0
    assert piped.stdout.startswith("OK 5 events, head ")
    assert "verifying" not in piped.stdout + piped.stderr
