"""A patient books in a real headless Chromium behind lighttpd: the whole wizard with
JavaScript on and off, the emailed link, the .ics download, cancelling, /sessions and
booking again in one step, errors, a slot taken meanwhile, and every step by keyboard
alone."""
from support import *
from browser import *
from selenium.webdriver.support.ui import WebDriverWait


def book_in_browser(browser, base, folder, email):
    """Directory → profile → wizard → payment → "check your email"; returns the slot text."""
    browser.get(base + "/")
    browser.click('a[href="/mentors/jose-muller/"]', navigates=True)
    assert browser.heading.startswith("José Müller"), browser.heading
    if browser.javascript:
        # The static page asks the booking CGI for the next free time.
        WebDriverWait(browser.driver, 10).until(lambda driver: browser.find("[data-next-available]").is_displayed())
        assert browser.find("[data-next-available]").text.startswith("Next free time: "), browser.find("[data-next-available]").text
    else:
        assert not browser.find("[data-next-available]").is_displayed()
    browser.click('a.button-primary[href*="/cgi-bin/book?mentor=jose-muller"]', navigates=True)
    assert browser.heading == "What would you like to talk about?", browser.heading
    browser.click('label[for="specialty-Depression"]')
    browser.submit()
    assert browser.heading == "How would you like to meet?", browser.heading
    browser.click('label[for="type-video"]')
    browser.submit()
    assert browser.heading == "Choose a date and time", browser.heading
    if browser.javascript:
        # The page preset the patient's zone from the browser (America/New_York here).
        assert browser.find("select#tz").get_attribute("value") == "America/New_York"
        assert "your time:" in browser.text
    start = cancellable_start(browser.driver.page_source)
    slot = browser.find(f'input[name="start"][value="{start}"]')
    label = browser.find(f'label[for="{slot.get_attribute("id")}"]')
    chosen = label.text
    label.click()
    browser.submit()
    assert browser.heading == "Your details", browser.heading
    assert email not in browser.url
    browser.fill("name", "Pat Doe")
    browser.fill("email", email)
    browser.fill("phone", "+1 212 555 0100")
    browser.fill("notes", "I have been sleeping badly.")
    browser.submit("Continue to payment")
    assert browser.heading == "Payment", browser.heading
    assert "Test payments only" in browser.text
    browser.fill("card_number", "4242 4242 4242 4242")
    browser.fill("card_expiry", "12/30")
    browser.fill("card_cvc", "123")
    browser.submit("Pay and book")
    assert "Check your email to confirm" in browser.text, browser.text[:500]
    return chosen


def confirm_download_and_cancel(browser, base, folder, downloads, email):
    script, mailbox = sendmail_script(folder)
    run("mentorsite", "mail", "--sendmail", script, cwd=folder)
    mail = [text for text in read_mailbox(mailbox) if f"To: <{email}>" in text][-1]
    link = re.search(r"http://\S+(/cgi-bin/book/confirm\?token=\S+)", mail).group(1)
    browser.get(base + link)
    assert browser.heading.startswith("Confirm"), browser.heading
    browser.submit("Confirm my booking")
    assert "You are booked" in browser.text, browser.text[:500]
    browser.click('a[href*="/calendar.ics"]')
    calendar = open(browser.wait_for_file(downloads, ".ics"), encoding="utf-8").read()
    assert "BEGIN:VEVENT" in calendar and "DTSTART:" in calendar and "sleeping" not in calendar
    browser.click('a[href*="/manage?token="]', navigates=True)
    browser.submit("Cancel this session")
    assert "Your session is cancelled" in browser.text, browser.text[:500]


def sessions_and_quick_booking(browser, base):
    """/sessions after the cancellation, then "book again" as the signed-in patient: the
    time step takes the notes and goes straight to payment; the new session's join link
    is on /sessions."""
    browser.get(base + "/cgi-bin/book/sessions")
    assert browser.heading == "Your sessions", browser.heading
    assert "No upcoming sessions." in browser.text and "cancelled" in browser.text and "refunded" in browser.text, browser.text[:800]
    browser.click('a[href="/cgi-bin/book?mentor=jose-muller"]', navigates=True)
    assert browser.heading == "What would you like to talk about?", browser.heading
    browser.click('label[for="specialty-Depression"]')
    browser.submit()
    browser.click('label[for="type-video"]')
    browser.submit()
    assert browser.heading == "Choose a date and time", browser.heading
    assert "Booking as Pat Doe, with the details of your last booking." in browser.text
    start = cancellable_start(browser.driver.page_source)
    slot = browser.find(f'input[name="start"][value="{start}"]')
    browser.find(f'label[for="{slot.get_attribute("id")}"]').click()
    browser.fill("notes", "A follow-up.")
    browser.submit("Continue to payment")
    assert browser.heading == "Payment", browser.heading
    browser.fill("card_number", "4242 4242 4242 4242")
    browser.fill("card_expiry", "12/30")
    browser.fill("card_cvc", "123")
    browser.submit("Pay and book")
    assert "You are booked" in browser.text, browser.text[:500]
    join = browser.find('a[href^="https://meet.jit.si/mentorsite-"]').get_attribute("href")
    browser.get(base + "/cgi-bin/book/sessions")
    assert browser.find(f'a[href="{join}"]').text == "Join the session"
    assert "paid" in browser.text and "Add to calendar (.ics)" in browser.text, browser.text[:800]


def run_booking(javascript):
    folder = built_site()
    server = Server(folder)
    downloads = os.path.join(folder, "downloads")
    os.makedirs(downloads)
    browser = Chromium(javascript=javascript, downloads=downloads)
    try:
        email = "js@example.org" if javascript else "nojs@example.org"
        book_in_browser(browser, server.base, folder, email)
        confirm_download_and_cancel(browser, server.base, folder, downloads, email)
        sessions_and_quick_booking(browser, server.base)
        statuses = [row[0] for row in sqlite3.connect(os.path.join(folder, "site.sqlite")).execute("SELECT to_status FROM appointment_events ORDER BY id")]
        assert statuses == ["pending", "scheduled", "cancelled", "scheduled"], statuses
    finally:
        browser.quit()
        server.stop()


@test
def a_patient_books_confirms_and_cancels_in_chromium_with_javascript():
    run_booking(javascript=True)


@test
def a_patient_books_confirms_and_cancels_in_chromium_without_javascript():
    run_booking(javascript=False)


@test
def browser_errors_point_at_the_field_and_a_taken_slot_gets_the_conflict_page():
    folder = built_site()
    server = Server(folder)
    browser = Chromium(javascript=False)
    try:
        # An invalid email: the message sits by the field, focus is on the summary.
        browser.get(server.base + "/cgi-bin/book?mentor=jose-muller")
        browser.click('label[for="specialty-Depression"]')
        browser.submit()
        browser.click('label[for="type-audio"]')
        browser.submit()
        browser.all('input[name="start"]')[1].click()
        browser.submit()
        assert browser.heading == "Your details", (browser.url, browser.text[:300])
        start = re.search(r"start=(\d+)", browser.url).group(1)
        browser.fill("name", "Pat Doe")
        browser.fill("email", "pat@")
        # The browser's own check would stop "pat@" first; the server's check is the one under test.
        browser.driver.execute_cdp_cmd("Runtime.evaluate", {"expression": "document.getElementById('email').type = 'text'"})
        browser.submit("Continue to payment")
        assert browser.find("#email-error").text.startswith("Enter one email address"), browser.text[:400]
        assert "email-error" in browser.find("#email").get_attribute("aria-describedby")
        assert browser.active().get_attribute("id") == "error-summary", browser.active().get_attribute("outerHTML")[:200]
        # The summary links to the field.
        assert browser.find('#error-summary a[href="#email"]')
        # A slot taken while the patient is on the payment page.
        browser.fill("email", "pat@example.org")
        browser.submit("Continue to payment")
        assert browser.heading == "Payment"
        rival = Browser(server, folder)
        body, _, csrf = walk_to_payment(rival, start=start, email="rival@example.org")
        status, _, _ = rival.post("/cgi-bin/book/payment", {"csrf": csrf, "idempotency": form_value(body, "idempotency"),
                                                            "card_number": "4242424242424242", "card_expiry": "12/30", "card_cvc": "123"})
        assert status == 303, status
        browser.fill("card_number", "4242 4242 4242 4242")
        browser.fill("card_expiry", "12/30")
        browser.fill("card_cvc", "123")
        browser.submit("Pay and book")
        assert "just taken" in browser.text or "no longer free" in browser.text, browser.text[:500]
        assert browser.all('input[name="start"]') or browser.all('a[href*="start="]'), "the conflict page offers no other times"
    finally:
        browser.quit()
        server.stop()


@test
def every_step_can_be_done_with_the_keyboard_alone_with_visible_focus():
    folder = built_site()
    server = Server(folder)
    browser = Chromium(javascript=True)
    try:
        browser.get(server.base + "/")
        # The directory's chips and search fields come first; a skip link is not needed to
        # reach the cards, but count the presses so a page that grows is noticed.
        browser.tab_to(lambda element: (element.get_attribute("href") or "").endswith("/mentors/jose-muller/"), limit=200)
        print(f"keyboard: {browser.presses} presses of Tab from the top of the directory to a card")
        style, width, _ = browser.outline()
        assert style != "none" and width != "0px", (style, width)
        browser.press_enter_and_wait()
        browser.tab_to(lambda element: "cgi-bin/book?mentor=jose-muller" in (element.get_attribute("href") or ""))
        browser.press_enter_and_wait()
        assert browser.heading == "What would you like to talk about?"
        # Radio groups: Tab lands on the group, arrows move, Space selects.
        browser.tab_to(lambda element: element.get_attribute("name") == "specialty")
        assert browser.outline()[0] != "none"
        browser.keys(Keys.SPACE)
        browser.tab_to(lambda element: element.tag_name == "button" and element.text == "Continue")
        assert browser.outline()[0] != "none"
        browser.press_enter_and_wait()
        assert browser.heading == "How would you like to meet?", browser.heading
        browser.tab_to(lambda element: element.get_attribute("name") == "type")
        browser.keys(Keys.ARROW_DOWN)
        browser.tab_to(lambda element: element.tag_name == "button" and element.text == "Continue")
        browser.press_enter_and_wait()
        assert browser.heading == "Choose a date and time", browser.heading
        browser.tab_to(lambda element: element.get_attribute("name") == "start")
        browser.keys(Keys.SPACE)
        browser.tab_to(lambda element: element.tag_name == "button" and element.text == "Continue")
        browser.press_enter_and_wait()
        assert browser.heading == "Your details", browser.heading
        for field, text in (("name", "Kay Board"), ("email", "kay@example.org")):
            browser.tab_to(lambda element: element.get_attribute("id") == field)
            assert browser.outline()[0] != "none"
            browser.keys(text)
        browser.tab_to(lambda element: element.tag_name == "button" and element.text == "Continue to payment")
        browser.press_enter_and_wait()
        assert browser.heading == "Payment", browser.heading
        for field, text in (("card_number", "4242424242424242"), ("card_expiry", "12/30"), ("card_cvc", "123")):
            browser.tab_to(lambda element: element.get_attribute("id") == field)
            browser.keys(text)
        browser.tab_to(lambda element: element.tag_name == "button" and element.text == "Pay and book")
        browser.press_enter_and_wait()
        assert "Check your email to confirm" in browser.text, browser.text[:400]
    finally:
        browser.quit()
        server.stop()


@test
def the_directory_search_finds_filters_and_sorts_in_chromium_and_stays_hidden_without_javascript():
    folder = built_site()
    server = Server(folder)
    from selenium.webdriver.support.ui import Select
    from selenium.webdriver.common.keys import Keys
    browser = Chromium(javascript=True)
    try:
        browser.get(server.base + "/")
        box = browser.find("[data-search]")
        WebDriverWait(browser.driver, 10).until(lambda driver: box.is_displayed() and len(browser.all("#search-language option")) > 1)

        def settle(action):
            """Does `action` and waits until the search it starts has shown its results."""
            before = box.get_attribute("data-done")
            action()
            WebDriverWait(browser.driver, 10).until(lambda driver: box.get_attribute("data-done") not in (None, before))
            return [element.text for element in browser.all("[data-search-results] .card-name")]

        query = browser.find("#search-q")

        def clear():
            query.send_keys(Keys.CONTROL, "a")
            query.send_keys(Keys.BACKSPACE)
        # A diacritic-free, half-typed name finds the mentor.
        assert "José Müller" in settle(lambda: query.send_keys("mulle"))
        assert not browser.find("[data-listing]").is_displayed()
        # Words from a bio: every hit's profile holds the word.
        settle(clear)
        names = settle(lambda: query.send_keys("burnout "))
        assert names, "no mentor found for burnout"
        for link in browser.all("[data-search-results] .card-name a"):
            assert "urnout" in fetch(link.get_attribute("href"))[2].decode(), link.text
        # A language filter with no words: exactly the language page's mentors.
        settle(clear)
        found = sorted(settle(lambda: Select(browser.find("#search-language")).select_by_visible_text("German")))
        language_page = fetch(server.base + "/languages/german/")[2].decode()
        expected = sorted(html_unescape(name) for name in re.findall(r'<h2 class="card-name"><a href="[^"]+">([^<]+)</a>', language_page))
        assert found == expected, (found, expected)
        # Every mentor, sorted by price, lowest first (amounts in the site's currency first).
        settle(lambda: Select(browser.find("#search-language")).select_by_visible_text("Any"))
        settle(lambda: Select(browser.find("#search-sort")).select_by_value("price"))
        assert browser.find("[data-search-status]").text == f"{len(mentor_files(folder))} mentors found"
        print(f"search: {len(names)} profiles mention burnout; German: {len(found)}; matching took {box.get_attribute('data-matched-ms')} ms", flush=True)
    finally:
        browser.quit()
    plain = Chromium(javascript=False)
    try:
        plain.get(server.base + "/")
        assert not plain.find("[data-search]").is_displayed() and plain.find("[data-listing]").is_displayed()
    finally:
        plain.quit()
        server.stop()
