"""A trainer artifact (a result zip, an uploaded data set) streamed to the caller as a download.

Every contract that hands out the trainer's files streams them the same way: the first chunk is
read before the answer starts, so a file that is gone is still answered as that contract's error.
"""

from __future__ import annotations

from urllib.parse import quote

import grpc
from aiohttp import web

from torii.v1 import trainer_service_pb2, trainer_service_pb2_grpc

# A download runs as long as the client takes to read it.
DOWNLOAD_TIMEOUT_S = 3600.0


def content_disposition(filename: str) -> str:
    """An attachment header for any file name (RFC 6266): an ASCII fallback with quotes and
    control characters replaced, and the name itself percent-encoded in UTF-8."""
    fallback = "".join(char if 32 <= ord(char) < 127 and char not in '"\\' else "_" for char in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


async def stream_artifact(
    request: web.Request,
    trainer: trainer_service_pb2_grpc.TrainerServiceStub,
    artifact_uri: str,
    *,
    filename: str,
    content_type: str,
    gone: Exception,
) -> web.StreamResponse:
    """The artifact as an attachment; `gone` is raised when the trainer no longer has it."""
    stream = trainer.ReadArtifact(
        trainer_service_pb2.ReadArtifactRequest(artifact_uri=artifact_uri), timeout=DOWNLOAD_TIMEOUT_S
    )
    try:
        chunk = await stream.read()
    except grpc.aio.AioRpcError as error:
        if error.code() is grpc.StatusCode.NOT_FOUND:
            raise gone from None
        raise
    response = web.StreamResponse(
        headers={"Content-Type": content_type, "Content-Disposition": content_disposition(filename)}
    )
    await response.prepare(request)
    while chunk is not grpc.aio.EOF:
        await response.write(chunk.chunk)
        chunk = await stream.read()
    await response.write_eof()
    return response
