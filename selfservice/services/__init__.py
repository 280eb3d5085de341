"""Member self-service: what the views call, by topic.

- ``sign_in``: asking for a sign-in link, using it, signing out;
- ``contracts``: the account overview, cancelation and its withdrawal, their confirmation;
- ``idle_periods``: the idle period page, requesting and withdrawing one;
- ``amendments``: changing contact and address data, withdrawing a pending change;
- ``online_cancelation``: cancelation without login (§312k BGB);
- ``emails``: the workers that send the mail;
- ``common``: the errors, the write outcome and the audit entry all of them share.

The views get plain objects back. What they call raises only this app's errors (``NotOwned``,
``Refused``, ``Unavailable``), never ``ApiError``. Writes go through ``portal.writes`` once per
form key; a form sent again is recognised here (``Resent``), so the views only show the outcome.
Every action is written to the audit trail with ids only, never names or addresses.
"""

from selfservice.services.amendments import (
    ADDRESS,
    CONTACT,
    AmendmentPage,
    PendingAmendment,
    amendment_action,
    amendment_page,
    change_data,
    pending_amendment,
    withdraw_amendment,
)
from selfservice.services.common import NotOwned, Outcome, Refused, Resent, Unavailable, write_status
from selfservice.services.contracts import (
    CANCELATION,
    Account,
    Contract,
    ContractPage,
    account,
    cancel_contract,
    cancelation_reasons,
    confirmation,
    confirmation_context,
    contract_page,
    withdraw_cancelation,
)
from selfservice.services.contracts import WITHDRAWAL as CANCELATION_WITHDRAWAL
from selfservice.services.idle_periods import REQUEST as IDLE_PERIOD
from selfservice.services.idle_periods import WITHDRAWAL as IDLE_PERIOD_WITHDRAWAL
from selfservice.services.idle_periods import (
    IdlePeriodRequest,
    IdlePeriodRow,
    IdlePeriods,
    idle_periods,
    idle_withdrawal_page,
    own_idle_period,
    request_idle_period,
    withdraw_idle_period,
)
from selfservice.services.sign_in import (
    record_sign_out,
    redeem_sign_in_token,
    request_sign_in_link,
    sign_in_token_is_usable,
)

__all__ = [
    "ADDRESS",
    "CANCELATION",
    "CANCELATION_WITHDRAWAL",
    "CONTACT",
    "IDLE_PERIOD",
    "IDLE_PERIOD_WITHDRAWAL",
    "Account",
    "AmendmentPage",
    "Contract",
    "ContractPage",
    "IdlePeriodRequest",
    "IdlePeriodRow",
    "IdlePeriods",
    "NotOwned",
    "Outcome",
    "PendingAmendment",
    "Refused",
    "Resent",
    "Unavailable",
    "account",
    "amendment_action",
    "amendment_page",
    "cancel_contract",
    "cancelation_reasons",
    "change_data",
    "confirmation",
    "confirmation_context",
    "contract_page",
    "idle_periods",
    "idle_withdrawal_page",
    "own_idle_period",
    "pending_amendment",
    "record_sign_out",
    "redeem_sign_in_token",
    "request_idle_period",
    "request_sign_in_link",
    "sign_in_token_is_usable",
    "withdraw_amendment",
    "withdraw_cancelation",
    "withdraw_idle_period",
    "write_status",
]
