"""Every status value self-service meets, as a plain translated sentence (one dictionary per enum).

The upstream ``errorMessage`` is never shown: known ``errorCode`` values get a
sentence here, anything else falls back to ``portal.user_messages.message_for``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from portal.perfectgym import errors
from portal.user_messages import message_for

# Short status words carry a context: other apps translate the same English words differently
# (a canceled booking is "storniert", a canceled contract "gekündigt").
CONTRACT_STATUS = {
    "ACTIVE": pgettext_lazy("contract status", "Active"),
    "INACTIVE": pgettext_lazy("contract status", "Not active"),
}

# None: the API sends no value for a contract that is not canceled.
CANCELATION_STATUS = {
    None: pgettext_lazy("contract cancelation", "Not canceled"),
    "CANCELED": pgettext_lazy("contract cancelation", "Canceled"),
    "PENDING_VERIFICATION": _("Cancelation received, the studio is checking it"),
    "PENDING_WITHDRAWAL_VERIFICATION": _("Withdrawal of the cancelation received, the studio is checking it"),
}

CUSTOMER_STATUS = {
    "MEMBER": pgettext_lazy("customer status", "Member"),
    "PROSPECT": pgettext_lazy("customer status", "Prospective member"),
    "FORMER_MEMBER": pgettext_lazy("customer status", "Former member"),
}

IDLE_PERIOD_STATE = {
    "PENDING_VERIFICATION": _("Requested, the studio is checking it"),
    "ACCEPTED": pgettext_lazy("idle period state", "Accepted"),
}

IDLE_PERIOD_VALIDATION = {
    "IDLEPERIOD_CREATABLE": _("This idle period can be requested."),
    "IDLEPERIOD_UPDATABLE": _("This idle period can be changed."),
    "IDLEPERIOD_DEACTIVATED_FOR_CONTRACT": _("Idle periods cannot be requested online for this contract."),
    "IDLEPERIOD_PENDING_VERIFICATION": _(
        "You already have an idle period request that the studio is still checking. "
        "Please wait for it, or withdraw it first."
    ),
    "IDLEPERIOD_DATE_NOT_FIRSTDAY_OF_TEMPORALUNIT": _("The idle period has to start on the first day of a period."),
    "IDLEPERIOD_DEADLINE_VIOLATED": _("This start date is too soon. Please choose a later one."),
    "IDLEPERIOD_EXPECTED_STARTDATE_MISMATCH": _("The idle period can only start on the next possible start date."),
    "IDLEPERIOD_MAXIMUM_YEARS_VIOLATED": _("An idle period cannot last that many years."),
    "IDLEPERIOD_OVERLAPPING": _("This idle period overlaps another idle period of yours."),
    "IDLEPERIOD_TEMPORALUNIT_INVALID": _("The idle period cannot be requested in this unit."),
    "IDLEPERIOD_MAXIMUM_TERMS_VIOLATED": _(
        "This idle period is longer than your contract allows (also counting earlier idle periods this year)."
    ),
    "IDLEPERIOD_TERMVALUE_MISSING": _("Please choose how long the idle period should last."),
    "IDLEPERIOD_UNLIMITED_PARAMETER_IS_MISSING": _("Please choose a length for the idle period."),
    "IDLEPERIOD_ENDDATE_AND_TERM_PROVIDED": _("Please give either a length or an end date, not both."),
    "IDLEPERIOD_ENDDATE_BEFORE_STARTDATE": _("The end date is before the start date."),
    "IDLEPERIOD_ENDDATE_ONLY_FOR_SHORTENING": _("An end date can only be given to shorten an idle period."),
}
IDLE_PERIOD_OK = {"IDLEPERIOD_CREATABLE", "IDLEPERIOD_UPDATABLE"}

AMENDMENT_CONFIGURATION = {
    "READ": _("These details cannot be changed online. Please contact the studio to change them."),
    "CHANGES_REQUIRE_VERIFICATION": _("Changes are checked by the studio before they apply."),
    "CHANGES_WITHOUT_VERIFICATION": _("Changes apply at once."),
}

PAYMENT_FREQUENCY_TYPE = {
    "FREE": _("free of charge"),
    "NON_RECURRING": _("one-off payment"),
    "RECURRING": _("recurring"),
    "MONTH_DAY": _("on set days of the year"),
    "TERM_BASED": _("depending on the term"),
}

TEMPORAL_UNIT = {
    "DAY": _("days"),
    "WEEK": _("weeks"),
    "MONTH": _("months"),
}

# Upstream errorCodes this app knows; the sentence says what to do, not what the server said.
ERROR_CODES = {
    "errormessage.contract.already.canceled": _("This contract has already been canceled."),
    "errormessage.contract.cancelation.date.invalid": _(
        "The contract cannot be canceled to this date any more. Please choose another date."
    ),
    "errormessage.contract.cancelation.reason.invalid": _("Please choose one of the listed reasons."),
    "errormessage.contract.cancelation.not.found": _("This contract has no cancelation that could be withdrawn."),
    "errormessage.contract.cancelation.withdrawal.pending": _(
        "The withdrawal of this cancelation is already waiting for the studio."
    ),
    "errormessage.contract.cancelation.withdraw.not.allowed": _(
        "This cancelation cannot be withdrawn online. Please contact the studio."
    ),
    "errormessage.idleperiod.document.required": _("Please add a document (for example a doctor's note)."),
    "errormessage.idleperiod.document.type.invalid": _("The document must be a JPEG, PNG, PDF or HEIC file."),
    "errormessage.idleperiod.document.too.large": _("The document is too large for the studio's system."),
    "errormessage.idleperiod.reason.invalid": _("Please choose one of the listed reasons."),
    "errormessage.idleperiod.withdraw.not.possible": _(
        "This idle period has already started and cannot be withdrawn any more."
    ),
    "errormessage.amendment.read.only": AMENDMENT_CONFIGURATION["READ"],
    "errormessage.amendment.already.pending": _(
        "A change of these details is already waiting for the studio. Withdraw it first to send a new one."
    ),
}


def idle_error_code(status: str) -> str:
    """IDLEPERIOD_DEADLINE_VIOLATED -> errormessage.idleperiod.deadline.violated (the create's errorCode)."""
    return "errormessage." + status.lower().replace("idleperiod_", "idleperiod.", 1).replace("_", ".")


for _status, _sentence in IDLE_PERIOD_VALIDATION.items():
    ERROR_CODES.setdefault(idle_error_code(_status), _sentence)


def error_sentence(error: errors.ApiError) -> str:
    """A known errorCode's sentence (400s only), else the sentence for the error class."""
    if isinstance(error, errors.BadRequest) and error.error_code in ERROR_CODES:
        return str(ERROR_CODES[error.error_code])
    return message_for(error)


def unit_count(value: int, unit: str) -> str:
    """'3 months', '1 week' in the active language."""
    if unit == "DAY":
        return ngettext("%(count)d day", "%(count)d days", value) % {"count": value}
    if unit == "WEEK":
        return ngettext("%(count)d week", "%(count)d weeks", value) % {"count": value}
    if unit == "MONTH":
        return ngettext("%(count)d month", "%(count)d months", value) % {"count": value}
    if unit == "YEAR":
        return ngettext("%(count)d year", "%(count)d years", value) % {"count": value}
    return f"{value} {unit}"


def per_term(value: int, unit: str) -> str:
    """'per month', 'every 3 months'."""
    if value == 1:
        return {
            "DAY": str(_("per day")),
            "WEEK": str(_("per week")),
            "MONTH": str(_("per month")),
            "YEAR": str(_("per year")),
        }.get(unit, unit)
    return str(_("every %(term)s")) % {"term": unit_count(value, unit)}
