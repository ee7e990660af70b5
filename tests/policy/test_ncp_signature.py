"""NCP signature v2: the contract's test vectors, the clock window and the candidate comparison."""

import pytest

from services.policy import ncp_signature
from services.policy.ncp_signature import matches, sign, string_to_sign, within_window

# shared/contracts/dataforest.md §2, "Test vectors".
SECRET = b"ToriiTestSecretKey0123456789abcdefghijKLM"
ACCESS_KEY = "TORIITESTACCESSKEY01"
TIMESTAMP = "1700000000000"
NOW_MS = 1_700_000_000_000


@pytest.mark.parametrize(
    ("method", "target", "signature"),
    [
        ("POST", "/api/v2/aiworkspaces/create", "UdL2a4BoKXp2yEdRZlXjrsnzCeJjWPqq1xT0ne1yOkA="),
        ("POST", "/api/v2/aiworkspaces/getList", "nMHI3CD6UOSznffNWoT23TSjLP33nFwsbxeS+A2K+Es="),
        (
            "GET",
            "/api/v2/aiworkspaces/getList?search.accountId=6COytUeFj7b8eOhq2L5zL",
            "fnuCuHRNcfj5DU12xjMoOabQBTaUFSeLN9/x0Af+bl4=",
        ),
    ],
)
def test_the_contract_vectors_sign_and_match(method, target, signature):
    assert sign(SECRET, method, target, TIMESTAMP, ACCESS_KEY) == signature
    assert matches(SECRET, signature, method, [target], TIMESTAMP, ACCESS_KEY)


def test_the_string_to_sign_has_no_trailing_newline():
    assert (
        string_to_sign("POST", "/api/v2/aiworkspaces/create", TIMESTAMP, ACCESS_KEY)
        == "POST /api/v2/aiworkspaces/create\n1700000000000\nTORIITESTACCESSKEY01"
    )


VECTOR_1 = "UdL2a4BoKXp2yEdRZlXjrsnzCeJjWPqq1xT0ne1yOkA="


@pytest.mark.parametrize(
    ("secret", "method", "target", "timestamp", "access_key"),
    [
        (b"ToriiTestSecretKey0123456789abcdefghijKLm", "POST", "/api/v2/aiworkspaces/create", TIMESTAMP, ACCESS_KEY),
        (SECRET, "GET", "/api/v2/aiworkspaces/create", TIMESTAMP, ACCESS_KEY),
        (SECRET, "post", "/api/v2/aiworkspaces/create", TIMESTAMP, ACCESS_KEY),
        (SECRET, "POST", "/api/v2/aiworkspaces/delete", TIMESTAMP, ACCESS_KEY),
        (SECRET, "POST", "/api/v2/aiworkspaces/create?", TIMESTAMP, ACCESS_KEY),
        (SECRET, "POST", "/api/v2/aiworkspaces/create", "1700000000001", ACCESS_KEY),
        (SECRET, "POST", "/api/v2/aiworkspaces/create", TIMESTAMP, "TORIITESTACCESSKEY02"),
    ],
)
def test_any_other_secret_method_target_timestamp_or_key_does_not_match(secret, method, target, timestamp, access_key):
    assert not matches(secret, VECTOR_1, method, [target], timestamp, access_key)


@pytest.mark.parametrize(
    "signature",
    [
        "",
        VECTOR_1[:-1],
        VECTOR_1.rstrip("="),
        VECTOR_1.lower(),
        VECTOR_1 + "=",
        "UdL2a4BoKXp2yEdRZlXjrsnzCeJjWPqq1xT0ne1yOkA\u00e9",
        # What aiohttp makes of a header byte that is not UTF-8.
        "UdL2a4BoKXp2yEdRZlXjrsnzCeJjWPqq1xT0ne1yOk\udcff",
    ],
)
def test_an_altered_or_undecodable_signature_is_refused_without_an_error(signature):
    assert not matches(SECRET, signature, "POST", ["/api/v2/aiworkspaces/create"], TIMESTAMP, ACCESS_KEY)


TARGETS = ["/api/v2/aiworkspaces/getList?q=a%2Fb", "/api/v2/aiworkspaces/getList?q=a/b"]


@pytest.mark.parametrize("target", TARGETS)
def test_a_signature_over_any_candidate_matches(target):
    signature = sign(SECRET, "POST", target, TIMESTAMP, ACCESS_KEY)
    assert matches(SECRET, signature, "POST", TARGETS, TIMESTAMP, ACCESS_KEY)


@pytest.mark.parametrize(
    "target",
    [
        "/api/v2/aiworkspaces/getList",
        "/api/v2/aiworkspaces/getList?",
        "/api/v2/aiworkspaces/getList?q=a%2fb",
        "/api/v2/aiworkspaces/getList?q=a%2Fb&",
    ],
)
def test_a_signature_over_a_target_that_is_not_a_candidate_does_not_match(target):
    signature = sign(SECRET, "POST", target, TIMESTAMP, ACCESS_KEY)
    assert not matches(SECRET, signature, "POST", TARGETS, TIMESTAMP, ACCESS_KEY)


def test_no_candidates_match_nothing():
    assert not matches(SECRET, VECTOR_1, "POST", [], TIMESTAMP, ACCESS_KEY)


def test_every_candidate_is_computed_and_compared_even_after_the_first_matches(monkeypatch):
    signed = []
    compared = []
    real_sign = ncp_signature.sign
    real_compare = ncp_signature.hmac.compare_digest

    def recording_sign(secret, method, target, timestamp, access_key):
        signed.append(target)
        return real_sign(secret, method, target, timestamp, access_key)

    def recording_compare(a, b):
        compared.append(a)
        return real_compare(a, b)

    monkeypatch.setattr(ncp_signature, "sign", recording_sign)
    monkeypatch.setattr(ncp_signature.hmac, "compare_digest", recording_compare)
    targets = ["/api/v2/aiworkspaces/create", "/api/v2/aiworkspaces/create?", "/other"]
    assert ncp_signature.matches(SECRET, VECTOR_1, "POST", targets, TIMESTAMP, ACCESS_KEY)
    assert signed == targets
    assert compared == [real_sign(SECRET, "POST", target, TIMESTAMP, ACCESS_KEY).encode() for target in targets]


@pytest.mark.parametrize("offset_ms", [0, 1, -1, 299_999, -299_999])
def test_a_timestamp_less_than_five_minutes_away_either_way_is_inside(offset_ms):
    assert within_window(str(NOW_MS + offset_ms), NOW_MS)


@pytest.mark.parametrize("offset_ms", [300_000, -300_000, 300_001, -300_001, -NOW_MS])
def test_a_timestamp_five_minutes_or_more_away_either_way_is_outside(offset_ms):
    assert not within_window(str(NOW_MS + offset_ms), NOW_MS)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "1700000000000.0",
        "1.7e12",
        "-1700000000000",
        "+1700000000000",
        " 1700000000000",
        "1700000000000\n",
        "1_700_000_000_000",
        "0x18bcfe56800",
        "\u0661\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660",  # Arabic-Indic digits
        "9" * 5000,
    ],
)
def test_a_timestamp_that_is_not_decimal_digits_is_outside(text):
    assert not within_window(text, NOW_MS)


def test_leading_zeros_still_read_as_the_number():
    assert within_window("0" + TIMESTAMP, NOW_MS)
