"""Malformed parts of a request that reach a route (a multipart part's headers, a signed URL's
signature) are refused with a 4xx in the contract's shape, not a 500."""

from __future__ import annotations

import pytest

from tests.gateway.helpers import error_of, identity_model

BOUNDARY = "torii-boundary"
SECRET = "s3cr3t-credential"


def _form_with_part_header(header: bytes) -> bytes:
    return b"".join(
        [
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="name"\r\n'.encode(),
            header,
            b"\r\n\r\nidentity\r\n",
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="m.onnx"\r\n\r\n'.encode(),
            identity_model(),
            f"\r\n--{BOUNDARY}--\r\n".encode(),
        ]
    )


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(b"X-Note " + SECRET.encode(), id="no colon"),
        pytest.param(b"X-Note: " + SECRET.encode() + b"\x00", id="a NUL byte"),
        pytest.param(b"X-Note: " + SECRET.encode() + b"s" * 20_000, id="too long"),
        pytest.param(b"".join(b"X-Note-%d: %s\r\n" % (n, SECRET.encode()) for n in range(200)).rstrip(), id="too many"),
    ],
)
async def test_a_malformed_part_header_is_400_and_keeps_nothing(gateway, header):
    response = await gateway.client.post(
        "/manage/v1/models",
        data=_form_with_part_header(header),
        headers={**gateway.admin, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    message = await error_of(response, 400, "INVALID_ARGUMENT")
    assert "multipart" in message
    assert SECRET not in message
    assert gateway.artifact_files() == []
    listed = await gateway.client.get("/manage/v1/models", headers=gateway.admin)
    assert (await listed.json())["models"] == []


async def test_a_signature_that_is_not_ascii_is_refused_in_the_prediction_one_shape(gateway):
    response = await gateway.client.get("/v1/external/results/some-job?expires=99999999999&signature=%C3%A9%C3%A9")
    assert response.status == 400
    assert await response.json() == {
        "code": 4001000204,
        "error": "PREDA_EXTERNAL_BAD_REQUEST",
        "message": "the URL's signature does not match.",
    }
