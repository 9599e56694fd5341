"""schemathesis against the served OpenAPI document: generated requests, valid and not,
for every operation the document lists (the views' too, as they are added). No server
error, no response that breaks the document, and a rejected request never changes the
log."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.server import followup, serve

#: Examples per operation and generation mode: enough to reach every error path, few
#: enough to keep the run well under a minute. `make fuzz` raises it (FOLLOWUP_FUZZ_EXAMPLES).
MAX_EXAMPLES = int(os.environ.get("FOLLOWUP_FUZZ_EXAMPLES", "40"))
#: The suite replays the same examples every run; `make fuzz` draws new ones each time
#: (a failure prints the blob that reproduces it).
FRESH_EXAMPLES = "FOLLOWUP_FUZZ_EXAMPLES" in os.environ


@pytest.fixture(scope="module")
def fuzzed_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{folder}/followup.sqlite"
    token = followup(
        "token", "create", "--role", "focal_point", "--label", "fuzzer", url=url
    ).strip()
    with serve(url, folder / "server.log", workers=2) as running:
        running.tokens["focal_point"] = token
        yield running


def operations(server):
    schema = schemathesis.openapi.from_url(server.base + "/api/openapi.json")
    token = server.tokens["focal_point"]

    # The token as schemathesis's own auth, so that it knows every case carries it.
    @schema.auth()
    class Bearer:
        def get(self, case, context):
            return token

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) >= 5
    return found


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_keeps_its_document_and_the_log(fuzzed_server, mode):
    for operation in operations(fuzzed_server):
        takes_input = any(
            len(part) for part in (operation.path_parameters, operation.query, operation.body)
        ) or any(p.name != "Authorization" for p in operation.headers)
        if mode is GenerationMode.NEGATIVE and not takes_input:
            continue  # nothing to get wrong (health, the document)

        # Cases without the token only meet the 401 before any validation (the
        # security sweep covers that): spend the budget on what the token lets in.
        cases = operation.as_strategy(generation_mode=mode).filter(
            lambda case: not case.operation.schema.is_security_param_negated(case)
        )

        @given(case=cases)
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=not FRESH_EXAMPLES,
            print_blob=FRESH_EXAMPLES,
            database=None,
        )
        def exchange(case):
            before = fuzzed_server.position()
            response = case.call(timeout=30)
            assert response.status_code < 500, response.text[:500]
            if response.status_code >= 400:
                assert fuzzed_server.position() == before, (case.method, case.path)
            # schemathesis keeps headers with lowercase names and lists of values.
            content_type = (response.headers.get("content-type") or [""])[0]
            if mode is GenerationMode.NEGATIVE and response.status_code in (414, 431):
                # gunicorn itself refused it (a request line or headers over its limits)
                # before the app saw it: a rejection, in the API's JSON error body.
                assert content_type.startswith("application/json"), response.text[:300]
                return
            # The document cannot say everything the log checks (dates not before
            # 1998-07-17 nor after today, references to existing records, lifecycle
            # rules...): schema-valid events may still be refused, with 409 or 422.
            case.validate_response(response, excluded_checks=[positive_data_acceptance])

        exchange()
