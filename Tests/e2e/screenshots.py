#!/usr/bin/env python3
"""`make screenshots`: the example site and every booking step in headless Chromium at
phone (390 px) and desktop (1280 px) widths, written to docs/screenshots/. Also fails if
any of those pages scrolls sideways."""
import argparse
import os
import re
import sys

import support


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=support.BIN)
    parser.add_argument("--out", default=os.path.join(support.REPO, "docs", "screenshots"))
    arguments = parser.parse_args()
    support.BIN = os.path.abspath(arguments.bin)
    from browser import Chromium  # after BIN is set
    os.makedirs(arguments.out, exist_ok=True)
    folder = support.built_site()
    server = support.Server(folder)
    script, mailbox = support.sendmail_script(folder)
    overflowing = []
    try:
        for width, height in ((390, 844), (1280, 800)):
            browser = Chromium(javascript=True, width=width, height=height)
            try:
                def shot(name):
                    if browser.page_overflows():
                        overflowing.append(f"{width}-{name}")
                    browser.screenshot(os.path.join(arguments.out, f"{width}-{name}.png"))
                    browser.driver.set_window_size(width, height)

                browser.get(server.base + "/")
                shot("1-directory")
                browser.get(server.base + "/mentors/jose-muller/")
                shot("2-profile")
                browser.get(server.base + "/cgi-bin/book?mentor=jose-muller")
                shot("3-step-1-specialty")
                browser.click('label[for="specialty-Depression"]')
                browser.submit()
                shot("4-step-2-type")
                browser.click('label[for="type-video"]')
                browser.submit()
                shot("5-step-3-time")
                slot = browser.all('input[name="start"]')[2 if width == 390 else 5]
                browser.find(f'label[for="{slot.get_attribute("id")}"]').click()
                browser.submit()
                browser.fill("name", "Pat Doe")
                browser.fill("email", f"pat{width}@example.org")
                browser.fill("phone", "+1 212 555 0100")
                browser.fill("notes", "Sleeping badly since spring.")
                shot("6-step-4-details")
                browser.submit("Continue to payment")
                browser.fill("card_number", "4242 4242 4242 4242")
                browser.fill("card_expiry", "12/30")
                browser.fill("card_cvc", "123")
                shot("7-step-5-payment")
                browser.submit("Pay and book")
                shot("8-check-your-email")
                support.run("mentorsite", "mail", "--sendmail", script, cwd=folder)
                mail = [text for text in support.read_mailbox(mailbox) if f"pat{width}@example.org" in text][-1]
                browser.get(server.base + re.search(r"http://\S+(/cgi-bin/book/confirm\?token=\S+)", mail).group(1))
                browser.submit("Confirm my booking")
                shot("9-step-6-confirmation")
            finally:
                browser.quit()
    finally:
        server.stop()
        for path in support.FOLDERS:
            support.shutil.rmtree(path, ignore_errors=True)
    print(f"screenshots: {len(os.listdir(arguments.out))} files in {os.path.relpath(arguments.out, support.REPO)}")
    if overflowing:
        print("pages wider than the window: " + ", ".join(overflowing))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
