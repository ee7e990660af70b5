"""The Data Forest contract's two error layers (shared/contracts/dataforest.md §7, §8.3, §8.4):
the API Gateway layer's `{"error":{"errorCode","message"}}`, answered before the service runs
(signatures, unknown paths, sizes), and the Data Forest layer's `{"message","success":false}`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GatewayLayerError(Exception):
    status: int
    code: str
    message: str


@dataclass(frozen=True)
class DataForestError(Exception):
    status: int
    message: str


def bad_request() -> GatewayLayerError:
    return GatewayLayerError(400, "100", "Bad Request Exception")


def authentication_failed() -> GatewayLayerError:
    return GatewayLayerError(401, "200", "Authentication Failed")


def not_found_exception() -> GatewayLayerError:
    return GatewayLayerError(404, "300", "Not Found Exception")


def entity_too_large() -> GatewayLayerError:
    return GatewayLayerError(413, "430", "Request Entity Too Large")


def endpoint_error() -> GatewayLayerError:
    return GatewayLayerError(503, "500", "Endpoint Error")


def unexpected_gateway_error() -> GatewayLayerError:
    return GatewayLayerError(500, "900", "Unexpected Error")


def invalid_parameters() -> DataForestError:
    """A body that cannot be read at all (§8.1); a rule broken answers invalid_parameter."""
    return DataForestError(400, "invalid request parameters")


def invalid_parameter(path: str, value: object, reason: str) -> DataForestError:
    """§8.1: `invalid request parameter (<dotted.path>, '<value>'). <reason>`, 'null' for a missing value."""
    shown = "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    return DataForestError(400, f"invalid request parameter ({path}, '{shown}'). {reason}")


def not_allowed() -> DataForestError:
    return DataForestError(403, "not allowed to access")


def no_such_element() -> DataForestError:
    return DataForestError(404, "no such element")


def unexpected_error() -> DataForestError:
    return DataForestError(500, "unexpected error")
