"""The same site and the same booking script behind each web server people deploy on:
lighttpd with mod_cgi, nginx + fcgiwrap and Apache with mod_cgid, each from the config
shipped in `deploy/` (`test_site.py` covers `mentorsite serve`)."""
from support import *


class SiteTools:
    """Runs `mentorsite` and sqlite3 on a site folder as the user its CGI runs as, so that
    no file the CGI must write (database, WAL, shared memory) ends up owned by another."""

    def __init__(self, folder, user=None):
        self.folder, self.user = folder, user
        self.bin = os.path.join(folder, "bin") if user else BIN

    def _prefix(self):
        return ["runuser", "-u", self.user, "--"] if self.user else []

    def mentorsite(self, *args):
        environment = ["env", "-i", "PATH=/usr/bin:/bin", "HOME=" + self.folder, "SOURCE_DATE_EPOCH=" + EPOCH, f"MENTORSITE_TEST_NOW={NOW}"]
        result = subprocess.run(self._prefix() + environment + [os.path.join(self.bin, "mentorsite")] + list(args),
                                cwd=self.folder, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        return result.stdout

    def query(self, sql):
        result = subprocess.run(self._prefix() + ["sqlite3", "-json", os.path.join(self.folder, "site.sqlite"), sql],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout or "[]")


def static_site_checks(browser, folder):
    """What a visitor and a crawler get from the plain files."""
    status, headers, body = browser.get("/")
    assert status == 200 and headers["content-type"].lower().replace(" ", "") == "text/html;charset=utf-8", (status, headers)
    status, headers, body = browser.get("/mentors/nguyen-thi-dao/")
    assert status == 200 and "Nguyễn Thị Đào" in body
    status, headers, _ = browser.get("/sitemap.xml")
    assert status == 200 and re.match(r"(application|text)/xml", headers["content-type"]), headers
    status, headers, _ = browser.get("/robots.txt")
    assert status == 200 and headers["content-type"].startswith("text/plain"), headers
    css = [name for name in os.listdir(os.path.join(folder, "public", "assets")) if name.endswith(".css")][0]
    status, headers, _ = browser.get("/assets/" + css)
    assert status == 200 and headers["content-type"].startswith("text/css"), headers
    assert "immutable" in headers.get("cache-control", "") and "max-age=31536000" in headers["cache-control"], headers
    status, _, body = browser.get("/no/such/page/")
    assert status == 404 and "We could not find that page" in body, status
    status, headers, _ = browser.get("/mentors/kwame-mensah/")
    assert status == 301 and headers["location"].endswith("/mentors/kwame-owusu-mensah/"), (status, headers)
    for private in ("/.mentorsite-build", "/.htaccess", "/redirects.nginx.map", "/redirects.lighttpd.conf"):
        status, _, _ = browser.get(private)
        assert status in (403, 404), (private, status)


def booking_script(server, folder, tools):
    """A patient books from a profile, confirms by the emailed link, gets the .ics and cancels."""
    browser = Browser(server, folder)
    status, _, profile = browser.get("/mentors/jose-muller/")
    link = html_unescape(re.search(r'href="([^"]*/cgi-bin/book\?mentor=jose-muller)"', profile).group(1))
    status, _, _ = browser.get(link)
    assert status == 200, status
    body, start, csrf = walk_to_payment(browser)
    payment = {"csrf": csrf, "idempotency": form_value(body, "idempotency"), "card_number": "4242 4242 4242 4242", "card_expiry": "12/30", "card_cvc": "123"}
    status, headers, _ = browser.post("/cgi-bin/book/payment", payment)
    assert status == 303 and headers["location"].endswith("/cgi-bin/book/done"), (status, headers)
    status, _, body = browser.get("/cgi-bin/book/done")
    assert status == 200 and "Check your email to confirm" in body
    assert tools.query("SELECT status FROM appointments") == [{"status": "pending"}]
    assert "1 sent, 0 failed" in tools.mentorsite("mail", "--sendmail", os.path.join(folder, "fake-sendmail"))
    mails = read_mailbox(os.path.join(folder, "mailbox"))
    confirm = re.search(r"http://\S+(/cgi-bin/book/confirm\?token=\S+)", mails[0]).group(1)
    status, _, body = browser.get(confirm)
    assert status == 200 and "Confirm my booking" in body and tools.query("SELECT status FROM appointments") == [{"status": "pending"}]
    status, headers, _ = browser.post("/cgi-bin/book/confirm", {"csrf": form_value(body, "csrf"), "token": form_value(body, "token")})
    assert status == 303, status
    status, _, body = browser.get("/cgi-bin/book/done")
    assert status == 200 and "You are booked" in body, body[:400]
    ics = html_unescape(re.search(r'href="(/cgi-bin/book/calendar.ics\?token=[^"]+)"', body).group(1))
    status, headers, calendar = browser.get(ics)
    assert status == 200 and headers["content-type"].startswith("text/calendar") and "DTSTART:" in calendar
    manage = html_unescape(re.search(r'href="(/cgi-bin/book/manage\?token=[^"]+)"', body).group(1))
    status, _, body = browser.get(manage)
    status, _, body = browser.post("/cgi-bin/book/manage", {"csrf": form_value(body, "csrf"), "token": form_value(body, "token"), "action": "cancel"})
    assert status == 200 and "Your session is cancelled" in body, (status, body[:300])
    assert tools.query("SELECT status FROM appointments") == [{"status": "cancelled"}]
    # The server caps the body before the CGI runs, or the CGI does: 413 either way.
    status, _, _ = browser.request("POST", "/cgi-bin/book/details", raw_body="x" * 70000, headers=["Content-Type: application/x-www-form-urlencoded"])
    assert status == 413, status
    # httpoxy: a client's Proxy header is dropped; the wizard still answers normally.
    status, _, body = browser.request("GET", "/cgi-bin/book?mentor=jose-muller", headers=["Proxy: http://127.0.0.1:9/"])
    assert status == 200 and "What would you like to talk about?" in body


def prepared_site():
    folder = built_site_with_a_renamed_mentor()
    sendmail_script(folder)
    return folder


def booking_behind(server_class):
    folder = prepared_site()
    server = server_class(folder)
    try:
        static_site_checks(Browser(server, folder), folder)
        booking_script(server, folder, SiteTools(folder, user=getattr(server, "user", None)))
    finally:
        server.stop()


@test
def the_booking_script_passes_behind_lighttpd_with_mod_cgi():
    booking_behind(LighttpdServer)


@test
def the_booking_script_passes_behind_nginx_with_fcgiwrap():
    booking_behind(NginxServer)


@test
def the_booking_script_passes_behind_apache_with_mod_cgid():
    booking_behind(ApacheServer)
