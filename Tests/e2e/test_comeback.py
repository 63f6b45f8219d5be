"""Patients come back, end to end through lighttpd (deploy/lighttpd.conf) at fixed clocks,
with the outbox delivered to a sink: the join link on every page, mail and calendar file
of a booked session; /sessions; quick booking for a signed-in patient; reminders 24 h and
1 h before, exactly once across two concurrent `mentorsite mail` runs one of which is
killed with SIGKILL; mail given up after its attempts and reported; and the Nu checker,
icalendar and strict email on what is new."""
import email
import email.policy

import icalendar

from support import *
from test_dashboard import outbox_link
from test_validators import nu_check, save

QUICK_QUERY = "mentor=jose-muller&specialty=Depression&type=audio&tz=America/New_York"


def mail_at(folder, now, sendmail, *extra, check=True):
    """`mentorsite mail` at the clock `now`, delivering through `sendmail`."""
    return run("mentorsite", "mail", "--sendmail", sendmail, *extra, cwd=folder, check=check, env={"MENTORSITE_TEST_NOW": str(now)})


def mailbox_messages(mailbox):
    """Every delivered message, parsed with the strict policy, with its raw bytes."""
    messages = []
    for name in sorted(os.listdir(mailbox)):
        data = open(os.path.join(mailbox, name), "rb").read()
        messages.append((email.message_from_bytes(data, policy=email.policy.strict), data))
    return messages


def book_and_confirm(patient, folder, email_address="pat@example.org"):
    """A new patient books José Müller through the server and confirms from the outbox
    link (which signs them in); returns (start, appointment id, done page)."""
    payment, start, _ = walk_to_payment(patient, email=email_address)
    status, headers, _ = patient.post("/cgi-bin/book/payment", {"csrf": form_value(payment, "csrf"), "idempotency": form_value(payment, "idempotency"),
                                                                "card_number": "4242 4242 4242 4242", "card_expiry": "12/30", "card_cvc": "123"})
    assert status == 303, status
    link = outbox_link(folder, "confirm", email_address)
    status, _, page = patient.get(link.path + "?" + link.query)
    assert status == 200 and "Confirm my booking" in page, page[:300]
    status, headers, _ = patient.post("/cgi-bin/book/confirm", {"csrf": form_value(page, "csrf"), "token": form_value(page, "token")})
    assert status == 303, status
    status, _, done = patient.get(headers["location"])
    assert status == 200 and "You are booked" in done, done[:500]
    appointment = sqlite3.connect(os.path.join(folder, "site.sqlite")).execute("SELECT id FROM appointments WHERE starts_at = ?", (int(start),)).fetchone()[0]
    return int(start), appointment, done


@test
def a_patient_comes_back_joins_books_again_in_one_step_and_is_reminded():
    folder = built_site()
    script, mailbox = sendmail_script(folder)
    server = LighttpdServer(folder)
    pages = {}
    try:
        patient = Browser(server, folder)
        start, appointment, pages["done"] = book_and_confirm(patient, folder)
        database = sqlite3.connect(os.path.join(folder, "site.sqlite"))
        link = database.execute("SELECT meeting_link FROM appointments WHERE id = ?", (appointment,)).fetchone()[0]
        assert re.fullmatch(r"https://meet\.jit\.si/mentorsite-[A-Za-z0-9_-]{22}", link), link
        assert f'href="{link}"' in pages["done"] and "Join the video call in your browser at the start time:" in pages["done"]

        # /sessions: both zones, the join link, the calendar file, what was paid.
        status, _, pages["sessions"] = patient.get("/cgi-bin/book/sessions")
        assert status == 200 and "Your sessions" in pages["sessions"], pages["sessions"][:300]
        assert f'href="{link}"' in pages["sessions"] and "€79.17 paid" in pages["sessions"], pages["sessions"]
        assert "José Müller's time:" in pages["sessions"] and "Book José Müller again" in pages["sessions"]
        manage = html_unescape(re.search(r'href="(/cgi-bin/book/manage\?appointment=[^"]+)"', pages["sessions"]).group(1))
        status, _, pages["manage"] = patient.get(manage)
        assert status == 200 and f'href="{link}"' in pages["manage"]
        status, headers, ics = patient.get(manage.replace("/manage?", "/calendar.ics?"))
        assert status == 200 and headers["content-type"].startswith("text/calendar")
        event = list(icalendar.Calendar.from_ical(ics).walk("VEVENT"))[0]
        assert str(event["URL"]) == link and str(event["LOCATION"]) == link and link in str(event["DESCRIPTION"]), ics

        # Quick booking: signed in, the time step takes the notes and goes to payment.
        status, _, pages["quick-time"] = patient.get("/cgi-bin/book/time?" + QUICK_QUERY)
        assert status == 200 and "Booking as Pat Doe, with the details of your last booking." in pages["quick-time"]
        # Two days after the first, so that the reminders below are the first session's.
        second = [value for value in offered_starts(pages["quick-time"]) if value >= start + 2 * 86400][0]
        form = {"csrf": form_value(pages["quick-time"], "csrf"), "mentor": "jose-muller", "specialty": "Depression", "type": "audio",
                "tz": "America/New_York", "start": second, "notes": "x" * 2001, "quick": "1"}
        status, _, pages["quick-time-error"] = patient.post("/cgi-bin/book/time", form)
        assert status == 422 and "Keep your notes under 2000 characters" in pages["quick-time-error"]
        status, headers, _ = patient.post("/cgi-bin/book/time", {**form, "notes": "Following up on last time."})
        assert status == 303 and headers["location"].endswith("/cgi-bin/book/payment"), (status, headers)
        status, _, payment = patient.get("/cgi-bin/book/payment")
        status, headers, _ = patient.post("/cgi-bin/book/payment", {"csrf": form_value(payment, "csrf"), "idempotency": form_value(payment, "idempotency"),
                                                                    "card_number": "4242 4242 4242 4242", "card_expiry": "12/30", "card_cvc": "123"})
        status, _, pages["quick-done"] = patient.get(headers["location"])
        assert "You are booked" in pages["quick-done"] and "audio only" in pages["quick-done"], pages["quick-done"][:600]
        assert database.execute("SELECT count(*) FROM outbox WHERE kind = 'confirm'").fetchone()[0] == 1
        assert database.execute("SELECT status, notes FROM appointments WHERE starts_at = ?", (second,)).fetchone() == ("scheduled", "Following up on last time.")
    finally:
        server.stop()

    # Reminders, sent by `mentorsite mail` at their time and only once.
    mail_at(folder, NOW, script)
    before = len(os.listdir(mailbox))
    mail_at(folder, start - 23 * 3600, script)
    mail_at(folder, start - 23 * 3600 + 60, script)
    mail_at(folder, start - 20 * 3600, script)
    mail_at(folder, start - 50 * 60, script)
    mail_at(folder, start - 40 * 60, script)
    reminders = [(message, data) for message, data in mailbox_messages(mailbox)[before:] if str(message["Subject"]).startswith("Reminder: ")]
    recipients = sorted(str(message["To"]) for message, _ in reminders)
    assert recipients == ["jose@mentors.example"] * 2 + ["pat@example.org"] * 2, recipients
    bodies = [message.get_content() for message, _ in reminders]
    assert sum("starts in 24 hours" in body for body in bodies) == 2 and sum("starts in 1 hour" in body for body in bodies) == 2, bodies
    assert all(link in body for body in bodies) and not any("I feel low" in body for body in bodies)
    for message, data in mailbox_messages(mailbox):
        for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
            assert len(line) <= 78, line

    booking_pages = os.path.join(folder, "nu-comeback")
    os.makedirs(booking_pages)
    for name, page in pages.items():
        save(booking_pages, name, page)
    problems = nu_check(booking_pages)
    assert not problems, "\n".join(problems[:20])
    print(f"Nu HTML checker: {len(pages)} pages with join links, sessions and quick booking, 0 errors; "
          f"icalendar: the session's .ics with URL and LOCATION; email (policy.strict): {len(mailbox_messages(mailbox))} messages", flush=True)


@test
def a_reminder_goes_out_once_across_two_concurrent_mail_runs_one_killed_with_sigkill():
    folder = built_site()
    script, mailbox = sendmail_script(folder)
    patient = Browser(Server(folder), folder)
    try:
        start, appointment, _ = book_and_confirm(patient, folder)
    finally:
        patient.server.stop()
    mail_at(folder, NOW, script)  # the booking's own mails, out of the way
    delivered_before = len(os.listdir(mailbox))
    # A sendmail that announces itself and then hangs: the run using it is killed there,
    # holding the claim of the message it was sending.
    hanging = os.path.join(folder, "hanging-sendmail")
    marker = os.path.join(folder, "hanging-started")
    open(hanging, "w").write(f"#!/bin/sh\ntouch {marker}\nexec sleep 600\n")
    os.chmod(hanging, 0o755)
    now = start - 50 * 60
    environment = dict(os.environ, MENTORSITE_TEST_NOW=str(now))
    binary = os.path.join(BIN, "mentorsite")
    doomed = subprocess.Popen([binary, "mail", "--sendmail", hanging], cwd=folder, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              start_new_session=True)
    other = subprocess.Popen([binary, "mail", "--sendmail", script], cwd=folder, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for _ in range(300):
        if os.path.exists(marker):
            break
        time.sleep(0.05)
    assert os.path.exists(marker), "the first run never reached its sendmail"
    os.killpg(doomed.pid, signal.SIGKILL)  # the run and its sendmail, as a killed cron job
    doomed.wait(timeout=30)
    other.communicate(timeout=60)
    assert other.returncode == 0, other.returncode
    # The killed run's claim runs out after ten minutes; the next run sends that message.
    mail_at(folder, now + 11 * 60, script)
    mail_at(folder, now + 12 * 60, script)
    reminders = [str(message["To"]) for message, _ in mailbox_messages(mailbox)[delivered_before:] if str(message["Subject"]).startswith("Reminder: ")]
    assert sorted(reminders) == ["jose@mentors.example", "pat@example.org"], reminders
    database = sqlite3.connect(os.path.join(folder, "site.sqlite"))
    assert database.execute("SELECT count(*) FROM appointment_reminders").fetchone()[0] == 1
    assert database.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0] == 0


@test
def mail_that_cannot_be_delivered_is_retried_then_given_up_reported_and_kept():
    folder = built_site()
    config = os.path.join(folder, "mentorsite.yml")
    text = open(config).read()
    assert "\nmail_max_attempts: 10\n" in text
    open(config, "w").write(text.replace("\nmail_max_attempts: 10\n", "\nmail_max_attempts: 2\n"))
    patient = Browser(Server(folder), folder)
    try:
        walk_to_payment(patient, email="lost@example.org")
        payment = patient.get("/cgi-bin/book/payment")[2]
        patient.post("/cgi-bin/book/payment", {"csrf": form_value(payment, "csrf"), "idempotency": form_value(payment, "idempotency"),
                                               "card_number": "4242 4242 4242 4242", "card_expiry": "12/30", "card_cvc": "123"})
    finally:
        patient.server.stop()
    failing = os.path.join(folder, "failing-sendmail")
    open(failing, "w").write("#!/bin/sh\necho 'relay refused' >&2\nexit 75\n")
    os.chmod(failing, 0o755)
    first = mail_at(folder, NOW, failing, check=False)
    assert first.returncode == 2 and "will retry in 1 min" in first.stdout, (first.returncode, first.stdout)
    early = mail_at(folder, NOW + 30, failing, check=False)
    assert early.returncode == 0 and "0 sent, 0 failed" in early.stdout, early.stdout
    last = mail_at(folder, NOW + 60, failing, check=False)
    assert last.returncode == 3, (last.returncode, last.stdout, last.stderr)
    assert re.search(r"message \d+ to lost@example\.org: given up after 2 attempts \(exit 75: relay refused\)", last.stderr), last.stderr
    database = sqlite3.connect(os.path.join(folder, "site.sqlite"))
    assert database.execute("SELECT count(*) FROM outbox WHERE gave_up_at IS NOT NULL AND sent_at IS NULL").fetchone()[0] == 1
    script, mailbox = sendmail_script(folder)
    again = mail_at(folder, NOW + 120, script, "--retry-given-up")
    assert "1 messages given up on are due again" in again.stdout and "1 sent" in again.stdout, again.stdout
    assert database.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0] == 0
