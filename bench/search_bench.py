#!/usr/bin/env python3
"""`make bench`, search part: N synthetic mentors (bench.py's), built with and without the
search index (the build time the index adds, median of runs), then the directory in
headless Chromium with its CPU slowed 4× (DevTools' CPU throttling), served by lighttpd on
127.0.0.1:

- bytes transferred before the first result, gzip-compressed as a server would send them
  (the search script, the manifest and every index file the query fetched; the page
  itself is not counted);
- time to results once the index files have arrived: matching, then rendering the cards
  (measured by the script itself with performance.now(), under the throttling).

Usage: search_bench.py --bin .build/release --mentors 10000 [--runs 3]
"""
import argparse
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import urllib.parse

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "bench"))
sys.path.insert(0, os.path.join(REPO, "Tests", "e2e"))
import bench  # noqa: E402

QUERIES = [("anxiety", None), ("calm breathing", None), ("mul", None), ("", "Spanish"), ("sleep", "English")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(REPO, ".build", "release"))
    parser.add_argument("--mentors", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    binary = os.path.join(os.path.abspath(arguments.bin), "mentorsite")
    folder = f"/dev/shm/mentorsite-search-bench-{arguments.mentors}"
    shutil.rmtree(folder, ignore_errors=True)
    print(f"Generating {arguments.mentors} mentors in {folder} …")
    bench.generate(folder, arguments.mentors)
    bench.timed([binary, "import"], folder)
    config = os.path.join(folder, "mentorsite.yml")
    base_config = open(config).read()

    def fresh():
        shutil.rmtree(os.path.join(folder, "public"), ignore_errors=True)
        shutil.rmtree(os.path.join(folder, ".mentorsite"), ignore_errors=True)
        os.sync()

    open(config, "w").write(base_config + "search: off\n")
    without = bench.median_of(arguments.runs, fresh, [binary, "build", "--quiet"], folder)
    open(config, "w").write(base_config)
    with_index = bench.median_of(arguments.runs, fresh, [binary, "build", "--quiet"], folder)
    index_folder = os.path.join(folder, "public", "search")
    files = os.listdir(index_folder)
    size = sum(os.path.getsize(os.path.join(index_folder, name)) for name in files)
    print(f"\nsearch index, {arguments.mentors} mentors, full builds, median of {arguments.runs}:")
    print(f"  build without the index  {without[0]:7.3f} s   peak {without[1]:5.0f} MiB")
    print(f"  build with the index     {with_index[0]:7.3f} s   peak {with_index[1]:5.0f} MiB   (+{with_index[0] - without[0]:.3f} s)")
    print(f"  index: {len(files)} files, {size / 1e6:.1f} MB")

    port = bench.free_port()
    lighttpd_config = os.path.join(folder, "lighttpd.conf")
    open(lighttpd_config, "w").write(f'''server.modules = ("mod_staticfile")
server.document-root = "{folder}/public"
server.bind = "127.0.0.1"
server.port = {port}
index-file.names = ("index.html")
mimetype.assign = (".html" => "text/html; charset=utf-8", ".js" => "text/javascript", ".json" => "application/json", ".css" => "text/css")
''')
    server = subprocess.Popen(["lighttpd", "-D", "-f", lighttpd_config])
    from browser import Chromium
    from selenium.webdriver.support.ui import WebDriverWait, Select
    from selenium.webdriver.common.keys import Keys
    browser = None
    try:
        bench.wait_listening(port)
        base = f"http://127.0.0.1:{port}"
        print(f"directory in Chromium, CPU slowed 4×, each query on a fresh page:")
        for text, language in QUERIES:
            transfers, times = [], []
            for _ in range(arguments.runs):
                browser = Chromium(javascript=True)
                browser.driver.execute_cdp_cmd("Emulation.setCPUThrottlingRate", {"rate": 4})
                browser.driver.execute_cdp_cmd("Network.enable", {})
                browser.driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
                browser.get(base + "/")
                box = browser.find("[data-search]")
                WebDriverWait(browser.driver, 30).until(lambda driver: len(browser.all("#search-language option")) > 1)
                if text:
                    browser.find("#search-q").send_keys(text)
                if language:
                    Select(browser.find("#search-language")).select_by_visible_text(language)
                WebDriverWait(browser.driver, 60).until(lambda driver: box.get_attribute("data-done"))
                entries = browser.driver.execute_script(
                    "return performance.getEntriesByType('resource').map(function (e) { return e.name; })")
                fetched = [urllib.parse.urlsplit(url).path for url in entries if "/search/" in url or "/assets/search." in url]
                compressed = 0
                for path in fetched:
                    data = open(os.path.join(folder, "public", path.lstrip("/")), "rb").read()
                    compressed += len(gzip.compress(data, 6))
                transfers.append((compressed, len(fetched)))
                times.append(float(box.get_attribute("data-matched-ms")) + float(box.get_attribute("data-render-ms")))
                results = box.get_attribute("data-results")
                browser.quit()
                browser = None
            kb = statistics.median(t[0] for t in transfers) / 1024
            label = (repr(text) if text else "no words") + (f", language {language}" if language else "")
            print(f"  {label:32s} {kb:7.1f} KB in {transfers[0][1]:3d} files before the first result   "
                  f"{statistics.median(times):6.1f} ms to results   ({results} found)   goals 150 KB, 100 ms")
    finally:
        if browser:
            browser.quit()
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
