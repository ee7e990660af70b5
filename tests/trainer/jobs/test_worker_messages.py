"""What a failed job's message carries: the trainer's settings marked for the gateway to word, and
any other error's text with nothing in it that reads as a marked setting."""

from __future__ import annotations

from services.tabular.schema import ProblemType
from services.tabular.setting_words import render, setting
from services.trainer.jobs.worker import user_message
from services.trainer.learning.config import ConfigError, TrainingConfig


def test_a_settings_error_keeps_its_marks_for_the_users_contract():
    try:
        TrainingConfig("y", ProblemType.REGRESSION, imbalance=True)
    except ConfigError as error:
        message = user_message(error)
    assert message == f"imbalance correction ({setting('imbalance')}) is only for classification"
    assert render(message, {"imbalance": "im"}) == "imbalance correction (im) is only for classification"


def test_any_other_error_marks_nothing():
    raw = f'the column name "{setting("window_end")}" appears twice'  # a message that joined a name raw
    message = user_message(ValueError(raw))
    assert message == 'the column name "\\x02window_end\\x03" appears twice'
    assert render(message, {"window_end": "tst"}) == message
