"""The studio's admin form: write-only API key, logo upload, and the default cancelation reason chosen from
the studio's own list when the API answers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.lib.filetypes import check_image
from portal.models import Studio
from portal.perfectgym import errors
from portal.services import cancelation_reasons

LOGO_MAX_BYTES = 200 * 1024


def _formfield(db_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")  # API and privacy URLs are HTTPS (Django 6's default)
    return db_field.formfield(**kwargs)


# The studio's basic settings: the first section of its admin page, and fields of its form.
BASIC_FIELDS = (
    "name",
    "slug",
    "is_active",
    "languages",
    "default_language",
    "timezone",
    "contact_email",
    "privacy_policy_url",
)


REASON_FIELD = "default_cancelation_reason_id"


class StudioAdminForm(forms.ModelForm):
    api_key = forms.CharField(
        label=_("API key"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    clear_api_key = forms.BooleanField(label=_("Remove the stored API key"), required=False)
    logo_upload = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        help_text=_("PNG, JPEG or WebP, at most 200 KB. Shown in the header of every studio page."),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    languages = forms.MultipleChoiceField(
        label=_("languages"),
        choices=Studio.Language.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,  # none ticked: the default language alone
        help_text=_("The languages visitors can choose; the default language is always one of them."),
    )

    class Meta:
        model = Studio
        formfield_callback = _formfield
        fields = (*BASIC_FIELDS, "mode", "api_base_url", "brand_colour", "allowed_embed_origins")

    def clean_languages(self) -> list[str]:
        # Kept in the portal's order; the default language is added in clean() when it was left out.
        chosen = set(self.cleaned_data.get("languages") or [])
        return [code for code, _name in Studio.Language.choices if code in chosen]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["api_key"]
        if self.instance.pk and self.instance.has_api_key:
            field.widget.attrs["placeholder"] = _("A key is stored (hidden)")
            field.help_text = _(
                "A key is stored. It is never shown again. Leave this empty to keep it, or enter a new key to "
                "replace it."
            )
        else:
            field.widget.attrs["placeholder"] = _("No key stored yet")
            field.help_text = _(
                "No key is stored yet. Paste the API key from the PerfectGym Open API settings; it is stored "
                "encrypted and never shown again."
            )
        if not (self.instance.pk and self.instance.logo):
            self.fields["remove_logo"].disabled = True
        if REASON_FIELD in self.fields:
            self._offer_the_studios_reasons()

    def _offer_the_studios_reasons(self) -> None:
        """A select of the studio's own cancelation reasons when the API lists them, else the bare id."""
        field = self.fields[REASON_FIELD]
        studio = self.instance
        if not (studio.pk and studio.has_api_key and studio.api_key_is_readable):
            field.help_text = _(
                "The studio's cancelation reason id. Once the API key is saved and works, the reasons are "
                "offered here by name."
            )
            return
        try:
            reasons = cancelation_reasons(studio)
        except errors.ApiError:
            field.help_text = _(
                "The studio's list of cancelation reasons could not be read from the API right now, so enter the "
                "reason's id by hand (or test the connection and open this page again)."
            )
            return
        choices: list[tuple[Any, Any]] = [("", _("No reason chosen"))]
        choices += [(reason.cancelation_reason_id, reason.cancelation_reason_name) for reason in reasons]
        stored = studio.default_cancelation_reason_id
        if stored is not None and stored not in {reason.cancelation_reason_id for reason in reasons}:
            # Kept choosable, so saving the rest of the page does not fail on a reason the studio removed.
            choices.append((stored, _("%(id)s (no longer in the studio's list)") % {"id": stored}))
        self.fields[REASON_FIELD] = forms.TypedChoiceField(
            label=field.label,
            choices=choices,
            coerce=int,
            empty_value=None,
            required=False,
            help_text=_("Used for §312k cancelations filed through the API. The list comes from the studio's system."),
        )

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        if not upload:
            return None
        if upload.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(
                _("The logo may be at most 200 KB (this file has %(size)d KB)."), params={"size": upload.size // 1024}
            )
        data = upload.read()
        checked = check_image(data)  # decoded, not only recognised by its first bytes
        if checked.content_type is None:
            raise forms.ValidationError(_("Upload a PNG, JPEG or WebP image."))
        return {"data": data, "content_type": checked.content_type}

    def clean(self):
        cleaned = super().clean()
        default, languages = cleaned.get("default_language"), cleaned.get("languages")
        if default and not languages:
            cleaned["languages"] = languages = [default]
        if default and languages is not None and default not in languages:
            self.add_error(
                "default_language", _("The default language must be one of the languages visitors can choose.")
            )
        if cleaned.get("api_key") and cleaned.get("clear_api_key"):
            self.add_error("clear_api_key", _("Either enter a new key or remove the stored one, not both."))
        if cleaned.get("logo_upload") and cleaned.get("remove_logo"):
            self.add_error("remove_logo", _("Either upload a new logo or remove the current one, not both."))
        return cleaned

    def save(self, commit: bool = True) -> Studio:
        studio: Studio = super().save(commit=False)
        if self.cleaned_data.get("clear_api_key"):
            studio.set_api_key("")
        elif self.cleaned_data.get("api_key"):
            studio.set_api_key(self.cleaned_data["api_key"])
        logo = self.cleaned_data.get("logo_upload")
        if logo:
            studio.logo, studio.logo_content_type = logo["data"], logo["content_type"]
        elif self.cleaned_data.get("remove_logo"):
            studio.logo, studio.logo_content_type = None, ""
        if commit:
            studio.save()
            self.save_m2m()
        return studio
