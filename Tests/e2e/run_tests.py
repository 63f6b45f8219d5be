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
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
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


@test
def serve_runs_a_real_lighttpd_with_site_and_booking():
    folder = built_site()
    path = os.path.join(folder, "content", "mentors", "kwame-mensah.md")
    text = open(path, encoding="utf-8").read()
    open(path, "w", encoding="utf-8").write(text.replace("name: Kwame Mensah", "name: Kwame Owusu Mensah"))
    run("mentorsite", "import", cwd=folder)
    run("mentorsite", "build", cwd=folder)
    port = free_port()
    server = subprocess.Popen([os.path.join(BIN, "mentorsite"), "serve", "--port", str(port)], cwd=folder,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
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
        server.terminate()
        server.wait(timeout=10)


@test
def serve_explains_a_missing_site():
    folder = make_site()
    result = run("mentorsite", "serve", "--port", str(free_port()), cwd=folder, check=False)
    assert result.returncode == 1 and "has no built site; run `mentorsite build` first" in result.stderr, result.stderr


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
