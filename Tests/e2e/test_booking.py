"""The booking CGI behind lighttpd and run directly: the wizard, mail, errors, races, dashboard."""
from support import *


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
        # The patient hears of every change; the mentor (content key `email`) of the
        # confirmed session, the move and the cancellation, never of the notes.
        sent = list(database.execute("SELECT kind, recipient FROM outbox ORDER BY id"))
        assert sent == [("confirm", "pat@example.org"), ("booked", "pat@example.org"), ("mentor-booked", "jose@mentors.example"),
                        ("rescheduled", "pat@example.org"), ("mentor-rescheduled", "jose@mentors.example"),
                        ("cancelled", "pat@example.org"), ("mentor-cancelled", "jose@mentors.example")], sent
        run("mentorsite", "mail", "--sendmail", script, cwd=folder)
        mails = read_mailbox(mailbox)
        to_mentor = [mail for mail in mails if "To: <jose@mentors.example>" in mail]
        assert len(mails) == 7 and len(to_mentor) == 3, len(mails)
        assert all("I feel low" not in mail and "pat@example.org" not in re.split(r"\r?\n\r?\n", mail, maxsplit=1)[1] for mail in to_mentor)
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


@test
def the_mentor_dashboard_sends_strangers_to_sign_in_trusts_remote_user_and_blocks_dates():
    folder = built_site()
    status, headers, _ = cgi(folder, path="/dashboard")
    assert status == 303 and headers["location"].endswith("/cgi-bin/book/sign-in"), (status, headers)
    status, _, _ = cgi(folder, path="/dashboard", extra={"REMOTE_USER": "someone-else"})
    assert status == 403
    session = "dashboardsessiondashboar"
    status, _, body = cgi(folder, path="/dashboard", cookie=f"bk_session={session}", extra={"REMOTE_USER": "jose-muller"})
    assert status == 200 and "Your dashboard" in body and "Upcoming sessions" in body, body[:500]
    # The web server may authenticate by the mentor's email (content key `email`) instead.
    status, _, by_email = cgi(folder, path="/dashboard", extra={"REMOTE_USER": "Jose@Mentors.example"})
    assert status == 200 and "Signed in as José Müller" in by_email, by_email[:300]
    status, _, slots = cgi(folder, path="/slots", query="mentor=jose-muller&days=30")
    day = json.loads(slots)["slots"][0]["local_date"]
    form = urllib.parse.urlencode({"csrf": form_value(body, "csrf"), "action": "block", "from": day, "reason": "Training"}).encode()
    status, _, page = cgi(folder, "POST", "/dashboard/hours", body=form, cookie=f"bk_session={session}", extra={"REMOTE_USER": "jose-muller"})
    assert status == 200 and "is blocked" in page, (status, page[:600])
    status, _, slots = cgi(folder, path="/slots", query="mentor=jose-muller&days=30")
    assert all(slot["local_date"] != day for slot in json.loads(slots)["slots"])
    # The block survives a re-import of unchanged content.
    run("mentorsite", "import", cwd=folder)
    status, _, slots = cgi(folder, path="/slots", query="mentor=jose-muller&days=30")
    assert all(slot["local_date"] != day for slot in json.loads(slots)["slots"])
    form = urllib.parse.urlencode({"csrf": "forged", "action": "block", "from": day}).encode()
    status, _, _ = cgi(folder, "POST", "/dashboard/hours", body=form, cookie=f"bk_session={session}", extra={"REMOTE_USER": "jose-muller"})
    assert status == 403


@test
def the_cgi_refuses_a_missing_database_without_creating_one():
    folder = make_site()
    status, headers, body = cgi(folder, query="mentor=jose-muller")
    assert status == 503 and "retry-after" in headers, (status, headers)
    assert not os.path.exists(os.path.join(folder, "site.sqlite"))
    # A zero-byte file (truncated, or copied wrongly) is no database either: SQLite would
    # take it for an empty one, and the CGI once built the schema in it and answered 404.
    open(os.path.join(folder, "site.sqlite"), "wb").close()
    for path in ("", "/slots"):
        status, headers, body = cgi(folder, path=path, query="mentor=jose-muller")
        assert status == 503 and "retry-after" in headers, (path, status, body[:300])
    assert os.path.getsize(os.path.join(folder, "site.sqlite")) == 0
    result = run("mentorsite", "build", cwd=folder, check=False)
    assert result.returncode == 1 and "not a mentorsite database" in result.stderr, result.stderr
    assert os.path.getsize(os.path.join(folder, "site.sqlite")) == 0


@test
def the_time_page_pages_through_the_whole_horizon_two_weeks_at_a_time():
    site = Site()
    cookie = f"bk_session={SESSION}"
    query = "mentor=dana-stone&type=video&tz=America/New_York"
    status, _, page, _ = site.cgi("GET", "/time", query=query, cookie=cookie)
    assert status == 200 and "Free times, Mon 1 Mar – Sun 14 Mar" in page, page[:300]
    assert "Earlier dates" not in page
    pages = 1
    while "Later dates" in page:
        later = html_unescape(re.search(r'href="([^"]+)" rel="next"', page).group(1))
        status, _, page, _ = site.cgi("GET", "/time", query=urllib.parse.urlsplit(later).query, cookie=cookie)
        assert status == 200 and "Earlier dates" in page, page[:300]
        # Changing the zone keeps the dates paged to.
        assert re.search(r'<input type="hidden" name="from" value="2027-\d\d-\d\d">', page)
        pages += 1
        if pages == 3:
            third = page
    assert pages == 5, pages  # 60 days from 1 March: 1 Mar … 30 Apr in five pages of 14 days
    # A time from a later page books like any other (checked against the whole horizon).
    start = re.findall(r'name="start" id="slot-\d+" value="(\d+)"', third)[0]
    status, headers, body, _ = site.cgi("POST", "/time", cookie=cookie, body=urllib.parse.urlencode(
        {"csrf": site.csrf(), "mentor": "dana-stone", "type": "video", "tz": "America/New_York", "start": start}))
    assert status == 303 and "/details?" in headers["location"], (status, body[:300])
