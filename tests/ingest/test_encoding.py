"""Decoding bytes: BOMs, declared charsets and detection; binary data is refused."""
import pytest

from feedsvc.ingest.article import ParseError
from feedsvc.ingest.encoding import decode_bytes

ZH = ("市图书馆新馆将于本周六正式对外开放,新馆建筑面积两万平方米,设有少儿阅览区、"
      "自习室和数字阅读体验区,预计可容纳读者两千人同时阅读。")
TW = ("市圖書館新館將於本週六正式對外開放,新館建築面積兩萬平方米,設有兒童閱覽區、"
      "自習室和數位閱讀體驗區,預計可容納讀者兩千人同時閱讀。")


@pytest.mark.parametrize(
    ("data", "encoding", "text"),
    [
        (ZH.encode("utf-8"), "utf-8", ZH),
        (ZH.encode("gbk"), "gb18030", ZH),
        (TW.encode("big5"), "big5hkscs", TW),
        (b"\xef\xbb\xbf" + ZH.encode("utf-8"), "utf-8", ZH),
        (ZH.encode("utf-16"), "utf-16-le", ZH),
        (b"\xfe\xff" + ZH.encode("utf-16-be"), "utf-16-be", ZH),
        (ZH.encode("utf-32"), "utf-32-le", ZH),
        (b"Plain ASCII news text.", "utf-8", "Plain ASCII news text."),
    ],
)
def test_decode(data, encoding, text):
    assert decode_bytes(data) == (text, encoding)


def test_declared_html_charset_is_honoured():
    page = f'<html><head><meta charset="gb2312"></head><body><p>{ZH}</p></body></html>'
    text, encoding = decode_bytes(page.encode("gbk"))
    assert encoding == "gb18030" and ZH in text


def test_utf8_bytes_under_a_stale_legacy_label_are_utf8():
    page = f'<html><head><meta charset="gbk"></head><body><p>{ZH}</p></body></html>'
    assert decode_bytes(page.encode("utf-8")) == (page, "utf-8")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
        (b"\x01\x02\x03\x04\x05\x06 news \x07\x08\x0e\x0f\x10\x11\x12", "binary"),
        (b"\xef\xbb\xbfvalid start \xff\xfe\xfd broken", "not valid utf-8"),
    ],
)
def test_refused(data, message):
    with pytest.raises(ParseError, match=message):
        decode_bytes(data)
