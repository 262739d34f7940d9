"""Page languages: Chinese by default, English on request; a small catalogue of our own strings."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, request

LOCALES = ("zh-CN", "en")
DEFAULT_LOCALE = "zh-CN"
COOKIE = "lang"

# Message ids are the English text; the catalogue holds the Chinese.
ZH = {
    "Latest articles": "最新文章",
    "Categories": "栏目",
    "Sources": "来源",
    "Search": "搜索",
    "Search titles and text": "搜索标题和正文",
    "Results for “%(q)s”": "“%(q)s”的搜索结果",
    "%(n)d results": "共 %(n)d 条结果",
    "Nothing found.": "没有找到相关文章。",
    "No articles yet.": "还没有文章。",
    "Source": "来源",
    "Author": "作者",
    "Published": "发布时间",
    "Reprinted from %(source)s": "转载自 %(source)s",
    "Read the original": "阅读原文",
    "Original source": "原文出处",
    "Feeds": "订阅源",
    "Newer": "较新",
    "Older": "较早",
    "Page %(page)d of %(pages)d": "第 %(page)d / %(pages)d 页",
    "Tags": "标签",
    "Category": "栏目",
    "Home": "首页",
    "Page not found": "页面不存在",
    "The page you asked for is not here.": "您访问的页面不存在。",
    "Bad request": "请求有误",
    "Something went wrong on our side.": "服务器出错了，请稍后再试。",
    "Also published as": "同一报道的其他转载",
    "This is a reprint; the story is shown as": "本文为转载，本站以此篇为准：",
    "Email": "邮箱",
    "Please enter a valid email address.": "请输入有效的邮箱地址。",
    "Topics (none chosen: everything)": "关注的内容（不选即全部）",
    "Send at": "发送时间",
    "Time zone": "时区",
    "Language": "语言",
    "Subscribe to the daily digest": "订阅每日摘要",
    "Daily digest": "每日摘要",
    "One email a day with the new articles, each with a link to its original source.":
        "每天一封邮件，汇总新文章，每篇都附有原文链接。",
    "Too many requests": "请求过于频繁",
    "Please try again in an hour.": "请一小时后再试。",
    "Check your inbox": "请查收邮件",
    "If the address can receive mail, a confirmation link is on its way.":
        "如果该地址可以收信，确认链接已经发出。",
    "Subscription confirmed": "订阅已确认",
    "Your first digest arrives at the hour you chose.": "第一期摘要将在您选择的时间送达。",
    "Confirm your subscription": "确认订阅",
    "Confirm": "确认",
    "Unsubscribe": "退订",
    "Unsubscribed": "已退订",
    "You will receive no more digests.": "您将不会再收到摘要邮件。",
    "Your subscription": "我的订阅",
    "Saved.": "已保存。",
    "Save": "保存",
    "Choose topics and time": "选择内容和时间",
    # The admin pages.
    "Admin": "管理后台",
    "Sections": "栏目",
    "Dashboard": "概览",
    "Articles": "文章",
    "Subscribers": "订阅者",
    "Digests": "摘要邮件",
    "Wording": "邮件文案",
    "Settings": "设置",
    "Sign in": "登录",
    "Sign out": "退出登录",
    "Password": "密码",
    "Please enter your email address.": "请输入邮箱地址。",
    "Please enter your password.": "请输入密码。",
    "Wrong email or password.": "邮箱或密码错误。",
    "Too many sign-in attempts; please wait 15 minutes.": "登录尝试次数过多，请 15 分钟后再试。",
    "Previous": "上一页",
    "Next": "下一页",
    "%(n)d hidden": "已隐藏 %(n)d 篇",
    "%(n)d reprints": "转载 %(n)d 篇",
    "Messages today": "今日邮件",
    "Needs attention": "需要处理",
    "Nothing needs attention.": "一切正常，没有需要处理的事项。",
    "%(n)d messages failed in the last 7 days": "最近 7 天有 %(n)d 封邮件发送失败",
    "Job %(job)s failed:": "任务 %(job)s 失败：",
    "Import error:": "导入错误：",
    "The last 30 days": "最近 30 天",
    "%(a)d articles added, %(d)d digests sent": "新增文章 %(a)d 篇，发出摘要 %(d)d 封",
    "Articles added": "新增文章",
    "Digests sent": "发出摘要",
    "Scheduled jobs": "定时任务",
    "Job": "任务",
    "Last run": "上次运行",
    "Result": "结果",
    "Next run": "下次运行",
    "disabled": "已停用",
    "not scheduled (is the worker running?)": "未排期（后台进程是否在运行？）",
    "Last import": "最近一次导入",
    "%(new)d new, %(updated)d updated, %(unchanged)d unchanged, %(duplicate)d duplicate, %(failed)d failed":
        "新增 %(new)d，更新 %(updated)d，未变 %(unchanged)d，重复 %(duplicate)d，失败 %(failed)d",
    "Nothing imported yet.": "还没有导入过文章。",
    "Import articles": "导入文章",
    "Import results": "导入结果",
    "File": "文件",
    "No files to import.": "没有可导入的文件。",
    "Files (%(suffixes)s)": "文件（%(suffixes)s）",
    "Upload and import": "上传并导入",
    "Scan the drop folder now": "立即扫描投递文件夹",
    "Choose at least one file.": "请至少选择一个文件。",
    "This kind of file is not imported (%(suffixes)s).": "不支持此类文件（仅限 %(suffixes)s）。",
    "The file is empty.": "文件是空的。",
    "The file is too large.": "文件过大。",
    "The file name is not allowed.": "文件名不允许。",
    "State": "状态",
    "All states": "全部状态",
    "All sources": "全部来源",
    "All categories": "全部栏目",
    "All kinds": "全部类型",
    "Filter": "筛选",
    "%(n)d articles": "共 %(n)d 篇文章",
    "No articles match.": "没有符合条件的文章。",
    "Title": "标题",
    "Added": "导入时间",
    "View on the site": "在网站上查看",
    "Hide": "隐藏",
    "Show": "显示",
    "Regenerate summary": "重新生成摘要",
    "This is a reprint of": "本文转载自",
    "Edit": "编辑",
    "Summary (plain text)": "摘要（纯文本）",
    "Tags (comma-separated)": "标签（用逗号分隔）",
    "As stored": "存储内容",
    "Nothing changed.": "没有改动。",
    "The article is shown.": "文章已显示。",
    "The article is hidden.": "文章已隐藏。",
    "The summary was generated again.": "摘要已重新生成。",
    "A title is required.": "标题不能为空。",
    "At most %(n)d characters.": "最多 %(n)d 个字符。",
    "At most %(n)d tags of up to 200 characters each.": "最多 %(n)d 个标签，每个不超过 200 个字符。",
    "Search addresses": "搜索邮箱地址",
    "%(n)d subscribers": "共 %(n)d 位订阅者",
    "Since": "订阅时间",
    "No subscribers match.": "没有符合条件的订阅者。",
    "Export": "导出",
    "Download CSV": "下载 CSV",
    "Import CSV": "导入 CSV",
    "Columns: email (required), state, language, timezone, delivery_hour, topics.":
        "列：email（必填）、state、language、timezone、delivery_hour、topics。",
    "CSV file": "CSV 文件",
    "They have agreed already: mark them confirmed (no confirmation mail)": "对方已同意订阅：直接标记为已确认（不发确认邮件）",
    "Import": "导入",
    "%(added)d added, %(unchanged)d unchanged, %(refused)d refused": "新增 %(added)d，未变 %(unchanged)d，拒绝 %(refused)d",
    "Refused rows": "被拒绝的行",
    "Line": "行号",
    "Problem": "问题",
    "Choose a CSV file.": "请选择一个 CSV 文件。",
    "The file must be UTF-8 text.": "文件必须是 UTF-8 编码的文本。",
    "Topics": "关注内容",
    "everything": "全部",
    "Subscribed": "订阅时间",
    "Confirmed": "确认时间",
    "Bounces": "退信次数",
    "Preview their digest": "预览其摘要邮件",
    "Resend confirmation": "重发确认邮件",
    "Deactivate": "停用",
    "Delivery history": "投递记录",
    "The subscriber receives no more mail.": "该订阅者将不再收到邮件。",
    "Only a pending subscriber can be sent a confirmation.": "只能向待确认的订阅者重发确认邮件。",
    "A confirmation mail is on its way.": "确认邮件已发出。",
    "Kind": "类型",
    "To": "收件人",
    "From": "发件人",
    "Attempts": "尝试次数",
    "Created": "创建时间",
    "Sent": "发送时间",
    "Error": "错误",
    "Retry": "重试",
    "No messages.": "没有邮件。",
    "Today's digest": "今日摘要",
    "Subscriber address (empty: a new subscriber to everything)": "订阅者邮箱（留空：订阅全部内容的新订阅者）",
    "Subscriber": "订阅者",
    "No subscriber has this address.": "没有使用该邮箱的订阅者。",
    "nobody is sent an empty digest unless DIGEST_SEND_EMPTY is set": "除非设置了 DIGEST_SEND_EMPTY，否则不会发送空摘要",
    "HTML part": "HTML 正文",
    "Plain text": "纯文本",
    "Send a test": "发送测试邮件",
    "Send this digest to": "将这份摘要发送到",
    "Send test": "发送测试",
    "The test message was sent to %(to)s.": "测试邮件已发送到 %(to)s。",
    "The test message could not be sent: %(error)s": "测试邮件发送失败：%(error)s",
    "Build and send now": "立即生成并发送",
    "Every confirmed subscriber who has not had today's edition gets it now, whatever their hour.":
        "所有尚未收到今日摘要的已确认订阅者将立即收到，不论其设定的发送时间。",
    "%(built)d editions built; %(sent)d sent, %(retrying)d to retry, %(failed)d failed.":
        "生成 %(built)d 期摘要；发送 %(sent)d 封，待重试 %(retrying)d 封，失败 %(failed)d 封。",
    "Stopped early: %(reason)s": "提前中止：%(reason)s",
    "Change the wording": "修改邮件文案",
    "Delivery log": "投递日志",
    "Retry all failed messages": "重试全部失败的邮件",
    "%(n)d messages": "共 %(n)d 封邮件",
    "%(n)d messages queued again.": "已重新排队 %(n)d 封邮件。",
    "Digest wording": "摘要邮件文案",
    "Jinja templates run in a sandbox. Leave a field empty to keep the default wording of each language.":
        "文案是在沙盒中运行的 Jinja 模板。留空则使用各语言的默认文案。",
    "This wording does not render and is not saved:": "该文案无法渲染，未保存：",
    "Subject": "主题",
    "Intro": "开头语",
    "Per-item text": "每篇文章的文字",
    "Preview in": "预览语言",
    "Preview": "预览",
    "Back to the defaults": "恢复默认文案",
    "Default wording": "默认文案",
    "No preview: fix the errors first.": "无法预览：请先修正错误。",
    "The default wording is used again.": "已恢复默认文案。",
    "Saved. The next digests use this wording.": "已保存，之后的摘要邮件将使用此文案。",
    "Configuration": "配置",
    "Set in instance/config.py or FEEDSVC_* environment variables; passwords are hidden.":
        "在 instance/config.py 或 FEEDSVC_* 环境变量中设置；密码已隐藏。",
    "Schedule": "任务计划",
    "Changes reach the running worker within a few seconds; no restart.": "修改会在几秒内生效，无需重启后台进程。",
    "Every (seconds)": "间隔（秒）",
    "Enabled": "启用",
    "Enter a whole number of seconds.": "请输入整数秒数。",
    "interval must be between 10 seconds and 7 days": "间隔必须在 10 秒到 7 天之间",
    "Saved. The worker uses the new schedule within a few seconds.": "已保存，后台进程将在几秒内使用新的计划。",
    "Audit log": "操作日志",
    "When": "时间",
    "Who": "操作人",
    "What": "操作",
    "Target": "对象",
    "Detail": "详情",
    "Nothing recorded yet.": "暂无记录。",
    # States and kinds shown in the admin pages.
    "pending": "待确认",
    "confirmed": "已确认",
    "unsubscribed": "已退订",
    "bounced": "退信",
    "sending": "发送中",
    "sent": "已发送",
    "failed": "失败",
    "cancelled": "已取消",
    "digest": "摘要",
    "confirm": "确认邮件",
    "test": "测试",
    "visible": "显示中",
    "hidden": "已隐藏",
    "duplicate": "重复",
    "new": "新增",
    "updated": "已更新",
    "unchanged": "未变",
    "ok": "正常",
    "error": "出错",
    "upload": "上传",
    "drop-folder": "投递文件夹",
    "cli": "命令行",
    "demo": "演示文章",
    # issue 14
    "This link no longer works": "此链接已失效",
    "This address has left the digest. To receive it again, please subscribe anew.":
        "该邮箱已退订摘要邮件。如需再次接收，请重新订阅。",
    "Your sign-ins": "您的登录",
    "Signing out ends a sign-in on the server; a copied cookie opens nothing afterwards.":
        "退出登录会在服务器上结束该次登录，之后复制的 Cookie 也无法再打开后台。",
    "Sign out everywhere": "在所有设备上退出",
    "Importing uploaded files": "正在导入上传的文件",
    "Importing the drop folder": "正在导入投递文件夹",
    "Building and sending today’s digests": "正在生成并发送今天的摘要",
    "Waiting for the worker (feedsvc worker); it starts within a few seconds.":
        "等待后台进程（feedsvc worker）处理，几秒内开始。",
    "%(done)d of %(total)d": "%(done)d / %(total)d",
    "Asked by": "发起人",
    "Finished": "完成时间",
    "queued": "排队中",
    "running": "进行中",
    "done": "已完成",
}
CATALOGUES = {"zh-CN": ZH, "en": {}}
DATE_FORMATS = {"zh-CN": "%Y年%m月%d日 %H:%M", "en": "%d %b %Y, %H:%M"}


def init_app(app: Flask) -> None:
    """Choose each request's language and give templates ``_`` and ``localtime``."""
    app.before_request(_select_locale)
    app.after_request(_remember_locale)
    app.jinja_env.globals.update(_=gettext, locale=current_locale, LOCALES=LOCALES)
    app.jinja_env.filters["localtime"] = localtime


def _select_locale() -> None:
    asked = request.args.get("lang")
    if asked in LOCALES:
        g.locale = asked
        g.locale_asked = True
        return
    cookie = request.cookies.get(COOKIE)
    g.locale = cookie if cookie in LOCALES else (
        request.accept_languages.best_match(LOCALES, default=DEFAULT_LOCALE)
    )


def _remember_locale(response):
    if g.get("locale_asked"):
        response.set_cookie(COOKIE, g.locale, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def current_locale() -> str:
    """The language of the current page."""
    return g.get("locale", DEFAULT_LOCALE)


def gettext(message: str, **values) -> str:
    """``message`` in the page's language, with ``%(name)s`` values filled in."""
    text = CATALOGUES[current_locale()].get(message, message)
    return text % values if values else text


def localtime(value: datetime | None, fmt: str | None = None) -> str:
    """An aware datetime shown in the site's time zone and the page's date format."""
    if value is None:
        return ""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return value.astimezone(zone).strftime(fmt or DATE_FORMATS[current_locale()])
