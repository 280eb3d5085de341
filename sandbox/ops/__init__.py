"""The sandbox's operations, one module per area of the API (importing registers them)."""

from sandbox.ops import (  # noqa: F401
    appointments,
    classes,
    communications,
    customers,
    idleperiods,
    memberships,
    selfservice,
    studios,
    trialoffers,
    vouchers,
)
