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
import datetime
import zoneinfo
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(REPO, ".build", "release")
EPOCH = "1793318400"  # 2026-10-29: fixed so that two imports are byte-identical
# "Now" for every program the suite starts (MENTORSITE_TEST_NOW): the suite never reads
# the wall clock. `MENTORSITE_TEST_NOW=<unix seconds> make e2e-test` runs it at another
# instant; without it, a weekday 01:05 UTC (the hour that once broke it: the first free
# slot was inside the cancellation window).
DEFAULT_NOW = 1796087100  # Tuesday 2026-12-01 01:05 UTC
NOW = int(os.environ.get("MENTORSITE_TEST_NOW") or DEFAULT_NOW)
os.environ["MENTORSITE_TEST_NOW"] = str(NOW)  # inherited by every server the suite starts
# The product's default cancellation window (booking_cancellation_hours).
CANCELLATION_WINDOW = 24 * 3600
TESTS = []
FOLDERS = []


def test(function):
    TESTS.append(function)
    return function


def run(*args, cwd, check=True, env=None):
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "SOURCE_DATE_EPOCH": EPOCH, "HOME": cwd, "MENTORSITE_TEST_NOW": str(NOW)}
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


class LoopbackServer:
    """A web server this test started on a free 127.0.0.1 port; stopped by its PID."""

    def wait_until_listening(self, name, log=None):
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
        said = self.process.stderr.read().decode(errors="replace") if self.process.poll() is not None and self.process.stderr else ""
        logged = open(log).read()[-800:] if log and os.path.exists(log) else ""
        raise AssertionError(f"{name} did not start: {said[-800:]}{logged}")

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


class Server(LoopbackServer):
    """`mentorsite serve` on a free loopback port, stopped by PID."""

    def __init__(self, folder, *options):
        self.folder = folder
        self.port = free_port()
        # lighttpd's error log (and so every CGI's stderr) goes to stderr: a file, never a
        # pipe that could fill up and stall the server.
        self.log = os.path.join(folder, f"serve-{self.port}.log")
        with open(self.log, "w") as handle:
            self.process = subprocess.Popen([os.path.join(BIN, "mentorsite"), "serve", "--port", str(self.port), *options], cwd=folder,
                                            stdout=handle, stderr=subprocess.STDOUT)
        self.wait_until_listening("mentorsite serve", self.log)


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
    start = start or cancellable_start(body)
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


def offered_starts(page):
    """The slot values (Unix seconds) a time page offers, in order."""
    return [int(value) for value in re.findall(r'name="start" id="slot-\d+" value="(\d+)"', page)]


def cancellable_start(page, now=None):
    """The first offered start that can still be cancelled and moved online afterwards
    (outside the cancellation window, with an hour to spare), as text."""
    now = now or NOW
    starts = [start for start in offered_starts(page) if start >= now + CANCELLATION_WINDOW + 3600]
    assert starts, f"no cancellable slot offered at {now}: {offered_starts(page)[:5]}"
    return str(starts[0])


def late_start(page, now=None):
    """The first offered start inside the cancellation window (bookable, not cancellable
    online), or None when the mentor has none so soon."""
    now = now or NOW
    starts = [start for start in offered_starts(page) if start < now + CANCELLATION_WINDOW]
    return str(starts[0]) if starts else None


def read_ledger(folder):
    """The test payment provider's ledger of a site folder (test_payment_ledger)."""
    path = os.path.join(folder, ".mentorsite", "test-payments.log")
    if not os.path.exists(path):
        return []
    return [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]


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


def with_test_clock(config, server):
    """A shipped web server configuration, filled in, that also hands the CGI the suite's
    clock (MENTORSITE_TEST_NOW) beside MENTORSITE_CONFIG: what an operator never sets."""
    now = str(NOW)
    if server == "lighttpd":
        changed = re.sub(r'(\("MENTORSITE_CONFIG" => "[^"]*")', r'\1, "MENTORSITE_TEST_NOW" => "' + now + '"', config)
    elif server == "nginx":
        changed = re.sub(r'(\n(\s*)fastcgi_param MENTORSITE_CONFIG [^;]*;)', r'\1\n\2fastcgi_param MENTORSITE_TEST_NOW ' + now + ';', config)
    else:
        changed = re.sub(r'(\n(\s*)SetEnv MENTORSITE_CONFIG [^\n]*)', r'\1\n\2SetEnv MENTORSITE_TEST_NOW ' + now, config)
    assert changed != config, f"no MENTORSITE_CONFIG line in the {server} configuration"
    return changed


class LighttpdServer(LoopbackServer):
    """lighttpd with mod_cgi on a free loopback port, from deploy/lighttpd.conf."""

    def __init__(self, folder):
        self.port = free_port()
        state = os.path.join(folder, "lighttpd-state")
        os.makedirs(state, exist_ok=True)
        template = open(os.path.join(REPO, "deploy", "lighttpd.conf")).read()
        config = (template.replace("@STATE@", state).replace("@ROOT@", os.path.join(folder, "public")).replace("@PORT@", str(self.port))
                  .replace("@CGI@", os.path.join(BIN, "mentorsite-cgi")).replace("@CONFIG@", os.path.join(folder, "mentorsite.yml")))
        config = with_test_clock(config, "lighttpd")
        config_path = os.path.join(state, "lighttpd.conf")
        open(config_path, "w").write(config)
        self.process = subprocess.Popen(["lighttpd", "-D", "-f", config_path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.wait_until_listening("lighttpd", os.path.join(state, "lighttpd-error.log"))


class LighttpdFastCGIServer(LoopbackServer):
    """lighttpd with mod_fastcgi on a free loopback port, from deploy/lighttpd-fastcgi.conf:
    two persistent responders that lighttpd starts again when one dies."""

    def __init__(self, folder):
        self.port = free_port()
        self.state = os.path.join(folder, "lighttpd-fastcgi-state")
        os.makedirs(self.state, exist_ok=True)
        template = open(os.path.join(REPO, "deploy", "lighttpd-fastcgi.conf")).read()
        config = (template.replace("@STATE@", self.state).replace("@ROOT@", os.path.join(folder, "public")).replace("@PORT@", str(self.port))
                  .replace("@CGI@", os.path.join(BIN, "mentorsite-cgi")).replace("@CONFIG@", os.path.join(folder, "mentorsite.yml")))
        changed = re.sub(r'("bin-environment" => \("MENTORSITE_CONFIG" => "[^"]*")', r'\1, "MENTORSITE_TEST_NOW" => "' + str(NOW) + '"', config)
        assert changed != config, "no bin-environment in deploy/lighttpd-fastcgi.conf"
        config_path = os.path.join(self.state, "lighttpd.conf")
        open(config_path, "w").write(changed)
        self.process = subprocess.Popen(["lighttpd", "-D", "-f", config_path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.wait_until_listening("lighttpd (FastCGI)", os.path.join(self.state, "lighttpd-error.log"))

    def responders(self):
        """PIDs of the FastCGI responders lighttpd is running now."""
        children = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout.split()
        return sorted(int(pid) for pid in children if os.path.basename(os.readlink(f"/proc/{pid}/exe")) == "mentorsite-cgi")


class NginxFastCGIServer(LoopbackServer):
    """nginx on a free loopback port, from deploy/nginx-fastcgi.conf, passing the booking
    to two persistent responders that spawn-fcgi started on a Unix socket."""

    def __init__(self, folder):
        self.port = free_port()
        state = os.path.join(folder, "nginx-fastcgi-state")
        os.makedirs(state, exist_ok=True)
        self.socket = os.path.join(state, "responder.sock")
        pids = os.path.join(state, "responders.pid")
        environment = {"PATH": "/usr/bin:/bin", "MENTORSITE_CONFIG": os.path.join(folder, "mentorsite.yml"), "MENTORSITE_TEST_NOW": str(NOW)}
        subprocess.run(["spawn-fcgi", "-s", self.socket, "-F", "2", "-P", pids, "-M", "0666", "--", os.path.join(BIN, "mentorsite-cgi")],
                       env=environment, check=True, capture_output=True)
        self.responders = [int(line) for line in open(pids).read().split()]
        template = open(os.path.join(REPO, "deploy", "nginx-fastcgi.conf")).read()
        config = (template.replace("@STATE@", state).replace("@ROOT@", os.path.join(folder, "public")).replace("@PORT@", str(self.port))
                  .replace("@CONFIG@", os.path.join(folder, "mentorsite.yml")).replace("@SOCKET@", self.socket))
        config_path = os.path.join(state, "nginx.conf")
        open(config_path, "w").write("user root;\n" + config)
        self.process = subprocess.Popen(["nginx", "-c", config_path, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.wait_until_listening("nginx (FastCGI)", os.path.join(state, "nginx-error.log"))

    def stop(self):
        super().stop()
        for pid in self.responders:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass


class NginxServer(LoopbackServer):
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
        config = with_test_clock(config, "nginx")
        config_path = os.path.join(state, "nginx.conf")
        open(config_path, "w").write("user root;\n" + config)
        self.process = subprocess.Popen(["nginx", "-c", config_path, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.wait_until_listening("nginx", os.path.join(state, "nginx-error.log"))

    def stop(self):
        super().stop()
        os.killpg(self.fcgiwrap.pid, signal.SIGTERM)
        self.fcgiwrap.wait(timeout=10)


def cgi_command(config, method="GET", path="", query="", body=b"", cookie="", extra=None, length=None,
                content_type="application/x-www-form-urlencoded", drop=(), now=None):
    """The argv and stdin of one run of the static CGI binary with a clean environment
    (`env -i`): `extra` adds or overrides variables, `drop` removes them, `now` fixes the clock."""
    environment = {"MENTORSITE_CONFIG": config, "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
                   "REMOTE_ADDR": "127.0.0.1", "SCRIPT_NAME": "/cgi-bin/book", "GATEWAY_INTERFACE": "CGI/1.1"}
    environment["MENTORSITE_TEST_NOW"] = str(now or NOW)
    if cookie:
        environment["HTTP_COOKIE"] = cookie
    if isinstance(body, str):
        body = body.encode()
    if method == "POST":
        environment["CONTENT_TYPE"] = content_type
        environment["CONTENT_LENGTH"] = str(len(body)) if length is None else length
    environment.update(extra or {})
    for name in drop:
        environment.pop(name, None)
    return ["env", "-i"] + [f"{k}={v}" for k, v in environment.items()] + [os.path.join(BIN, "mentorsite-cgi")], body


# How raw CGI requests reach the binary: "cgi" starts one process per request (`env -i`);
# "fastcgi" sends them as a web server would to a pool of persistent responders (the same
# executable started on a listening socket). `make e2e-test` runs the bad-input and fault
# suites in both modes.
CGI_MODE = os.environ.get("E2E_CGI_MODE", "cgi")


class FastCGIPool:
    """Persistent `mentorsite-cgi` responders sharing one listening Unix socket, started
    again when one dies (as lighttpd or systemd would)."""

    def __init__(self, size=4):
        self.folder = tempfile.mkdtemp(prefix="mentorsite-fcgi-")
        self.path = os.path.join(self.folder, "responder.sock")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(128)
        self.size = size
        self.processes = []
        self.ensure()

    def ensure(self):
        self.processes = [process for process in self.processes if process.poll() is None]
        while len(self.processes) < self.size:
            # A clean environment: every request brings its own variables.
            self.processes.append(subprocess.Popen([os.path.join(BIN, "mentorsite-cgi")], stdin=self.listener.fileno(),
                                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={}))

    def kill_all(self):
        for process in self.processes:
            process.send_signal(signal.SIGKILL)
        for process in self.processes:
            process.wait(timeout=10)
        self.ensure()

    def stop(self):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes = []
        self.listener.close()
        shutil.rmtree(self.folder, ignore_errors=True)


POOL = None


def fastcgi_pool():
    global POOL
    if POOL is None:
        POOL = FastCGIPool()
    POOL.ensure()
    return POOL


def argv_environment(argv):
    """The variables of an `env -i NAME=value … binary` command line."""
    assert argv[:2] == ["env", "-i"], argv
    return dict(item.split("=", 1) for item in argv[2:-1])


class CGIRun:
    """One request started now and answered later, in either mode (`communicate`, `kill`)."""

    def __init__(self, argv, body):
        self.result = None
        if CGI_MODE == "fastcgi":
            import fastcgi
            import threading
            pool = fastcgi_pool()

            def send():
                try:
                    stdout, stderr, _ = fastcgi.request(pool.path, argv_environment(argv), body, timeout=120)
                    self.result = (stdout, stderr, 0)
                except (EOFError, ConnectionError, OSError):
                    self.result = (b"", b"", -signal.SIGKILL)  # its responder was killed
            self.thread = threading.Thread(target=send)
            self.thread.start()
        else:
            import threading
            self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

            def talk():
                # communicate: a CGI that answers before reading a large body (413) is fine.
                stdout, stderr = self.process.communicate(body, timeout=120)
                self.result = (stdout, stderr, self.process.returncode)
            self.thread = threading.Thread(target=talk)
            self.thread.start()

    def kill(self):
        """SIGKILL the process serving it (in FastCGI mode: the responders, restarted after)."""
        if CGI_MODE == "fastcgi":
            fastcgi_pool().kill_all()
        else:
            self.process.send_signal(signal.SIGKILL)

    def communicate(self, timeout=120):
        """(stdout, stderr, exit status: negative for the signal that ended it)."""
        self.thread.join(timeout)
        return self.result


def run_cgi(argv, body):
    """One request in the suite's mode: (stdout, stderr)."""
    stdout, stderr, _ = CGIRun(argv, body).communicate(timeout=30)
    return stdout, stderr


def parse_cgi(stdout, stderr=b""):
    """(status, lower-case headers, body, stderr) of a CGI's output."""
    head, _, payload = stdout.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith("Status: "), (stdout[:200], stderr[:500])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(": ")
        headers.setdefault(name.lower(), value)
    return int(lines[0].split()[1]), headers, payload.decode("utf-8", "replace"), stderr.decode("utf-8", "replace")


def cgi(folder, method="GET", path="", query="", body=b"", cookie="", extra=None):
    """One request to the CGI of a site folder, at the suite's clock: (status, headers, body)."""
    argv, body = cgi_command(os.path.join(folder, "mentorsite.yml"), method, path, query, body, cookie, extra)
    return parse_cgi(*run_cgi(argv, body))[:3]


class ApacheServer(LoopbackServer):
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
        config = with_test_clock(config, "apache")
        self.config_path = os.path.join(state, "httpd.conf")
        open(self.config_path, "w").write(config)
        self.state = state
        # -X: one process in the foreground, stopped by its PID.
        self.process = subprocess.Popen(["apache2", "-f", self.config_path, "-DFOREGROUND"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, env={"PATH": "/usr/sbin:/usr/bin:/bin", "APACHE_RUN_DIR": state,
                                                                     "APACHE_LOCK_DIR": state, "APACHE_LOG_DIR": state})
        self.wait_until_listening("apache2", os.path.join(state, "error.log"))


# A site with a mentor in New York whose hours cross both DST changes, driven through
# the CGI binary directly with a fixed clock.

UTC = datetime.timezone.utc
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
# Monday 2027-03-01 12:00 UTC (07:00 in New York): the spring DST change (Sunday 14 March)
# is inside the 60-day horizon.
SPRING = int(datetime.datetime(2027, 3, 1, 12, 0, tzinfo=UTC).timestamp())
# Monday 2027-10-25: the autumn change (Sunday 7 November) is ahead.
AUTUMN = int(datetime.datetime(2027, 10, 25, 12, 0, tzinfo=UTC).timestamp())
def session_id(label):
    """A session cookie value of the shape the CGI makes: 24 base64url characters (18
    bytes, so every spelling is canonical)."""
    text = re.sub(r"[^A-Za-z0-9]", "", label)
    return (text * 24)[:24]


SESSION = session_id("badinputsession")
OTHER_SESSION = session_id("anothersession")

DST_MENTOR = """---
name: Dana Stone
email: dana@mentors.example
title: Counsellor
specialty: Stress
timezone: America/New_York
session_minutes: 30
hourly_rate: 80
availability:
  - { day: sunday, start: "00:00", end: "04:00" }
  - { day: monday, start: "09:00", end: "12:00" }
  - { day: tuesday, start: "09:00", end: "12:00" }
  - { day: wednesday, start: "09:00", end: "12:00" }
blocked_dates:
  - { date: 2027-03-03, reason: Training }
---

I help with stress.
"""


def new_york(*parts):
    """Unix seconds of a New York wall-clock time (fold=0: the first of a repeated hour)."""
    return int(datetime.datetime(*parts, tzinfo=NEW_YORK).timestamp())


class Site:
    def __init__(self, config=""):
        self.folder = make_site()
        open(os.path.join(self.folder, "content", "mentors", "dana-stone.md"), "w").write(DST_MENTOR)
        if config:
            with open(os.path.join(self.folder, "mentorsite.yml"), "a") as handle:
                handle.write(config)
        run("mentorsite", "import", cwd=self.folder)
        self.database = os.path.join(self.folder, "site.sqlite")
        self.now = SPRING

    def command(self, *args, now=None, **options):
        """The argv and stdin of one raw CGI run on this site, at its fixed clock."""
        return cgi_command(os.path.join(self.folder, "mentorsite.yml"), *args, now=now or self.now, **options)

    def cgi(self, *args, **options):
        argv, body = self.command(*args, **options)
        return parse_cgi(*run_cgi(argv, body))

    def dump(self):
        connection = sqlite3.connect(self.database)
        try:
            return list(connection.iterdump())
        finally:
            connection.close()

    def ledger(self):
        """The test payment provider's ledger: one dict per authorize, decline and void."""
        return read_ledger(self.folder)

    def mail(self, now=None):
        """`mentorsite mail` at this site's clock (or `now`): expires holds, voids what must
        be voided, then delivers the outbox to a mailbox folder; returns its stdout."""
        script, _ = sendmail_script(self.folder)
        return run("mentorsite", "mail", "--sendmail", script, cwd=self.folder, env={"MENTORSITE_TEST_NOW": str(now or self.now)}).stdout

    def csrf(self, session=SESSION, now=None):
        status, _, body, _ = self.cgi(query="mentor=jose-muller", cookie=f"bk_session={session}", now=now)
        assert status == 200, status
        return form_value(body, "csrf")

    def secrets(self):
        key = open(os.path.join(self.folder, ".mentorsite", "secret.key"), "rb").read().strip()
        return [key.decode("latin-1"), self.folder, "sqlite3_", "SQLITE_", "Fatal error", "Traceback", "swift_", ".swift", "/work/", "stack"]


def details_form(site, csrf, start, **fields):
    form = {"csrf": csrf, "mentor": "dana-stone", "specialty": "Stress", "type": "video", "tz": "America/New_York", "start": str(start),
            "name": "Pat Doe", "email": "pat@example.org", "phone": "+1 212 555 0100", "notes": "Sleeping badly."}
    form.update(fields)
    return urllib.parse.urlencode(form)


def prepare_payment(site, start, email="pat@example.org", session=SESSION, mentor="dana-stone", specialty="Stress", now=None, **fields):
    """Steps 4–5 through the CGI itself, up to the payment form: the cookie and the form to
    post (`fields` change the details step's answers)."""
    csrf = site.csrf(session=session, now=now)
    form = details_form(site, csrf, start, email=email, mentor=mentor, specialty=specialty, **fields)
    status, headers, body, _ = site.cgi("POST", "/details", body=form, cookie=f"bk_session={session}", now=now)
    assert status == 303, (status, body[:400])
    draft = re.search(r"bk_draft=([^;]+)", headers["set-cookie"]).group(1)
    cookie = f"bk_session={session}; bk_draft={draft}"
    status, _, body, _ = site.cgi("GET", "/payment", cookie=cookie, now=now)
    assert status == 200, (status, body[:400])
    return cookie, urllib.parse.urlencode({"csrf": csrf, "idempotency": form_value(body, "idempotency"), "card_number": "4242424242424242",
                                           "card_expiry": "12/30", "card_cvc": "123"})


def book_directly(site, start, email="pat@example.org", now=None, **fields):
    """A whole booking through the CGI itself; returns the cookie."""
    cookie, form = prepare_payment(site, start, email, now=now, **fields)
    status, headers, body, _ = site.cgi("POST", "/payment", body=form, cookie=cookie, now=now)
    assert status == 303, (status, body[:400])
    return cookie
