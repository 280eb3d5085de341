from __future__ import annotations

import pytest

from portal.upstream import SANDBOX_INPROCESS_BASE, client_for, session_for
from sandbox.adapter import SandboxAdapter
from tests.contract.openapi import SPEC_PATH, ContractLog, ValidatingAdapter, spec_available


@pytest.fixture
def contract_log(demo_studio):
    """The demo client's session, with every request and response checked against the description."""
    if not spec_available():
        pytest.skip(f"OpenAPI description not found at {SPEC_PATH} (it lives in ../shared/reference)")
    log = ContractLog()
    session_for(demo_studio).mount(SANDBOX_INPROCESS_BASE + "/", ValidatingAdapter(SandboxAdapter(), log))
    return log


@pytest.fixture
def checked_client(demo_studio, contract_log):
    return client_for(demo_studio, language="en")
