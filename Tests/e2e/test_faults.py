"""Concurrency, crashes and storage faults: many processes on one slot, overlapping
slots, confirmations racing expiry and each other, `kill -9` in the middle of booking
writes, and a database that is read-only, missing, too new, full or locked."""
import random

from support import *

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def berlin(*parts):
    return int(datetime.datetime(*parts, tzinfo=BERLIN).timestamp())


def run_at_once(site, requests):
    """Starts every (cookie, form, address) payment POST as its own process at once."""
    runs = [CGIRun(*site.command("POST", "/payment", body=form, cookie=cookie, extra={"REMOTE_ADDR": address})) for cookie, form, address in requests]
    return [parse_cgi(*run.communicate()[:2]) for run in runs]


def assert_consistent(site):
    """No half-written booking: the file is sound, every appointment has its history, every
    hold its confirmation mail, every scheduled one its booked mail; one live booking per start."""
    connection = sqlite3.connect(site.database)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute("SELECT count(*) FROM appointments a WHERE NOT EXISTS (SELECT 1 FROM appointment_events e WHERE e.appointment_id = a.id)").fetchone() == (0,)
        assert connection.execute("SELECT count(*) FROM appointments a WHERE status = 'pending' AND NOT EXISTS "
                                  "(SELECT 1 FROM outbox o WHERE o.appointment_id = a.id AND o.kind = 'confirm')").fetchone() == (0,)
        assert connection.execute("SELECT count(*) FROM appointments a WHERE status = 'scheduled' AND NOT EXISTS "
                                  "(SELECT 1 FROM outbox o WHERE o.appointment_id = a.id AND o.kind = 'booked')").fetchone() == (0,)
        assert connection.execute("SELECT count(*) FROM (SELECT mentor_id, starts_at FROM appointments WHERE status IN ('pending', 'scheduled') "
                                  "GROUP BY 1, 2 HAVING count(*) > 1)").fetchone() == (0,)
    finally:
        connection.close()


@test
def fifty_processes_booking_one_slot_get_one_booking_and_forty_nine_clean_conflicts():
    site = Site()
    slot = new_york(2027, 3, 2, 9, 0)
    requests = []
    for index in range(50):
        cookie, form = prepare_payment(site, slot, email=f"p{index}@example.org", session=session_id(f"racer{index:03d}"))
        requests.append((cookie, form, f"10.0.0.{index + 1}"))
    results = run_at_once(site, requests)
    statuses = sorted(status for status, _, _, _ in results)
    assert statuses.count(303) == 1 and statuses.count(409) == 49, statuses
    # Everyone was authorised before the race was decided; the 49 who lost are voided at once.
    ledger = site.ledger()
    assert [entry["op"] for entry in ledger].count("authorize") == 50 and [entry["op"] for entry in ledger].count("void") == 49, ledger[:3]
    for status, headers, body, stderr in results:
        assert "locked" not in body.lower() and "locked" not in stderr.lower(), (status, stderr[:300])
        if status == 409:
            assert "just taken" in body or "no longer free" in body, body[:600]
    connection = sqlite3.connect(site.database)
    assert connection.execute("SELECT count(*) FROM appointments WHERE starts_at = ?", (slot,)).fetchone() == (1,)
    assert_consistent(site)


@test
def ten_submits_of_one_payment_form_at_once_authorise_once_and_book_once():
    site = Site()
    cookie, form = prepare_payment(site, new_york(2027, 3, 2, 9, 0))
    results = run_at_once(site, [(cookie, form, "10.3.0.1")] * 10)
    statuses = [status for status, _, _, _ in results]
    assert statuses == [303] * 10, [(status, body[:200]) for status, _, body, _ in results]
    # Every answer leads to the same confirmation page in this browser.
    assert len({headers["set-cookie"] for _, headers, _, _ in results}) == 1
    key = urllib.parse.parse_qs(form)["idempotency"][0]
    assert [entry["op"] for entry in site.ledger() if entry.get("key") == key] == ["authorize"], site.ledger()
    connection = sqlite3.connect(site.database)
    assert connection.execute("SELECT count(*) FROM appointments").fetchone() == (1,)
    assert connection.execute("SELECT status FROM payments").fetchall() == [("authorized",)]
    assert_consistent(site)


@test
def overlapping_slots_of_different_lengths_are_never_both_booked():
    # Slots every 30 minutes for 50-minute sessions: 08:00 and 08:30 overlap.
    site = Site(config="booking_interval_minutes: 30\n")
    run("mentorsite", "import", cwd=site.folder)
    first, second = berlin(2027, 3, 2, 8, 0), berlin(2027, 3, 2, 8, 30)
    requests = []
    for index in range(20):
        start = first if index % 2 == 0 else second
        cookie, form = prepare_payment(site, start, email=f"o{index}@example.org", session=session_id(f"overlap{index:02d}"),
                                       mentor="jose-muller", specialty="Depression")
        requests.append((cookie, form, f"10.0.1.{index + 1}"))
    statuses = sorted(status for status, _, _, _ in run_at_once(site, requests))
    assert statuses.count(303) == 1 and statuses.count(409) == 19, statuses
    connection = sqlite3.connect(site.database)
    assert connection.execute("SELECT count(*) FROM appointments WHERE starts_at IN (?, ?)", (first, second)).fetchone() == (1,)
    # The mentor switches to 30-minute sessions: a shorter slot inside the booked 50 minutes
    # is not offered, and posting it is refused.
    path = os.path.join(site.folder, "content", "mentors", "jose-muller.md")
    text = open(path).read()
    open(path, "w").write(text.replace("session_minutes: 50", "session_minutes: 30"))
    run("mentorsite", "import", cwd=site.folder)
    booked, = connection.execute("SELECT starts_at FROM appointments").fetchone()
    inside = booked + 30 * 60
    slots = json.loads(site.cgi("GET", "/slots", query="mentor=jose-muller&from=2027-03-02&days=1")[2])["slots"]
    offered = [int(datetime.datetime.strptime(slot["start"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()) for slot in slots]
    assert inside not in offered and booked not in offered and booked + 60 * 60 in offered, (booked, offered)
    csrf = site.csrf()
    status, _, body, _ = site.cgi("POST", "/time", body=urllib.parse.urlencode({"csrf": csrf, "mentor": "jose-muller", "specialty": "Depression",
                                                                             "type": "video", "start": inside}), cookie=f"bk_session={SESSION}")
    assert status == 409 and "no longer free" in body, (status, body[:300])
    assert_consistent(site)


@test
def confirmations_race_each_other_and_the_hold_expiry_and_one_outcome_wins():
    site = Site()
    # Ten clicks on one confirmation link at once: one confirms, nine are told it is done.
    slot = new_york(2027, 3, 2, 10, 0)
    book_directly(site, slot)
    connection = sqlite3.connect(site.database)
    body = connection.execute("SELECT body FROM outbox WHERE kind = 'confirm'").fetchone()[0]
    token = urllib.parse.unquote(re.search(r"/confirm\?token=(\S+)", body).group(1))
    csrf = site.csrf()
    runs = [CGIRun(*site.command("POST", "/confirm", body=urllib.parse.urlencode({"csrf": csrf, "token": token}), cookie=f"bk_session={SESSION}"))
            for _ in range(10)]
    statuses = sorted(parse_cgi(*run.communicate(60)[:2])[0] for run in runs)
    assert statuses == [303] + [409] * 9, statuses
    assert connection.execute("SELECT count(*) FROM appointment_events WHERE to_status = 'scheduled'").fetchone() == (1,)
    assert connection.execute("SELECT count(*) FROM outbox WHERE kind = 'booked'").fetchone() == (1,)

    # A confirmation one second before the hold ends races another patient booking the
    # same slot one second after it: exactly one of them holds the slot afterwards.
    for round_number in range(4):
        slot = new_york(2027, 3, 8 + round_number // 2, 9 if round_number % 2 == 0 else 11, 0)
        first_session = session_id(f"expiryfirst{round_number}")
        cookie, form = prepare_payment(site, slot, email=f"late{round_number}@example.org", session=first_session)
        status, _, _, _ = site.cgi("POST", "/payment", body=form, cookie=cookie, extra={"REMOTE_ADDR": f"10.0.2.{round_number}"})
        assert status == 303
        appointment_id, expires = connection.execute("SELECT id, hold_expires_at FROM appointments WHERE starts_at = ? AND status = 'pending'", (slot,)).fetchone()
        mail = connection.execute("SELECT body FROM outbox WHERE kind = 'confirm' AND appointment_id = ?", (appointment_id,)).fetchone()[0]
        token = urllib.parse.unquote(re.search(r"/confirm\?token=(\S+)", mail).group(1))
        confirm_csrf = site.csrf(session=first_session, now=expires - 1)
        second_session = session_id(f"expirysecond{round_number}")
        # The rival prepares after the hold ended, so the slot looks free to them.
        other_cookie, other_form = prepare_payment(site, slot, email=f"rival{round_number}@example.org", session=second_session, now=expires + 1)
        confirm_argv, confirm_body = site.command("POST", "/confirm", body=urllib.parse.urlencode({"csrf": confirm_csrf, "token": token}),
                                                  cookie=f"bk_session={first_session}", now=expires - 1)
        rival_argv, rival_body = site.command("POST", "/payment", body=other_form, cookie=other_cookie, now=expires + 1,
                                              extra={"REMOTE_ADDR": f"10.0.3.{round_number}"})
        confirm_run = CGIRun(confirm_argv, confirm_body)
        rival_run = CGIRun(rival_argv, rival_body)
        confirm_status = parse_cgi(*confirm_run.communicate(60)[:2])[0]
        rival_status = parse_cgi(*rival_run.communicate(60)[:2])[0]
        live = connection.execute("SELECT status FROM appointments WHERE starts_at = ? AND status IN ('pending', 'scheduled')", (slot,)).fetchall()
        assert len(live) == 1, (confirm_status, rival_status, live)
        assert (confirm_status, rival_status) in ((303, 409), (409, 303)), (confirm_status, rival_status)
    assert_consistent(site)


@test
def kill_9_during_booking_writes_loses_nothing_a_patient_was_told():
    site = Site()
    random.seed(20261126)
    slots = [datetime.datetime.strptime(slot["start"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
             for slot in json.loads(site.cgi("GET", "/slots", query="mentor=dana-stone&days=62")[2])["slots"]]
    slots = [int(start) for start in slots]
    runs = 200
    prepared = []
    for index in range(runs):
        session = session_id(f"killer{index:04d}")
        prepared.append(prepare_payment(site, random.choice(slots), email=f"k{index}@example.org", session=session))
    told = []
    killed = 0
    # Kill at a random moment within 1.5× how long a booking takes on this machine, so
    # that most runs die somewhere inside it, fast machine or slow.
    durations = []
    for index, (cookie, form) in enumerate(prepared[:5]):
        started = time.monotonic()
        status, _, _, _ = site.cgi("POST", "/payment", body=form, cookie=cookie, extra={"REMOTE_ADDR": f"10.2.0.{index}"})
        durations.append(time.monotonic() - started)
        assert status in (303, 409), status
        if status == 303:
            told.append(form)
    window = 1.5 * sorted(durations)[2]
    for index, (cookie, form) in enumerate(prepared[5:]):
        argv, body = site.command("POST", "/payment", body=form, cookie=cookie, extra={"REMOTE_ADDR": f"10.1.{index // 250}.{index % 250}"})
        run = CGIRun(argv, body)
        time.sleep(random.uniform(0, window))
        # env execs the CGI in place, so its PID is the CGI itself (FastCGI: the responders).
        run.kill()
        stdout, _, status = run.communicate()
        if status == -signal.SIGKILL:
            killed += 1
        if stdout.startswith(b"Status: 303"):
            told.append(form)
    connection = sqlite3.connect(site.database)
    keys = {row[0] for row in connection.execute("SELECT idempotency_key FROM appointments")}
    for form in told:
        key = urllib.parse.parse_qs(form)["idempotency"][0]
        assert key in keys, "a patient was told 'booked' but the appointment is missing"
    assert killed > runs // 4, f"only {killed} of {runs} runs were killed mid-way (window {window * 1000:.1f} ms): the test is not exercising crashes"
    assert_consistent(site)
    # Whatever a kill left behind (an authorisation without its booking), the sweep of
    # `mentorsite mail` ten minutes later voids: every authorisation ends booked or voided.
    site.mail(now=site.now + 11 * 60)
    ledger = site.ledger()
    voided = {entry["reference"] for entry in ledger if entry["op"] == "void"}
    booked = {row[0] for row in connection.execute("SELECT p.reference FROM payments p JOIN appointments a ON a.id = p.appointment_id "
                                                   "WHERE a.status IN ('pending', 'scheduled', 'expired')")}
    for entry in ledger:
        if entry["op"] == "authorize":
            assert entry["reference"] in voided or entry["reference"] in booked, f"authorisation {entry['reference']} neither booked nor voided"
    print(f"kill -9: {killed} of {runs - 5} runs killed within {window * 1000:.1f} ms, {len(told)} completed, {len(keys)} appointments, database consistent", flush=True)


def mount_tmpfs(path, size):
    os.makedirs(path, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", path], capture_output=True).returncode == 0


@test
def storage_faults_give_a_clear_503_and_write_nothing():
    site = Site()
    slot = new_york(2027, 3, 2, 9, 0)
    cookie, form = prepare_payment(site, slot)
    before = site.dump()

    def assert_503(reason, **options):
        status, headers, body, stderr = site.cgi("POST", "/payment", body=form, cookie=cookie, **options)
        assert status == 503 and "retry-after" in headers and "Please try again" in body, (reason, status, body[:300], stderr[:300])
        assert site.folder not in body and "sqlite" not in body.lower(), reason
        return stderr

    # A lock held longer than the busy timeout (5 s): "busy", never "database is locked".
    holder = sqlite3.connect(site.database, isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    try:
        status, headers, body, _ = site.cgi("POST", "/payment", body=form, cookie=cookie)
        assert status == 503 and headers.get("retry-after") == "5" and "very busy" in body and "locked" not in body, (status, body[:300])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert site.dump() == before

    # A database of a newer schema than this program knows.
    connection = sqlite3.connect(site.database)
    connection.execute("PRAGMA user_version = 99")
    connection.commit()
    stderr = assert_503("newer schema")
    assert "newer" in stderr, stderr
    result = run("mentorsite", "import", cwd=site.folder, check=False)
    assert result.returncode != 0 and "newer" in result.stderr, result.stderr
    connection.execute(f"PRAGMA user_version = {connection.execute('SELECT count(*) FROM schema_migrations').fetchone()[0]}")
    connection.commit()
    connection.close()
    assert site.dump() == before

    # Read-only file, then read-only folder, for the user the CGI runs as.
    subprocess.run(["chown", "-R", "www-data:www-data", site.folder], check=True)
    os.chmod(site.folder, 0o755)
    as_www = {"prefix": ["runuser", "-u", "www-data", "--"]}
    os.chmod(site.database, 0o444)
    status = run_as(site, as_www, form, cookie)
    assert status == 503, status
    os.chmod(site.database, 0o644)
    # Everything committed moves into the database file first: a persistent FastCGI
    # responder keeps its connection (and the write-ahead log) open between requests.
    checkpoint = sqlite3.connect(site.database)
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint.close()
    os.chmod(site.folder, 0o555)
    for name in ("site.sqlite-wal", "site.sqlite-shm"):
        if os.path.exists(os.path.join(site.folder, name)):
            os.remove(os.path.join(site.folder, name))
    status = run_as(site, as_www, form, cookie)
    assert status == 503, status
    os.chmod(site.folder, 0o755)
    assert site.dump() == before

    # No time zone database (zone rules come from the system's tzdata): 503 and a log line
    # naming the fix, not "this mentor takes no bookings"; import says the same. (TZDIR is
    # the process's: a FastCGI responder reads it from its own environment, so there this
    # case runs through a responder started without zone data.)
    if CGI_MODE == "fastcgi":
        status, headers, body, stderr = run_as(site, {"prefix": [], "environment": {"TZDIR": "/nonexistent-zoneinfo"}}, form, cookie, full=True)
        assert status == 503 and "tzdata" in stderr, (status, stderr)
    else:
        stderr = assert_503("no tzdata", extra={"TZDIR": "/nonexistent-zoneinfo"})
        assert "tzdata" in stderr, stderr
    result = run("mentorsite", "import", cwd=site.folder, check=False, env={"TZDIR": "/nonexistent-zoneinfo"})
    assert result.returncode != 0 and "tzdata" in result.stderr, result.stderr
    assert site.dump() == before

    # A missing database: 503, and no empty file appears in its place.
    moved = site.database + ".away"
    os.rename(site.database, moved)
    assert_503("missing database")
    assert not os.path.exists(site.database)
    result = run("mentorsite", "build", cwd=site.folder, check=False)
    assert result.returncode != 0 and "site.sqlite" in result.stderr and not os.path.exists(site.database), result.stderr
    os.rename(moved, site.database)

    # A full disk: the database on a tiny tmpfs, filled up before the booking write.
    disk = os.path.join(site.folder, "disk")
    if mount_tmpfs(disk, "2m"):
        try:
            shutil.copy(site.database, os.path.join(disk, "site.sqlite"))
            config = os.path.join(site.folder, "mentorsite.yml")
            text = open(config).read()
            open(config, "w").write(text.replace("\ndatabase: site.sqlite\n", "\ndatabase: disk/site.sqlite\n"))
            # The draft lives in the database: make a new one there.
            full_cookie, full_form = prepare_payment(site, new_york(2027, 3, 2, 9, 30), email="full@example.org", session=session_id("diskfull"))
            database_on_disk = os.path.join(disk, "site.sqlite")
            connection = sqlite3.connect(database_on_disk)
            count = connection.execute("SELECT count(*) FROM appointments").fetchone()
            connection.close()
            filler = os.path.join(disk, "filler")
            subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=4k"], capture_output=True)
            status, headers, body, stderr = site.cgi("POST", "/payment", body=full_form, cookie=full_cookie)
            assert status == 503 and "retry-after" in headers, (status, body[:300], stderr[:300])
            os.remove(filler)
            connection = sqlite3.connect(database_on_disk)
            assert connection.execute("SELECT count(*) FROM appointments").fetchone() == count
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            connection.close()
            # Space again: the same form books.
            status, _, body, _ = site.cgi("POST", "/payment", body=full_form, cookie=full_cookie)
            assert status == 303, (status, body[:300])
        finally:
            subprocess.run(["umount", "-l", disk])
    else:
        print("storage faults: tmpfs mount not permitted here; the full-disk case was skipped", flush=True)


def run_as(site, user, form, cookie, full=False):
    """The payment POST through a process of its own, run as `user["prefix"]` says: a CGI
    run, or in FastCGI mode a responder started that way (and its stderr)."""
    argv, body = site.command("POST", "/payment", body=form, cookie=cookie)
    if CGI_MODE == "fastcgi":
        import fastcgi
        folder = tempfile.mkdtemp(prefix="mentorsite-fcgi-")
        path = os.path.join(folder, "one.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        listener.listen(4)
        errors = os.path.join(folder, "stderr")
        responder = subprocess.Popen(user["prefix"] + [os.path.join(BIN, "mentorsite-cgi")], stdin=listener.fileno(),
                                     stdout=subprocess.DEVNULL, stderr=open(errors, "wb"),
                                     env={"PATH": "/usr/sbin:/usr/bin:/bin", **user.get("environment", {})})
        try:
            stdout, request_errors, _ = fastcgi.request(path, argv_environment(argv), body)
        finally:
            responder.terminate()
            responder.wait(timeout=10)
            listener.close()
        # A request's diagnostics travel on its FastCGI error stream; the process's own too.
        stderr = request_errors + open(errors, "rb").read()
        shutil.rmtree(folder, ignore_errors=True)
    else:
        result = subprocess.run(user["prefix"] + argv, input=body, capture_output=True, timeout=30, env=user.get("environment"))
        stdout, stderr = result.stdout, result.stderr
    status, headers, page, stderr = parse_cgi(stdout, stderr)
    assert "retry-after" in headers or status < 400, headers
    assert site.folder not in page
    return (status, headers, page, stderr) if full else status
