"""The NNC inference routes (serverless and dedicated URL forms) in the gateway's route table."""

from __future__ import annotations

from services.gateway.http_base.inference_outcomes import counted_inference
from services.gateway.http_base.routing import Response, Route, SecurityScheme
from services.gateway.nnc import schemas
from services.gateway.nnc.inference import infer

ROUTES = [
    Route(
        "POST",
        "/v1/{execution_type}/classifiers/{api_id}/inference",
        counted_inference(infer, "nnc_inference"),
        "Neural Network Console inference: execution_type is serverless or dedicated; the key goes in x-api-key",
        "nnc",
        {200: Response("the model's outputs", schemas.RESPONSE)},
        authenticated=False,
        errors=(400, 403, 404, 413, 429, 500, 503, 504),
        contract_body=schemas.REQUEST,
        error_schema=schemas.ERROR,
        path_parameters={
            "execution_type": {"type": "string", "enum": ["serverless", "dedicated"]},
            "api_id": {"type": "string", "format": "uuid"},
        },
        security=(SecurityScheme("nncApiKey", {"type": "apiKey", "in": "header", "name": "x-api-key"}),),
    )
]
