"""Model uploads: a multipart form streamed into the artifact store, checked as ONNX (or GGUF).

The file is kept only if the form is valid, the file is a valid ONNX model and the signature
fits it, and then only if the code inside `async with model_upload(...)` succeeds, or fails in
a way that leaves unknown whether the registry stored a version pointing at it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import grpc
from aiohttp import BodyPartReader
from aiohttp.http_exceptions import HttpProcessingError

from services.gateway.artifacts import ArtifactTooLarge, PendingArtifact, StoredArtifact
from services.gateway.errors import invalid_argument, payload_too_large
from services.gateway.gguf_inspect import check_gguf
from services.gateway.http_base.routing import Call
from services.gateway.http_base.validation import Schema, check, parse_json_text
from services.gateway.management import schemas
from services.gateway.management.converters import preprocessing_from_json, signature_from_json
from services.gateway.onnx_inspect import check_signature, derive_signature, read_graph
from services.runtime.logging import get_logger
from torii.v1 import models_pb2

_CHUNK_BYTES = 1024 * 1024
# A call that ended this way may or may not have been carried out by the registry.
_UNKNOWN_OUTCOME_CODES = {grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED}

log = get_logger("gateway")


@dataclass(frozen=True)
class Upload:
    fields: dict[str, str]
    artifact: StoredArtifact
    signature: models_pb2.Signature
    preprocessing: models_pb2.Preprocessing | None
    format: models_pb2.ModelFormat = models_pb2.MODEL_FORMAT_ONNX


@contextlib.asynccontextmanager
async def model_upload(call: Call, form: Schema) -> AsyncIterator[Upload]:
    """The stored, checked upload; its file is deleted again if the with-block fails."""
    state = _Form()
    try:
        await _read_form(call, form, state)
        upload = await _accept(form, state)
    except BaseException:
        if state.pending is not None:
            state.pending.discard()
        raise
    try:
        yield upload
    except (grpc.aio.AioRpcError, asyncio.CancelledError) as error:
        if _outcome_unknown(error):
            # The registry may have stored a version pointing at this file: an orphan file is
            # harmless, a version whose file is gone is not.
            code = error.code().name if isinstance(error, grpc.aio.AioRpcError) else "CANCELLED"
            log.warning("artifact_kept_after_unknown_outcome", path=str(upload.artifact.path), code=code)
        else:
            upload.artifact.delete()
        raise
    except BaseException:
        upload.artifact.delete()
        raise


def _outcome_unknown(error: BaseException) -> bool:
    if isinstance(error, asyncio.CancelledError):
        return True
    return isinstance(error, grpc.aio.AioRpcError) and error.code() in _UNKNOWN_OUTCOME_CODES


@dataclass
class _Form:
    fields: dict[str, str] = field(default_factory=dict)
    pending: PendingArtifact | None = None


async def _read_form(call: Call, form: Schema, state: _Form) -> None:
    allowed = form["properties"]
    if call.request.content_type != "multipart/form-data":
        raise invalid_argument(f"send the model as multipart/form-data with the fields {', '.join(allowed)}")
    try:
        reader = await call.request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                raise invalid_argument("nested multipart bodies are not accepted")
            name = part.name or ""
            if name not in allowed:
                raise invalid_argument(f"unknown form field {name!r}; known fields: {', '.join(allowed)}")
            if name in state.fields or (name == "file" and state.pending is not None):
                raise invalid_argument(f"form field {name!r} is given more than once")
            if name == "file":
                state.pending = call.artifacts.new_model_file(call.settings.max_upload_bytes)
                await _stream_file(part, state.pending)
            else:
                state.fields[name] = await _read_text(part, call.settings.max_json_bytes)
    except ArtifactTooLarge as error:
        raise payload_too_large(error.limit_bytes, "the model file") from None
    except (ValueError, HttpProcessingError) as error:
        # aiohttp's multipart parser reports a malformed body (ValueError) or a malformed part
        # header (HttpProcessingError) this way; its text quotes the client's bytes, so it goes
        # to the log only.
        log.info("multipart_malformed", cause=type(error).__name__)
        raise invalid_argument("the multipart body is malformed: check the boundary and each part's headers") from None
    present = {*state.fields, *(["file"] if state.pending is not None else [])}
    missing = [key for key in form.get("required", ()) if key not in present]
    if missing:
        raise invalid_argument(f"the form is missing required field(s): {', '.join(missing)}")


async def _stream_file(part: BodyPartReader, pending: PendingArtifact) -> None:
    while chunk := await part.read_chunk(_CHUNK_BYTES):
        await pending.write(chunk)


async def _read_text(part: BodyPartReader, max_bytes: int) -> str:
    raw = bytearray()
    while chunk := await part.read_chunk(64 * 1024):
        raw += chunk
        if len(raw) > max_bytes:
            raise payload_too_large(max_bytes, f"form field {part.name!r}")
    try:
        return bytes(raw).decode(part.get_charset(default="utf-8"))
    except (UnicodeDecodeError, LookupError):
        raise invalid_argument(f"form field {part.name!r} is not UTF-8 text") from None


async def _accept(form: Schema, state: _Form) -> Upload:
    fields, pending = state.fields, state.pending
    assert pending is not None  # _read_form refuses a form without a file
    text_fields = {key: value for key, value in fields.items() if key not in ("signature", "preprocessing")}
    for key, value in text_fields.items():
        check(value, form["properties"][key], where=key)
    if text_fields.get("format") == "gguf":
        return await _accept_chat_model(text_fields, fields, pending)
    given_signature = None
    if "signature" in fields:
        data = check(
            parse_json_text(fields["signature"], 'the "signature" field'), schemas.SIGNATURE, where="signature"
        )
        given_signature = signature_from_json(data)
    preprocessing = None
    if "preprocessing" in fields:
        data = check(
            parse_json_text(fields["preprocessing"], 'the "preprocessing" field'),
            schemas.PREPROCESSING,
            where="preprocessing",
        )
        preprocessing = preprocessing_from_json(data)

    await pending.seal()
    inputs, outputs = await asyncio.to_thread(read_graph, pending.temp_path)
    if given_signature is None:
        signature = derive_signature(inputs, outputs)
    else:
        check_signature(given_signature, inputs, outputs)
        signature = given_signature
    artifact = await pending.commit()
    return Upload(text_fields, artifact, signature, preprocessing)


async def _accept_chat_model(text_fields: dict[str, str], fields: dict[str, str], pending: PendingArtifact) -> Upload:
    """A GGUF chat model: the engine's tensors are fixed, so it takes no signature or preprocessing."""
    given = [key for key in ("signature", "preprocessing") if key in fields]
    if given:
        raise invalid_argument(f"a GGUF chat model takes no {' or '.join(given)}")
    await pending.seal()
    await asyncio.to_thread(check_gguf, pending.temp_path)
    artifact = await pending.commit(".gguf")
    return Upload(text_fields, artifact, models_pb2.Signature(), None, models_pb2.MODEL_FORMAT_GGUF)
