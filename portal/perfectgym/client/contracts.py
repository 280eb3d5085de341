"""Membership self-service, contracts: contract data, cancelation reasons, cancelation and its withdrawal."""

from __future__ import annotations

from portal.perfectgym import models as m
from portal.perfectgym.client.transport import Transport

OPERATIONS: dict[str, tuple[str, str]] = {
    "getContractData": ("GET", "/v1/memberships/{customerId}/self-service/contract-data"),
    "getContractCancelationReasonData": ("GET", "/v1/memberships/self-service/contract-cancelation-reasons"),
    "createContractCancelationAmendment": (
        "POST",
        "/v1/memberships/{customerId}/self-service/ordinary-contract-cancelation",
    ),
    "withdrawContractCancelation": (
        "POST",
        "/v1/memberships/{customerId}/self-service/withdraw-ordinary-contract-cancelation/{contractId}",
    ),
}


class ContractsApi(Transport):
    def get_contract_data(self, customer_id: int) -> list[m.ContractData]:
        """getContractData"""
        return self._call(
            "getContractData",
            "GET",
            f"/v1/memberships/{customer_id}/self-service/contract-data",
            response_type=list[m.ContractData],
        )

    def get_contract_cancelation_reason_data(self) -> list[m.ContractCancelationReason]:
        """getContractCancelationReasonData"""
        return self._call(
            "getContractCancelationReasonData",
            "GET",
            "/v1/memberships/self-service/contract-cancelation-reasons",
            response_type=list[m.ContractCancelationReason],
        )

    def create_contract_cancelation_amendment(
        self, customer_id: int, request: m.ContractCancelationRequest
    ) -> m.VoidResult:
        """createContractCancelationAmendment"""
        return self._call(
            "createContractCancelationAmendment",
            "POST",
            f"/v1/memberships/{customer_id}/self-service/ordinary-contract-cancelation",
            json_body=request.to_json(),
            response_type=m.VoidResult,
        )

    def withdraw_contract_cancelation(self, customer_id: int, contract_id: int) -> m.VoidResult:
        """withdrawContractCancelation"""
        return self._call(
            "withdrawContractCancelation",
            "POST",
            f"/v1/memberships/{customer_id}/self-service/withdraw-ordinary-contract-cancelation/{contract_id}",
            response_type=m.VoidResult,
        )
