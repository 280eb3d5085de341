"""Customers: search and look-up by id."""

from __future__ import annotations

from portal.perfectgym import models as m
from portal.perfectgym.client.transport import Transport

OPERATIONS: dict[str, tuple[str, str]] = {
    "searchCustomers": ("POST", "/v1/customers/search"),
    "getCustomerById": ("GET", "/v1/customers/{customerId}"),
}


class CustomersApi(Transport):
    def search_customers(self, request: m.CustomerSearchRequest) -> list[m.Customer]:
        """searchCustomers"""
        return self._call(
            "searchCustomers",
            "POST",
            "/v1/customers/search",
            json_body=request.to_json(),
            response_type=list[m.Customer],
        )

    def get_customer_by_id(
        self, customer_id: int, *, card_number_format: m.CardNumberFormat | None = None
    ) -> m.Customer:
        """getCustomerById"""
        return self._call(
            "getCustomerById",
            "GET",
            f"/v1/customers/{customer_id}",
            params={"cardNumberFormat": card_number_format},
            response_type=m.Customer,
        )
