"""The download header of a stored file, whatever its name."""

from __future__ import annotations

from services.gateway.http_base.artifact_streams import content_disposition


def test_a_file_name_cannot_break_the_header_and_keeps_its_characters():
    assert content_disposition("result.zip") == "attachment; filename=\"result.zip\"; filename*=UTF-8''result.zip"
    assert content_disposition('a"b.csv') == "attachment; filename=\"a_b.csv\"; filename*=UTF-8''a%22b.csv"
    header = content_disposition("売上\r\nX: 1.csv")
    assert "\r" not in header and "\n" not in header
    assert header.endswith("filename*=UTF-8''%E5%A3%B2%E4%B8%8A%0D%0AX%3A%201.csv")
