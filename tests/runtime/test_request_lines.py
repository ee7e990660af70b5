import io
import json

import structlog

from services.runtime import logging as torii_logging


def _configured(monkeypatch, level: str) -> io.BytesIO:
    stream = io.BytesIO()
    monkeypatch.setattr("sys.stderr", io.TextIOWrapper(stream))
    torii_logging.configure_logging("gateway", level)
    return stream


def test_the_request_line_is_the_line_structlog_writes(monkeypatch):
    stream = _configured(monkeypatch, "info")
    try:
        torii_logging.get_logger().info("http", method="POST", status=200)
        torii_logging.request_line("http", {"method": "POST", "status": 200})
        first, second = (json.loads(line) for line in stream.getvalue().splitlines())
        assert list(first) == list(second) == ["method", "status", "event", "service", "level", "timestamp"]
        assert {k: v for k, v in first.items() if k != "timestamp"} == {
            k: v for k, v in second.items() if k != "timestamp"
        }
    finally:
        structlog.reset_defaults()
        monkeypatch.setattr(torii_logging, "_request_lines", None)


def test_no_request_line_below_the_configured_level(monkeypatch):
    stream = _configured(monkeypatch, "warning")
    try:
        torii_logging.request_line("http", {"status": 200})
        assert stream.getvalue() == b""
    finally:
        structlog.reset_defaults()
        monkeypatch.setattr(torii_logging, "_request_lines", None)
