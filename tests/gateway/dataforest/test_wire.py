"""Data Forest bodies in JSON and XML (shared/contracts/dataforest.md §3, §4, §7): the format
choice, reading both formats into the same dicts, writing both, and refusing the XML that a
gateway must not parse (entities, DTDs, bodies built to exhaust it)."""

from __future__ import annotations

import copy
from typing import Any
from xml.etree import ElementTree

import orjson
import pytest

from services.gateway.dataforest.wire import (
    JSON_CONTENT_TYPE,
    MAX_DEPTH,
    MAX_ELEMENTS,
    XML_CONTENT_TYPE,
    WireError,
    data_forest_error,
    gateway_error,
    parse_body,
    render,
    wants_xml,
)

CREATE = "CreateAiWorkspaceRequest"

# What the create and setConfiguration requests leave for the caller to say about XML.
LIST_PATHS = frozenset(
    {"configuration.docker.exposeTcpPorts", "configuration.data.input", "configuration.data.output", "contents"}
)
TYPES: dict[str, type[int] | type[bool]] = {
    "configuration.resource.cpuCount": int,
    "configuration.resource.gpuCount": int,
    "configuration.resource.memoryMb": int,
    "configuration.docker.exposeTcpPorts": int,
    "configuration.data.output.overwrite": bool,
}

# The seed's create request (§4, §5), with values that pass §6.
SEED_CREATE: dict[str, Any] = {
    "accountId": "6COytUeFj7b8eOhq2L5zL",
    "name": "api-test",
    "description": 'ai workspace <test> & "demo"',
    "configuration": {
        "userPackageUri": "hdfs://koya/user/test/package.tar.gz",
        "queueName": "gpu",
        "name": "api-test",
        "resource": {"cpuCount": 4, "gpuCount": 1, "gpuModel": "T4", "memoryMb": 15360},
        "docker": {
            "command": "python",
            "image": "tensorflow:r2.3.1-py3",
            "args": "train.py --epochs 3",
            "env": {"PYTHONUNBUFFERED": "1", "MODE": "train"},
            "exposeTcpPorts": [8888, 6006],
            "workdir": "/workspace",
        },
        "data": {
            "input": [
                {"hdfs": "hdfs://koya/user/test/input", "path": "/data/input"},
                {"hdfs": "hdfs://koya/user/test/extra", "path": "/data/extra"},
            ],
            "output": [{"hdfs": "hdfs://koya/user/test/output", "overwrite": True, "path": "/data/output"}],
        },
    },
}

SEED_CREATE_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<CreateAiWorkspaceRequest>
  <accountId>6COytUeFj7b8eOhq2L5zL</accountId>
  <name>api-test</name>
  <description>ai workspace &lt;test&gt; &amp; "demo"</description>
  <configuration>
    <userPackageUri>hdfs://koya/user/test/package.tar.gz</userPackageUri>
    <queueName>gpu</queueName>
    <name>api-test</name>
    <resource>
      <cpuCount>4</cpuCount>
      <gpuCount>1</gpuCount>
      <gpuModel>T4</gpuModel>
      <memoryMb>15360</memoryMb>
    </resource>
    <docker>
      <command>python</command>
      <image>tensorflow:r2.3.1-py3</image>
      <args>train.py --epochs 3</args>
      <env>
        <PYTHONUNBUFFERED>1</PYTHONUNBUFFERED>
        <MODE>train</MODE>
      </env>
      <exposeTcpPorts>8888</exposeTcpPorts>
      <exposeTcpPorts>6006</exposeTcpPorts>
      <workdir>/workspace</workdir>
    </docker>
    <data>
      <input>
        <hdfs>hdfs://koya/user/test/input</hdfs>
        <path>/data/input</path>
      </input>
      <input>
        <hdfs>hdfs://koya/user/test/extra</hdfs>
        <path>/data/extra</path>
      </input>
      <output>
        <hdfs>hdfs://koya/user/test/output</hdfs>
        <overwrite>true</overwrite>
        <path>/data/output</path>
      </output>
    </data>
  </configuration>
</CreateAiWorkspaceRequest>
"""


def parse_xml(raw: bytes, root: str = CREATE, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("list_paths", LIST_PATHS)
    kwargs.setdefault("types", TYPES)
    return parse_body(raw, "application/xml", root, **kwargs)


def refusal(raw: bytes, content_type: str | None = "application/xml", root: str = CREATE) -> WireError:
    with pytest.raises(WireError) as caught:
        parse_body(raw, content_type, root, list_paths=LIST_PATHS, types=TYPES)
    return caught.value


def nested_xml(depth: int) -> bytes:
    """A body whose innermost element is `depth` levels down, the root being level 1."""
    inner = depth - 1
    return f"<{CREATE}>{'<a>' * inner}x{'</a>' * inner}</{CREATE}>".encode()


# wants_xml (§3)


@pytest.mark.parametrize(
    "accept",
    ["application/xml", "text/xml", "Application/XML", "TEXT/XML; charset=utf-8", "text/plain, application/xml;q=0.9"],
)
def test_xml_is_answered_when_accept_names_an_xml_type(accept: str) -> None:
    assert wants_xml(accept)


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "",
        "*/*",
        "application/json",
        "application/xml, application/json",
        "text/xml;q=1.0, APPLICATION/JSON;q=0.1",
        "application/xhtml+xml",
        "text/html",
        "application/*",
    ],
)
def test_json_is_answered_otherwise(accept: str | None) -> None:
    assert not wants_xml(accept)


# parse_body: JSON


@pytest.mark.parametrize(
    "content_type", [None, "", "application/json", "Application/JSON; charset=UTF-8", 'application/json;charset="utf8"']
)
def test_a_json_body_is_read_when_the_content_type_is_json_or_missing(content_type: str | None) -> None:
    assert parse_body(orjson.dumps(SEED_CREATE), content_type, CREATE) == SEED_CREATE


@pytest.mark.parametrize("content_type", [None, "application/json", "application/xml", "text/xml"])
def test_an_empty_body_is_an_empty_object(content_type: str | None) -> None:
    assert parse_body(b"", content_type, "GetAccountListRequest") == {}


@pytest.mark.parametrize("raw", [b"[]", b'"text"', b"1", b"null", b"[{}]"])
def test_json_that_is_not_an_object_is_refused(raw: bytes) -> None:
    assert refusal(raw, "application/json").kind == "malformed"


def test_a_body_that_is_not_json_is_refused_as_malformed() -> None:
    assert refusal(b'{"accountId": ', None).kind == "malformed"


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]
)
def test_other_content_types_are_refused(content_type: str) -> None:
    error = refusal(orjson.dumps(SEED_CREATE), content_type)
    assert error.kind == "media-type"
    assert content_type.split(";")[0] in error.message


def test_deep_json_is_refused_and_the_bound_itself_is_read() -> None:
    def nested(depth: int) -> bytes:
        return b'{"a":' * (depth - 1) + b"{}" + b"}" * (depth - 1)

    assert refusal(nested(MAX_DEPTH + 1), "application/json").kind == "too-complex"
    assert "a" in parse_body(nested(MAX_DEPTH), "application/json", CREATE)


def test_json_with_too_many_values_is_refused() -> None:
    # The object itself counts as one value.
    assert refusal(orjson.dumps({"a": [0] * MAX_ELEMENTS}), "application/json").kind == "too-complex"
    assert len(parse_body(orjson.dumps({"a": [0] * (MAX_ELEMENTS - 2)}), None, CREATE)["a"]) == MAX_ELEMENTS - 2


# parse_body: UTF-8 only


@pytest.mark.parametrize(
    ("content_type", "text"),
    [
        (None, '{"name": "café"}'),
        ("application/json", '{"name": "café"}'),
        ("application/xml", f"<{CREATE}><name>café</name></{CREATE}>"),
        ("text/xml", f"<{CREATE}><name>café</name></{CREATE}>"),
    ],
)
def test_a_body_that_is_not_utf8_is_refused_as_an_encoding_error(content_type: str | None, text: str) -> None:
    assert parse_body(text.encode(), content_type, CREATE) == {"name": "café"}
    assert refusal(text.encode("latin-1"), content_type).kind == "encoding"


def test_utf16_is_refused_as_an_encoding_error() -> None:
    raw = f'<?xml version="1.0" encoding="UTF-16"?><{CREATE}><name>a</name></{CREATE}>'.encode("utf-16")
    assert refusal(raw).kind == "encoding"


@pytest.mark.parametrize("content_type", ["application/json; charset=ISO-8859-1", "text/xml; charset=latin1"])
def test_a_charset_other_than_utf8_is_refused(content_type: str) -> None:
    assert refusal(b"{}", content_type).kind == "encoding"


def test_an_xml_declaration_naming_another_encoding_is_refused_even_for_ascii_bytes() -> None:
    raw = f'<?xml version="1.0" encoding="ISO-8859-1"?><{CREATE}><name>a</name></{CREATE}>'.encode()
    assert refusal(raw).kind == "encoding"


def test_non_ascii_text_is_read_in_both_formats() -> None:
    body = {"accountId": "6COytUeFj7b8eOhq2L5zL", "name": "ws", "description": "워크스페이스 ワークスペース"}
    xml, _ = render(body, CREATE, xml=True)
    assert parse_xml(xml) == body
    assert parse_body(orjson.dumps(body), None, CREATE) == body


def test_a_utf8_byte_order_mark_is_taken_in_xml() -> None:
    assert parse_xml(b"\xef\xbb\xbf" + f"<{CREATE}><name>a</name></{CREATE}>".encode()) == {"name": "a"}


# parse_body: XML into the JSON shapes


def test_the_seed_create_request_in_xml_reads_as_its_json() -> None:
    assert parse_body(SEED_CREATE_XML, "text/xml", CREATE, list_paths=LIST_PATHS, types=TYPES) == SEED_CREATE


def test_known_lists_are_lists_even_with_one_element() -> None:
    body = parse_xml(
        f"<{CREATE}><configuration><docker><exposeTcpPorts>8888</exposeTcpPorts></docker>"
        f"<data><input><hdfs>h</hdfs><path>/p</path></input></data></configuration></{CREATE}>".encode()
    )
    assert body == {
        "configuration": {"docker": {"exposeTcpPorts": [8888]}, "data": {"input": [{"hdfs": "h", "path": "/p"}]}}
    }


def test_a_list_path_applies_only_at_its_own_path() -> None:
    # `input` is a list under configuration.data, not at the top.
    assert parse_xml(f"<{CREATE}><input>x</input></{CREATE}>".encode()) == {"input": "x"}


def test_repeated_elements_become_a_list_without_being_declared() -> None:
    body = parse_xml(f"<{CREATE}><tag>a</tag><tag>b</tag><tag>c</tag><other>d</other></{CREATE}>".encode())
    assert body == {"tag": ["a", "b", "c"], "other": "d"}


def test_text_stays_text_where_no_type_is_given() -> None:
    body = parse_xml(f"<{CREATE}><accountId>0123</accountId><description>true</description></{CREATE}>".encode())
    assert body == {"accountId": "0123", "description": "true"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("8", 8), ("-1", -1), (" 15360 ", 15360), ("0", 0), ("8x", "8x"), ("", ""), ("1.5", "1.5"), ("1_000", "1_000")],
)
def test_typed_integers_convert_and_others_stay_text(text: str, expected: int | str) -> None:
    body = parse_xml(
        f"<{CREATE}><configuration><resource><gpuCount>{text}</gpuCount></resource></configuration></{CREATE}>".encode()
    )
    assert body["configuration"]["resource"]["gpuCount"] == expected
    assert type(body["configuration"]["resource"]["gpuCount"]) is type(expected)


@pytest.mark.parametrize(
    ("text", "expected"), [("true", True), ("false", False), ("yes", "yes"), ("1", "1"), ("True", "True")]
)
def test_typed_booleans_take_true_and_false_only(text: str, expected: bool | str) -> None:
    body = parse_xml(
        f"<{CREATE}><configuration><data><output><overwrite>{text}</overwrite></output></data></configuration></{CREATE}>".encode()
    )
    assert body["configuration"]["data"]["output"] == [{"overwrite": expected}]
    assert type(body["configuration"]["data"]["output"][0]["overwrite"]) is type(expected)


def test_typed_list_items_convert_each_and_keep_the_ones_that_do_not() -> None:
    body = parse_xml(
        f"<{CREATE}><configuration><docker><exposeTcpPorts>80</exposeTcpPorts><exposeTcpPorts>http</exposeTcpPorts>"
        f"</docker></configuration></{CREATE}>".encode()
    )
    assert body["configuration"]["docker"]["exposeTcpPorts"] == [80, "http"]


def test_env_is_a_map_of_names_to_text() -> None:
    def env_of(inner: str) -> object:
        raw = f"<{CREATE}><configuration><docker><env>{inner}</env></docker></configuration></{CREATE}>"
        return parse_xml(raw.encode())["configuration"]["docker"]["env"]

    # A name that is also a list or typed path elsewhere is still just a name here.
    assert env_of("<A>1</A><contents>x</contents><B/>") == {"A": "1", "contents": "x", "B": ""}
    assert env_of("") == {}
    assert env_of("\n  ") == {}
    assert env_of("A=1") == "A=1"


def test_env_values_must_be_text_and_names_must_not_repeat() -> None:
    nested = f"<{CREATE}><configuration><docker><env><A><B>1</B></A></env></docker></configuration></{CREATE}>"
    repeated = f"<{CREATE}><configuration><docker><env><A>1</A><A>2</A></env></docker></configuration></{CREATE}>"
    assert refusal(nested.encode()).kind == "malformed"
    assert refusal(repeated.encode()).kind == "malformed"


def test_env_is_a_map_only_at_its_own_path() -> None:
    assert parse_xml(f"<{CREATE}><env><A>1</A><A>2</A></env></{CREATE}>".encode()) == {"env": {"A": ["1", "2"]}}


def test_an_operation_with_no_parameters_takes_an_empty_root() -> None:
    assert parse_body(b"<GetAccountListRequest/>", "text/xml", "GetAccountListRequest") == {}
    assert parse_body(b"<GetAccountListRequest>\n</GetAccountListRequest>", "text/xml", "GetAccountListRequest") == {}


def test_a_default_namespace_does_not_change_the_names() -> None:
    raw = f'<{CREATE} xmlns="urn:x"><name>api-test</name></{CREATE}>'.encode()
    assert parse_xml(raw) == {"name": "api-test"}


def test_a_wrong_root_is_refused() -> None:
    error = refusal(b"<DeleteAiWorkspaceRequest><id>x</id></DeleteAiWorkspaceRequest>")
    assert error.kind == "malformed"
    assert CREATE in error.message


@pytest.mark.parametrize(
    "raw",
    [
        f"<{CREATE}><name>a</name>".encode(),
        f"<{CREATE}><name>a</nam></{CREATE}>".encode(),
        f"<{CREATE}>text</{CREATE}>".encode(),
        f"<{CREATE}>text<name>a</name></{CREATE}>".encode(),
        f"<{CREATE}><configuration><name>a</name>tail</configuration></{CREATE}>".encode(),
        b"not xml",
        b'{"name": "a"}',
    ],
)
def test_xml_that_is_not_a_body_is_refused_as_malformed(raw: bytes) -> None:
    assert refusal(raw).kind == "malformed"


def test_comments_and_processing_instructions_are_skipped() -> None:
    raw = f"<{CREATE}><!-- note --><name>a<!-- x --></name><?pi data?></{CREATE}>".encode()
    assert parse_xml(raw) == {"name": "a"}


# parse_body: XML the gateway refuses to parse


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        f' <!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">\n'.encode() for i in range(1, 10)
    )
    + f"]>\n<{CREATE}><name>&lol9;</name></{CREATE}>".encode()
)


def test_a_billion_laughs_body_is_refused() -> None:
    assert b"<!ENTITY lol9" in BILLION_LAUGHS
    assert refusal(BILLION_LAUGHS).kind == "forbidden"


def test_an_external_entity_is_refused(tmp_path: Any) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret")
    raw = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY ext SYSTEM "file://{secret}">]>'
        f"<{CREATE}><name>&ext;</name></{CREATE}>"
    ).encode()
    error = refusal(raw)
    assert error.kind == "forbidden"
    assert "the secret" not in error.message


def test_a_dtd_without_entities_is_refused() -> None:
    raw = f'<?xml version="1.0"?><!DOCTYPE {CREATE} SYSTEM "http://127.0.0.1:9/x.dtd"><{CREATE}/>'.encode()
    assert refusal(raw).kind == "forbidden"
    assert refusal(f"<!DOCTYPE {CREATE}><{CREATE}/>".encode()).kind == "forbidden"


def test_an_undeclared_entity_is_malformed() -> None:
    assert refusal(f"<{CREATE}><name>&lol;</name></{CREATE}>".encode()).kind == "malformed"


def test_deep_xml_is_refused_and_the_bound_itself_is_read() -> None:
    assert refusal(nested_xml(MAX_DEPTH + 1)).kind == "too-complex"
    body: Any = parse_xml(nested_xml(MAX_DEPTH))
    for _ in range(MAX_DEPTH - 2):
        body = body["a"]
    assert body == {"a": "x"}


def test_very_deep_xml_is_refused_without_exhausting_the_parser() -> None:
    # Refused at its depth, before the element count is reached and before any tree is built.
    error = refusal(nested_xml(100_000))
    assert error.kind == "too-complex"
    assert f"{MAX_DEPTH} levels" in error.message


def test_xml_with_too_many_elements_is_refused() -> None:
    def of(count: int) -> bytes:
        # The root counts as one element.
        return f"<{CREATE}>{'<v>1</v>' * (count - 1)}</{CREATE}>".encode()

    assert refusal(of(MAX_ELEMENTS + 1)).kind == "too-complex"
    assert len(parse_xml(of(MAX_ELEMENTS))["v"]) == MAX_ELEMENTS - 1


# render


def test_json_is_compact_utf8() -> None:
    body = {"id": "YPIolVXWcPTcCs9dNi89Gn", "message": "워크스페이스", "success": True}
    raw, content_type = render(body, "CreateAiWorkspaceResponse", xml=False)
    assert content_type == JSON_CONTENT_TYPE
    assert raw == '{"id":"YPIolVXWcPTcCs9dNi89Gn","message":"워크스페이스","success":true}'.encode()


def test_xml_has_the_declaration_the_root_and_the_keys_in_order() -> None:
    raw, content_type = render(
        {"success": True, "id": "YPIolVXWcPTcCs9dNi89Gn", "total": 2}, "CreateAiWorkspaceResponse", xml=True
    )
    assert content_type == XML_CONTENT_TYPE
    assert raw == (
        b'<?xml version="1.0" encoding="UTF-8"?><CreateAiWorkspaceResponse><success>true</success>'
        b"<id>YPIolVXWcPTcCs9dNi89Gn</id><total>2</total></CreateAiWorkspaceResponse>"
    )


def test_none_is_left_out_of_both_formats() -> None:
    body = {"id": "a", "message": None, "contents": [{"description": None, "name": "n"}, None]}
    assert orjson.loads(render(body, "R", xml=False)[0]) == {"id": "a", "contents": [{"name": "n"}]}
    root = ElementTree.fromstring(render(body, "R", xml=True)[0])
    assert [child.tag for child in root] == ["id", "contents"]
    contents = root.find("contents")
    assert contents is not None
    assert [child.tag for child in contents] == ["name"]


def test_lists_repeat_one_element_per_item_named_by_list_items_or_the_key() -> None:
    body = {"contents": [{"id": "a"}, {"id": "b"}], "ports": [1, 2], "empty": [], "total": 2}
    raw, _ = render(body, "R", xml=True, list_items={"ports": "port"})
    root = ElementTree.fromstring(raw)
    assert [child.tag for child in root] == ["contents", "contents", "port", "port", "total"]
    assert [item.findtext("id") for item in root.findall("contents")] == ["a", "b"]
    assert [port.text for port in root.findall("port")] == ["1", "2"]


def test_dicts_nest_and_values_are_written_as_text() -> None:
    body = {
        "dockerImages": {"tensorflow": ["tensorflow:r2.3.1-py3", "tensorflow:r2.4"], "pytorch": ["pytorch:1.8"]},
        "disabled": False,
        "ratio": 0.5,
        "message": "success",
    }
    root = ElementTree.fromstring(render(body, "GetAiWorkspaceDockerImageListResponse", xml=True)[0])
    images = root.find("dockerImages")
    assert images is not None
    assert [(child.tag, child.text) for child in images] == [
        ("tensorflow", "tensorflow:r2.3.1-py3"),
        ("tensorflow", "tensorflow:r2.4"),
        ("pytorch", "pytorch:1.8"),
    ]
    assert (root.findtext("disabled"), root.findtext("ratio"), root.findtext("message")) == ("false", "0.5", "success")


def test_text_is_escaped() -> None:
    text = "a < b && c > d \"quoted\" 'single' ]]> <![CDATA[x]]>"
    raw, _ = render({"message": text}, "R", xml=True)
    assert ElementTree.fromstring(raw).findtext("message") == text
    assert b"<b" not in raw


def test_characters_xml_cannot_carry_are_replaced_so_the_document_stays_well_formed() -> None:
    raw, _ = render({"message": "a\x00b\x1bc\td\ne"}, "R", xml=True)
    assert ElementTree.fromstring(raw).findtext("message") == "a\ufffdb\ufffdc\td\ne"


@pytest.mark.parametrize("body", [{"1abc": "x"}, {"a b": "x"}, {"env": {"MY VAR": "1"}}, {"": "x"}])
def test_keys_that_are_not_xml_names_are_refused_in_xml(body: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        render(body, "R", xml=True)


def test_a_list_in_a_list_is_refused_in_xml() -> None:
    with pytest.raises(ValueError):
        render({"a": [[1]]}, "R", xml=True)


@pytest.mark.parametrize("xml", [True, False])
def test_values_that_are_not_jsons_are_refused_in_both_formats(xml: bool) -> None:
    with pytest.raises(TypeError):
        render({"a": {1, 2}}, "R", xml=xml)
    with pytest.raises(TypeError):
        render({"a": {1: "x"}}, "R", xml=xml)


def test_render_does_not_change_its_argument() -> None:
    body = copy.deepcopy(SEED_CREATE) | {"gone": None}
    before = copy.deepcopy(body)
    render(body, CREATE, xml=True)
    render(body, CREATE, xml=False)
    assert body == before


# round trips


@pytest.mark.parametrize("xml", [True, False])
def test_the_seed_create_request_round_trips(xml: bool) -> None:
    raw, content_type = render(SEED_CREATE, CREATE, xml=xml)
    assert parse_body(raw, content_type, CREATE, list_paths=LIST_PATHS, types=TYPES) == SEED_CREATE


def test_the_seed_xml_written_again_reads_the_same() -> None:
    body = parse_xml(SEED_CREATE_XML)
    assert parse_xml(render(body, CREATE, xml=True)[0]) == body


@pytest.mark.parametrize("xml", [True, False])
def test_a_list_response_with_one_item_round_trips(xml: bool) -> None:
    body = {
        "contents": [
            {
                "accountName": "test",
                "createdAt": "2023-05-15T02:23:55.752Z",
                "description": "",
                "disabled": False,
                "id": "YPIolVXWcPTcCs9dNi89Gn",
                "imageVersion": "tensorflow:r2.3.1-py3",
                "modifiedAt": "2023-05-15T02:23:55.752Z",
                "name": "api-test",
            }
        ],
        "message": "success",
        "success": True,
        "total": 1,
    }
    types: dict[str, type[int] | type[bool]] = {"contents.disabled": bool, "success": bool, "total": int}
    root = "GetAiWorkspaceListResponse"
    raw, content_type = render(body, root, xml=xml)
    assert parse_body(raw, content_type, root, list_paths=LIST_PATHS, types=types) == body


# error bodies (§7)


def test_the_data_forest_error_in_json() -> None:
    assert data_forest_error("no such element", xml=False) == (
        b'{"message":"no such element","success":false}',
        JSON_CONTENT_TYPE,
    )


def test_the_data_forest_error_in_xml() -> None:
    assert data_forest_error("invalid request parameter (name, 'a--b'). <reason> & more", xml=True) == (
        b'<?xml version="1.0" encoding="UTF-8"?><ErrorResponse>'
        b"<message>invalid request parameter (name, 'a--b'). &lt;reason&gt; &amp; more</message>"
        b"<success>false</success></ErrorResponse>",
        XML_CONTENT_TYPE,
    )


def test_the_gateway_error_in_json() -> None:
    assert gateway_error("200", "Authentication Failed", xml=False) == (
        b'{"error":{"errorCode":"200","message":"Authentication Failed"}}',
        JSON_CONTENT_TYPE,
    )


def test_the_gateway_error_in_xml() -> None:
    assert gateway_error("430", "Request Entity Too Large", xml=True) == (
        b'<?xml version="1.0" encoding="UTF-8"?><error><errorCode>430</errorCode>'
        b"<message>Request Entity Too Large</message></error>",
        XML_CONTENT_TYPE,
    )


@pytest.mark.parametrize("xml", [True, False])
def test_error_bodies_read_back_as_the_contracts_fields(xml: bool) -> None:
    raw, content_type = data_forest_error("unexpected error", xml=xml)
    assert parse_body(raw, content_type, "ErrorResponse", types={"success": bool}) == {
        "message": "unexpected error",
        "success": False,
    }
    raw, content_type = gateway_error("900", "Unexpected Error", xml=xml)
    parsed = parse_body(raw, content_type, "error")
    assert (parsed["error"] if not xml else parsed) == {"errorCode": "900", "message": "Unexpected Error"}
