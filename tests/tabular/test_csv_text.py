from __future__ import annotations

import random

import pytest

from services.tabular.csv_text import (
    MAX_RECORD_CHARS,
    TableError,
    count_rows,
    decode_table,
    decode_text,
    detect_delimiter,
)


def test_utf8_comma_separated():
    table = decode_table(b"age,name\n34,Ann\n51,Bob\n")
    assert table.header == ("age", "name")
    assert table.rows == [("34", "Ann"), ("51", "Bob")]
    assert table.encoding == "utf-8"
    assert table.delimiter == ","


def test_utf8_bom_is_stripped_from_first_name():
    table = decode_table("\ufeff年齢,名前\n34,花子\n".encode("utf-8"))
    assert table.header == ("年齢", "名前")
    assert table.rows == [("34", "花子")]
    assert table.encoding == "utf-8"


def test_shift_jis_japanese_header_and_values():
    data = "顧客ID,都道府県,購入額\n1,東京都,１２００\n2,大阪府,980\n".encode("cp932")
    table = decode_table(data)
    assert table.encoding == "shift_jis"
    assert table.header == ("顧客ID", "都道府県", "購入額")
    assert table.rows == [("1", "東京都", "１２００"), ("2", "大阪府", "980")]


def test_utf16_is_refused_with_a_clear_message():
    with pytest.raises(TableError, match="UTF-16"):
        decode_table("a,b\n1,2\n".encode("utf-16"))


@pytest.mark.parametrize(
    "data",
    [
        "café,prix\n1,é \n".encode("latin-1"),  # é then space: invalid UTF-8 and invalid cp932
        bytes([0x81, 0x20, 0xFF, 0xFE, 0x00]) * 50,
    ],
)
def test_bytes_that_are_not_text_are_refused(data):
    with pytest.raises(TableError) as caught:
        decode_table(data)
    assert str(caught.value) == "the file is neither UTF-8 nor Shift_JIS text"


def test_random_binary_is_refused():
    noise = random.Random(7).randbytes(4096)
    with pytest.raises(TableError, match="neither UTF-8 nor Shift_JIS"):
        decode_table(noise)


def test_nul_bytes_are_refused_even_when_ascii():
    with pytest.raises(TableError, match="neither UTF-8 nor Shift_JIS"):
        decode_table(b"a,b\n1,\x002\n")


def test_tab_separated_is_detected_from_the_header():
    table = decode_table(b"name\tcomment\nAnn\thello, world\n")
    assert table.delimiter == "\t"
    assert table.rows == [("Ann", "hello, world")]


def test_explicit_tab_delimiter_is_honoured():
    table = decode_table(b"only\nx,y\n", delimiter="\t")
    assert table.header == ("only",)
    assert table.rows == [("x,y",)]


def test_explicit_comma_delimiter_is_honoured():
    table = decode_table(b"a\tb\n1\t2\n", delimiter=",")
    assert table.header == ("a\tb",)


def test_bad_delimiter_argument_is_a_programming_error():
    with pytest.raises(ValueError, match="delimiter"):
        decode_table(b"a;b\n", delimiter=";")


def test_delimiter_ignores_quoted_commas_and_tabs():
    assert detect_delimiter('"a,b"\tc\n1\t2') == "\t"
    assert detect_delimiter('"a\tb",c\n') == ","
    assert detect_delimiter("a\tb,c\n") == ","  # both: comma wins
    assert detect_delimiter("single\n1,2") == ","


def test_quoted_fields_with_commas_quotes_and_newlines_and_crlf():
    data = b'id,note\r\n1,"hello, ""world""\r\nsecond line"\r\n2,plain\r\n'
    table = decode_table(data)
    assert table.rows == [("1", 'hello, "world"\r\nsecond line'), ("2", "plain")]


def test_blank_lines_are_skipped_and_header_names_stripped():
    table = decode_table(b"\n\n a , b \n1,2\n\n,\n3,4\n\n")
    assert table.header == ("a", "b")
    assert table.rows == [("1", "2"), ("3", "4")]


def test_cells_are_kept_as_written():
    assert decode_table(b"a,b\n 1 , x \n").rows == [(" 1 ", " x ")]


def test_ragged_row_names_its_data_row_number():
    data = b"a,b,c,d,e\n1,2,3,4,5\n\n1,2,3,4,5\n1,2,3,4\n"
    with pytest.raises(TableError) as caught:
        decode_table(data)
    assert str(caught.value) == "row 3 has 4 fields; the header has 5"


def test_too_wide_row_is_refused():
    with pytest.raises(TableError, match="^row 1 has 3 fields; the header has 2$"):
        decode_table(b"a,b\n1,2,\n")


def test_header_only_has_no_rows():
    table = decode_table(b"a,b\n")
    assert table.header == ("a", "b")
    assert table.rows == []


@pytest.mark.parametrize("data", [b"", b"\n\r\n", b"\xef\xbb\xbf", b",,,\n"])
def test_empty_file(data):
    with pytest.raises(TableError, match="^the file is empty$"):
        decode_table(data)


def test_duplicate_column_name():
    with pytest.raises(TableError) as caught:
        decode_table(b"age,name,age \n1,2,3\n")
    assert str(caught.value) == 'the column name "age" appears twice'


def test_unnamed_column():
    with pytest.raises(TableError) as caught:
        decode_table(b"a,b, ,d\n1,2,3,4\n")
    assert str(caught.value) == "column 3 has no name"


def test_table_error_is_a_value_error():
    assert issubclass(TableError, ValueError)


def test_hundred_thousand_rows_decode_whole():
    # How long this takes is a benchmark's business (a timed assertion fails on a busy machine).
    line = ",".join(f"{value}.5" for value in range(20)) + "\n"
    data = (",".join(f"c{index}" for index in range(20)) + "\n" + line * 100_000).encode()
    table = decode_table(data)
    assert len(table.rows) == 100_000
    assert table.rows[-1][19] == "19.5"


def test_one_field_reads_as_singular():
    with pytest.raises(TableError, match="^row 2 has 1 field; the header has 2$"):
        decode_table(b"a,b\n1,2\nlonely\n")


@pytest.mark.parametrize(
    "data",
    [
        b"a,b\n1,2\n3,4\n",
        "\ufeff名前,値\n東京,1\n".encode("utf-8"),
        "名前,値\n大阪,2\n\n,\n京都,3\n".encode("cp932"),
        b"a\tb\n1\t2\n",
        b'a,b\n"x,\ny",2\r\n3,4',
        b"a,b,c\n",
    ],
)
def test_counting_rows_agrees_with_decoding_them(data):
    table = decode_table(data)
    assert count_rows(data) == (len(table.header), len(table.rows))


@pytest.mark.parametrize(
    "data", [b"a,b\n1,2\n\n3\n", b"a,b\n1,2,3\n", b"a,a\n1,2\n", b"", b"\xff\xfe\x00a", b'a,b\n"1,2\n']
)
def test_counting_rows_refuses_what_decoding_refuses(data):
    with pytest.raises(TableError) as decoding:
        decode_table(data)
    with pytest.raises(TableError) as counting:
        count_rows(data)
    assert str(counting.value) == str(decoding.value)


# cp932 as Python decodes it maps these single bytes (Microsoft's 0x80, 0xA0, 0xFD–0xFF) to
# characters; no Shift_JIS variant defines them, nor UTF-8 alone.
@pytest.mark.parametrize("odd", [b"\x80", b"\xa0", b"\xfd", b"\xfe", b"\xff", b"\x80\xff"])
def test_bytes_cp932_decodes_but_shift_jis_does_not_define_are_refused(odd):
    data = b"a,b\n" + odd + b",1\n"
    for codec in ("utf-8", "shift_jis", "shift_jis_2004"):
        with pytest.raises(UnicodeDecodeError):
            data.decode(codec)
    data.decode("cp932")  # what let them through
    for read in (decode_table, count_rows, decode_text):
        with pytest.raises(TableError, match="^the file is neither UTF-8 nor Shift_JIS text$"):
            read(data)


def test_windows_extensions_of_shift_jis_stay_accepted():
    # NEC special (①, ㈱), IBM extended (髙, 﨑) and user-defined (0xF040) characters: Excel on
    # Japanese Windows writes them, and strict shift_jis refuses them.
    data = "記号,氏名,外字\n①㈱,髙﨑,".encode("cp932") + b"\xf0\x40\n"
    with pytest.raises(UnicodeDecodeError):
        data.decode("shift_jis")
    table = decode_table(data)
    assert table.encoding == "shift_jis"
    assert table.rows == [("①㈱", "髙﨑", "\ue000")]


@pytest.mark.parametrize(
    "data, line",
    [
        (b'a,b\n1,"x\n2,y\n3,z\n', 2),  # the last column: widths still match, rows silently merged
        (b'a,b\r\n1,2\r\n3,"x\r\n4,5\r\n', 3),
        (b'a,b\r1,2\r3,"x\r4,5\r', 3),
        (b'a,b\n"p\nq","x\ny\nz\n', 3),  # after a quoted field that spans lines and closes
        (b'a,b\n1,"x', 2),  # no line break at the end
        (b'a,b\n1,2\n"', 3),  # a lone quote on the last line
        (b'"a,b\n1,2\n', 1),  # in the header
    ],
)
def test_a_quote_never_closed_is_refused_at_the_line_it_opens(data, line):
    message = f'line {line} opens a quoted field that is never closed: a closing " is missing'
    for read in (decode_table, count_rows):
        with pytest.raises(TableError) as caught:
            read(data)
        assert str(caught.value) == message


def test_closed_quotes_at_the_end_of_the_file_are_fine():
    for data in (b'a,b\n1,"x"', b'a,b\n1,"x"\n', b'a,b\n1,"x\ny"\n\n'):
        assert count_rows(data) == (2, 1)


def test_a_record_longer_than_the_limit_is_refused_without_reading_on():
    huge_line = b"a,b\n1,2\n" + b"x" * (MAX_RECORD_CHARS + 10) + b"\n"
    many_lines = b"a,b\n" + b'"\n",' * (MAX_RECORD_CHARS // 3) + b"\n"  # quoted line breaks, one record
    for data in (huge_line, many_lines):
        with pytest.raises(TableError, match="^the record starting on line [23] is longer than 1,048,576 characters"):
            count_rows(data)


def test_a_long_unclosed_quote_names_the_line_its_record_starts():
    data = b'a,b\n1,2\n3,"x\n' + b"y\n" * 100_000
    with pytest.raises(
        TableError, match=r"^line \d+ \(in the record that starts on line 3\) cannot be read as CSV: field larger"
    ):
        count_rows(data)


def test_a_file_is_read_in_blocks_and_left_open(tmp_path):
    # A character split across the first block's end, and a Shift_JIS byte only after it.
    head = b"a,b\n" + b"1,2\n" * ((1 << 20) // 4 - 2) + b"x,"
    text = head + "あ\n".encode() + b"3,4\n"
    assert text.index("あ".encode()) < 1 << 20 < text.index("あ".encode()) + 3
    path = tmp_path / "data.csv"
    path.write_bytes(text)
    with open(path, "rb") as handle:
        assert count_rows(handle) == (2, (1 << 20) // 4)
        assert not handle.closed
    assert decode_table(path.read_bytes()).rows[-2] == ("x", "あ")
    path.write_bytes(text.replace(b"3,4", b"3,\x80"))
    with open(path, "rb") as handle, pytest.raises(TableError, match="neither UTF-8 nor Shift_JIS"):
        count_rows(handle)
