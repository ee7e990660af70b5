"""Data Forest bodies in and out of JSON and XML (shared/contracts/dataforest.md §3, §4, §7).

Every Data Forest operation documents a JSON body and an XML body: `Content-Type` picks the
request's format and `Accept` the answer's. The operations work on dicts shaped like the JSON
bodies; this module is the only place that knows XML exists.

XML from clients is parsed with defusedxml and with its DTD support refused outright: a body never
needs a DTD, and refusing one closes entity expansion ("billion laughs") and external entities
together. Depth and element count are bounded while parsing, before a large tree is built.

XML carries no types and no list markers, so the caller says where the contract has lists (a list
of one element looks like a single child), which leaves are numbers or booleans, and which elements
are maps of names to text (`env`). Paths are dotted element names from below the root, with no
index for list items: `configuration.docker.exposeTcpPorts`, `configuration.data.output.overwrite`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal
from xml.etree import ElementTree

import defusedxml.ElementTree  # type: ignore[import-untyped]
import orjson

JSON_CONTENT_TYPE = "application/json;charset=UTF-8"
XML_CONTENT_TYPE = "application/xml;charset=UTF-8"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'

# A contract body is four levels deep (configuration.data.output.hdfs under the root); the bounds
# leave room for clients that send more than that, and stop bodies made to exhaust the parser.
MAX_DEPTH = 32
MAX_ELEMENTS = 10_000

# The create and setConfiguration requests' only map of free names to text.
DOCKER_ENV = "configuration.docker.env"

_XML_TYPES = frozenset({"application/xml", "text/xml"})
_JSON_TYPE = "application/json"
_UTF8_NAMES = frozenset({"utf-8", "utf8"})
_XML_DECLARED_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")
# XML 1.0's name rule, narrowed to what a body's keys can reasonably be.
_XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]*$")
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_INTEGER = re.compile(r"^\s*-?[0-9]{1,19}\s*$")

WireErrorKind = Literal["encoding", "media-type", "malformed", "forbidden", "too-complex"]


class WireError(Exception):
    """A body that cannot be read. `kind` lets the caller pick the contract's answer: "encoding"
    (not UTF-8: the gateway layer's Bad Request Exception) apart from the rest (a body that
    cannot be parsed: `invalid request parameters`)."""

    def __init__(self, kind: WireErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind: WireErrorKind = kind
        self.message = message


def _media_type(header: str) -> str:
    return header.split(";", 1)[0].strip().lower()


def wants_xml(accept_header: str | None) -> bool:
    """Whether to answer in XML: only when Accept names an XML type and does not name JSON (§3)."""
    if not accept_header:
        return False
    named = {_media_type(part) for part in accept_header.split(",")}
    return bool(named & _XML_TYPES) and _JSON_TYPE not in named


def _charset(content_type: str) -> str | None:
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def parse_body(
    raw: bytes,
    content_type: str | None,
    root: str,
    *,
    list_paths: frozenset[str] = frozenset(),
    types: Mapping[str, type[int] | type[bool]] = MappingProxyType({}),
    text_maps: frozenset[str] = frozenset({DOCKER_ENV}),
) -> dict[str, Any]:
    """The body as the JSON-shaped dict the operations take; WireError when it cannot be read.

    JSON when `content_type` is missing or JSON, XML when it is an XML type; `root` is the
    operation's request root name (§4), which an XML body must use. `list_paths`, `types` and
    `text_maps` say what XML leaves unsaid (see the module's docstring); a leaf that does not
    convert to its type stays text, for the caller's validation to report in the contract's words.
    """
    media_type = _media_type(content_type) if content_type else _JSON_TYPE
    if media_type != _JSON_TYPE and media_type not in _XML_TYPES:
        raise WireError("media-type", f"the content type {media_type!r} is neither JSON nor XML")
    charset = _charset(content_type) if content_type else None
    if charset is not None and charset not in _UTF8_NAMES:
        raise WireError("encoding", f"the body must be UTF-8, not {charset!r}")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise WireError("encoding", "the body is not UTF-8") from None
    if not raw.strip():
        return {}
    if media_type == _JSON_TYPE:
        return _parse_json(raw)
    return _parse_xml(raw, root, list_paths=list_paths, types=types, text_maps=text_maps)


def _parse_json(raw: bytes) -> dict[str, Any]:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise WireError("malformed", "the body is not JSON") from None
    if not isinstance(body, dict):
        raise WireError("malformed", "the body must be a JSON object")
    _check_json_bounds(body)
    return body


def _check_json_bounds(body: dict[str, Any]) -> None:
    """The XML bounds, applied to JSON too, so that one body is refused or taken in either format."""
    count = 0
    pending: list[tuple[object, int]] = [(body, 1)]
    while pending:
        value, depth = pending.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise WireError("too-complex", f"the body is nested more than {MAX_DEPTH} levels deep")
        if count > MAX_ELEMENTS:
            raise WireError("too-complex", f"the body has more than {MAX_ELEMENTS} values")
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        pending.extend((child, depth + 1) for child in children)


class _BoundedTreeBuilder(ElementTree.TreeBuilder):
    """Counts elements and depth as the parser reports them, so that a body over the bounds is
    refused before its tree is complete."""

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0
        self._elements = 0

    def start(self, tag: str, attrs: dict[str, str], /) -> ElementTree.Element:
        self._depth += 1
        self._elements += 1
        if self._depth > MAX_DEPTH:
            raise WireError("too-complex", f"the body is nested more than {MAX_DEPTH} levels deep")
        if self._elements > MAX_ELEMENTS:
            raise WireError("too-complex", f"the body has more than {MAX_ELEMENTS} elements")
        return super().start(tag, attrs)

    def end(self, tag: str, /) -> ElementTree.Element:
        self._depth -= 1
        return super().end(tag)


def _parse_xml(
    raw: bytes,
    root: str,
    *,
    list_paths: frozenset[str],
    types: Mapping[str, type[int] | type[bool]],
    text_maps: frozenset[str],
) -> dict[str, Any]:
    declared = _XML_DECLARED_ENCODING.match(raw)
    if declared and declared.group(1).decode("ascii", "replace").lower() not in _UTF8_NAMES:
        raise WireError("encoding", "the XML body must be UTF-8")
    parser = defusedxml.ElementTree.DefusedXMLParser(
        target=_BoundedTreeBuilder(), encoding="utf-8", forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    try:
        parser.feed(raw)
        element: ElementTree.Element = parser.close()
    except defusedxml.DefusedXmlException:
        raise WireError("forbidden", "XML bodies may not have a DTD, entities or external references") from None
    except ElementTree.ParseError as error:
        raise WireError("malformed", f"the body is not XML ({error})") from None
    if _local_name(element.tag) != root:
        raise WireError("malformed", f"the XML body's root must be <{root}>, not <{_local_name(element.tag)}>")
    if len(element) == 0:
        if (element.text or "").strip():
            raise WireError("malformed", f"<{root}> must hold elements, not text")
        return {}
    return _XmlReader(list_paths, types, text_maps).children(element, "")


def _local_name(tag: str) -> str:
    """The tag without its namespace: the contract's bodies use none, and a client's default
    namespace changes nothing about what it sends."""
    return tag.rpartition("}")[2]


class _XmlReader:
    def __init__(
        self,
        list_paths: frozenset[str],
        types: Mapping[str, type[int] | type[bool]],
        text_maps: frozenset[str],
    ) -> None:
        self._list_paths = list_paths
        self._types = types
        self._text_maps = text_maps

    def children(self, element: ElementTree.Element, path: str) -> dict[str, Any]:
        if (element.text or "").strip() or any((child.tail or "").strip() for child in element):
            raise WireError("malformed", f"<{path or _local_name(element.tag)}> mixes text and elements")
        result: dict[str, Any] = {}
        for child in element:
            key = _local_name(child.tag)
            child_path = f"{path}.{key}" if path else key
            value = self.value(child, child_path)
            if child_path in self._list_paths:
                result.setdefault(key, []).append(value)
            elif key not in result:
                result[key] = value
            elif isinstance(result[key], list):
                # Only repetition makes a list here: value() never returns one.
                result[key].append(value)
            else:
                result[key] = [result[key], value]
        return result

    def value(self, element: ElementTree.Element, path: str) -> Any:
        if path in self._text_maps:
            return self._text_map(element, path)
        if len(element):
            return self.children(element, path)
        return _convert(element.text or "", self._types.get(path))

    def _text_map(self, element: ElementTree.Element, path: str) -> dict[str, str] | str:
        if not len(element):
            # Text where names were expected goes to validation, which words the refusal.
            text = element.text or ""
            return text if text.strip() else {}
        if (element.text or "").strip() or any((child.tail or "").strip() for child in element):
            raise WireError("malformed", f"<{path}> mixes text and elements")
        names: dict[str, str] = {}
        for child in element:
            name = _local_name(child.tag)
            if len(child):
                raise WireError("malformed", f"<{path}.{name}> must be text")
            if name in names:
                raise WireError("malformed", f"<{path}.{name}> appears more than once")
            names[name] = child.text or ""
        return names


def _convert(text: str, kind: type[int] | type[bool] | None) -> str | int | bool:
    if kind is bool:
        if text.strip() == "true":
            return True
        if text.strip() == "false":
            return False
    elif kind is int and _INTEGER.match(text):
        return int(text)
    return text


def render(
    body: Mapping[str, Any], root: str, *, xml: bool, list_items: Mapping[str, str] = MappingProxyType({})
) -> tuple[bytes, str]:
    """The body's bytes and content type: compact JSON, or XML under `root` (§4).

    None is left out in both formats, so that JSON and XML answers carry the same fields (§8.5).
    In XML a list is one repeated element per item, named `list_items[key]` or the key itself,
    and a dict is nested elements. ValueError for what XML cannot carry (a list in a list, a key
    that is not an XML name) and TypeError for values that are not JSON's.
    """
    cleaned = _without_none(body)
    if not xml:
        return orjson.dumps(cleaned), JSON_CONTENT_TYPE
    element = ElementTree.Element(root)
    _write_children(element, cleaned, list_items)
    return XML_DECLARATION + ElementTree.tostring(element, encoding="unicode").encode("utf-8"), XML_CONTENT_TYPE


def _without_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        cleaned: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"a body's keys must be strings, not {key!r}")
            if item is not None:
                cleaned[key] = _without_none(item)
        return cleaned
    if isinstance(value, list | tuple):
        return [_without_none(item) for item in value if item is not None]
    if isinstance(value, str | bool | int | float):
        return value
    raise TypeError(f"a body cannot hold {type(value).__name__} values")


def _write_children(parent: ElementTree.Element, body: dict[str, Any], list_items: Mapping[str, str]) -> None:
    for key, value in body.items():
        if isinstance(value, list):
            item_name = list_items.get(key, key)
            for item in value:
                if isinstance(item, list):
                    raise ValueError(f"{key!r} holds a list in a list, which XML cannot carry")
                _write_value(ElementTree.SubElement(parent, _xml_name(item_name)), item, list_items)
        else:
            _write_value(ElementTree.SubElement(parent, _xml_name(key)), value, list_items)


def _write_value(element: ElementTree.Element, value: Any, list_items: Mapping[str, str]) -> None:
    if isinstance(value, dict):
        _write_children(element, value, list_items)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif isinstance(value, str):
        # XML 1.0 has no escape for these: U+FFFD keeps the document well-formed.
        element.text = _NOT_XML_CHARS.sub("\ufffd", value)
    else:
        element.text = str(value)


def _xml_name(key: str) -> str:
    if not _XML_NAME.match(key):
        raise ValueError(f"{key!r} is not an XML element name")
    return key


def data_forest_error(message: str, *, xml: bool) -> tuple[bytes, str]:
    """The Data Forest layer's ErrorResponse (§7): `{"message":…,"success":false}`."""
    return render({"message": message, "success": False}, "ErrorResponse", xml=xml)


def gateway_error(code: str, message: str, *, xml: bool) -> tuple[bytes, str]:
    """The API Gateway layer's error (§7): `{"error":{"errorCode":"200","message":…}}`, and in
    XML `<error><errorCode>200</errorCode><message>…</message></error>`."""
    if xml:
        return render({"errorCode": code, "message": message}, "error", xml=True)
    return render({"error": {"errorCode": code, "message": message}}, "error", xml=False)
