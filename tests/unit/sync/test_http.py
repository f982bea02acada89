"""Pieces of the crawling HTTP client that need no server."""
from magpie.sync.config import SyncConfig
from magpie.sync.remote.http import ChunkReader, HttpClient, HttpLimits, origin_of
from magpie.sync.remote.safe_xml import iter_events
from magpie.sync.types.thredds import xml_twin


def test_origin_makes_default_ports_explicit():
    assert origin_of("http://Example.org/a") == ("http", "example.org:80")
    assert origin_of("https://example.org:443/b") == origin_of("https://example.org/c")
    assert origin_of("http://example.org:8080/") != origin_of("http://example.org/")


def test_only_allowed_origins_and_http_schemes():
    client = HttpClient(HttpLimits.of(SyncConfig.parse(None)), allowed_origins={origin_of("http://127.0.0.1:5000")})
    assert client.is_allowed("http://127.0.0.1:5000/thredds/catalog.xml")
    assert not client.is_allowed("http://127.0.0.1:5001/thredds/catalog.xml")
    assert not client.is_allowed("file:///etc/passwd")
    client.close()


def test_chunk_reader_reads_across_chunks():
    reader = ChunkReader(iter([b"ab", b"cde", b"f"]))
    assert reader.read(4) == b"abcd"
    assert reader.read(-1) == b"ef"
    assert reader.read(3) == b""


def test_bogus_utf16_bom_before_single_byte_xml_is_dropped():
    body = b"\xff\xfe<?xml version='1.0' encoding='ISO-8859-1'?><a>\xe9</a>"
    events = list(iter_events(iter([body]), "http://127.0.0.1/x"))
    assert events[-1][1].text == "\u00e9"


def test_xml_twin():
    assert xml_twin("http://h/thredds/catalog/a/catalog.html") == "http://h/thredds/catalog/a/catalog.xml"
    assert xml_twin("http://h/thredds/catalog.html?dataset=x#top") == "http://h/thredds/catalog.xml?dataset=x"
    assert xml_twin("http://h/thredds/catalog.xml") == "http://h/thredds/catalog.xml"
