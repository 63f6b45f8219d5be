#!/usr/bin/env python3
"""End-to-end tests: run the built (fully static) `mentorsite` on the example content and
on broken input, check the output like a crawler and a browser would, and serve it through
a real lighttpd on 127.0.0.1.

Standard library only, plus `tidy` (HTML checker) and `lighttpd` from Debian.
Prints `N passed, N failed` and exits non-zero on any failure.
"""
import argparse
import hashlib
import html.parser
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(REPO, ".build", "release")
EPOCH = "1793318400"  # 2026-10-29: fixed so that two imports are byte-identical
TESTS = []
FOLDERS = []


def test(function):
    TESTS.append(function)
    return function


def run(*args, cwd, check=True, env=None):
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "SOURCE_DATE_EPOCH": EPOCH, "HOME": cwd}
    environment.update(env or {})
    result = subprocess.run([os.path.join(BIN, args[0])] + list(args[1:]), cwd=cwd, env=environment,
                            capture_output=True, text=True, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}")
    return result


def make_site():
    """A copy of the example site in a temporary folder."""
    folder = tempfile.mkdtemp(prefix="mentorsite-e2e-")
    FOLDERS.append(folder)
    for name in ("content", "templates"):
        shutil.copytree(os.path.join(REPO, name), os.path.join(folder, name))
    shutil.copy(os.path.join(REPO, "mentorsite.yml"), folder)
    os.makedirs(os.path.join(folder, "public"))
    shutil.copy(os.path.join(REPO, "public", ".gitignore"), os.path.join(folder, "public"))
    return folder


def built_site():
    folder = make_site()
    run("mentorsite", "import", cwd=folder)
    run("mentorsite", "build", cwd=folder)
    return folder


def tree_digest(root):
    """Path → (sha256, mtime_ns) for every file below root."""
    result = {}
    for directory, _, files in os.walk(root):
        for name in files:
            path = os.path.join(directory, name)
            with open(path, "rb") as handle:
                result[os.path.relpath(path, root)] = (hashlib.sha256(handle.read()).hexdigest(), os.stat(path).st_mtime_ns)
    return result


def mentor_files(folder):
    return sorted(name[:-3] for name in os.listdir(os.path.join(folder, "content", "mentors")) if name.endswith(".md"))


def html_files(root):
    for directory, _, files in os.walk(root):
        for name in files:
            if name.endswith(".html"):
                yield os.path.join(directory, name)


class PageParser(html.parser.HTMLParser):
    """Collects what the checks need and verifies that elements nest properly."""
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors = [], []
        self.h1, self.title, self.meta, self.links, self.imgs, self.anchors, self.scripts = [], "", {}, {}, [], [], []
        self.html_lang = None
        self._capture = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in self.VOID:
            self.stack.append(tag)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        elif tag == "meta":
            key = attrs.get("name") or attrs.get("property")
            if key:
                self.meta[key] = attrs.get("content", "")
        elif tag == "link":
            self.links[attrs.get("rel")] = attrs.get("href")
        elif tag == "img":
            self.imgs.append(attrs)
        elif tag == "a":
            self.anchors.append(attrs.get("href"))
        for name in attrs:
            if name.startswith("on"):
                self.errors.append(f"event handler attribute {name} on <{tag}>")
        if tag in ("h1", "title") or (tag == "script"):
            self._capture = [tag, attrs, ""]

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
            return
        self.stack.pop()
        if self._capture and self._capture[0] == tag:
            kind, attrs, text = self._capture
            if kind == "h1":
                self.h1.append(text.strip())
            elif kind == "title":
                self.title = text
            elif kind == "script":
                self.scripts.append((attrs.get("type"), text))
            self._capture = None

    def handle_data(self, data):
        if self._capture:
            self._capture[2] += data


def parse_page(path):
    parser = PageParser()
    with open(path, encoding="utf-8") as handle:
        parser.feed(handle.read())
    parser.close()
    if parser.stack:
        parser.errors.append(f"unclosed elements: {parser.stack}")
    return parser


# ---------------------------------------------------------------------------------------

@test
def every_mentor_gets_a_profile_page():
    folder = built_site()
    pages = sorted(os.listdir(os.path.join(folder, "public", "mentors")))
    assert len(pages) == len(mentor_files(folder)) >= 12, pages
    for expected in ("jose-muller", "nguyen-thi-dao", "soren-lindqvist", "maria-garcia", "maria-garcia-2"):
        assert expected in pages, (expected, pages)
    for name in ("index.html", "404.html", "sitemap.xml", "robots.txt"):
        assert os.path.exists(os.path.join(folder, "public", name)), name


@test
def pages_are_valid_html_for_tidy_and_nest_properly():
    folder = built_site()
    for path in html_files(os.path.join(folder, "public")):
        result = subprocess.run(["tidy", "-errors", "-quiet", "-utf8", path], capture_output=True, text=True)
        assert result.returncode < 2, f"{path}: {result.stderr}"
        parser = parse_page(path)
        assert not parser.errors, f"{path}: {parser.errors}"


@test
def profile_pages_carry_complete_seo_metadata():
    folder = built_site()
    base = "http://127.0.0.1:8080"
    titles = set()
    for slug in os.listdir(os.path.join(folder, "public", "mentors")):
        path = os.path.join(folder, "public", "mentors", slug, "index.html")
        page = parse_page(path)
        assert page.html_lang == "en", path
        assert len(page.h1) == 1, (path, page.h1)
        assert page.title not in titles, page.title
        titles.add(page.title)
        description = page.meta.get("description", "")
        assert 50 <= len(description) <= 160, (path, len(description), description)
        assert page.links.get("canonical") == f"{base}/mentors/{slug}/", page.links
        for key in ("og:title", "og:description", "og:url", "og:image", "og:type", "twitter:card", "twitter:title"):
            assert page.meta.get(key), (path, key)
        assert page.meta["og:url"] == page.links["canonical"]
        ld = [json.loads(text) for kind, text in page.scripts if kind == "application/ld+json"]
        assert len(ld) == 1, path
        graph = {item["@type"]: item for item in ld[0]["@graph"]}
        assert ld[0]["@context"] == "https://schema.org"
        person = graph["ProfilePage"]["mainEntity"]
        assert person["@type"] == "Person" and person["name"] == page.h1[0], person
        assert person["url"] == page.links["canonical"]
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", graph["ProfilePage"]["dateModified"])
        crumbs = graph["BreadcrumbList"]["itemListElement"]
        assert [c["position"] for c in crumbs] == list(range(1, len(crumbs) + 1))
        assert all(c["item"].startswith(base + "/") for c in crumbs)
        assert f"/cgi-bin/book?mentor={slug}" in page.anchors, path
        for img in page.imgs:
            assert img.get("alt") and img.get("width") and img.get("height"), (path, img)
        stylesheet = [line for line in open(path, encoding="utf-8") if 'rel="stylesheet"' in line]
        assert stylesheet and "/assets/style." in stylesheet[0]


@test
def sitemap_is_valid_xml_listing_every_mentor_and_robots_names_it():
    folder = built_site()
    tree = ET.parse(os.path.join(folder, "public", "sitemap.xml"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [url.find("s:loc", ns).text for url in tree.getroot().findall("s:url", ns)]
    assert len(locations) == len(set(locations))
    assert all(location.startswith("http://127.0.0.1:8080/") for location in locations)
    for slug in os.listdir(os.path.join(folder, "public", "mentors")):
        assert f"http://127.0.0.1:8080/mentors/{slug}/" in locations, slug
    for url in tree.getroot().findall("s:url", ns):
        lastmod = url.find("s:lastmod", ns)
        if lastmod is not None:
            assert re.match(r"^\d{4}-\d\d-\d\d$", lastmod.text), lastmod.text
    robots = open(os.path.join(folder, "public", "robots.txt")).read()
    assert "Sitemap: http://127.0.0.1:8080/sitemap.xml" in robots
    assert "Disallow: /cgi-bin/book" in robots


@test
def two_builds_from_two_imports_are_byte_identical():
    first, second = built_site(), built_site()
    a = {path: digest for path, (digest, _) in tree_digest(os.path.join(first, "public")).items()}
    b = {path: digest for path, (digest, _) in tree_digest(os.path.join(second, "public")).items()}
    assert a == b, sorted(set(a.items()) ^ set(b.items()))[:5]


@test
def a_rebuild_without_changes_rewrites_no_file():
    folder = built_site()
    before = tree_digest(os.path.join(folder, "public"))
    time.sleep(0.05)
    run("mentorsite", "import", cwd=folder)
    result = run("mentorsite", "build", cwd=folder)
    assert " 0 written," in result.stdout, result.stdout
    assert tree_digest(os.path.join(folder, "public")) == before


@test
def removed_mentors_disappear_and_renamed_ones_redirect():
    folder = built_site()
    os.remove(os.path.join(folder, "content", "mentors", "yuki-tanaka.md"))
    path = os.path.join(folder, "content", "mentors", "kwame-mensah.md")
    text = open(path, encoding="utf-8").read().replace("name: Kwame Mensah", "name: Kwame A. Mensah")
    open(path, "w", encoding="utf-8").write(text)
    result = run("mentorsite", "import", cwd=folder)
    assert "/mentors/kwame-mensah/ now redirects to /mentors/kwame-a-mensah/" in result.stdout, result.stdout
    run("mentorsite", "build", cwd=folder)
    public = os.path.join(folder, "public")
    assert not os.path.exists(os.path.join(public, "mentors", "yuki-tanaka"))
    assert "yuki-tanaka" not in open(os.path.join(public, "sitemap.xml")).read()
    redirect = open(os.path.join(public, "mentors", "kwame-mensah", "index.html")).read()
    assert 'content="0; url=/mentors/kwame-a-mensah/"' in redirect
    assert "/mentors/kwame-mensah/ /mentors/kwame-a-mensah/ 301" in open(os.path.join(public, "_redirects")).read()
    assert "Redirect 301 /mentors/kwame-mensah/ /mentors/kwame-a-mensah/" in open(os.path.join(public, ".htaccess")).read()


@test
def broken_input_names_file_line_and_field_and_keeps_the_previous_site():
    folder = built_site()
    public = os.path.join(folder, "public")
    before = tree_digest(public)
    database_before = open(os.path.join(folder, "site.sqlite"), "rb").read()
    cases = [
        ("content/mentors/zz-broken.md", "---\nname: Broken\ntimezone: EST5EDT\navailability:\n  - { day: funday, start: \"09:00\", end: \"10:00\" }\n---\nBio\n",
         ["zz-broken.md:3: timezone: \"EST5EDT\" is not an IANA time zone", "zz-broken.md:5: availability[0].day: \"funday\" is not a day"]),
        ("content/mentors/zz-yaml.md", "---\nname: [unclosed\n---\n", ["zz-yaml.md:"]),
        ("content/mentors/zz-noname.md", "---\ntitle: Nobody\n---\n", ["zz-noname.md:2: name: is required"]),
    ]
    for relative, text, messages in cases:
        path = os.path.join(folder, relative)
        open(path, "w").write(text)
        result = run("mentorsite", "import", cwd=folder, check=False)
        assert result.returncode == 1, result
        for message in messages:
            assert message in result.stderr, (message, result.stderr)
        assert result.stdout == "", result.stdout
        os.remove(path)
    assert open(os.path.join(folder, "site.sqlite"), "rb").read() == database_before
    template = os.path.join(folder, "templates", "mentor.mustache")
    original = open(template).read()
    open(template, "w").write(original.replace("{{/mentor}}", "{{/mentorx}}"))
    result = run("mentorsite", "build", cwd=folder, check=False)
    assert result.returncode == 1 and "mentor.mustache:" in result.stderr and "wrong name" in result.stderr, result.stderr
    open(template, "w").write(original.replace("{{>breadcrumbs}}", "{{>nowhere}}"))
    result = run("mentorsite", "build", cwd=folder, check=False)
    assert result.returncode == 1 and 'uses partial "nowhere"' in result.stderr, result.stderr
    os.remove(template)
    result = run("mentorsite", "build", cwd=folder, check=False)
    assert result.returncode == 1 and "mentor.mustache: missing template" in result.stderr, result.stderr
    assert tree_digest(public) == before


@test
def build_refuses_missing_and_newer_databases_clearly():
    folder = make_site()
    result = run("mentorsite", "build", cwd=folder, check=False)
    assert result.returncode == 1 and "site.sqlite: no such database; run `mentorsite import` first" in result.stderr, result.stderr
    assert not os.path.exists(os.path.join(folder, "site.sqlite"))
    run("mentorsite", "import", cwd=folder)
    connection = sqlite3.connect(os.path.join(folder, "site.sqlite"))
    connection.execute("PRAGMA user_version = 99")
    connection.close()
    result = run("mentorsite", "build", cwd=folder, check=False)
    assert result.returncode == 1 and "is newer than this mentorsite knows" in result.stderr, result.stderr


@test
def check_reports_completeness_and_fails_on_errors():
    folder = built_site()
    result = run("mentorsite", "check", cwd=folder)
    assert "Profile completeness:" in result.stdout
    assert re.search(r"\d+%  content/mentors/jose-muller.md \(José Müller\)", result.stdout), result.stdout
    assert "0 errors" in result.stdout
    open(os.path.join(folder, "content", "mentors", "zz.md"), "w").write(
        "---\nname: Zed\ntimezone: Europe/Berlin\nblocked_dates:\n  - { date: 2026-02-30 }\navailability:\n  - { day: monday, start: \"10:00\", end: \"09:00\" }\n---\n")
    result = run("mentorsite", "check", cwd=folder, check=False)
    assert result.returncode == 1
    assert 'content/mentors/zz.md:5: blocked_dates[0].date: "2026-02-30" is not a real date YYYY-MM-DD' in result.stderr, result.stderr
    assert "content/mentors/zz.md:7: availability[0].end: 09:00 is not after start 10:00" in result.stderr, result.stderr


@test
def help_describes_every_command():
    result = run("mentorsite", "--help", cwd=REPO)
    for command in ("import", "build", "serve", "check"):
        assert re.search(rf"^\s+{command}\s", result.stdout, re.M), result.stdout
    result = run("mentorsite", "build", "--help", cwd=REPO)
    for option in ("--db <FILE>", "--content <DIR>", "--templates <DIR>", "--output <DIR>", "--base-url <URL>"):
        assert option in result.stdout, (option, result.stdout)
    result = run("mentorsite", "build", "--bogus", cwd=REPO, check=False)
    assert result.returncode != 0 and "Unknown option '--bogus'" in result.stderr


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url):
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def built_site_with_a_renamed_mentor():
    """The example site, built after Kwame Mensah became Kwame Owusu Mensah (an old URL to redirect)."""
    folder = built_site()
    path = os.path.join(folder, "content", "mentors", "kwame-mensah.md")
    text = open(path, encoding="utf-8").read()
    open(path, "w", encoding="utf-8").write(text.replace("name: Kwame Mensah", "name: Kwame Owusu Mensah"))
    run("mentorsite", "import", cwd=folder)
    run("mentorsite", "build", cwd=folder)
    return folder


@test
def serve_runs_a_real_lighttpd_with_site_and_booking():
    folder = built_site_with_a_renamed_mentor()
    server = Server(folder)
    try:
        base = server.base
        status, headers, body = fetch(base + "/")
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8", (status, headers)
        status, headers, body = fetch(base + "/mentors/nguyen-thi-dao/")
        assert status == 200 and "Nguyễn Thị Đào".encode() in body
        status, headers, body = fetch(base + "/sitemap.xml")
        assert status == 200 and headers["Content-Type"].startswith("application/xml")
        status, headers, body = fetch(base + "/no/such/page/")
        assert status == 404 and b"We could not find that page" in body, status
        status, headers, _ = fetch(base + "/mentors/kwame-mensah/")
        assert status == 301 and headers["Location"].endswith("/mentors/kwame-owusu-mensah/"), (status, headers)
        css = [name for name in os.listdir(os.path.join(folder, "public", "assets")) if name.endswith(".css")][0]
        status, headers, _ = fetch(base + "/assets/" + css)
        assert status == 200 and "immutable" in headers.get("Cache-Control", ""), headers
        status, _, _ = fetch(base + "/.htaccess")
        assert status == 403, status
        status, headers, body = fetch(base + "/cgi-bin/book?mentor=jose-muller")
        assert status in (200, 303, 503), status  # the booking CGI answers (placeholder until it lands)
    finally:
        server.stop()


@test
def serve_explains_a_missing_site():
    folder = make_site()
    result = run("mentorsite", "serve", "--port", str(free_port()), cwd=folder, check=False)
    assert result.returncode == 1 and "has no built site; run `mentorsite build` first" in result.stderr, result.stderr


class Server:
    """`mentorsite serve` on a free loopback port, stopped by PID."""

    def __init__(self, folder):
        self.folder = folder
        self.port = free_port()
        self.process = subprocess.Popen([os.path.join(BIN, "mentorsite"), "serve", "--port", str(self.port)], cwd=folder,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("lighttpd did not start")

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


class Browser:
    """curl with a cookie jar: one person's browser."""

    def __init__(self, server, folder):
        self.server = server
        self.jar = os.path.join(folder, f"cookies-{len(os.listdir(folder))}-{time.time_ns()}.txt")

    def request(self, method, path, data=None, raw_body=None, headers=()):
        url = path if path.startswith("http") else self.server.base + path
        command = ["curl", "-s", "-i", "-X", method, "-b", self.jar, "-c", self.jar, "--max-time", "20"]
        for header in headers:
            command += ["-H", header]
        if data is not None:
            command += ["--data-raw", urllib.parse.urlencode(data)]
        if raw_body is not None:
            command += ["--data-binary", raw_body]
        result = subprocess.run(command + [url], capture_output=True, timeout=30)
        head, _, body = result.stdout.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        response_headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            response_headers.setdefault(name.strip().lower(), value.strip())
        return status, response_headers, body.decode("utf-8", "replace")

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, data):
        return self.request("POST", path, data=data)


def form_value(html, name):
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert match, (name, html[:2000])
    return html_unescape(match.group(1))


def html_unescape(text):
    import html as html_module
    return html_module.unescape(text)


def walk_to_payment(browser, mentor="jose-muller", start=None, email="pat@example.org", notes="I feel low since spring."):
    """Steps 1–4 through the real server; returns (payment page html, chosen start)."""
    status, headers, body = browser.get(f"/cgi-bin/book?mentor={mentor}")
    assert status == 200 and "What would you like to talk about?" in body, (status, body[:500])
    assert 'name="robots" content="noindex"' in body
    assert "default-src 'none'" in headers.get("content-security-policy", "")
    csrf = form_value(body, "csrf")
    status, headers, _ = browser.post("/cgi-bin/book", {"csrf": csrf, "mentor": mentor, "tz": "Europe/Berlin", "specialty": "Depression"})
    assert status == 303, status
    status, headers, body = browser.get(headers["location"])
    assert status == 200 and "How would you like to meet?" in body
    status, headers, _ = browser.post("/cgi-bin/book/type", {"csrf": csrf, "mentor": mentor, "tz": "America/New_York", "specialty": "Depression", "type": "video"})
    assert status == 303, status
    status, headers, body = browser.get(headers["location"])
    assert status == 200 and "Choose a date and time" in body, body[:500]
    assert "your time:" in body  # the patient's zone differs from the mentor's
    starts = re.findall(r'name="start" id="slot-\d+" value="(\d+)"', body)
    assert starts, "no free slots offered"
    start = start or starts[0]
    status, headers, _ = browser.post("/cgi-bin/book/time", {"csrf": csrf, "mentor": mentor, "tz": "America/New_York", "specialty": "Depression", "type": "video", "start": start})
    assert status == 303, status
    details_url = headers["location"]
    status, headers, body = browser.get(details_url)
    assert status == 200 and "Your details" in body
    assert email not in details_url and "Pat" not in details_url
    fields = {"csrf": csrf, "mentor": mentor, "tz": "America/New_York", "specialty": "Depression", "type": "video", "start": start,
              "name": "Pat Doe", "email": email, "phone": "+49 30 1234567", "notes": notes}
    status, headers, _ = browser.post("/cgi-bin/book/details", fields)
    assert status == 303 and headers["location"].endswith("/cgi-bin/book/payment"), (status, headers)
    status, headers, body = browser.get("/cgi-bin/book/payment")
    assert status == 200 and "Test payments only" in body, body[:800]
    return body, start, csrf


def sendmail_script(folder):
    """A sendmail stand-in that keeps every message it is given."""
    mailbox = os.path.join(folder, "mailbox")
    os.makedirs(mailbox, exist_ok=True)
    script = os.path.join(folder, "fake-sendmail")
    with open(script, "w") as handle:
        handle.write(f"#!/bin/sh\ncat > {mailbox}/$(date +%s%N).eml\n")
    os.chmod(script, 0o755)
    return script, mailbox


def read_mailbox(mailbox):
    return [open(os.path.join(mailbox, name), encoding="utf-8").read() for name in sorted(os.listdir(mailbox))]


@test
def a_patient_books_confirms_by_email_and_cancels_through_lighttpd():
    folder = built_site()
    server = Server(folder)
    try:
        browser = Browser(server, folder)
        body, start, csrf = walk_to_payment(browser)
        key = form_value(body, "idempotency")
        payment = {"csrf": csrf, "idempotency": key, "card_number": "4242 4242 4242 4242", "card_expiry": "12/30", "card_cvc": "123"}
        status, headers, _ = browser.post("/cgi-bin/book/payment", payment)
        assert status == 303 and headers["location"].endswith("/cgi-bin/book/done"), (status, headers)
        # A double click submits the same form again: still one appointment.
        status, headers, _ = browser.post("/cgi-bin/book/payment", payment)
        assert status in (303, 400), status
        database = sqlite3.connect(os.path.join(folder, "site.sqlite"))
        assert database.execute("SELECT count(*), status FROM appointments").fetchone() == (1, "pending")
        status, headers, body = browser.get("/cgi-bin/book/done")
        assert status == 200 and "Check your email to confirm" in body, body[:600]

        script, mailbox = sendmail_script(folder)
        result = run("mentorsite", "mail", "--sendmail", script, cwd=folder)
        assert "1 sent, 0 failed" in result.stdout, result.stdout
        mails = read_mailbox(mailbox)
        assert len(mails) == 1 and "To: <pat@example.org>" in mails[0], mails
        assert "I feel low" not in mails[0], "notes must never be mailed"
        link = re.search(r"(http://\S+/cgi-bin/book/confirm\?token=\S+)", mails[0]).group(1)
        # Mail scanners open links: a GET only shows the page.
        status, _, body = Browser(server, folder).get(link.replace("http://127.0.0.1:8080", server.base))
        assert status == 200 and "Confirm my booking" in body
        assert database.execute("SELECT status FROM appointments").fetchone() == ("pending",)
        status, _, body = browser.get(link.replace("http://127.0.0.1:8080", server.base))
        token = form_value(body, "token")
        status, headers, _ = browser.post("/cgi-bin/book/confirm", {"csrf": form_value(body, "csrf"), "token": token})
        assert status == 303, status
        assert database.execute("SELECT status FROM appointments").fetchone() == ("scheduled",)
        # Confirming twice does nothing more.
        status, _, _ = browser.post("/cgi-bin/book/confirm", {"csrf": form_value(body, "csrf"), "token": token})
        assert status == 409, status
        status, _, body = browser.get("/cgi-bin/book/done")
        assert status == 200 and "You are booked" in body, body[:600]
        manage = html_unescape(re.search(r'href="(/cgi-bin/book/manage\?token=[^"]+)"', body).group(1))
        ics = html_unescape(re.search(r'href="(/cgi-bin/book/calendar.ics\?token=[^"]+)"', body).group(1))
        status, headers, calendar = browser.get(ics)
        assert status == 200 and headers["content-type"].startswith("text/calendar") and "DTSTART:" in calendar and "I feel low" not in calendar
        run("mentorsite", "mail", "--sendmail", script, cwd=folder)
        assert any("is booked for" in mail and "Subject: =?UTF-8?B?" in mail for mail in read_mailbox(mailbox))
        status, _, body = browser.get(manage)
        assert status == 200 and "Cancel this session" in body
        # Move it: same appointment, new time, history kept.
        (appointment_id, old_start), = database.execute("SELECT id, starts_at FROM appointments")
        reschedule = html_unescape(re.search(r'href="(/cgi-bin/book/reschedule\?token=[^"]+)"', body).group(1))
        status, _, body = browser.get(reschedule)
        assert status == 200 and "Move your session" in body, body[:500]
        new_start = re.findall(r'name="start" id="slot-\d+" value="(\d+)"', body)[-1]
        status, _, body = browser.post("/cgi-bin/book/reschedule", {"csrf": form_value(body, "csrf"), "token": form_value(body, "token"), "start": new_start})
        assert status == 200 and "Your session is moved to" in body, (status, body[:500])
        assert database.execute("SELECT id, starts_at FROM appointments").fetchone() == (appointment_id, int(new_start))
        status, _, body = browser.post("/cgi-bin/book/manage", {"csrf": form_value(body, "csrf"), "token": form_value(body, "token"), "action": "cancel"})
        assert status == 200 and "Your session is cancelled" in body, (status, body[:500])
        assert database.execute("SELECT status FROM appointments").fetchone() == ("cancelled",)
        history = [row[0] for row in database.execute("SELECT to_status FROM appointment_events ORDER BY id")]
        assert history == ["pending", "scheduled", "rescheduled", "cancelled"], history
        result = run("mentorsite", "appointments", "--format", "csv", cwd=folder)
        assert "jose-muller" in result.stdout and "cancelled" in result.stdout and "pat@example.org" in result.stdout
    finally:
        server.stop()


@test
def booking_errors_answer_with_clear_statuses_and_write_nothing():
    folder = built_site()
    server = Server(folder)
    try:
        browser = Browser(server, folder)
        database = os.path.join(folder, "site.sqlite")

        def snapshot():
            connection = sqlite3.connect(database)
            rows = [list(connection.execute(f"SELECT * FROM {table} ORDER BY 1")) for table in ("appointments", "patients", "outbox", "booking_drafts")]
            connection.close()
            return rows

        before = snapshot()
        cases = [
            ("GET", "/cgi-bin/book?mentor=nobody-here", None, 404, "could not find that mentor"),
            ("GET", "/cgi-bin/book?mentor=../etc", None, 404, "could not find that mentor"),
            ("GET", "/cgi-bin/book", None, 400, "Choose a mentor first"),
            ("GET", "/cgi-bin/book/nowhere?mentor=jose-muller", None, 404, "no such booking page"),
            ("DELETE", "/cgi-bin/book?mentor=jose-muller", None, 405, "is not allowed here"),
            ("PUT", "/cgi-bin/book/time?mentor=jose-muller", None, 405, "is not allowed here"),
            ("POST", "/cgi-bin/book/type", {"mentor": "jose-muller", "type": "video"}, 403, "not sent from this browser"),
            ("GET", "/cgi-bin/book/time?mentor=jose-muller&type=video&tz=EST5EDT", None, 422, "not a time zone we know"),
            ("GET", "/cgi-bin/book/slots?mentor=jose-muller&from=2026-02-30", None, 400, "real date"),
            ("GET", "/cgi-bin/book/slots?mentor=jose-muller&days=%2B10", None, 400, "whole number"),
            ("GET", "/cgi-bin/book/confirm?token=forged.token", None, 400, "expired or is not valid"),
            ("GET", "/cgi-bin/book/manage?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAA", None, 404, "not valid"),
            ("GET", "/cgi-bin/book/payment", None, 400, "session has expired"),
        ]
        for method, path, data, expected, message in cases:
            status, headers, body = browser.request(method, path, data=data)
            assert status == expected, (method, path, status, body[:300])
            assert message in body, (path, message, body[:600])
            assert "Traceback" not in body and "Fatal error" not in body
        status, _, _ = browser.request("POST", "/cgi-bin/book/details", raw_body="x" * 70000, headers=["Content-Type: application/x-www-form-urlencoded"])
        assert status == 413, status
        status, _, _ = browser.request("POST", "/cgi-bin/book/details", raw_body="a=%zz", headers=["Content-Type: application/x-www-form-urlencoded"])
        assert status in (400, 403), status
        assert snapshot() == before
        # An invalid email comes back as a 422 form with the message beside the field.
        body, start, csrf = walk_to_payment(Browser(server, folder))
        browser2 = Browser(server, folder)
        status, _, body = browser2.get("/cgi-bin/book/details?mentor=jose-muller&specialty=Depression&type=video&tz=Europe/Berlin&start=" + start)
        status, _, body = browser2.post("/cgi-bin/book/details", {"csrf": form_value(body, "csrf"), "mentor": "jose-muller", "specialty": "Depression",
                                                                   "type": "video", "tz": "Europe/Berlin", "start": start, "name": "Eve <script>",
                                                                   "email": "eve@example.org\r\nBcc: all@example.org"})
        assert status == 422 and 'id="email-error"' in body and "aria-describedby" in body and 'id="error-summary"' in body, (status, body[:400])
        assert "Eve &lt;script&gt;" in body and "<script>" not in body.split("<body>")[1].split('<script src=')[0]
    finally:
        server.stop()


@test
def twenty_patients_racing_for_one_slot_get_one_booking_and_nineteen_conflicts():
    folder = built_site()
    server = Server(folder)
    try:
        browsers, forms = [], []
        start = None
        for index in range(20):
            browser = Browser(server, folder)
            body, chosen, csrf = walk_to_payment(browser, start=start, email=f"p{index}@example.org")
            start = chosen
            browsers.append(browser)
            forms.append({"csrf": csrf, "idempotency": form_value(body, "idempotency"), "card_number": "4242424242424242", "card_expiry": "12/30", "card_cvc": "123"})
        commands = []
        for browser, form in zip(browsers, forms):
            commands.append(subprocess.Popen(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-b", browser.jar, "-c", browser.jar,
                                              "--data-raw", urllib.parse.urlencode(form), server.base + "/cgi-bin/book/payment"],
                                             stdout=subprocess.PIPE, text=True))
        statuses = sorted(process.communicate(timeout=60)[0] for process in commands)
        assert statuses.count("303") == 1 and statuses.count("409") == 19, statuses
        connection = sqlite3.connect(os.path.join(folder, "site.sqlite"))
        assert connection.execute("SELECT count(*) FROM appointments WHERE starts_at = ?", (int(start),)).fetchone() == (1,)
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        server.stop()


class NginxServer:
    """nginx with fcgiwrap on a free loopback port, from deploy/nginx-fcgiwrap.conf."""

    def __init__(self, folder):
        self.port = free_port()
        state = os.path.join(folder, "nginx-state")
        os.makedirs(state, exist_ok=True)
        self.socket = os.path.join(state, "fcgiwrap.sock")
        # Its own process group: fcgiwrap forks workers, and stop() ends them all.
        self.fcgiwrap = subprocess.Popen(["fcgiwrap", "-c", "4", "-s", "unix:" + self.socket], stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, start_new_session=True)
        for _ in range(100):
            if os.path.exists(self.socket):
                break
            time.sleep(0.05)
        os.chmod(self.socket, 0o666)
        template = open(os.path.join(REPO, "deploy", "nginx-fcgiwrap.conf")).read()
        config = (template.replace("@STATE@", state).replace("@ROOT@", os.path.join(folder, "public")).replace("@PORT@", str(self.port))
                  .replace("@CGI@", os.path.join(BIN, "mentorsite-cgi")).replace("@CONFIG@", os.path.join(folder, "mentorsite.yml"))
                  .replace("@SOCKET@", self.socket))
        config_path = os.path.join(state, "nginx.conf")
        open(config_path, "w").write("user root;\n" + config)
        self.nginx = subprocess.Popen(["nginx", "-c", config_path, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("nginx did not start: " + open(os.path.join(state, "nginx-error.log")).read()[-500:])

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.nginx.terminate()
        self.nginx.wait(timeout=10)
        os.killpg(self.fcgiwrap.pid, signal.SIGTERM)
        self.fcgiwrap.wait(timeout=10)


@test
def booking_and_pages_work_behind_nginx_with_fcgiwrap():
    folder = built_site_with_a_renamed_mentor()
    server = NginxServer(folder)
    try:
        browser = Browser(server, folder)
        status, headers, body = browser.get("/mentors/jose-muller/")
        assert status == 200 and headers["content-type"].startswith("text/html"), (status, headers)
        status, _, body = browser.get("/no/such/page/")
        assert status == 404 and "We could not find that page" in body
        status, headers, _ = browser.get("/mentors/kwame-mensah/")
        assert status == 301 and headers["location"].endswith("/mentors/kwame-owusu-mensah/"), (status, headers)
        status, _, _ = browser.get("/.mentorsite-build")
        assert status == 403
        body, start, csrf = walk_to_payment(browser)
        payment = {"csrf": csrf, "idempotency": form_value(body, "idempotency"), "card_number": "4242 4242 4242 4242", "card_expiry": "12/30", "card_cvc": "123"}
        status, headers, _ = browser.post("/cgi-bin/book/payment", payment)
        assert status == 303 and headers["location"].endswith("/cgi-bin/book/done"), (status, headers)
        status, _, body = browser.get("/cgi-bin/book/done")
        assert status == 200 and "Check your email to confirm" in body
        status, _, _ = browser.request("POST", "/cgi-bin/book/details", raw_body="x" * 70000, headers=["Content-Type: application/x-www-form-urlencoded"])
        assert status == 413, status
        connection = sqlite3.connect(os.path.join(folder, "site.sqlite"))
        assert connection.execute("SELECT count(*) FROM appointments").fetchone() == (1,)
    finally:
        server.stop()


def cgi(folder, method="GET", path="", query="", body=b"", cookie="", extra=None):
    """Runs the static CGI binary directly with a clean environment (`env -i`)."""
    environment = {"MENTORSITE_CONFIG": os.path.join(folder, "mentorsite.yml"), "REQUEST_METHOD": method, "PATH_INFO": path,
                   "QUERY_STRING": query, "REMOTE_ADDR": "127.0.0.1", "SCRIPT_NAME": "/cgi-bin/book"}
    if cookie:
        environment["HTTP_COOKIE"] = cookie
    if method == "POST":
        environment.update({"CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body))})
    environment.update(extra or {})
    result = subprocess.run([os.path.join(BIN, "mentorsite-cgi")], env=environment, input=body, capture_output=True, timeout=30)
    head, _, payload = result.stdout.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith("Status: "), result.stdout[:200]
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), headers, payload.decode("utf-8", "replace")


@test
def the_mentor_dashboard_needs_remote_user_and_blocks_dates():
    folder = built_site()
    status, _, body = cgi(folder, path="/dashboard")
    assert status == 401 and "sign in through the web server" in body, (status, body[:300])
    status, _, _ = cgi(folder, path="/dashboard", extra={"REMOTE_USER": "someone-else"})
    assert status == 403
    session = "dashboardsessiondashboar"
    status, _, body = cgi(folder, path="/dashboard", cookie=f"bk_session={session}", extra={"REMOTE_USER": "jose-muller"})
    assert status == 200 and "Your upcoming sessions" in body and "Block a date" in body, body[:500]
    status, _, slots = cgi(folder, path="/slots", query="mentor=jose-muller&days=30")
    day = json.loads(slots)["slots"][0]["local_date"]
    form = urllib.parse.urlencode({"csrf": form_value(body, "csrf"), "date": day, "reason": "Training"}).encode()
    status, _, page = cgi(folder, "POST", "/dashboard", body=form, cookie=f"bk_session={session}", extra={"REMOTE_USER": "jose-muller"})
    assert status == 200 and "is blocked" in page, (status, page[:600])
    status, _, slots = cgi(folder, path="/slots", query="mentor=jose-muller&days=30")
    assert all(slot["local_date"] != day for slot in json.loads(slots)["slots"])
    # The block survives a re-import of unchanged content.
    run("mentorsite", "import", cwd=folder)
    status, _, slots = cgi(folder, path="/slots", query="mentor=jose-muller&days=30")
    assert all(slot["local_date"] != day for slot in json.loads(slots)["slots"])
    form = urllib.parse.urlencode({"csrf": "forged", "date": day}).encode()
    status, _, _ = cgi(folder, "POST", "/dashboard", body=form, cookie=f"bk_session={session}", extra={"REMOTE_USER": "jose-muller"})
    assert status == 403


@test
def the_cgi_refuses_a_missing_database_without_creating_one():
    folder = make_site()
    status, headers, body = cgi(folder, query="mentor=jose-muller")
    assert status == 503 and "Retry-After" in headers, (status, headers)
    assert not os.path.exists(os.path.join(folder, "site.sqlite"))


def main():
    global BIN
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=BIN)
    parser.add_argument("-k", default="")
    arguments = parser.parse_args()
    BIN = os.path.abspath(arguments.bin)
    passed = failed = 0
    for function in TESTS:
        if arguments.k not in function.__name__:
            continue
        start = time.time()
        try:
            function()
            passed += 1
            print(f"ok   {function.__name__} ({time.time() - start:.1f} s)")
        except Exception:
            failed += 1
            print(f"FAIL {function.__name__}")
            traceback.print_exc()
    for folder in FOLDERS:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"e2e: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
