"""Signing in: every admin route needs it, CSRF everywhere, rate limits, no open redirect."""
from __future__ import annotations

from sqlalchemy import select, update

from feedsvc import accounts, db
from feedsvc.models import AdminUser
from pages import csrf_from

from .conftest import PASSWORD

GET_ROUTES = ["/admin/", "/admin/articles", "/admin/articles/1", "/admin/subscribers",
              "/admin/subscribers/1", "/admin/digests", "/admin/digests/wording", "/admin/settings", "/admin/tasks/1"]
POST_ROUTES = ["/admin/logout", "/admin/logout/everywhere", "/admin/articles/1", "/admin/articles/1/visibility",
               "/admin/articles/1/summary", "/admin/articles/upload", "/admin/articles/scan",
               "/admin/subscribers/1/deactivate", "/admin/subscribers/1/resend",
               "/admin/subscribers/export", "/admin/subscribers/import", "/admin/digests/test",
               "/admin/digests/send", "/admin/digests/retry", "/admin/digests/wording",
               "/admin/settings/schedule/prune"]


def test_every_route_is_listed(app):
    rules = {r.rule.replace("<int:article_id>", "1").replace("<int:subscriber_id>", "1").replace("<job>", "prune")
             .replace("<int:task_id>", "1")
             for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")}
    assert rules == set(GET_ROUTES) | set(POST_ROUTES) | {"/admin/login"}


def test_anonymous_get_goes_to_login(client):
    for url in GET_ROUTES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"] == f"/admin/login?next={url}", url


def test_anonymous_post_is_refused(client):
    token = csrf_from(client, "/admin/login")
    for url in POST_ROUTES:
        assert client.post(url, data={"csrf_token": token}).status_code == 403, url


def test_post_without_csrf_token_is_refused(signed_in, audit_log):
    before = audit_log()
    for url in POST_ROUTES + ["/admin/login"]:
        assert signed_in.post(url, data={"email": "x", "password": "y", "visible": "0"}).status_code == 400, url
        assert signed_in.post(url, data={"csrf_token": "forged"}).status_code == 400, url
    assert audit_log() == before
    assert signed_in.get("/admin/").status_code == 200, "still signed in: nothing logged out"


def test_sign_in_sets_a_safe_cookie_and_goes_where_asked(client, admin_user, audit_log):
    page = client.get("/admin/settings")
    assert page.headers["Location"] == "/admin/login?next=/admin/settings"
    response = client.post("/admin/login", data={
        "email": "OPS@feeds.example.org", "password": PASSWORD, "next": "/admin/settings",
        "csrf_token": csrf_from(client, "/admin/login?next=/admin/settings"),
    })
    assert response.status_code == 302 and response.headers["Location"] == "/admin/settings"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie  # BASE_URL is https
    assert client.get("/admin/settings").status_code == 200
    assert client.get("/admin/settings").headers["Cache-Control"] == "no-store"
    assert audit_log()[-1] == (admin_user, "login", "127.0.0.1")


def test_wrong_password_is_a_form_error_and_audited(client, admin_user, audit_log):
    response = client.post("/admin/login", data={
        "email": admin_user, "password": "wrong password", "csrf_token": csrf_from(client, "/admin/login"),
    })
    assert response.status_code == 400 and "邮箱或密码错误" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302
    assert audit_log()[-1] == (admin_user, "login.failed", "127.0.0.1")
    empty = client.post("/admin/login", data={"csrf_token": csrf_from(client, "/admin/login")})
    assert empty.status_code == 400 and "请输入密码" in empty.get_data(as_text=True)


def test_sign_in_is_rate_limited(app, client, admin_user, audit_log):
    app.config["ADMIN_LOGIN_ATTEMPTS"] = 3
    token = csrf_from(client, "/admin/login")
    codes = [client.post("/admin/login", data={"email": admin_user, "password": f"guess {n}", "csrf_token": token}).status_code
             for n in range(3)]
    right = client.post("/admin/login", data={"email": admin_user, "password": PASSWORD, "csrf_token": token})
    assert codes == [400, 400, 400] and right.status_code == 429
    assert client.get("/admin/").status_code == 302, "even the right password is refused while limited"
    assert audit_log()[-1][1] == "login.limited"


def test_next_never_leaves_the_admin(client, admin_user):
    for target in ("https://evil.example/admin/", "//evil.example/admin/", "/\\evil.example",
                   "javascript:alert(1)", "/admin/\r\nLocation: https://evil.example", "/feeds/rss.xml", ""):
        response = client.post("/admin/login", data={
            "email": admin_user, "password": PASSWORD, "next": target,
            "csrf_token": csrf_from(client, "/admin/login"),
        })
        assert response.headers["Location"] == "/admin/", target
        client.post("/admin/logout", data={"csrf_token": csrf_from(client, "/admin/")})


def test_sign_out_needs_a_post(signed_in, csrf, audit_log):
    assert signed_in.get("/admin/logout").status_code == 405
    assert signed_in.post("/admin/logout", data={"csrf_token": csrf()}).status_code == 302
    assert signed_in.get("/admin/").status_code == 302
    assert audit_log()[-1][1] == "logout"


def test_new_password_or_deactivation_ends_sessions(app, signed_in):
    with db.new_session(app) as session, session.begin():
        session.execute(update(AdminUser).values(password_hash="scrypt:changed"))
    assert signed_in.get("/admin/").status_code == 302


def test_inactive_account_cannot_sign_in(app, client, admin_user):
    with db.new_session(app) as session, session.begin():
        session.execute(update(AdminUser).values(active=False))
    response = client.post("/admin/login", data={
        "email": admin_user, "password": PASSWORD, "csrf_token": csrf_from(client, "/admin/login")})
    assert response.status_code == 400


def test_password_is_stored_hashed(app):
    with db.new_session(app) as session, session.begin():
        accounts.create_admin(session, "new@feeds.example.org", PASSWORD)
    with db.new_session(app) as session:
        stored = session.scalar(select(AdminUser.password_hash))
        assert PASSWORD not in stored and stored.startswith("scrypt:")
        assert accounts.authenticate(session, "New@Feeds.Example.org", PASSWORD) is not None
        assert accounts.authenticate(session, "new@feeds.example.org", PASSWORD + "x") is None


def test_pages_speak_english_on_request(signed_in):
    assert "概览" in signed_in.get("/admin/").get_data(as_text=True)
    english = signed_in.get("/admin/?lang=en").get_data(as_text=True)
    assert "Dashboard" in english and "概览" not in english


def login_from(client, address: str, email: str, password: str):
    token = csrf_from(client, "/admin/login")
    return client.post("/admin/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_an_attacker_elsewhere_cannot_lock_the_owner_out(app, admin_user, audit_log):
    """Issue 14: limits per (client address, account) and per address; the owner still signs in."""
    app.config["ADMIN_LOGIN_ATTEMPTS"] = 3
    attacker = app.test_client()
    codes = [login_from(attacker, "203.0.113.9", admin_user, f"guess {n}").status_code for n in range(5)]
    assert codes == [400, 400, 400, 429, 429]
    assert login_from(attacker, "203.0.113.9", admin_user, PASSWORD).status_code == 429, "slowed down"
    owner = app.test_client()
    assert login_from(owner, "198.51.100.20", admin_user, PASSWORD).status_code == 302
    assert owner.get("/admin/").status_code == 200
    assert audit_log()[-1] == (admin_user, "login", "198.51.100.20")


def test_one_address_is_limited_across_accounts(app, admin_user):
    app.config["ADMIN_LOGIN_ATTEMPTS_PER_ADDRESS"] = 4
    client = app.test_client()
    codes = [login_from(client, "203.0.113.9", f"user{n}@example.org", "guess").status_code for n in range(6)]
    assert codes == [400, 400, 400, 400, 429, 429]
    assert login_from(app.test_client(), "198.51.100.20", admin_user, PASSWORD).status_code == 302


def replay(client, cookie) -> None:
    client.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)


def test_a_cookie_replayed_after_signing_out_opens_nothing(signed_in, csrf):
    """Issue 14, defect 5: signing out ends the session on the server, not only in the browser."""
    cookie = signed_in.get_cookie("session")
    assert signed_in.get("/admin/subscribers").status_code == 200
    assert signed_in.post("/admin/logout", data={"csrf_token": csrf()}).status_code == 302
    replay(signed_in, cookie)
    response = signed_in.get("/admin/subscribers")
    assert response.status_code == 302 and response.headers["Location"].startswith("/admin/login")


def test_sign_out_everywhere_ends_every_session_of_the_operator(app, signed_in, csrf, admin_user, audit_log):
    other = app.test_client()
    assert login_from(other, "198.51.100.20", admin_user, PASSWORD).status_code == 302
    assert other.get("/admin/").status_code == 200
    page = signed_in.get("/admin/settings").get_data(as_text=True)
    assert "/admin/logout/everywhere" in page
    response = signed_in.post("/admin/logout/everywhere", data={"csrf_token": csrf("/admin/settings")})
    assert response.status_code == 302
    assert other.get("/admin/").status_code == 302 and signed_in.get("/admin/").status_code == 302
    assert audit_log()[-1][1] == "logout.everywhere"
    assert login_from(other, "198.51.100.20", admin_user, PASSWORD).status_code == 302, "a new sign-in works"
    assert other.get("/admin/").status_code == 200
