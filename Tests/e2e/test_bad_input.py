"""Hostile and broken input for the booking CGI: every case runs the static binary with a
clean environment (`env -i`), chosen variables and stdin, and asserts the status, the
message on the page, a database dump identical before and after, and that nothing
sensitive (paths, SQL, stack traces, the signing key, unescaped input) leaks. A few cases
also go through lighttpd and nginx + fcgiwrap.

The clock is fixed with MENTORSITE_TEST_NOW, so DST days and expiries are exact."""
from support import *

CASES = {"tried": 0, "passed": 0}


def check(site, name, expected_status, message, *, request, unchanged=True, absent=(), after=None):
    """One case: run `request()` → (status, headers, body, stderr) and check everything."""
    CASES["tried"] += 1
    before = site.dump() if unchanged else None
    status, headers, body, stderr = request()
    assert status == expected_status, (name, status, body[:400], stderr[:300])
    assert message in body, (name, message, body[:800])
    assert status != 500
    leaks = [secret for secret in site.secrets() if secret and secret in body]
    assert not leaks, (name, leaks)
    for text in absent:
        assert text not in body, (name, text)
    if status >= 400:
        assert headers.get("content-type", "").startswith(("text/html", "application/json")), (name, headers)
        assert "default-src 'none'" in headers.get("content-security-policy", ""), (name, headers)
    if status in (429, 503):
        assert "retry-after" in headers, (name, headers)
    if unchanged:
        assert site.dump() == before, f"{name}: the database changed"
    if after:
        after()
    CASES["passed"] += 1


@test
def hostile_and_broken_requests_get_clear_errors_and_change_nothing():
    site = Site()
    csrf = site.csrf()
    cookie = f"bk_session={SESSION}"
    good = new_york(2027, 3, 2, 9, 0)  # Tuesday 09:00 EST: a free slot
    time_form = lambda start, **more: urllib.parse.urlencode({"csrf": csrf, "mentor": "dana-stone", "type": "video", "tz": "America/New_York", "start": start, **more})
    post = lambda path, body, **options: (lambda: site.cgi("POST", path, body=body, cookie=cookie, **options))
    get = lambda path, query="", **options: (lambda: site.cgi("GET", path, query=query, cookie=cookie, **options))

    # The request envelope.
    check(site, "no method", 400, "has no method", request=lambda: site.cgi(drop=("REQUEST_METHOD",)))
    check(site, "unknown method", 405, "is not allowed here", request=lambda: site.cgi("BREW"))
    check(site, "method with a space", 405, "is not allowed here", request=lambda: site.cgi("GET /x"))
    check(site, "DELETE on a step", 405, "is not allowed here", request=lambda: site.cgi("DELETE", "/time"))
    check(site, "PUT on payment", 405, "is not allowed here", request=lambda: site.cgi("PUT", "/payment"))
    check(site, "POST without Content-Length", 400, "must say how long", request=post("", "a=1", drop=("CONTENT_LENGTH",)))
    check(site, "negative Content-Length", 400, "not a number", request=post("", "a=1", length="-1"))
    check(site, "Content-Length +10", 400, "not a number", request=post("", "a=1", length="+10"))
    check(site, "Content-Length in hex", 400, "not a number", request=post("", "a=1", length="0x10"))
    check(site, "huge Content-Length", 413, "larger than", request=post("", "a=1", length="99999999999999999999999"))
    check(site, "Content-Length over the cap", 413, "larger than", request=post("", "a=1", length="70000"))
    check(site, "body shorter than its length", 400, "shorter than its Content-Length", request=post("/type", "csrf=x", length="500"))
    check(site, "body longer than its length is cut", 403, "not sent from this browser",
          request=post("/type", urllib.parse.urlencode({"csrf": csrf, "mentor": "dana-stone"}), length="10"))
    check(site, "text/plain body", 400, "application/x-www-form-urlencoded", request=post("/type", "a=1", content_type="text/plain"))
    check(site, "multipart body", 400, "application/x-www-form-urlencoded", request=post("/type", "--x\r\n", content_type="multipart/form-data; boundary=x"))
    check(site, "body over the cap", 413, "larger than", request=post("/details", "n=" + "x" * 70000))
    check(site, "broken percent-encoding", 400, "broken %-escape", request=get("", "mentor=%zz"))
    check(site, "truncated percent-encoding", 400, "broken %-escape", request=get("", "mentor=jose-muller%"))
    check(site, "NUL byte", 400, "control characters", request=get("", "mentor=jose%00muller"))
    check(site, "invalid UTF-8", 400, "not valid UTF-8", request=get("", "mentor=jos%C3"))
    check(site, "invalid UTF-8 in a form", 400, "not valid UTF-8", request=post("/type", f"csrf={csrf}&mentor=%FF%FE"))
    check(site, "duplicate parameters", 400, "was sent twice", request=get("", "mentor=jose-muller&mentor=dana-stone"))
    check(site, "a 100 KB query field", 413, "longer than", request=get("", "mentor=" + "a" * 100_000))
    check(site, "PATH_INFO with ..", 404, "no such", request=get("/../../etc/passwd"))
    check(site, "PATH_INFO with //", 404, "no such", request=get("//slots"))
    check(site, "PATH_INFO with /./", 404, "no such", request=get("/./time"))
    check(site, "PATH_INFO unknown", 404, "no such booking page", request=get("/admin"))
    check(site, "httpoxy: HTTP_PROXY is ignored", 200, "What would you like to talk about?",
          request=lambda: site.cgi(query="mentor=jose-muller", extra={"HTTP_PROXY": "http://127.0.0.1:9"}))
    check(site, "header injection through the query", 404, "could not find that mentor", request=get("", "mentor=jose%0D%0ASet-Cookie:%20x=1"),
          absent=("Set-Cookie: x=1",))

    # Fields of the details step.
    for name, fields, field, message in [
        ("email with CR/LF", {"email": "pat@example.org\r\nBcc: all@example.org"}, "email", "Enter one email address"),
        ("two email addresses", {"email": "pat@example.org, eve@example.org"}, "email", "Enter one email address"),
        ("email with a display name", {"email": "Pat <pat@example.org>"}, "email", "Enter one email address"),
        ("empty name", {"name": "  "}, "name", "Enter your name."),
        ("name on two lines", {"name": "Pat\nBcc: x"}, "name", "on one line"),
        ("name of 101 characters", {"name": "P" * 101}, "name", "at most 100 characters"),
        ("phone with letters", {"phone": "call me maybe"}, "phone", "digits, spaces"),
        ("notes over the limit", {"notes": "x" * 2001}, "notes", "under 2000 characters"),
    ]:
        check(site, name, 422, message, request=post("/details", details_form(site, csrf, good, **fields)),
              after=lambda: None)
    check(site, "name with HTML and script", 422, "Eve &lt;script&gt;alert(1)&lt;/script&gt;",
          request=post("/details", details_form(site, csrf, good, name="Eve <script>alert(1)</script>", email="nope")),
          absent=("<script>alert(1)",))

    # Dates and times.
    slots = lambda query, **options: (lambda: site.cgi("GET", "/slots", query="mentor=dana-stone&" + query, **options))
    check(site, "30 February", 400, "real date", request=slots("from=2027-02-30"))
    check(site, "29 February in a non-leap year", 400, "real date", request=slots("from=2027-02-29"))
    check(site, "29 February in a leap year", 200, '"slots":[', request=slots("from=2028-02-29"))
    check(site, "a date without zero padding", 400, "real date", request=slots("from=2027-3-2"))
    check(site, "days as +10", 400, "whole number", request=slots("days=%2B10"))
    check(site, "days too many", 400, "whole number", request=slots("days=1000"))
    check(site, "a start of 24:00", 422, "Choose a time from the list", request=post("/time", time_form("24:00")))
    check(site, "a start of +10", 422, "Choose a time from the list", request=post("/time", time_form("+" + str(good))))
    check(site, "a negative start", 422, "Choose a time from the list", request=post("/time", time_form("-" + str(good))))
    check(site, "a start off the interval", 422, "not one of Dana Stone", request=post("/time", time_form(good + 600)))
    check(site, "a start in the past", 422, "not one of Dana Stone", request=post("/time", time_form(new_york(2027, 2, 22, 9, 0))))
    check(site, "a start inside the notice", 422, "not one of Dana Stone", request=post("/time", time_form(new_york(2027, 3, 1, 11, 0))))
    check(site, "a start past the horizon", 422, "not one of Dana Stone", request=post("/time", time_form(new_york(2027, 5, 3, 9, 0))))
    # Far outside the calendar: bounded before any zone arithmetic (year 10000 crashed it).
    check(site, "slots from 31 December 9999", 200, '"slots":[]', request=slots("from=9999-12-31&days=7"))
    check(site, "slots from 1 January 1900", 200, '"slots":[', request=slots("from=1900-01-01&days=3"))
    check(site, "a start at the end of year 9999", 422, "not one of Dana Stone", request=post("/time", time_form(253402300799)))
    check(site, "the details page for a start in year 33658", 422, "not one of Dana Stone",
          request=get("/details", "mentor=dana-stone&specialty=Stress&type=video&tz=America/New_York&start=999999999999"))
    check(site, "a start on a blocked date", 422, "not one of Dana Stone", request=post("/time", time_form(new_york(2027, 3, 3, 9, 0))))
    check(site, "a start outside weekly hours", 422, "not one of Dana Stone", request=post("/time", time_form(new_york(2027, 3, 2, 15, 0))))
    check(site, "the details page for a slot never offered", 422, "not one of Dana Stone",
          request=get("/details", f"mentor=dana-stone&specialty=Stress&type=video&tz=America/New_York&start={good + 60}"))
    # 14 March 2027: 02:00–03:00 does not exist in New York. The day offers 00:00–01:30 and
    # 03:00–03:30 only, and an instant inside the gap's hour is refused.
    def spring_day():
        offered = [slot["local_time"] for slot in json.loads(site.cgi("GET", "/slots", query="mentor=dana-stone&from=2027-03-14&days=1")[2])["slots"]]
        assert offered == ["00:00", "00:30", "01:00", "01:30", "03:00", "03:30"], offered
    check(site, "the spring DST day never offers 02:00 or 02:30", 200, '"local_date":"2027-03-14"', request=slots("from=2027-03-14&days=1"), after=spring_day)
    check(site, "an instant in the skipped hour", 422, "not one of Dana Stone",
          request=post("/time", time_form(int(datetime.datetime(2027, 3, 14, 7, 15, tzinfo=UTC).timestamp()))))
    # 7 November 2027: 01:00–02:00 happens twice. Each time is offered once, with its offset.
    def autumn_day():
        offered = [(slot["local_time"], slot["utc_offset"]) for slot in json.loads(site.cgi("GET", "/slots", query="mentor=dana-stone&from=2027-11-07&days=1", now=AUTUMN)[2])["slots"]]
        times = [time for time, _ in offered]
        assert times.count("01:00") == 1 and times.count("01:30") == 1, offered
    check(site, "the autumn DST day offers a repeated time once", 200, '"local_date":"2027-11-07"',
          request=slots("from=2027-11-07&days=1", now=AUTUMN), after=autumn_day)
    second_one_thirty = int(datetime.datetime(2027, 11, 7, 1, 30, fold=1, tzinfo=NEW_YORK).timestamp())
    first_one_thirty = int(datetime.datetime(2027, 11, 7, 1, 30, fold=0, tzinfo=NEW_YORK).timestamp())
    autumn_csrf = site.csrf(now=AUTUMN)
    offered_instants = [slot["start"] for slot in json.loads(site.cgi("GET", "/slots", query="mentor=dana-stone&from=2027-11-07&days=1", now=AUTUMN)[2])["slots"]]
    repeated = second_one_thirty if datetime.datetime.fromtimestamp(first_one_thirty, UTC).strftime("%Y-%m-%dT%H:%M:%SZ") in offered_instants else first_one_thirty
    check(site, "the other occurrence of a repeated time", 422, "not one of Dana Stone",
          request=lambda: site.cgi("POST", "/time", body=urllib.parse.urlencode({"csrf": autumn_csrf, "mentor": "dana-stone", "type": "video",
                                                                                 "tz": "America/New_York", "start": repeated}), cookie=cookie, now=AUTUMN))
    check(site, "a POSIX zone (EST5EDT)", 422, "not a time zone we know", request=get("/time", "mentor=dana-stone&type=video&tz=EST5EDT"))
    check(site, "GMT+5", 422, "not a time zone we know", request=get("/time", "mentor=dana-stone&type=video&tz=GMT%2B5"))
    check(site, "an unknown zone", 422, "not a time zone we know", request=get("/time", "mentor=dana-stone&type=video&tz=Mars/Olympus_Mons"))
    check(site, "a zone with path characters", 422, "not a time zone we know", request=get("/time", "mentor=dana-stone&type=video&tz=../../etc/passwd"))
    check(site, "a from date on the time page", 400, "real date", request=get("/time", "mentor=dana-stone&type=video&from=2027-13-01"))
    session = "dashboardsessiondashboar"
    dashboard_csrf = form_value(site.cgi("GET", "/dashboard", cookie=f"bk_session={session}", extra={"REMOTE_USER": "dana-stone"})[2], "csrf")
    block = lambda date, to="": (lambda: site.cgi("POST", "/dashboard/hours", body=urllib.parse.urlencode({"csrf": dashboard_csrf, "action": "block", "from": date, "to": to}),
                                                   cookie=f"bk_session={session}", extra={"REMOTE_USER": "dana-stone"}))
    check(site, "blocking 30 February", 422, "Enter a real date", request=block("2027-02-30"))
    check(site, "blocking 29 February 2027", 422, "Enter a real date", request=block("2027-02-29"))
    check(site, "blocking a past date", 422, "Choose today or a later date", request=block("2027-02-28"))
    check(site, "blocking a range that ends before it starts", 422, "Choose an end on or after the start", request=block("2027-03-10", "2027-03-09"))
    check(site, "blocking a range of two years", 422, "within a year", request=block("2027-03-10", "2029-03-10"))
    check(site, "blocking with a forged form", 403, "not sent from this browser",
          request=lambda: site.cgi("POST", "/dashboard/hours", body=urllib.parse.urlencode({"csrf": "forged", "action": "block", "from": "2027-03-10"}),
                                   cookie=f"bk_session={session}", extra={"REMOTE_USER": "dana-stone"}))
    check(site, "the dashboard's pause without signing in", 403, "Sign in first",
          request=lambda: site.cgi("POST", "/dashboard", body=urllib.parse.urlencode({"csrf": dashboard_csrf, "action": "pause"}), cookie=f"bk_session={session}"))
    check(site, "another mentor's session", 404, "not find that session among yours",
          request=lambda: site.cgi("POST", "/dashboard", body=urllib.parse.urlencode({"csrf": dashboard_csrf, "action": "cancel", "appointment": "nope", "reason": "x"}),
                                   cookie=f"bk_session={session}", extra={"REMOTE_USER": "dana-stone"}))
    check(site, "a sign-in link that never was", 400, "has expired or was used", request=get("/sign-in", "token=" + "A" * 32))
    check(site, "a sign-in with two addresses", 422, "Enter one email address",
          request=post("/sign-in", urllib.parse.urlencode({"csrf": csrf, "email": "a@example.org, b@example.org"})))

    # Mentors.
    check(site, "unknown mentor", 404, "could not find that mentor", request=get("", "mentor=nobody-here"))
    check(site, "mentor slug with path characters", 404, "could not find that mentor", request=get("", "mentor=../../etc/passwd"))
    check(site, "mentor slug with a slash", 404, "could not find that mentor", request=get("/type", "mentor=jose-muller/x"))
    check(site, "mentor slug in upper case", 404, "could not find that mentor", request=get("", "mentor=JOSE-MULLER"))
    check(site, "no mentor", 400, "Choose a mentor first", request=get(""))
    check(site, "a specialty the mentor does not list", 422, "does not list that specialty", request=get("/type", "mentor=jose-muller&specialty=Astrology"))
    check(site, "an appointment type that does not exist", 422, "Choose video, audio or chat", request=get("/time", "mentor=dana-stone&type=telepathy"))

    # CSRF.
    check(site, "POST without a CSRF token", 403, "not sent from this browser", request=post("/time", time_form(good, csrf="")))
    check(site, "POST without a session cookie", 403, "not sent from this browser",
          request=lambda: site.cgi("POST", "/time", body=time_form(good)))
    other = site.csrf(session=OTHER_SESSION)
    check(site, "a CSRF token from another session", 403, "not sent from this browser", request=post("/time", time_form(good, csrf=other)))
    check(site, "a tampered CSRF token", 403, "not sent from this browser", request=post("/time", time_form(good, csrf=csrf[:-2] + ("AA" if not csrf.endswith("AA") else "BB"))))
    check(site, "an expired CSRF token", 403, "not sent from this browser", request=post("/time", time_form(good), now=SPRING + 5 * 3600))

    # Tokens: a real pending booking first (the setup may write), then every misuse of its links.
    cookie_done = book_directly(site, good)
    outbox = sqlite3.connect(site.database).execute("SELECT body FROM outbox WHERE kind = 'confirm'").fetchone()[0]
    confirm = urllib.parse.unquote(re.search(r"/confirm\?token=(\S+)", outbox).group(1))
    check(site, "a tampered confirmation link", 400, "expired or is not valid", request=get("/confirm", "token=" + confirm[:-3] + "xyz"))
    check(site, "a confirmation link with a forged body", 400, "expired or is not valid", request=get("/confirm", "token=x" + confirm[1:]))
    check(site, "an expired confirmation link", 400, "expired or is not valid", request=get("/confirm", "token=" + urllib.parse.quote(confirm), now=SPRING + 31 * 60))
    check(site, "a confirmation link opened by GET does not confirm", 200, "Confirm my booking", request=get("/confirm", "token=" + urllib.parse.quote(confirm)))
    assert sqlite3.connect(site.database).execute("SELECT status FROM appointments").fetchone() == ("pending",)
    check(site, "confirming without the CSRF token", 403, "not sent from this browser", request=post("/confirm", "token=" + urllib.parse.quote(confirm)))
    check(site, "confirming after the hold expired", 400, "expired or is not valid",
          request=post("/confirm", urllib.parse.urlencode({"csrf": site.csrf(now=SPRING + 31 * 60), "token": confirm}), now=SPRING + 31 * 60))
    status, _, _, _ = site.cgi("POST", "/confirm", body=urllib.parse.urlencode({"csrf": csrf, "token": confirm}), cookie=cookie)
    assert status == 303, status
    check(site, "a replayed confirmation", 409, "already confirmed", request=post("/confirm", urllib.parse.urlencode({"csrf": csrf, "token": confirm})))
    booked = sqlite3.connect(site.database).execute("SELECT body FROM outbox WHERE kind = 'booked'").fetchone()[0]
    manage = urllib.parse.unquote(re.search(r"/manage\?token=(\S+)", booked).group(1))
    check(site, "a manage token used as a confirmation", 400, "expired or is not valid", request=get("/confirm", "token=" + urllib.parse.quote(manage)))
    check(site, "a confirmation token used as a manage link", 404, "not valid", request=get("/manage", "token=" + urllib.parse.quote(confirm)))
    check(site, "a manage token for no appointment", 404, "not valid", request=get("/manage", "token=" + "A" * 43))
    check(site, "a manage token with one character changed", 404, "not valid", request=get("/manage", "token=" + manage[:-1] + ("A" if manage[-1] != "A" else "B")))
    check(site, "a calendar file for a guessed token", 404, "not valid", request=get("/calendar.ics", "token=" + "B" * 43))
    check(site, "cancelling without the CSRF token", 403, "not sent from this browser",
          request=post("/manage", urllib.parse.urlencode({"token": manage, "action": "cancel"})))
    check(site, "an unknown manage action", 400, "Unknown action", request=post("/manage", urllib.parse.urlencode({"csrf": csrf, "token": manage, "action": "delete"})))
    check(site, "cancelling inside the cancellation window", 409, "can no longer be cancelled online",
          request=post("/manage", urllib.parse.urlencode({"csrf": site.csrf(now=good - 3600), "token": manage, "action": "cancel"}), now=good - 3600))
    check(site, "a forged done cookie", 404, "no recent booking", request=lambda: site.cgi("GET", "/done", cookie="bk_done=forged.value"))
    check(site, "the payment page without a draft", 400, "session has expired", request=lambda: site.cgi("GET", "/payment", cookie=cookie))
    check(site, "the slot taken meanwhile", 409, "no longer free", request=post("/time", time_form(good)))

    # A mentor removed, or no longer bookable, between two steps.
    later = new_york(2027, 3, 8, 9, 0)
    form = details_form(site, csrf, later)
    path = os.path.join(site.folder, "content", "mentors", "dana-stone.md")
    text = open(path).read()
    open(path, "w").write(text.replace('  - { day: monday, start: "09:00", end: "12:00" }\n', "").replace('  - { day: tuesday, start: "09:00", end: "12:00" }\n', "")
                          .replace('  - { day: wednesday, start: "09:00", end: "12:00" }\n', "").replace('  - { day: sunday, start: "00:00", end: "04:00" }\n', "")
                          .replace("availability:\n", ""))
    run("mentorsite", "import", cwd=site.folder)
    check(site, "a mentor who stopped taking bookings", 404, "not taking online bookings", request=post("/details", form))
    os.remove(path)
    run("mentorsite", "import", cwd=site.folder)
    check(site, "a mentor removed between steps", 404, "could not find that mentor", request=post("/details", form))
    check(site, "slots of a removed mentor", 404, "could not find that mentor", request=slots("days=3"))
    print(f"bad-input cases: {CASES['passed']} of {CASES['tried']} passed", flush=True)
    assert CASES["tried"] >= 60


@test
def hostile_requests_through_lighttpd_and_nginx_are_refused_the_same_way():
    folder = built_site()
    for server in (Server(folder), NginxServer(folder)):
        try:
            browser = Browser(server, folder)
            connection = sqlite3.connect(os.path.join(folder, "site.sqlite"))
            before = list(connection.iterdump())
            for method, path, body, content_type, expected in [
                ("BREW", "/cgi-bin/book?mentor=jose-muller", None, None, (400, 405, 501)),
                ("GET", "/cgi-bin/book?mentor=%zz", None, None, (400, 404)),  # lighttpd re-encodes it as %25zz
                ("GET", "/cgi-bin/book?mentor=jose%00muller", None, None, (400,)),
                ("GET", "/cgi-bin/book?mentor=jose-muller&mentor=x", None, None, (400,)),
                ("GET", "/cgi-bin/book/../../etc/passwd", None, None, (400, 404)),
                ("POST", "/cgi-bin/book/type", "a=1", "text/plain", (400,)),
                ("POST", "/cgi-bin/book/type", "x" * 70000, "application/x-www-form-urlencoded", (413,)),
                ("POST", "/cgi-bin/book/type", "mentor=jose-muller&type=video", "application/x-www-form-urlencoded", (403,)),
            ]:
                headers = [f"Content-Type: {content_type}"] if content_type else []
                status, _, page = browser.request(method, path, raw_body=body, headers=headers + ["Proxy: http://127.0.0.1:9/"])
                assert status in expected, (type(server).__name__, method, path, status, page[:300])
                assert folder not in page and "Fatal error" not in page
            assert list(connection.iterdump()) == before
        finally:
            server.stop()


@test
def a_body_that_never_arrives_is_refused_at_the_read_deadline():
    """A client announces 500 bytes, sends 10 and keeps the connection open: the CGI stops
    waiting after its deadline (10 s) and refuses the short body, writing nothing."""
    site = Site()
    before = site.dump()
    argv, _ = site.command("POST", "/type", body=b"", length="500", cookie=f"bk_session={SESSION}")
    if CGI_MODE == "fastcgi":
        # The web server would send the body it got: ten bytes, and then nothing.
        import fastcgi
        started = time.monotonic()

        def stall(connection, data):
            head = data[:data.index(fastcgi.record(fastcgi.PARAMS, 1)) + 8]
            connection.sendall(head + fastcgi.record(fastcgi.STDIN, 1, b"csrf=x&a=1"))
        stdout, _, _ = fastcgi.request(fastcgi_pool().path, argv_environment(argv), timeout=40, send=stall)
        waited = time.monotonic() - started
        status, headers, body, _ = parse_cgi(stdout)
        assert status == 400 and "shorter than its Content-Length" in body, (status, body[:300])
        assert 5 < waited < 60, waited
        assert site.dump() == before
        return
    process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdin.write(b"csrf=x&a=1")
    process.stdin.flush()
    started = time.monotonic()
    try:
        # stdin stays open: only the CGI's own deadline can end this.
        process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError("the CGI kept waiting for a body that never came")
    finally:
        waited = time.monotonic() - started
        process.stdin.close()
    status, headers, body, _ = parse_cgi(process.stdout.read())
    assert status == 400 and "shorter than its Content-Length" in body, (status, body[:300])
    assert 5 < waited < 60, waited
    assert site.dump() == before
