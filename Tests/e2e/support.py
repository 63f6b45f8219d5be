"""Shared helpers for the end-to-end tests: run the built (fully static) binaries, copy
the example site, parse pages, and start real web servers on 127.0.0.1.
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


class ApacheServer:
    """Apache httpd (event MPM, mod_cgid) on a free loopback port, from deploy/apache-cgi.conf.
    Apache will not run a CGI as root, so the site folder goes to www-data, with copies of
    the binaries (as on a real host, outside any home folder)."""

    user = "www-data"

    def __init__(self, folder):
        self.port = free_port()
        state = os.path.join(folder, "apache-state")
        binaries = os.path.join(folder, "bin")
        os.makedirs(state, exist_ok=True)
        os.makedirs(binaries, exist_ok=True)
        for name in ("mentorsite", "mentorsite-cgi"):
            shutil.copy2(os.path.join(BIN, name), os.path.join(binaries, name))
        subprocess.run(["chown", "-R", f"{self.user}:{self.user}", folder], check=True)
        os.chmod(folder, 0o755)
        template = open(os.path.join(REPO, "deploy", "apache-cgi.conf")).read()
        config = (template.replace("@STATE@", state).replace("@ROOT@", os.path.join(folder, "public")).replace("@PORT@", str(self.port))
                  .replace("@CGI@", os.path.join(binaries, "mentorsite-cgi")).replace("@CGIDIR@", binaries)
                  .replace("@CONFIG@", os.path.join(folder, "mentorsite.yml")).replace("@USER@", self.user).replace("@GROUP@", self.user))
        self.config_path = os.path.join(state, "httpd.conf")
        open(self.config_path, "w").write(config)
        self.state = state
        # -X: one process in the foreground, stopped by its PID.
        self.process = subprocess.Popen(["apache2", "-f", self.config_path, "-DFOREGROUND"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, env={"PATH": "/usr/sbin:/usr/bin:/bin", "APACHE_RUN_DIR": state,
                                                                     "APACHE_LOCK_DIR": state, "APACHE_LOG_DIR": state})
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
        log = os.path.join(state, "error.log")
        raise AssertionError("apache2 did not start: " + (self.process.stderr.read().decode() if self.process.poll() is not None else "")
                             + (open(log).read()[-800:] if os.path.exists(log) else ""))

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
