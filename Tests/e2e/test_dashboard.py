"""Mentors run their own profile and calendar, end to end through `mentorsite serve`
(lighttpd): signing in from the link in the outbox, editing the profile and seeing the
public page follow, a rename and its 301, blocking a date and watching its slots go, and
cancelling a session with the patient's mail; then the same editor in Chromium without
JavaScript, export and import after web edits, and the validators on every new page."""
import email
import email.policy

import icalendar

from support import *
from browser import *


def outbox_link(folder, kind, recipient):
    """The link in the newest queued mail of `kind` to `recipient`, as a path."""
    connection = sqlite3.connect(os.path.join(folder, "site.sqlite"))
    try:
        row = connection.execute("SELECT body FROM outbox WHERE kind = ? AND recipient = ? ORDER BY id DESC", (kind, recipient)).fetchone()
    finally:
        connection.close()
    assert row, f"no {kind} mail to {recipient}"
    return urllib.parse.urlsplit(re.search(r"(http://\S+)", row[0]).group(1))


def sign_in(browser, folder, address):
    """Signs a curl browser in as the person with `address`; returns the page it lands on."""
    status, _, page = browser.get("/cgi-bin/book/sign-in")
    assert status == 200 and "Email me a sign-in link" in page
    status, _, page = browser.post("/cgi-bin/book/sign-in", {"csrf": form_value(page, "csrf"), "email": address})
    assert status == 200 and "Check your email" in page, (status, page[:400])
    link = outbox_link(folder, "sign-in", address)
    status, _, page = browser.get(link.path + "?" + link.query)
    assert status == 200 and ">Sign in</button>" in page, page[:400]
    status, headers, _ = browser.post("/cgi-bin/book/sign-in", {"csrf": form_value(page, "csrf"), "token": form_value(page, "token")})
    assert status == 303, status
    return browser.get(headers["location"])


def editor_fields(page):
    """Every field of the profile editor as posted: inputs and textareas by name."""
    fields = {}
    for name, value in re.findall(r'<input type="text" id="[^"]*" name="([^"]*)" value="([^"]*)"', page):
        fields[name] = html_unescape(value)
    for name, value in re.findall(r'<textarea id="[^"]*" name="([^"]*)"[^>]*>([^<]*)</textarea>', page):
        fields[name] = html_unescape(value)
    return fields


def wait_for(fetch, condition, limit=60):
    """Polls `fetch` until `condition(result)`; returns (result, seconds waited)."""
    started = time.monotonic()
    while True:
        result = fetch()
        if condition(result) or time.monotonic() - started > limit:
            return result, time.monotonic() - started
        time.sleep(0.1)


@test
def a_mentor_signs_in_edits_renames_blocks_and_cancels_and_the_site_follows_under_serve():
    folder = built_site()
    server = Server(folder)
    try:
        mentor = Browser(server, folder)
        status, _, dashboard = sign_in(mentor, folder, "jose@mentors.example")
        assert status == 200 and "Your dashboard" in dashboard and "Signed in as José Müller" in dashboard, dashboard[:400]

        # Edit the title: the public page follows, published by serve.
        status, _, editor = mentor.get("/cgi-bin/book/dashboard/profile")
        fields = editor_fields(editor)
        assert fields["name"] == "José Müller" and "Depression" in fields["specialties"] + fields["specialty"]
        fields.update({"csrf": form_value(editor, "csrf"), "action": "save", "title": "Psychotherapist and supervisor"})
        status, _, saved = mentor.post("/cgi-bin/book/dashboard/profile", fields)
        assert status == 200 and "Saved (title)" in saved, saved[:600]
        page, waited = wait_for(lambda: fetch(server.base + "/mentors/jose-muller/"), lambda r: b"Psychotherapist and supervisor" in r[2])
        assert b"Psychotherapist and supervisor" in page[2], "the public page did not follow the edit"
        print(f"profile edit published in {waited:.1f} s", flush=True)

        # Rename: a new URL, and the old one answers 301.
        status, _, editor = mentor.get("/cgi-bin/book/dashboard/profile")
        fields = editor_fields(editor)
        fields.update({"csrf": form_value(editor, "csrf"), "action": "save", "name": "José Müller-Serrano"})
        status, _, saved = mentor.post("/cgi-bin/book/dashboard/profile", fields)
        assert status == 200 and "Saved (name)" in saved, saved[:600]
        # The new page is written before the build ends and lighttpd reloads its redirects:
        # wait for the old URL's 301, the last step of the publish.
        (status, headers, _), waited = wait_for(lambda: fetch(server.base + "/mentors/jose-muller/"), lambda r: r[0] == 301)
        assert status == 301 and headers["Location"].endswith("/mentors/jose-muller-serrano/"), (status, headers)
        assert fetch(server.base + "/mentors/jose-muller-serrano/")[0] == 200, "the renamed page was not published"
        print(f"rename published in {waited:.1f} s", flush=True)

        # A patient books, then the mentor blocks a date and its slots disappear.
        patient = Browser(server, folder)
        body, start, csrf = walk_to_payment(patient, mentor="jose-muller-serrano", email="pat@example.org")
        status, _, _ = patient.post("/cgi-bin/book/payment", {"csrf": csrf, "idempotency": form_value(body, "idempotency"),
                                                              "card_number": "4242 4242 4242 4242", "card_expiry": "12/30", "card_cvc": "123"})
        assert status == 303, status
        status, _, slots = patient.get("/cgi-bin/book/slots?mentor=jose-muller-serrano&days=30")
        days = sorted({slot["local_date"] for slot in json.loads(slots)["slots"]})
        booked_day = datetime.datetime.fromtimestamp(int(start), zoneinfo.ZoneInfo("Europe/Berlin")).date().isoformat()
        free_day = next(day for day in days if day != booked_day)
        status, _, hours = mentor.get("/cgi-bin/book/dashboard/hours")
        status, _, page = mentor.post("/cgi-bin/book/dashboard/hours", {"csrf": form_value(hours, "csrf"), "action": "block", "from": free_day, "to": "", "reason": "Training"})
        assert status == 200 and "is blocked" in page, page[:500]
        status, _, slots = patient.get("/cgi-bin/book/slots?mentor=jose-muller-serrano&days=30")
        assert all(slot["local_date"] != free_day for slot in json.loads(slots)["slots"])

        # The mentor cancels the patient's session with a reason; the patient gets a mail.
        status, _, dashboard = mentor.get("/cgi-bin/book/dashboard")
        assert "pat@example.org" in dashboard and "I feel low since spring." in dashboard
        appointment = re.search(r'name="appointment" value="([^"]+)"', dashboard).group(1)
        status, _, page = mentor.post("/cgi-bin/book/dashboard", {"csrf": form_value(dashboard, "csrf"), "action": "cancel", "appointment": appointment,
                                                                   "reason": "I have to travel."})
        assert status == 200 and "is cancelled" in page, page[:500]
        script, mailbox = sendmail_script(folder)
        run("mentorsite", "mail", "--sendmail", script, cwd=folder)
        mails = [email.message_from_bytes(open(os.path.join(mailbox, name), "rb").read(), policy=email.policy.strict) for name in sorted(os.listdir(mailbox))]
        to_patient = [m for m in mails if m["To"].addresses[0].addr_spec == "pat@example.org" and str(m["Subject"]).startswith("Cancelled by")]
        assert to_patient and "Their reason: I have to travel." in to_patient[0].get_content(), [str(m["Subject"]) for m in mails]
        assert [entry["op"] for entry in read_ledger(folder)] == ["authorize", "void"]

        # Sign out: the dashboard sends the browser to sign in again.
        status, _, _ = mentor.post("/cgi-bin/book/sign-out", {"csrf": form_value(dashboard, "csrf")})
        status, headers, _ = mentor.get("/cgi-bin/book/dashboard")
        assert status == 303 and headers["location"].endswith("/sign-in"), (status, headers)
    finally:
        server.stop()


@test
def behind_nginx_mentorsite_publish_brings_web_edits_to_the_site():
    """No `serve` here: the site is nginx + fcgiwrap from deploy/, and web edits reach the
    static pages when `mentorsite publish` runs (from the shipped systemd path unit or cron
    line, which systemd-analyze checks), building only the mentor that changed."""
    folder = built_site()
    server = NginxServer(folder)
    try:
        mentor = Browser(server, folder)
        status, _, dashboard = sign_in(mentor, folder, "jose@mentors.example")
        assert status == 200 and "Your dashboard" in dashboard, dashboard[:400]
        status, _, editor = mentor.get("/cgi-bin/book/dashboard/profile")
        fields = editor_fields(editor)
        fields.update({"csrf": form_value(editor, "csrf"), "action": "save", "title": "Psychotherapist, published by cron"})
        status, _, saved = mentor.post("/cgi-bin/book/dashboard/profile", fields)
        assert status == 200 and "Saved (title)" in saved, saved[:600]
        assert b"published by cron" not in fetch(server.base + "/mentors/jose-muller/")[2]
        result = run("mentorsite", "publish", "--quiet", cwd=folder)
        assert result.stdout == "" and result.stderr == "", (result.stdout, result.stderr)
        assert b"published by cron" in fetch(server.base + "/mentors/jose-muller/")[2]
        # The listings show the new card; nothing else was rendered again.
        assert b"published by cron" in fetch(server.base + "/specialties/depression/")[2]
        result = run("mentorsite", "publish", cwd=folder)
        assert result.stdout.strip() == "Nothing to publish.", result.stdout
        result = run("mentorsite", "build", cwd=folder)
        assert "nothing changed since the last build" in result.stdout, result.stdout
    finally:
        server.stop()
    # The shipped units and cron line point at `mentorsite publish`.
    cron = open(os.path.join(REPO, "deploy", "mentorsite-publish.cron")).read()
    assert re.search(r"^\* \* \* \* \* .*mentorsite publish --quiet", cron, re.M), cron
    if shutil.which("systemd-analyze"):
        units = tempfile.mkdtemp()
        service = open(os.path.join(REPO, "deploy", "mentorsite-publish.service")).read()
        assert "ExecStart=/srv/mentorsite/mentorsite publish --quiet" in service
        # verify wants an executable at ExecStart's path.
        open(os.path.join(units, "mentorsite-publish.service"), "w").write(service.replace("/srv/mentorsite/mentorsite ", shutil.which("true") + " "))
        shutil.copy(os.path.join(REPO, "deploy", "mentorsite-publish.path"), units)
        result = subprocess.run(["systemd-analyze", "verify", os.path.join(units, "mentorsite-publish.path"), os.path.join(units, "mentorsite-publish.service")],
                                capture_output=True, text=True)
        shutil.rmtree(units)
        assert result.returncode == 0 and "mentorsite-publish" not in result.stderr, result.stderr
    else:
        print("systemd-analyze is not installed: the systemd units were not verified", flush=True)


@test
def web_edits_and_content_files_never_silently_overwrite_each_other():
    folder = built_site()
    path = os.path.join(folder, "content", "mentors", "jose-muller.md")
    database = os.path.join(folder, "site.sqlite")
    session = "webeditsessionwebeditses"
    status, _, editor = cgi(folder, path="/dashboard/profile", cookie=f"bk_session={session}", extra={"REMOTE_USER": "jose-muller"})
    fields = editor_fields(editor)
    fields.update({"csrf": form_value(editor, "csrf"), "action": "save", "location": "Berlin-Kreuzberg, Germany"})
    status, _, saved = cgi(folder, "POST", "/dashboard/profile", body=urllib.parse.urlencode(fields), cookie=f"bk_session={session}", extra={"REMOTE_USER": "jose-muller"})
    assert status == 200 and "Saved (location)" in saved, saved[:500]
    # The file did not change: import leaves the web edit alone.
    result = run("mentorsite", "import", cwd=folder)
    assert "0 updated" in result.stdout, result.stdout
    assert sqlite3.connect(database).execute("SELECT location FROM mood_mentor_profiles WHERE slug = 'jose-muller'").fetchone() == ("Berlin-Kreuzberg, Germany",)
    # Both changed: the file and the fields are named, nothing is written for José, the others import.
    text = open(path, encoding="utf-8").read()
    open(path, "w", encoding="utf-8").write(text.replace("title: Psychotherapist (HP)", "title: Psychotherapist"))
    other = os.path.join(folder, "content", "mentors", "yuki-tanaka.md")
    other_text = open(other, encoding="utf-8").read()
    open(other, "w", encoding="utf-8").write(re.sub(r"\nlocation: [^\n]*", "\nlocation: Kyoto, Japan", other_text, count=1))
    result = run("mentorsite", "import", cwd=folder, check=False)
    assert result.returncode == 1 and "content/mentors/jose-muller.md: changed in the file and on the web" in result.stderr, result.stderr
    assert "(title, location)" in result.stderr, result.stderr
    row = sqlite3.connect(database).execute("SELECT title, location FROM mood_mentor_profiles WHERE slug = 'jose-muller'").fetchone()
    assert row == ("Psychotherapist (HP)", "Berlin-Kreuzberg, Germany"), row
    assert sqlite3.connect(database).execute("SELECT location FROM mood_mentor_profiles WHERE slug = 'yuki-tanaka'").fetchone() == ("Kyoto, Japan",)
    # Export writes the web version into the file; import after export changes nothing.
    open(path, "w", encoding="utf-8").write(text)
    result = run("mentorsite", "export", "--mentor", "jose-muller", cwd=folder)
    assert "wrote content/mentors/jose-muller.md" in result.stdout, result.stdout
    assert "Berlin-Kreuzberg, Germany" in open(path, encoding="utf-8").read()
    before = list(sqlite3.connect(database).iterdump())
    result = run("mentorsite", "import", cwd=folder)
    assert "0 new, 0 updated" in result.stdout, result.stdout
    after = list(sqlite3.connect(database).iterdump())
    assert [line for line in after if "mood_mentor_profiles" in line] == [line for line in before if "mood_mentor_profiles" in line]
    # Every mentor exported and imported again: nothing changes.
    run("mentorsite", "export", cwd=folder)
    result = run("mentorsite", "import", cwd=folder)
    assert "0 new, 0 updated" in result.stdout, result.stdout
    # The file may also win, when asked to.
    exported = open(path, encoding="utf-8").read()
    open(path, "w", encoding="utf-8").write(exported.replace("Berlin-Kreuzberg, Germany", "Berlin, Germany"))
    status, _, editor = cgi(folder, path="/dashboard/profile", cookie=f"bk_session={session}", extra={"REMOTE_USER": "jose-muller"})
    fields = editor_fields(editor)
    fields.update({"csrf": form_value(editor, "csrf"), "action": "save", "gender": "Man"})
    cgi(folder, "POST", "/dashboard/profile", body=urllib.parse.urlencode(fields), cookie=f"bk_session={session}", extra={"REMOTE_USER": "jose-muller"})
    result = run("mentorsite", "import", "--prefer-file", "content/mentors/jose-muller.md", cwd=folder)
    assert sqlite3.connect(database).execute("SELECT location, gender FROM mood_mentor_profiles WHERE slug = 'jose-muller'").fetchone() == ("Berlin, Germany", "Male")


@test
def the_profile_editor_works_in_chromium_without_javascript():
    folder = built_site()
    server = Server(folder)
    browser = Chromium(javascript=False)
    try:
        browser.get(server.base + "/cgi-bin/book/sign-in")
        browser.fill("email", "jose@mentors.example")
        browser.submit("Email me a sign-in link")
        assert "Check your email" in browser.text
        link = outbox_link(folder, "sign-in", "jose@mentors.example")
        browser.get(server.base + link.path + "?" + link.query)
        browser.submit("Sign in")
        assert browser.heading == "Your dashboard", browser.heading
        browser.click('a[href$="/dashboard/profile"]', navigates=True)
        assert browser.heading == "Edit your profile"
        browser.submit("Add a row")
        rows = browser.all('input[name$="[degree]"]')
        assert len(rows) == 3, len(rows)
        browser.fill("education-2-degree", "MSc Clinical Psychology")
        browser.fill("education-2-institution", "Humboldt-Universität zu Berlin")
        browser.fill("education-2-year", "2015")
        browser.fill("hourly_rate", "ninety")
        browser.submit("Save")
        assert browser.find("#hourly_rate-error").text.startswith("expected a decimal amount"), browser.text[:400]
        assert browser.active().get_attribute("id") == "error-summary"
        browser.fill("hourly_rate", "100")
        browser.submit("Save")
        assert "Saved (hourly_rate, education)" in browser.text, browser.text[:400]
        browser.fill("bio", "I **listen**.\n\n- first\n- second")
        browser.submit("Preview")
        assert browser.find(".preview strong").text == "listen"
        connection = sqlite3.connect(os.path.join(folder, "site.sqlite"))
        degrees = [row[0] for row in connection.execute("SELECT e.degree FROM mood_mentor_education e JOIN mood_mentor_profiles p ON p.id = e.mentor_id "
                                                        "WHERE p.slug = 'jose-muller' ORDER BY e.position")]
        assert degrees[-1] == "MSc Clinical Psychology", degrees
    finally:
        browser.quit()
        server.stop()
