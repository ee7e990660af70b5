"""From a Data Forest request to its signature material: the headers, and the targets taken from the
request line exactly as sent (shared/contracts/dataforest.md §2, §8.9)."""

from urllib.parse import quote, unquote_plus

import pytest
from aiohttp.test_utils import make_mocked_request

from services.gateway.dataforest.signature import SignedRequest, Unsigned, signed_request
from services.policy.ncp_signature import matches, sign

SECRET = b"ToriiTestSecretKey0123456789abcdefghijKLM"
ACCESS_KEY = "TORIITESTACCESSKEY01"
TIMESTAMP = "1700000000000"
VECTOR_1 = "UdL2a4BoKXp2yEdRZlXjrsnzCeJjWPqq1xT0ne1yOkA="


def headers(**overrides):
    base = {
        "x-ncp-apigw-timestamp": TIMESTAMP,
        "x-ncp-iam-access-key": ACCESS_KEY,
        "x-ncp-apigw-signature-v2": VECTOR_1,
    }
    base.update({name.replace("_", "-"): value for name, value in overrides.items()})
    return {name: value for name, value in base.items() if value is not None}


def test_the_headers_become_a_signed_request():
    request = make_mocked_request("POST", "/api/v2/aiworkspaces/create", headers=headers())
    assert signed_request(request) == SignedRequest(
        access_key=ACCESS_KEY,
        timestamp=TIMESTAMP,
        signature=VECTOR_1,
        method="POST",
        targets=("/api/v2/aiworkspaces/create", "/api/v2/aiworkspaces/create?"),
    )


def test_the_contract_vector_matches_through_the_request():
    got = signed_request(make_mocked_request("POST", "/api/v2/aiworkspaces/create", headers=headers()))
    assert matches(SECRET, got.signature, got.method, got.targets, got.timestamp, got.access_key)


def test_header_names_are_read_in_any_case():
    sent = {name.upper(): value for name, value in headers().items()}
    got = signed_request(make_mocked_request("POST", "/api/v2/aiworkspaces/create", headers=sent))
    assert (got.access_key, got.timestamp, got.signature) == (ACCESS_KEY, TIMESTAMP, VECTOR_1)


def test_signature_v1_stands_in_when_v2_is_absent():
    sent = headers(x_ncp_apigw_signature_v2=None, x_ncp_apigw_signature_v1="v1-value")
    assert signed_request(make_mocked_request("POST", "/api/v2/aiworkspaces/create", headers=sent)).signature == (
        "v1-value"
    )


def test_signature_v2_is_preferred_when_both_are_sent():
    sent = headers(x_ncp_apigw_signature_v1="v1-value")
    assert signed_request(make_mocked_request("POST", "/api/v2/aiworkspaces/create", headers=sent)).signature == (
        VECTOR_1
    )


@pytest.mark.parametrize(
    ("missing", "reported"),
    [
        ("x_ncp_apigw_timestamp", "x-ncp-apigw-timestamp"),
        ("x_ncp_iam_access_key", "x-ncp-iam-access-key"),
        ("x_ncp_apigw_signature_v2", "x-ncp-apigw-signature-v2"),
    ],
)
@pytest.mark.parametrize("value", [None, ""])
def test_a_missing_or_empty_header_is_unsigned(missing, reported, value):
    request = make_mocked_request("POST", "/api/v2/aiworkspaces/create", headers=headers(**{missing: value}))
    with pytest.raises(Unsigned) as raised:
        signed_request(request)
    assert raised.value.header == reported


@pytest.mark.parametrize(
    ("raw_target", "targets"),
    [
        ("/api/v2/aiworkspaces/getList", ("/api/v2/aiworkspaces/getList", "/api/v2/aiworkspaces/getList?")),
        ("/api/v2/aiworkspaces/getList?", ("/api/v2/aiworkspaces/getList", "/api/v2/aiworkspaces/getList?")),
        (
            "/api/v2/aiworkspaces/getList?search.accountId=6COytUeFj7b8eOhq2L5zL",
            ("/api/v2/aiworkspaces/getList?search.accountId=6COytUeFj7b8eOhq2L5zL",),
        ),
        # Order and encoding stay as sent: nothing sorted, `+` left alone, only the decoded variant added.
        (
            "/api/v2/aiworkspaces/getList?z=a%2Fb+c&a=%E3%81%82",
            (
                "/api/v2/aiworkspaces/getList?z=a%2Fb+c&a=%E3%81%82",
                "/api/v2/aiworkspaces/getList?z=a/b+c&a=\u3042",
            ),
        ),
        # The path is never decoded, not even in the decoded variant.
        ("/api/v2/a%2Fb", ("/api/v2/a%2Fb", "/api/v2/a%2Fb?")),
        ("/api/v2/a%2Fb?q=%20", ("/api/v2/a%2Fb?q=%20", "/api/v2/a%2Fb?q= ")),
        # Absolute-form: the scheme and host are cut off, the rest kept as sent.
        ("http://df.example/api/v2/a%2Fb?q=1", ("/api/v2/a%2Fb?q=1",)),
        ("http://df.example?q=%41", ("/?q=%41", "/?q=A")),
    ],
)
def test_the_candidate_targets_come_from_the_raw_request_target(raw_target, targets):
    request = make_mocked_request("GET", raw_target, headers=headers())
    assert signed_request(request).targets == targets


RAW = "/api/v2/aiworkspaces/getList?z=a%2Fb+c&a=%E3%81%82"


@pytest.mark.parametrize(
    ("signed_target", "accepted"),
    [
        (RAW, True),
        ("/api/v2/aiworkspaces/getList?z=a/b+c&a=\u3042", True),
        # Everything below is some other tool's idea of the same request; §8.9 tries none of them.
        ("/api/v2/aiworkspaces/getList?a=%E3%81%82&z=a%2Fb+c", False),
        ("/api/v2/aiworkspaces/getList?" + unquote_plus("z=a%2Fb+c&a=%E3%81%82"), False),
        ("/api/v2/aiworkspaces/getList?z=" + quote("a/b c", safe="") + "&a=%E3%81%82", False),
        ("/api/v2/aiworkspaces/getList?z=a%2fb+c&a=%e3%81%82", False),
        (RAW + "&", False),
        ("/api/v2/aiworkspaces/getList", False),
        ("/api/v2/aiworkspaces/getList?", False),
        ("http://df.example" + RAW, False),
    ],
)
def test_only_the_variants_of_the_contract_are_accepted(signed_target, accepted):
    signature = sign(SECRET, "GET", signed_target, TIMESTAMP, ACCESS_KEY)
    got = signed_request(make_mocked_request("GET", RAW, headers=headers(x_ncp_apigw_signature_v2=signature)))
    assert matches(SECRET, got.signature, got.method, got.targets, got.timestamp, got.access_key) is accepted


@pytest.mark.parametrize(
    ("signed_target", "accepted"),
    [
        ("/api/v2/aiworkspaces/create", True),
        ("/api/v2/aiworkspaces/create?", True),
        ("/api/v2/aiworkspaces/create/", False),
        ("/api/v2/aiworkspaces/create?&", False),
    ],
)
def test_without_a_query_the_trailing_question_mark_is_the_only_variant(signed_target, accepted):
    signature = sign(SECRET, "POST", signed_target, TIMESTAMP, ACCESS_KEY)
    sent = headers(x_ncp_apigw_signature_v2=signature)
    got = signed_request(make_mocked_request("POST", "/api/v2/aiworkspaces/create", headers=sent))
    assert matches(SECRET, got.signature, got.method, got.targets, got.timestamp, got.access_key) is accepted
