"""A real headless Chromium driven by Selenium (chromium and chromium-driver from Debian,
selenium from PyPI), for the browser tests and `make screenshots`."""
import contextlib
import os
import shutil
import time

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

__all__ = ["Chromium", "By", "Keys", "NoSuchElementException"]


class Chromium:
    """One browser window: JavaScript on or off, a width, a time zone, a download folder."""

    def __init__(self, javascript=True, width=1280, height=900, downloads=None, zone="America/New_York"):
        options = Options()
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                         f"--window-size={width},{height}", "--force-device-scale-factor=1", "--lang=en-US",
                         "--no-first-run", "--disable-extensions", "--disable-background-networking"):
            options.add_argument(argument)
        preferences = {"intl.accept_languages": "en-US"}
        if not javascript:
            preferences["profile.managed_default_content_settings.javascript"] = 2
        if downloads:
            preferences.update({"download.default_directory": downloads, "download.prompt_for_download": False})
        options.add_experimental_option("prefs", preferences)
        service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
        self.driver = webdriver.Chrome(options=options, service=service)
        self.driver.set_page_load_timeout(30)
        self.javascript = javascript
        self.width = width
        self.driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": zone})
        if downloads:
            self.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})

    def quit(self):
        self.driver.quit()

    # Finding and acting.

    def get(self, url):
        self.driver.get(url)

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    @contextlib.contextmanager
    def navigating(self):
        """Waits, after the block, until the page it started on has been replaced."""
        page = self.driver.find_element(By.TAG_NAME, "html")
        yield

        def replaced(driver):
            try:
                page.is_enabled()
                return False
            except StaleElementReferenceException:
                return True
            except WebDriverException as error:
                # Chromium sometimes answers a look-up of a node from the page being left
                # with this instead of "stale" (seen once in six runs): the page is gone.
                if "does not belong to the document" in str(error) or "No node with given id" in str(error):
                    return True
                raise

        WebDriverWait(self.driver, 20).until(replaced)

    def click(self, css, navigates=False):
        if navigates:
            with self.navigating():
                self.find(css).click()
        else:
            self.find(css).click()

    def submit(self, label="Continue"):
        """Presses the form's main button, as a person would, and waits for the next page."""
        for button in self.all("button[type=submit]"):
            if button.text.strip() == label:
                with self.navigating():
                    button.click()
                return
        raise AssertionError(f"no button {label!r} on {self.driver.current_url}: {[b.text for b in self.all('button')]}")

    def fill(self, field_id, text):
        element = self.find("#" + field_id)
        element.clear()
        element.send_keys(text)

    @property
    def text(self):
        return self.find("body").text

    @property
    def heading(self):
        return self.find("h1").text

    @property
    def url(self):
        return self.driver.current_url

    def active(self):
        return self.driver.switch_to.active_element

    def keys(self, *keys):
        ActionChains(self.driver).send_keys(*keys).perform()

    def press_enter_and_wait(self):
        with self.navigating():
            self.keys(Keys.ENTER)

    def tab_to(self, matches, limit=80):
        """Presses Tab until the focused element satisfies `matches`; returns it."""
        for presses in range(1, limit + 1):
            self.keys(Keys.TAB)
            element = self.active()
            if matches(element):
                self.presses = presses
                return element
        raise AssertionError(f"Tab never reached the element on {self.url}")

    def outline(self):
        """The focused element's visible focus ring (outline style and width)."""
        return self.driver.execute_script(
            "var s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth, s.outlineColor];")

    def screenshot(self, path):
        """The whole page at this window's width."""
        height = self.driver.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight);")
        self.driver.set_window_size(self.width, max(600, min(int(height), 6000)))
        # From the top, without the focus ring of whatever field was typed into last.
        self.driver.execute_script("window.scrollTo(0, 0); if (document.activeElement) document.activeElement.blur();")
        time.sleep(0.1)
        self.driver.save_screenshot(path)

    def page_overflows(self):
        return self.driver.execute_script("return document.documentElement.scrollWidth > document.documentElement.clientWidth;")

    def wait_for_file(self, folder, suffix, seconds=10):
        deadline = time.time() + seconds
        while time.time() < deadline:
            names = [name for name in os.listdir(folder) if name.endswith(suffix)]
            if names:
                return os.path.join(folder, names[0])
            time.sleep(0.1)
        raise AssertionError(f"no {suffix} file was downloaded")
