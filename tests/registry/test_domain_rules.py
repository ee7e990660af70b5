"""Pure rules: access rules and schedules, without a database."""

import re
from datetime import UTC, datetime

import pytest

from services.policy.access import is_allowed
from services.policy.rules import make_rule
from services.policy.schedule import is_within
from services.registry.domain.models import check_version_fields
from services.registry.domain.names import require_name
from services.registry.domain.schedules import make_schedule
from services.runtime.errors import InvalidArgument


@pytest.mark.parametrize(
    ("rules", "address", "allowed"),
    [
        ([("0.0.0.0/0", "allow", 0)], "203.0.113.9", True),
        ([("0.0.0.0/0", "allow", 0)], "2001:db8::1", True),
        ([("203.0.113.0/24", "allow", 0)], "203.0.114.1", False),
        ([("203.0.113.0/24", "allow", 0)], "::ffff:203.0.113.5", True),
        ([("2001:db8::/32", "allow", 0)], "2001:db8:1::5", True),
        ([("2001:db8::/32", "allow", 0)], "10.0.0.1", False),
        ([("10.0.0.0/8", "deny", 0), ("0.0.0.0/0", "allow", 1)], "10.1.2.3", False),
        ([("10.0.0.0/8", "deny", 1), ("0.0.0.0/0", "allow", 0)], "10.1.2.3", True),
        ([("10.0.0.0/8", "deny", 0), ("10.1.0.0/16", "allow", 0)], "10.1.2.3", True),
        ([], "127.0.0.1", False),
        ([("0.0.0.0/0", "allow", 0)], "not an address", False),
    ],
)
def test_access_rules(rules, address, allowed):
    assert is_allowed([make_rule(*rule) for rule in rules], address) is allowed


def test_a_bad_rule_action_is_refused():
    with pytest.raises(InvalidArgument, match="allow' or 'deny"):
        make_rule("10.0.0.0/8", "maybe")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_daytime_window_on_weekdays():
    office = make_schedule(False, "09:00", "17:00", [1, 2, 3, 4, 5])
    assert is_within(office, at("2026-11-26T09:00"))  # Thursday
    assert not is_within(office, at("2026-11-26T17:00"))
    assert not is_within(office, at("2026-11-28T10:00"))  # Saturday


def test_a_window_past_midnight_belongs_to_the_day_it_starts():
    night = make_schedule(False, "22:00", "06:00", [5])  # Friday night
    assert is_within(night, at("2026-11-27T23:00"))  # Friday
    assert is_within(night, at("2026-11-28T05:59"))  # Saturday morning
    assert not is_within(night, at("2026-11-27T05:00"))  # Friday morning belongs to Thursday
    assert not is_within(night, at("2026-11-28T12:00"))


def test_windows_compare_in_utc():
    office = make_schedule(False, "09:00", "17:00", [4])
    tokyo = datetime.fromisoformat("2026-11-26T19:00+09:00")  # 10:00 UTC
    assert is_within(office, tokyo)


def test_always_takes_no_window():
    assert is_within(make_schedule(True, "", "", []), at("2026-11-26T03:00"))
    with pytest.raises(InvalidArgument):
        make_schedule(True, "09:00", "", [])


@pytest.mark.parametrize("name", ["a\r\nX-Injected: 1.csv", "tab\there", "bell\x07", "del\x7f"])
def test_names_refuse_control_characters(name):
    with pytest.raises(InvalidArgument, match="must not contain control characters"):
        require_name(name, "data set")


def test_names_keep_any_printable_text():
    assert require_name("  売上 2025 (v2).csv ", "data set") == "売上 2025 (v2).csv"


def _hf_fields(**overrides):
    fields = {
        "format": "hf_model",
        "artifact_uri": "hf://Qwen/Qwen2.5-0.5B-Instruct",
        "sha256": "",
        "size_bytes": 0,
        "signature": {},
        "preprocessing": {"chat_template": {"template": "{{ messages[0]['content'] }}"}},
    }
    fields.update(overrides)
    return fields


def test_a_hugging_face_version_is_an_id_and_a_template_without_a_file():
    check_version_fields(_hf_fields())
    for overrides, words in (
        ({"artifact_uri": "https://huggingface.co/Qwen/x"}, "hf://<org>/<name>"),
        ({"artifact_uri": "hf://Qwen/../../etc"}, "hf://<org>/<name>"),
        ({"sha256": "ab" * 32}, "no sha256"),
        ({"size_bytes": 10}, "no sha256"),
        ({"preprocessing": {}}, "needs its chat template"),
        ({"preprocessing": {"chat_template": {"template": "x"}, "images": []}}, "only a chat template"),
        ({"signature": {"inputs": []}}, "no signature"),
    ):
        with pytest.raises(InvalidArgument, match=re.escape(words)):
            check_version_fields(_hf_fields(**overrides))


def test_only_a_hugging_face_version_takes_a_chat_template():
    onnx = {
        "format": "onnx",
        "artifact_uri": "file:///m.onnx",
        "sha256": "ab" * 32,
        "size_bytes": 10,
        "signature": {"inputs": [{"name": "x", "data_type": "FP32", "shape": [1]}], "outputs": []},
        "preprocessing": {"chat_template": {"template": "x"}},
    }
    with pytest.raises(InvalidArgument, match="Hugging Face chat models only"):
        check_version_fields(onnx)
