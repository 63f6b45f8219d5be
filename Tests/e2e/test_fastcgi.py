"""The persistent mode: the same `mentorsite-cgi` as a FastCGI responder behind lighttpd
(mod_fastcgi, deploy/lighttpd-fastcgi.conf) and nginx (deploy/nginx-fastcgi.conf with
spawn-fcgi), and under `mentorsite serve --fastcgi`: the booking script passes; two
patients interleaved on one responder share nothing; a responder killed mid-way is
replaced while the other keeps serving; memory stays flat; configuration and templates
are read again when they change. (The bad-input and fault suites also run against
responders: `E2E_CGI_MODE=fastcgi`, which `make e2e-test` does.)"""
from support import *
from test_servers import booking_behind, prepared_site
import fastcgi


@test
def the_booking_script_passes_behind_lighttpd_with_mod_fastcgi():
    booking_behind(LighttpdFastCGIServer)


@test
def the_booking_script_passes_behind_nginx_with_a_spawn_fcgi_responder():
    booking_behind(NginxFastCGIServer)


class Responder:
    """One persistent responder of this suite's own, on a Unix socket: every request of a
    test goes to the same process."""

    def __init__(self, folder):
        self.folder = folder
        self.path = os.path.join(folder, "one-responder.sock")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(16)
        self.process = subprocess.Popen([os.path.join(BIN, "mentorsite-cgi")], stdin=self.listener.fileno(), stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, env={})

    def request(self, method="GET", path="", query="", body=b"", cookie="", extra=None):
        argv, body = cgi_command(os.path.join(self.folder, "mentorsite.yml"), method, path, query, body, cookie, extra)
        stdout, stderr, _ = fastcgi.request(self.path, argv_environment(argv), body)
        return parse_cgi(stdout, stderr)

    def rss_kib(self):
        for line in open(f"/proc/{self.process.pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.listener.close()


def cookies_of(headers_list):
    return re.findall(r"(bk_\w+)=([^;]+)", headers_list)


@test
def two_patients_interleaved_on_one_responder_share_nothing():
    folder = prepared_site()
    responder = Responder(folder)
    try:
        # Ann and Ben step through the wizard in turns on the same process.
        status, headers, ann_first, _ = responder.request(query="mentor=jose-muller")
        ann_session = re.search(r"bk_session=([^;]+)", headers["set-cookie"]).group(1)
        ann_csrf = form_value(ann_first, "csrf")
        status, headers, ben_first, _ = responder.request(query="mentor=jose-muller")
        ben_session = re.search(r"bk_session=([^;]+)", headers["set-cookie"]).group(1)
        ben_csrf = form_value(ben_first, "csrf")
        assert ann_session != ben_session and ann_csrf != ben_csrf
        base = {"mentor": "jose-muller", "tz": "Europe/Berlin", "specialty": "Depression", "type": "video"}
        status, _, time_page, _ = responder.request(path="/time", query=urllib.parse.urlencode(base), cookie=f"bk_session={ann_session}")
        start = cancellable_start(time_page)
        ann = {**base, "csrf": ann_csrf, "start": start, "name": "Ann Private", "email": "ann@example.org", "phone": "+49 30 1111111", "notes": "Ann's worries."}
        status, headers, _, _ = responder.request("POST", "/details", body=urllib.parse.urlencode(ann), cookie=f"bk_session={ann_session}")
        assert status == 303, status
        ann_draft = re.search(r"bk_draft=([^;]+)", headers["set-cookie"]).group(1)
        # A request that leaves its body unread (405 before reading), in between.
        status, _, _, _ = responder.request("POST", "/slots", body=b"x" * 5000, cookie=f"bk_session={ben_session}")
        assert status == 405, status
        # Ben, right after Ann on the same process: nothing of hers reaches him.
        status, headers, ben_payment, _ = responder.request("GET", "/payment", cookie=f"bk_session={ben_session}")
        assert status == 400 and "Ann" not in ben_payment and "ann@example.org" not in ben_payment, (status, ben_payment[:300])
        assert "bk_draft" not in headers.get("set-cookie", "")
        # Ben cannot post with Ann's CSRF value.
        ben = {**base, "csrf": ann_csrf, "start": start, "name": "Ben", "email": "ben@example.org"}
        status, _, page, _ = responder.request("POST", "/details", body=urllib.parse.urlencode(ben), cookie=f"bk_session={ben_session}")
        assert status == 403, status
        # Ann's own payment page still has her details.
        status, _, ann_payment, _ = responder.request("GET", "/payment", cookie=f"bk_session={ann_session}; bk_draft={ann_draft}")
        assert status == 200 and "Ann Private" in ann_payment and "Ben" not in ann_payment, (status, ann_payment[:300])
    finally:
        responder.stop()


@test
def a_responder_killed_mid_way_is_replaced_and_the_other_keeps_serving():
    folder = prepared_site()
    server = LighttpdFastCGIServer(folder)
    try:
        page = server.base + "/cgi-bin/book?mentor=jose-muller"
        assert fetch(page)[0] == 200
        for _ in range(50):
            if len(server.responders()) == 2:
                break
            time.sleep(0.1)
        before = server.responders()
        assert len(before) == 2, before
        os.kill(before[0], signal.SIGKILL)
        statuses = [fetch(page)[0] for _ in range(20)]
        assert statuses.count(200) >= 19, statuses
        for _ in range(100):
            after = server.responders()
            if len(after) == 2 and before[0] not in after:
                break
            time.sleep(0.1)
        assert len(after) == 2 and before[0] not in after, (before, after)
        assert all(fetch(page)[0] == 200 for _ in range(10))
    finally:
        server.stop()


@test
def a_responders_memory_stays_flat_over_thousands_of_requests():
    folder = prepared_site()
    responder = Responder(folder)
    try:
        requests = [("GET", "", "mentor=jose-muller"), ("GET", "/time", "mentor=jose-muller&specialty=Depression&type=video&tz=America/New_York"),
                    ("GET", "/slots", "mentor=jose-muller&days=14"), ("POST", "/type", ""), ("GET", "/nowhere", "")]
        argvs = [cgi_command(os.path.join(folder, "mentorsite.yml"), method, path, query, b"csrf=x" if method == "POST" else b"")
                 for method, path, query in requests]
        encoded = [(argv_environment(argv), body) for argv, body in argvs]

        def run(count):
            for index in range(count):
                params, body = encoded[index % len(encoded)]
                stdout, _, _ = fastcgi.request(responder.path, params, body)
                assert stdout.startswith(b"Status: "), stdout[:100]

        run(500)
        warm = responder.rss_kib()
        run(5000)
        after = responder.rss_kib()
        print(f"FastCGI responder: {warm} KiB after 500 requests, {after} KiB after 5,500", flush=True)
        assert after - warm < 2048, (warm, after)
    finally:
        responder.stop()


@test
def a_responder_reads_configuration_and_templates_again_when_they_change():
    folder = prepared_site()
    responder = Responder(folder)
    try:
        status, _, page, _ = responder.request(query="mentor=jose-muller")
        assert status == 200 and "Mood Mentors" in page
        config = os.path.join(folder, "mentorsite.yml")
        text = open(config).read()
        open(config, "w").write(text.replace("site_name: Mood Mentors", "site_name: Calm Harbour"))
        template = os.path.join(folder, "templates", "booking", "specialty.mustache")
        open(template, "a").write("{{! changed }}\n")
        source = open(template).read()
        open(template, "w").write(source.replace("</h1>", "</h1>\n<p id=\"fresh\">Fresh template</p>", 1))
        status, _, page, _ = responder.request(query="mentor=jose-muller")
        assert status == 200 and "Calm Harbour" in page and 'id="fresh"' in page, page[:800]
    finally:
        responder.stop()


@test
def mentorsite_serve_fastcgi_runs_the_booking_persistently():
    folder = built_site()
    server = Server(folder, "--fastcgi")
    try:
        status, headers, body = fetch(server.base + "/cgi-bin/book?mentor=jose-muller")
        assert status == 200 and b"What would you like to talk about?" in body
        def children(pid):
            return [int(child) for child in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()]
        # serve → lighttpd → the responders, which stay between requests.
        responders = [pid for lighttpd in children(server.process.pid) for pid in children(lighttpd)
                      if os.path.basename(os.readlink(f"/proc/{pid}/exe")) == "mentorsite-cgi"]
        assert len(responders) >= 1, responders
        assert fetch(server.base + "/cgi-bin/book?mentor=jose-muller")[0] == 200
        assert all(os.path.exists(f"/proc/{pid}") for pid in responders)
        assert "with FastCGI" in open(server.log).read()
    finally:
        server.stop()
