"""Files in and out without a key: PUT to a signed upload URL streams to the trainer; GET of a
signed download URL streams an artifact back."""

from __future__ import annotations

from aiohttp import web

from services.gateway.http_base.artifact_streams import stream_artifact
from services.gateway.http_base.routing import Call
from services.gateway.prediction_one.clients import CLIENTS
from services.gateway.prediction_one.contract_errors import PredictionOneError, bad_request
from services.gateway.prediction_one.signed_urls import UrlSigner
from torii.v1 import trainer_service_pb2, training_pb2

UPLOAD_PREFIX = "/v1/external/uploads"
RESULT_PREFIX = "/v1/external/results"
SLOTS = {
    "learn": training_pb2.UPLOAD_SLOT_LEARN,
    "eval": training_pb2.UPLOAD_SLOT_EVAL,
    "column_info": training_pb2.UPLOAD_SLOT_COLUMN_TYPES,
}
CHUNK_BYTES = 1 << 20
# An upload runs as long as the client takes to send it, and then the file is checked.
UPLOAD_TIMEOUT_S = 3600.0


def upload_path(job_id: str, slot: str, extension: str, filename: str = "") -> str:
    name = filename or f"{slot}.{extension}"
    return f"{UPLOAD_PREFIX}/{job_id}/{slot}/{name}"


def result_path(job_id: str) -> str:
    return f"{RESULT_PREFIX}/{job_id}"


def verified(call: Call, signer: UrlSigner) -> None:
    """Refuse a URL whose signature or expiry does not hold."""
    problem = signer.verify(
        call.request.path, call.request.query.get("expires", ""), call.request.query.get("signature", "")
    )
    if problem is not None:
        raise PredictionOneError(bad_request(f"{problem}."))


async def put_upload(call: Call) -> web.Response:
    verified(call, call.request.app[CLIENTS].signer)
    slot_name, filename = call.path("slot"), call.path("filename")
    if slot_name not in SLOTS:
        raise PredictionOneError(bad_request("The URL names no upload slot."))
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    header = trainer_service_pb2.UploadHeader(
        job_id=call.path("job_id"), slot=SLOTS[slot_name], filename=filename, extension=extension
    )

    async def parts():
        yield trainer_service_pb2.UploadFileRequest(header=header)
        async for chunk in call.request.content.iter_chunked(CHUNK_BYTES):
            yield trainer_service_pb2.UploadFileRequest(chunk=chunk)

    reply = await call.request.app[CLIENTS].trainer.UploadFile(parts(), timeout=UPLOAD_TIMEOUT_S)
    body: dict[str, object] = {"external_process_id": reply.job.job_id, "file": slot_name}
    if reply.data_set.data_set_id:
        body.update(
            data_set_id=reply.data_set.data_set_id,
            column_count=reply.data_set.column_count,
            data_count=reply.data_set.data_count,
        )
    return web.json_response(body)


async def artifact_download(call: Call, artifact_uri: str, filename: str, content_type: str) -> web.StreamResponse:
    return await stream_artifact(
        call.request,
        call.request.app[CLIENTS].trainer,
        artifact_uri,
        filename=filename,
        content_type=content_type,
        gone=PredictionOneError(bad_request("The file is no longer stored.")),
    )
