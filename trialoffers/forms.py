"""The lead form, built from the trial offer config's ``leadDataConfig``, and the voucher form."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.perfectgym.models import TrialOfferLeadDataConfig

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

PHONE = re.compile(r"^\+?[0-9][0-9 ()/\-]{4,24}$")
ADDRESS_PARTS = ("street", "house_number", "zip_code", "city")
HONEYPOT = "website"

# What the trial offer config asks of the lead form (views pass it on without reading it).
LeadFields = TrialOfferLeadDataConfig


def _text(
    label: StrPromise, *, max_length: int, autocomplete: str, input_type: str = "text", **kwargs: Any
) -> forms.CharField:
    widget_class = {"email": forms.EmailInput, "tel": forms.TextInput}.get(input_type, forms.TextInput)
    attrs = {"autocomplete": autocomplete}
    if input_type == "tel":
        attrs.update(type="tel", inputmode="tel")
    return forms.CharField(label=label, max_length=max_length, widget=widget_class(attrs=attrs), **kwargs)


def _email(help_text: StrPromise) -> forms.EmailField:
    return forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        help_text=help_text,
    )


class AccessibleForm(forms.Form):
    """Django 5.2 ties help and errors to inputs itself (aria-describedby ``<id>_helptext`` / ``<id>_error``,
    aria-invalid); templates use those ids. This adds the error summary."""

    @property
    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor, message) for every error, in the order of the form."""
        items = [("", str(error)) for error in self.non_field_errors()]
        for name in self.fields:
            for error in self.errors.get(name, []):
                label = self.fields[name].label
                items.append((self[name].auto_id, f"{label}: {error}"))
        return items


class LeadForm(AccessibleForm):
    first_name = _text(_("First name"), max_length=60, autocomplete="given-name")
    last_name = _text(_("Last name"), max_length=60, autocomplete="family-name")
    email = _email(_("We send your booking confirmation here."))
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=[("", _("Please choose")), ("FEMALE", _("female")), ("MALE", _("male")), ("UNISEX", _("diverse"))],
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )
    telephone = _text(_("Phone number"), max_length=30, autocomplete="tel", input_type="tel")
    street = _text(_("Street"), max_length=100, autocomplete="address-line1")
    house_number = _text(_("House number"), max_length=20, autocomplete="off")
    zip_code = _text(_("Postcode"), max_length=10, autocomplete="postal-code")
    city = _text(_("Town or city"), max_length=60, autocomplete="address-level2")
    privacy_consent = forms.BooleanField(
        label=_("I agree that the studio may process my details to arrange my trial session."),
        error_messages={"required": _("Please agree to the privacy policy so that the studio can book for you.")},
    )
    # Left empty by people (it is hidden); bots fill in every field.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, lead_config: TrialOfferLeadDataConfig, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.modes = {
            "gender": lead_config.gender_mode,
            "date_of_birth": lead_config.date_of_birth_mode,
            "telephone": lead_config.telephone_mode,
            "address": lead_config.address_mode,
        }
        for name, mode in self.modes.items():
            names = ADDRESS_PARTS if name == "address" else (name,)
            for field_name in names:
                if mode == "INACTIVE":
                    del self.fields[field_name]
                else:
                    # An optional address still needs street, postcode and town once any part is given (clean()).
                    self.fields[field_name].required = mode == "MANDATORY" and field_name != "house_number"

    @property
    def asks_for_address(self) -> bool:
        return self.modes["address"] != "INACTIVE"

    @property
    def personal_fields(self) -> list[forms.BoundField]:
        return [
            self[name]
            for name in ("first_name", "last_name", "email", "gender", "date_of_birth", "telephone")
            if name in self.fields
        ]

    @property
    def address_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ADDRESS_PARTS if name in self.fields]

    def clean_first_name(self) -> str:
        return " ".join(self.cleaned_data["first_name"].split())

    def clean_last_name(self) -> str:
        return " ".join(self.cleaned_data["last_name"].split())

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()

    def clean_date_of_birth(self) -> date | None:
        born = self.cleaned_data.get("date_of_birth")
        if born is None:
            return None
        if born > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if born < date(1900, 1, 1):
            raise forms.ValidationError(_("Please check the year of your date of birth."))
        return born

    def clean_telephone(self) -> str:
        phone = " ".join(self.cleaned_data.get("telephone", "").split())
        if phone and (not PHONE.match(phone) or sum(c.isdigit() for c in phone) < 5):
            raise forms.ValidationError(_("Please enter a phone number with digits only, for example +49 30 1234567."))
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.modes["address"] == "OPTIONAL":
            given = [part for part in ADDRESS_PARTS if (data.get(part) or "").strip()]
            if given:
                for part in ("street", "zip_code", "city"):
                    if part in self.fields and not (data.get(part) or "").strip() and part not in self.errors:
                        self.add_error(part, _("Please complete the address, or leave all address fields empty."))
        return data


class VoucherForm(AccessibleForm):
    voucher_code = _text(_("Voucher code"), max_length=64, autocomplete="off")
    first_name = _text(_("First name"), max_length=60, autocomplete="given-name")
    last_name = _text(_("Last name"), max_length=60, autocomplete="family-name")
    email = _email(_("We also send your access code here."))
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_voucher_code(self) -> str:
        return "".join(self.cleaned_data["voucher_code"].split())

    def clean_first_name(self) -> str:
        return " ".join(self.cleaned_data["first_name"].split())

    def clean_last_name(self) -> str:
        return " ".join(self.cleaned_data["last_name"].split())
