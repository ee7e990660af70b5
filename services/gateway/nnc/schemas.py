"""JSON Schemas of the NNC inference contract, for the OpenAPI document."""

from __future__ import annotations

from services.gateway.http_base.schema_words import obj, string
from services.gateway.nnc.decoding import ALL_TYPES

INPUT = obj(
    {
        "name": string(description="the model's input variable name"),
        "type": string(enum=sorted(ALL_TYPES), description="serverless APIs take neither dcm nor wav"),
        "data": {
            "description": "base64 of the whole file (line breaks allowed) for images, dcm and wav; "
            "for vector, numbers in any nesting whose count matches the input's shape",
        },
    },
    ("name", "type", "data"),
    title="NncInput",
)

REQUEST = obj(
    {
        "executor": string(description='the executor\'s name; NNC models have one named "Executor"'),
        "inputs": {"type": "array", "items": INPUT, "minItems": 1},
    },
    ("inputs",),
    title="NncInferenceRequest",
)

RESPONSE = obj(
    {
        "version": string(description="the deployed model build, YYYYMMDD_HHMMSSffffff (UTC)"),
        "outputs": {
            "type": "array",
            "items": obj(
                {"name": string(), "data": string(description='the values joined with ", "')},
                ("name", "data"),
                title="NncOutput",
            ),
        },
    },
    ("version", "outputs"),
    title="NncInferenceResponse",
)

ERROR = obj(
    {
        "code": string(description="e.g. 4031020301"),
        "error": string(description="e.g. ACCESS_DENIED"),
        "message": string(description="Invalid API key, Invalid request, Can not publish api, or another reason"),
        "data": obj({"request_id": string()}, ("request_id",), title="NncErrorData"),
    },
    ("code", "error", "message", "data"),
    title="NncError",
)
