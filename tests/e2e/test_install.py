"""The project as a user installs it: the sdist and the wheel built from this checkout,
the wheel installed (not editable, with its dependencies) into a fresh virtualenv in a
temporary folder outside the checkout, and the `followup` command run there from start
to finish. The rest of the suite runs in the editable install, which sees every folder
of the checkout whether the wheel ships it or not (core/views/ once went missing)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import time
import urllib.request
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from tests.report_history import EVENTS
from tests.server import free_port

CHECKOUT = Path(__file__).resolve().parents[2]
#: Top-level folders of the checkout that are not installed.
NOT_INSTALLED = ("tests", "bench", "scripts")

pytestmark = pytest.mark.slow


def tracked_package_files() -> list[str]:
    """Files git tracks under the checkout's import packages (folders with an
    __init__.py at the top), which the wheel must all carry."""
    listed = subprocess.run(
        ["git", "ls-files"], cwd=CHECKOUT, capture_output=True, text=True, check=True
    ).stdout.split("\n")
    packages = {
        path.split("/")[0]
        for path in listed
        if path.count("/") == 1 and path.endswith("/__init__.py")
    }
    return sorted(
        path for path in listed if path and path.split("/")[0] in packages - set(NOT_INSTALLED)
    )


def test_every_folder_of_code_is_a_package():
    """A folder of .py files is a package of its own, with an __init__.py (`find:`
    skipped any without one; `find_namespace:` would ship it as a namespace package)."""
    folders = {str(Path(path).parent) for path in tracked_package_files() if path.endswith(".py")}
    missing = sorted(f for f in folders if not (CHECKOUT / f / "__init__.py").exists())
    assert not missing, f"folders without __init__.py (left out of the wheel): {missing}"


def run(command: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 300) -> str:
    started = time.monotonic()
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    print(f"{time.monotonic() - started:5.1f} s  {' '.join(command[:3])}")
    assert result.returncode == 0, (
        f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The wheel installed into a fresh virtualenv; the environment to run it in (no
    PYTHONPATH, the virtualenv first on PATH, working folder outside the checkout)."""
    root = tmp_path_factory.mktemp("install")
    assert not root.is_relative_to(CHECKOUT)
    started = time.monotonic()
    # The sdist first, then the wheel built from the unpacked sdist: both are checked.
    run(
        [sys.executable, "-m", "build", "--outdir", str(root / "dist"), str(CHECKOUT)],
        cwd=root,
        env=dict(os.environ),
    )
    wheel = next((root / "dist").glob("followup-*.whl"))
    sdist = next((root / "dist").glob("followup-*.tar.gz"))
    shipped = set(zipfile.ZipFile(wheel).namelist())
    missing = [path for path in tracked_package_files() if path not in shipped]
    assert not missing, f"files of the packages not in the wheel: {missing}"
    with tarfile.open(sdist) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert not [path for path in tracked_package_files() if path not in in_sdist]
    built = time.monotonic()
    venv = root / "venv"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    # The virtualenv gets no pip of its own: this suite's pip installs into it
    # (--python), resolving every dependency as for any user; and .pyc files are
    # written on first import only. Both spare seconds the install itself does not need.
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=root, env=env)
    python = str(venv / "bin" / "python")
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            python,
            "install",
            "-q",
            "--no-compile",
            str(wheel),
        ],
        cwd=root,
        env=env,
    )
    print(f"built in {built - started:.1f} s, installed in {time.monotonic() - built:.1f} s")
    work = root / "work"
    work.mkdir()
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["FOLLOWUP_DATABASE_URL"] = f"sqlite:///{work}/followup.sqlite"
    env.pop("FOLLOWUP_DISABLE_PLUGINS", None)
    return work, env


def test_the_installed_wheel_runs_followup_from_start_to_finish(installed):
    work, env = installed
    # The code runs from the virtualenv, not from the checkout.
    where = run(
        [
            "python",
            "-c",
            "import api, cli, core.views, plugins, reports; print(core.views.__file__)",
        ],
        cwd=work,
        env=env,
    )
    assert "site-packages" in where and not Path(where.strip()).is_relative_to(CHECKOUT)

    run(["followup", "init"], cwd=work, env=env)
    history = work / "history.jsonl"
    history.write_text("".join(json.dumps(event) + "\n" for event in EVENTS))
    assert f"{len(EVENTS)} events" in run(
        ["followup", "events", "import", str(history)], cwd=work, env=env
    )

    state = json.loads(run(["followup", "state"], cwd=work, env=env))
    assert state["position"] == len(EVENTS) and state["events"] == len(EVENTS)
    assert state["types"] == dict(Counter(event["type"] for event in EVENTS))
    assert state["figures"]["agreements.all.signed"]["value"] == 4

    report = work / "report-2024.pdf"
    run(["followup", "report", "--year", "2024", "--draft", "-o", str(report)], cwd=work, env=env)
    assert report.read_bytes().startswith(b"%PDF-")
    verified = run(["followup", "report", "verify", "--no-redraw", str(report)], cwd=work, env=env)
    assert verified.startswith("OK report on 2024")

    port = free_port()
    server = subprocess.Popen(
        ["followup", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/v1/health", timeout=2
                ) as response:
                    health = json.load(response)
                break
            except OSError:
                assert server.poll() is None, "followup serve stopped"
                assert time.monotonic() < deadline, "followup serve never answered"
                time.sleep(0.2)
        assert health == {"status": "ok"}  # nothing about the log to whom has no token
        console_signs_in(work, env, f"http://127.0.0.1:{port}")
    finally:
        server.terminate()
        server.wait(timeout=30)

    # The console's account is recorded in the log too (AccountOpened).
    assert run(["followup", "verify"], cwd=work, env=env).startswith(f"OK {len(EVENTS) + 1} events")


def console_signs_in(work: Path, env: dict[str, str], base: str) -> None:
    """The console from the wheel: its templates, style sheet and French catalogue are
    there, and a person opened by `followup person create` signs in with a TOTP code."""
    import http.cookiejar
    import re
    import urllib.parse

    import pyotp

    result = subprocess.run(
        ["followup", "person", "create", "--email", "fp@example.org", "--name", "Ana",
         "--role", "focal_point", "--password-stdin"],
        cwd=work, env=env, input="a long enough password\n", capture_output=True, text=True,
        timeout=120, check=True,
    )  # fmt: skip
    secret = re.search(r"secret: ([A-Z2-7]+)", result.stdout).group(1)  # type: ignore[union-attr]
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )

    def fetch(path: str, form: dict[str, str] | None = None, **headers: str) -> str:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(base + path, data=data, headers=headers)
        with opener.open(request, timeout=30) as response:
            return str(response.read().decode())

    assert "Se connecter" in fetch("/console/sign-in", **{"Accept-Language": "fr"})
    assert "--ink" in fetch("/console/static/console.css")
    page = fetch("/console/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    page = fetch(
        "/console/sign-in",
        {"csrf_token": token, "email": "fp@example.org", "password": "a long enough password"},
    )
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    page = fetch("/console/sign-in/code", {"csrf_token": token, "code": pyotp.TOTP(secret).now()})
    assert "Headline figures" in page and "Ana" in page
