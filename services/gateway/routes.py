"""The gateway's one route table: the router and the OpenAPI document are both built from it."""

from __future__ import annotations

from services.gateway import health, openapi
from services.gateway.management import apis, credentials, models, training_jobs, users
from services.gateway.nnc import routes as nnc
from services.gateway.prediction_one import routes as prediction_one
from services.gateway.routing import Route

ROUTES: list[Route] = [
    *health.ROUTES,
    *openapi.ROUTES,
    *models.ROUTES,
    *apis.ROUTES,
    *users.ROUTES,
    *credentials.ROUTES,
    *training_jobs.ROUTES,
    *nnc.ROUTES,
    *prediction_one.ROUTES,
]
