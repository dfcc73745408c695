"""The service against its own OpenAPI document, with schemathesis (in-process ASGI, bounded examples).

Every generated request must get a documented status code and a body that matches the schema of
that response: 200 results match schemas/result.schema.json, 413/422 bodies match the error schema,
and nothing ever answers 5xx.
"""

from __future__ import annotations

import schemathesis
from schemathesis import checks
from hypothesis import HealthCheck, settings

from engine.live import LiveRuleBook
from engine.service import create_app

app = create_app(LiveRuleBook())
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
# Explicit examples and bounded fuzzing only: the coverage phase enumerates boundary values of
# every field of the application schema, hundreds of requests, too slow for the everyday suite.
schema.config.phases.coverage.enabled = False


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_service_honours_its_openapi(case):
    # A schema-valid application may still be refused with 422: the service also checks what a
    # schema cannot say (ID-card and credit-code checksums, province spellings), so "schema-valid
    # data must be accepted" does not hold by design. Every other check applies.
    case.call_and_validate(excluded_checks=[checks.positive_data_acceptance])
