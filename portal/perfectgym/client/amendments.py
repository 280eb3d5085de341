"""Customer self-service: contact and address data, their change requests (amendments) and withdrawal."""

from __future__ import annotations

from portal.perfectgym import models as m
from portal.perfectgym.client.transport import Transport

OPERATIONS: dict[str, tuple[str, str]] = {
    "getCustomerContactData": ("GET", "/v1/customers/{customerId}/self-service/contact-data"),
    "createCustomerContactDataAmendment": ("POST", "/v1/customers/{customerId}/self-service/contact-data"),
    "getCustomerAddressData": ("GET", "/v1/customers/{customerId}/self-service/address-data"),
    "createCustomerAddressDataAmendment": ("POST", "/v1/customers/{customerId}/self-service/address-data"),
    "withdrawAmendment": ("DELETE", "/v1/customers/{customerId}/self-service/amendment/{amendmentId}"),
}


class AmendmentsApi(Transport):
    def get_customer_contact_data(self, customer_id: int) -> m.CurrentContactData:
        """getCustomerContactData"""
        return self._call(
            "getCustomerContactData",
            "GET",
            f"/v1/customers/{customer_id}/self-service/contact-data",
            response_type=m.CurrentContactData,
        )

    def create_customer_contact_data_amendment(
        self, customer_id: int, request: m.CustomerContactData
    ) -> m.PendingContactDataAmendment:
        """createCustomerContactDataAmendment"""
        return self._call(
            "createCustomerContactDataAmendment",
            "POST",
            f"/v1/customers/{customer_id}/self-service/contact-data",
            json_body=request.to_json(),
            response_type=m.PendingContactDataAmendment,
        )

    def get_customer_address_data(self, customer_id: int) -> m.CurrentAddressData:
        """getCustomerAddressData"""
        return self._call(
            "getCustomerAddressData",
            "GET",
            f"/v1/customers/{customer_id}/self-service/address-data",
            response_type=m.CurrentAddressData,
        )

    def create_customer_address_data_amendment(
        self, customer_id: int, request: m.CustomerAddressData
    ) -> m.PendingAddressDataAmendment:
        """createCustomerAddressDataAmendment"""
        return self._call(
            "createCustomerAddressDataAmendment",
            "POST",
            f"/v1/customers/{customer_id}/self-service/address-data",
            json_body=request.to_json(),
            response_type=m.PendingAddressDataAmendment,
        )

    def withdraw_amendment(self, customer_id: int, amendment_id: int) -> None:
        """withdrawAmendment (the answer has no body)"""
        self._call("withdrawAmendment", "DELETE", f"/v1/customers/{customer_id}/self-service/amendment/{amendment_id}")
