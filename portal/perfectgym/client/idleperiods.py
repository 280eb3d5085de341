"""Membership self-service, idle periods: configuration, validation, listing, creation (multipart) and withdrawal."""

from __future__ import annotations

import json
from typing import Any

from portal.perfectgym import models as m
from portal.perfectgym.client.transport import Transport

OPERATIONS: dict[str, tuple[str, str]] = {
    "getIdlePeriodConfig": ("GET", "/v1/memberships/{contractId}/self-service/idle-periods/config"),
    "validateIdlePeriodRequest": ("POST", "/v1/memberships/{contractId}/self-service/idle-periods/validate"),
    "getIdlePeriods": ("GET", "/v1/memberships/{contractId}/self-service/idle-periods"),
    "getIdlePeriodById": ("GET", "/v1/memberships/{contractId}/self-service/idle-periods/{idlePeriodId}"),
    "createIdlePeriodAmendment": ("POST", "/v1/memberships/{contractId}/self-service/idle-periods"),
    "withdrawIdlePeriod": ("DELETE", "/v1/memberships/{contractId}/self-service/idle-periods/{idlePeriodId}"),
}


class IdlePeriodsApi(Transport):
    def get_idle_period_config(self, contract_id: int) -> m.IdlePeriodConfiguration:
        """getIdlePeriodConfig"""
        return self._call(
            "getIdlePeriodConfig",
            "GET",
            f"/v1/memberships/{contract_id}/self-service/idle-periods/config",
            response_type=m.IdlePeriodConfiguration,
        )

    def validate_idle_period_request(
        self, contract_id: int, request: m.IdlePeriodValidationRequest
    ) -> m.IdlePeriodValidationStatusResult:
        """validateIdlePeriodRequest"""
        return self._call(
            "validateIdlePeriodRequest",
            "POST",
            f"/v1/memberships/{contract_id}/self-service/idle-periods/validate",
            json_body=request.to_json(),
            response_type=m.IdlePeriodValidationStatusResult,
        )

    def get_idle_periods(self, contract_id: int) -> m.IdlePeriodLists:
        """getIdlePeriods"""
        return self._call(
            "getIdlePeriods",
            "GET",
            f"/v1/memberships/{contract_id}/self-service/idle-periods",
            response_type=m.IdlePeriodLists,
        )

    def get_idle_period_by_id(self, contract_id: int, idle_period_id: int) -> m.IdlePeriod:
        """getIdlePeriodById"""
        return self._call(
            "getIdlePeriodById",
            "GET",
            f"/v1/memberships/{contract_id}/self-service/idle-periods/{idle_period_id}",
            response_type=m.IdlePeriod,
        )

    def create_idle_period_amendment(
        self, contract_id: int, request: m.IdlePeriodCreateRequest, document: m.Document | None = None
    ) -> m.IdlePeriod:
        """createIdlePeriodAmendment (multipart: JSON part ``data``, optional file part ``document``)"""
        files: dict[str, Any] = {"data": (None, json.dumps(request.to_json()), "application/json")}
        if document is not None:
            files["document"] = (document.filename, document.content, document.content_type)
        return self._call(
            "createIdlePeriodAmendment",
            "POST",
            f"/v1/memberships/{contract_id}/self-service/idle-periods",
            files=files,
            response_type=m.IdlePeriod,
        )

    def withdraw_idle_period(self, contract_id: int, idle_period_id: int) -> m.VoidResult:
        """withdrawIdlePeriod"""
        return self._call(
            "withdrawIdlePeriod",
            "DELETE",
            f"/v1/memberships/{contract_id}/self-service/idle-periods/{idle_period_id}",
            response_type=m.VoidResult,
        )
