"""One client for the PerfectGym Next API: one method per operation.

``PerfectGymClient`` is composed from one class per API area (a module here
each, beside the models' module of the same name); every method goes through
``Transport._call`` (``transport.py``): one place for the API key, language,
timeouts, retries (reads only), error mapping, response checking and logging.
``OPERATIONS`` lists every operation the client implements, for the contract tests.
"""

from __future__ import annotations

from portal.perfectgym.client import (
    amendments,
    appointments,
    classes,
    communication,
    contracts,
    customers,
    idleperiods,
    studios,
    trialoffers,
)

__all__ = ["OPERATIONS", "PerfectGymClient"]

_AREAS = (trialoffers, classes, appointments, customers, contracts, idleperiods, amendments, communication, studios)

# operationId -> (HTTP method, path template as in the spec).
OPERATIONS: dict[str, tuple[str, str]] = {name: op for area in _AREAS for name, op in area.OPERATIONS.items()}


class PerfectGymClient(
    trialoffers.TrialOffersApi,
    classes.ClassesApi,
    appointments.AppointmentsApi,
    customers.CustomersApi,
    contracts.ContractsApi,
    idleperiods.IdlePeriodsApi,
    amendments.AmendmentsApi,
    communication.CommunicationApi,
    studios.StudiosApi,
):
    """The whole API on one tenant: ``PerfectGymClient(base_url=..., api_key=..., session=...)``."""
