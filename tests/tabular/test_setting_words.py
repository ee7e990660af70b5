"""Marked setting names: each contract words them, and user data never reads as one."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.tabular.setting_words import escaped, render, setting

WORDS = {"window_end": "tst", "time_column": "tsc"}


def test_a_contract_words_the_settings_it_knows_and_the_rest_keep_the_core_name():
    message = f"lower the window end ({setting('window_end')}) or the interval ({setting('interval')})"
    assert render(message, WORDS) == "lower the window end (tst) or the interval (interval)"
    assert render(message, {}) == "lower the window end (window_end) or the interval (interval)"


def test_a_message_without_settings_is_unchanged():
    assert render("the data has no rows", WORDS) == "the data has no rows"


@pytest.mark.parametrize("name", ["", "Window", "window end", "tsc)", "\x02x\x03", "1st"])
def test_only_a_setting_name_can_be_marked(name):
    with pytest.raises(ValueError, match="lowercase identifier"):
        setting(name)


def test_a_column_named_like_a_marked_setting_is_not_translated():
    column = setting("window_end")  # a user's column name holding the marker characters
    message = f"the time column ({setting('time_column')}) {column!r} is not in the data; its columns are "
    message += escaped(column)
    assert render(message, WORDS) == (
        "the time column (tsc) '\\x02window_end\\x03' is not in the data; its columns are \\x02window_end\\x03"
    )


def test_escaped_writes_control_characters_as_repr_does_and_keeps_the_rest():
    assert escaped("売上\tsales\n\x02\x7f") == "売上\\tsales\\n\\x02\\x7f"
    assert escaped("plain, 'quoted' \"text\"") == "plain, 'quoted' \"text\""


@given(st.text())
def test_user_text_formatted_either_way_never_holds_a_marker(text):
    for formatted in (repr(text), escaped(text)):
        assert render(formatted, WORDS) == formatted
        assert render(formatted + setting("window_end"), WORDS) == formatted + "tst"
