"""Customer self-service: current contact and address data and their change requests (amendments)."""

from __future__ import annotations

from portal.perfectgym.models.base import AmendmentConfigurationStatus, ApiModel


class CustomerContactData(ApiModel):
    """Request of createCustomerContactDataAmendment (schema ``CustomerContactData``)."""

    email: str | None = None
    phone_private: str | None = None
    phone_private_mobile: str | None = None
    phone_business: str | None = None
    phone_business_mobile: str | None = None


class PendingContactDataAmendment(CustomerContactData):
    """Schema ``OpenApiV1CustomerDataPendingAmendmentDtoCustomerContactData``."""

    id: int | None = None


class CurrentContactData(CustomerContactData):
    """Schema ``OpenApiV1CustomerDataDtoCustomerContactData``: current data plus any pending change."""

    amendment_configuration_status: AmendmentConfigurationStatus
    pending_amendment: PendingContactDataAmendment | None = None


class CustomerAddressData(ApiModel):
    """Request of createCustomerAddressDataAmendment (schema ``CustomerAddressData``)."""

    street: str
    house_number: str | None = None
    zip_code: str
    city: str
    country_code: str
    province: str | None = None
    province_code: str | None = None
    second_street: str | None = None
    city_part: str | None = None
    district: str | None = None
    street_type: str | None = None
    street_block: str | None = None
    portal: str | None = None
    stairway: str | None = None
    door: str | None = None
    additional_address_information: str | None = None
    floor: str | None = None
    building_name: str | None = None


class PendingAddressDataAmendment(CustomerAddressData):
    """Schema ``OpenApiV1CustomerDataPendingAmendmentDtoCustomerAddressData``."""

    id: int | None = None


class CurrentAddressData(CustomerAddressData):
    """Schema ``OpenApiV1CustomerDataDtoCustomerAddressData``: current data plus any pending change."""

    amendment_configuration_status: AmendmentConfigurationStatus
    pending_amendment: PendingAddressDataAmendment | None = None
