"""Forms: each one offers only what the API said is possible and checks formats before sending."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import EmailValidator
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from portal.lib import filetypes
from portal.perfectgym import models as m
from selfservice import display
from selfservice.models import OnlineCancelation
from selfservice.services import Contract, IdlePeriodRequest, IdlePeriods
from selfservice.services.online_cancelation import Declaration
from selfservice.texts import unit_count
from selfservice.uploads import MAX_DOCUMENT_BYTES, safe_filename

PHONE = re.compile(r"^\+?[0-9][0-9 ()/.\-]{3,28}[0-9]$")
COUNTRY = re.compile(r"^[A-Za-z]{2}$")
EMAIL_INVALID = _("Enter an email address like name@example.com.")
# Why an idle period document was refused (portal.lib.filetypes opens every document before it is sent).
DOCUMENT_PROBLEMS = {
    filetypes.NOT_ACCEPTED: _("The document must be a JPEG, PNG, PDF or HEIC file."),
    filetypes.DAMAGED: _(
        "The document could not be opened: it may be damaged, or it is not really a JPEG, PNG, PDF or HEIC "
        "file. Please save or scan it again and send the new file."
    ),
    filetypes.PASSWORD: _("The PDF is protected by a password. Please send it without a password."),
    filetypes.TOO_MANY_PIXELS: _("The image has too many pixels. Please send a smaller photo or scan."),
}


def phone_validator(value: str) -> None:
    digits = sum(ch.isdigit() for ch in value)
    if not PHONE.match(value) or not 5 <= digits <= 20:
        raise forms.ValidationError(
            _("Enter a phone number with digits only, for example +49 30 1234567."), code="phone"
        )


def _choices(field: forms.Field, choices: list[tuple[Any, Any]]) -> None:
    """The choices of a choice field, known only once the API has answered."""
    cast(forms.ChoiceField, field).choices = choices


class KeyedForm(forms.Form):
    """Carries the idempotency key: the same form sent twice is one request."""

    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("key", uuid.uuid4())

    def renew_key(self) -> None:
        """A refused request may be sent again as a new one."""
        data = cast(QueryDict, self.data).copy()
        data["key"] = str(uuid.uuid4())
        self.data = data


class SignInForm(forms.Form):
    email = forms.EmailField(
        error_messages={"invalid": EMAIL_INVALID},
        label=_("Email address"),
        max_length=254,
        help_text=_("The address the studio has on file for you."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class CancelationForm(KeyedForm):
    end_date = forms.TypedChoiceField(
        label=_("End of contract"),
        coerce=date.fromisoformat,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose when your contract should end.")},
    )
    reason = forms.TypedChoiceField(
        label=_("Reason"), coerce=int, error_messages={"required": _("Please choose a reason.")}
    )

    def __init__(
        self,
        *args: Any,
        contract: Contract,
        reasons: list[m.ContractCancelationReason],
        resend_date: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.reasons = {reason.cancelation_reason_id: reason for reason in reasons}
        dates = list(contract.data.available_cancelation_dates)
        if resend_date:
            try:
                dates.append(date.fromisoformat(resend_date))
            except ValueError:
                pass
        _choices(self.fields["end_date"], [(d.isoformat(), display.long_date(d)) for d in dates])
        if dates and not self.is_bound:
            self.initial.setdefault("end_date", dates[0].isoformat())
        _choices(
            self.fields["reason"],
            [("", _("Please choose"))]
            + [(reason.cancelation_reason_id, reason.cancelation_reason_name) for reason in reasons],
        )

    @property
    def chosen_reason(self) -> m.ContractCancelationReason:
        return self.reasons[self.cleaned_data["reason"]]


class ConfirmForm(KeyedForm):
    """A withdrawal: nothing to choose, but still sent once."""


class IdlePeriodForm(KeyedForm):
    start_date = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}))
    term_value = forms.TypedChoiceField(label=_("Length"), coerce=int, required=False)
    unlimited = forms.BooleanField(label=_("Until further notice (no end date)"), required=False)
    reason = forms.TypedChoiceField(label=_("Reason"), coerce=int)
    document = forms.FileField(
        label=_("Document"),
        required=False,
        help_text=_("JPEG, PNG, PDF or HEIC, at most 5 MB. Needed for some reasons, for example a doctor's note."),
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf,.heic,image/*,application/pdf"}),
    )

    def __init__(self, *args: Any, page: IdlePeriods, too_large: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.page = page
        self.too_large = too_large
        config = page.config
        assert config is not None, "only offered when the configuration could be read"
        starts = page.start_choices()
        if starts:
            self.fields["start_date"] = forms.TypedChoiceField(
                label=_("Start"),
                coerce=date.fromisoformat,
                choices=[(d.isoformat(), display.long_date(d)) for d in starts],
            )
        else:
            first = config.first_possible_start_date
            self.fields["start_date"].widget.attrs["min"] = first.isoformat()
            self.fields["start_date"].help_text = _("%(date)s at the earliest.") % {"date": display.long_date(first)}
            if not self.is_bound:
                self.initial.setdefault("start_date", first.isoformat())
        _choices(
            self.fields["term_value"],
            [("", _("Please choose"))] + [(n, unit_count(n, config.temporal_unit)) for n in page.term_choices()],
        )
        if not config.unlimited_allowed:
            del self.fields["unlimited"]
        _choices(
            self.fields["reason"],
            [("", _("Please choose"))]
            + [
                (
                    reason.id,
                    _("%(name)s (document needed)") % {"name": reason.name}
                    if reason.document_required
                    else reason.name,
                )
                for reason in config.idle_period_reasons
            ],
        )

    def clean_start_date(self) -> date:
        start = self.cleaned_data["start_date"]
        assert self.page.config is not None
        first = self.page.config.first_possible_start_date
        if start < first:
            raise forms.ValidationError(
                _("The idle period can start on %(date)s at the earliest.") % {"date": display.long_date(first)}
            )
        return start

    def clean_document(self) -> m.Document | None:
        upload: UploadedFile | None = self.cleaned_data.get("document")
        if self.too_large:
            raise forms.ValidationError(_("The document is larger than 5 MB. Please send a smaller file."))
        if not upload:
            return None
        if (upload.size or 0) > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(_("The document is larger than 5 MB. Please send a smaller file."))
        upload.seek(0)
        content = upload.read()
        checked = filetypes.check_document(content)
        if checked.content_type is None or not checked.ok:
            raise forms.ValidationError(DOCUMENT_PROBLEMS[checked.problem])
        return m.Document(safe_filename(upload.name or "", checked.content_type), content, checked.content_type)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unlimited = data.get("unlimited", False)
        if not unlimited and not data.get("term_value") and "term_value" not in self.errors:
            self.add_error("term_value", _("Please choose how long the idle period should last."))
        reason = self.page.reason(data["reason"]) if data.get("reason") else None
        if data.get("reason") and reason is None:
            self.add_error("reason", _("Please choose one of the listed reasons."))
        if reason and reason.document_required and not data.get("document") and "document" not in self.errors:
            self.add_error(
                "document", _("For the reason “%(reason)s” please add a document.") % {"reason": reason.name}
            )
        data["reason_obj"] = reason
        return data

    def request(self) -> IdlePeriodRequest:
        """The idle period asked for (after ``is_valid``)."""
        data = self.cleaned_data
        assert self.page.config is not None
        return IdlePeriodRequest(
            start_date=data["start_date"],
            term_value=data.get("term_value"),
            unlimited=bool(data.get("unlimited")),
            reason=data["reason_obj"],
            temporal_unit=self.page.config.temporal_unit,
        )


class ContactForm(KeyedForm):
    email = forms.CharField(
        label=_("Email address"),
        max_length=254,
        validators=[EmailValidator(message=EMAIL_INVALID)],
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    phone_private_mobile = forms.CharField(
        label=_("Mobile phone"), required=False, max_length=40, validators=[phone_validator]
    )
    phone_private = forms.CharField(
        label=_("Phone (home)"), required=False, max_length=40, validators=[phone_validator]
    )
    phone_business = forms.CharField(
        label=_("Phone (work)"), required=False, max_length=40, validators=[phone_validator]
    )
    phone_business_mobile = forms.CharField(
        label=_("Mobile phone (work)"), required=False, max_length=40, validators=[phone_validator]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("phone_private_mobile", "phone_private", "phone_business", "phone_business_mobile"):
            self.fields[name].widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"})

    def values(self) -> dict[str, str]:
        names = ("email", "phone_private", "phone_private_mobile", "phone_business", "phone_business_mobile")
        return {name: self.cleaned_data.get(name, "").strip() for name in names}


class AddressForm(KeyedForm):
    street = forms.CharField(
        label=_("Street"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "address-line1"})
    )
    house_number = forms.CharField(label=_("House number"), required=False, max_length=20)
    zip_code = forms.CharField(
        label=_("Postcode"), max_length=12, widget=forms.TextInput(attrs={"autocomplete": "postal-code"})
    )
    city = forms.CharField(
        label=_("City"), max_length=80, widget=forms.TextInput(attrs={"autocomplete": "address-level2"})
    )
    country_code = forms.CharField(
        label=_("Country code"),
        max_length=2,
        help_text=_("Two letters, for example DE for Germany or AT for Austria."),
        widget=forms.TextInput(attrs={"autocomplete": "country", "size": "3"}),
    )

    def clean_country_code(self) -> str:
        value = self.cleaned_data["country_code"].strip()
        if not COUNTRY.match(value):
            raise forms.ValidationError(_("Enter two letters, for example DE."))
        return value.upper()

    def clean_zip_code(self) -> str:
        value = self.cleaned_data["zip_code"].strip()
        if not re.fullmatch(r"[A-Za-z0-9 \-]{3,12}", value):
            raise forms.ValidationError(_("Enter a postcode like 10115."))
        return value

    def values(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[name].strip()
            for name in ("street", "house_number", "zip_code", "city", "country_code")
        }


class OnlineCancelationForm(forms.Form):
    """§312k: only what the law asks for."""

    EARLIEST = "earliest"
    ON_DATE = "date"

    kind = forms.ChoiceField(
        label=_("Kind of termination"),
        choices=OnlineCancelation.Kind.choices,
        widget=forms.RadioSelect,
        initial=OnlineCancelation.Kind.ORDINARY,
        error_messages={"required": _("Please choose ordinary or extraordinary termination.")},
    )
    extraordinary_reason = forms.CharField(
        label=_("Reason for the extraordinary termination"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only for an extraordinary termination."),
    )
    first_name = forms.CharField(
        label=_("First name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"})
    )
    email = forms.EmailField(
        error_messages={"invalid": EMAIL_INVALID},
        label=_("Email address for the confirmation"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    contract_identifier = forms.CharField(
        label=_("Customer number or contract number"),
        max_length=100,
        help_text=_("You find it on your contract or membership card."),
    )
    end = forms.ChoiceField(
        label=_("End of contract"),
        choices=[(EARLIEST, _("At the earliest possible date")), (ON_DATE, _("On this date:"))],
        widget=forms.RadioSelect,
        initial=EARLIEST,
    )
    end_date = forms.DateField(
        label=_("Desired end date"),
        required=False,
        help_text=_("Only if you chose “On this date”."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_date_of_birth(self) -> date:
        value = self.cleaned_data["date_of_birth"]
        if value >= date.today() or value.year < 1900:
            raise forms.ValidationError(_("Please check the date of birth."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("kind") == OnlineCancelation.Kind.EXTRAORDINARY
            and not (data.get("extraordinary_reason") or "").strip()
        ):
            self.add_error("extraordinary_reason", _("Please give the reason for the extraordinary termination."))
        if data.get("end") == self.ON_DATE and not data.get("end_date") and "end_date" not in self.errors:
            self.add_error("end_date", _("Please enter the date, or choose the earliest possible date."))
        return data

    def declaration(self) -> Declaration:
        """The declaration as typed (after ``is_valid``): what it does not apply to is left out."""
        data = self.cleaned_data
        extraordinary = data["kind"] == OnlineCancelation.Kind.EXTRAORDINARY
        return Declaration(
            kind=data["kind"],
            extraordinary_reason=(data.get("extraordinary_reason") or "").strip() if extraordinary else "",
            first_name=data["first_name"].strip(),
            last_name=data["last_name"].strip(),
            date_of_birth=data["date_of_birth"],
            email=data["email"],
            contract_identifier=data["contract_identifier"].strip(),
            earliest_possible=data["end"] == self.EARLIEST,
            requested_end_date=data.get("end_date") if data["end"] == self.ON_DATE else None,
        )
