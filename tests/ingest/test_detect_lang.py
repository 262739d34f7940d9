"""detect_lang tells Chinese from English by its letters (feedsvc/text/lang.py)."""
import pytest

from feedsvc.text.lang import detect_lang


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("市图书馆新馆将于本周六正式对外开放。", "zh"),
        ("社區圖書館延長開放時間", "zh"),
        ("使用 Python 和 Docker 部署服务的经验总结", "zh"),
        ("The city council approved the plan on Monday.", "en"),
        ("Zhang Wei (张伟) said the market would reopen in June after repairs.", "en"),
        ("", None),
        (None, None),
        ("2024-03-05 10:00", None),
        ("OK 好", None),
        ("東京の図書館は新しい読書室を開きました。", None),
        ("北京 Beijing and 上海 Shanghai", None),
    ],
)
def test_detect_lang(text, lang):
    assert detect_lang(text) == lang
