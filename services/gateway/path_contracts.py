"""Which contract a path belongs to, and so in which error shape the gateway answers on it."""

from __future__ import annotations

import enum

from services.gateway.nnc import routes as nnc_routes
from services.gateway.prediction_one import routes as prediction_one_routes


class Contract(enum.Enum):
    MANAGEMENT = "management"
    """The gateway's own shape: the management API, the probes, and anything not under /v1/."""
    PREDICTION_ONE = "prediction_one"
    NNC = "nnc"


def contract_of(path: str) -> Contract:
    # Prediction One's prefixes lie under NNC's /v1/: they are checked first.
    if path.startswith(prediction_one_routes.PREFIXES):
        return Contract.PREDICTION_ONE
    if path.startswith(nnc_routes.PREFIX):
        return Contract.NNC
    return Contract.MANAGEMENT
