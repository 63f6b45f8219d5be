#!/usr/bin/env python3
"""`make bench`, booking part: the CGI behind a real lighttpd on 127.0.0.1.

- Requests per second for a C "hello" CGI (the floor: fork + exec), a fully static Swift CGI
  that reads one row from the same database (the floor for Swift + SQLite), and for wizard GETs
  (step 3, free slots in the mentor's time zone) as a CGI and through the persistent mode
  (the same executable under mod_fastcgi, two responders), 4 connections, wrk, median of
  runs, all in one lighttpd; then the responders' memory before and after 100,000 requests.
- Booking POST latency (payment submit → durable commit), p50 and p99, running the
  static binary per request with a prepared draft.
"""
import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

import bench  # free_port, wait_listening (this folder is on the path)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def wrk(url, seconds):
    out = subprocess.run(["wrk", "-t2", "-c4", f"-d{seconds}s", "--latency", url], capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, int(errors.group(1)) if errors else 0


def build_bare_read(folder, database):
    """The floor the wizard is measured against besides the C hello: a fully static Swift
    CGI that opens the same database (so SQLite parses the same schema) and reads one
    mentor by slug, built like mentorsite-cgi."""
    package = os.path.join(folder, "bare")
    os.makedirs(os.path.join(package, "Sources", "bare"))
    shutil.copytree(os.path.join(REPO, "Sources", "CSQLite"), os.path.join(package, "Sources", "CSQLite"))
    with open(os.path.join(package, "Package.swift"), "w") as handle:
        handle.write('// swift-tools-version: 6.0\nimport PackageDescription\nlet package = Package(name: "bare", targets: [\n'
                     '  .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3"),\n'
                     '  .executableTarget(name: "bare", dependencies: ["CSQLite"])])\n')
    with open(os.path.join(package, "Sources", "bare", "main.swift"), "w") as handle:
        handle.write(f"""import CSQLite
var db: OpaquePointer?
guard sqlite3_open_v2({json.dumps(database)}, &db, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK else {{ fatalError("open") }}
var statement: OpaquePointer?
sqlite3_prepare_v2(db, "SELECT name FROM mood_mentor_profiles WHERE slug = ?1", -1, &statement, nil)
sqlite3_bind_text(statement, 1, "jose-muller", -1, nil)
var out = "Status: 200 OK\\r\\nContent-Type: text/plain; charset=utf-8\\r\\n\\r\\n"
while sqlite3_step(statement) == SQLITE_ROW {{ out += String(cString: sqlite3_column_text(statement, 0)) + "\\n" }}
sqlite3_finalize(statement)
sqlite3_close(db)
print(out, terminator: "")
""")
    subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "-Xswiftc", "-static-executable"],
                   cwd=package, check=True, capture_output=True)
    return os.path.join(package, ".build", "release", "bare")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(REPO, ".build", "release"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--posts", type=int, default=200)
    arguments = parser.parse_args()
    binary = os.path.abspath(arguments.bin)
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    folder = tempfile.mkdtemp(prefix="mentorsite-cgi-bench-")
    try:
        for name in ("content", "templates"):
            shutil.copytree(os.path.join(REPO, name), os.path.join(folder, name))
        shutil.copy(os.path.join(REPO, "mentorsite.yml"), folder)
        subprocess.run([os.path.join(binary, "mentorsite"), "import"], cwd=folder, check=True, capture_output=True)
        subprocess.run([os.path.join(binary, "mentorsite"), "build", "-q"], cwd=folder, check=True)
        hello_c = os.path.join(folder, "hello.c")
        with open(hello_c, "w") as handle:
            handle.write('#include <stdio.h>\nint main(void){fputs("Status: 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\nhello\\n",stdout);return 0;}\n')
        hello = os.path.join(folder, "hello")
        subprocess.run(["gcc", "-O2", "-static", "-o", hello, hello_c], check=True)
        bare = build_bare_read(folder, os.path.join(folder, "site.sqlite"))
        port = bench.free_port()
        config = os.path.join(folder, "lighttpd.conf")
        with open(config, "w") as handle:
            handle.write(f'''server.modules = ("mod_alias", "mod_cgi", "mod_setenv", "mod_fastcgi")
server.document-root = "{folder}/public"
server.bind = "127.0.0.1"
server.port = {port}
server.errorlog = "{folder}/lighttpd.log"
alias.url = ("/cgi-bin/hello" => "{hello}", "/cgi-bin/bare" => "{bare}", "/cgi-bin/book" => "{binary}/mentorsite-cgi")
$HTTP["url"] =^ "/cgi-bin/" {{
  cgi.assign = ("" => "")
  setenv.set-environment = ("MENTORSITE_CONFIG" => "{folder}/mentorsite.yml")
}}
fastcgi.server = ("/fcgi/book" => ((
  "socket" => "{folder}/responder.sock",
  "bin-path" => "{binary}/mentorsite-cgi",
  "bin-environment" => ("MENTORSITE_CONFIG" => "{folder}/mentorsite.yml"),
  "max-procs" => 2,
  "check-local" => "disable",
)))
''')
        server = subprocess.Popen(["lighttpd", "-D", "-f", config])
        try:
            bench.wait_listening(port)
            base = f"http://127.0.0.1:{port}"
            wizard = base + "/cgi-bin/book/time?mentor=jose-muller&specialty=Depression&type=video&tz=America/New_York"
            persistent = wizard.replace("/cgi-bin/book/", "/fcgi/book/")
            hello_rates, bare_rates, wizard_rates, fastcgi_rates = [], [], [], []
            for _ in range(arguments.runs):
                rate, errors = wrk(base + "/cgi-bin/hello", arguments.seconds)
                hello_rates.append(rate)
                rate, errors = wrk(base + "/cgi-bin/bare", arguments.seconds)
                assert errors == 0, f"{errors} failed requests to the bare read"
                bare_rates.append(rate)
                rate, errors = wrk(wizard, arguments.seconds)
                assert errors == 0, f"{errors} failed wizard requests"
                wizard_rates.append(rate)
                rate, errors = wrk(persistent, arguments.seconds)
                assert errors == 0, f"{errors} failed FastCGI wizard requests"
                fastcgi_rates.append(rate)
            hello_rate, wizard_rate = statistics.median(hello_rates), statistics.median(wizard_rates)
            bare_rate = statistics.median(bare_rates)
            print(f"CGI through lighttpd, 4 connections, median of {arguments.runs} runs of {arguments.seconds} s:")
            print(f"  C hello CGI             {hello_rate:8.0f} req/s   {[round(r) for r in hello_rates]}")
            print(f"  Swift + one SQL read    {bare_rate:8.0f} req/s   {[round(r) for r in bare_rates]}   "
                  f"({bare_rate / hello_rate:.2f} of hello: the floor for any fully static Swift CGI on this database)")
            print(f"  wizard GET (step 3)     {wizard_rate:8.0f} req/s   {[round(r) for r in wizard_rates]}")
            print(f"  ratio wizard / hello    {wizard_rate / hello_rate:8.2f}   (regression guard: the CGI keeps its cost)")
            fastcgi_rate = statistics.median(fastcgi_rates)
            print(f"  wizard GET, FastCGI     {fastcgi_rate:8.0f} req/s   {[round(r) for r in fastcgi_rates]}   "
                  f"({fastcgi_rate / hello_rate:.2f} of the C hello CGI; target ≥ 1)")
            # Memory of the persistent responders over 100,000 more requests.
            responders = [pid for pid in subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
                          if os.path.basename(os.readlink(f"/proc/{pid}/exe")) == "mentorsite-cgi"]

            def rss():
                return sum(int(line.split()[1]) for pid in responders for line in open(f"/proc/{pid}/status") if line.startswith("VmRSS:"))
            before = rss()
            seconds = max(5, round(110_000 / fastcgi_rate) + 1)
            out = subprocess.run(["wrk", "-t2", "-c4", f"-d{seconds}s", persistent], capture_output=True, text=True).stdout
            total = int(re.search(r"(\d+) requests in", out).group(1))
            print(f"  FastCGI responders' memory: {before} KiB, then {rss()} KiB after {total:,} more requests")
        finally:
            server.terminate()
            server.wait(timeout=10)

        # Booking POSTs: one prepared draft per request, each for its own slot.
        database = os.path.join(folder, "site.sqlite")
        environment = {"MENTORSITE_CONFIG": os.path.join(folder, "mentorsite.yml"), "REQUEST_METHOD": "GET",
                       "PATH_INFO": "/slots", "QUERY_STRING": "mentor=jose-muller&days=60", "REMOTE_ADDR": "127.0.0.1"}
        out = subprocess.run([os.path.join(binary, "mentorsite-cgi")], env=environment, capture_output=True, text=True).stdout
        starts = re.findall(r'"start":"([^"]+)"', out)
        connection = sqlite3.connect(database)
        mentor_id = connection.execute("SELECT id FROM mood_mentor_profiles WHERE slug = 'jose-muller'").fetchone()[0]
        count = min(arguments.posts, len(starts))
        latencies = []
        session = "benchsessionbenchsession"  # 24 base64url characters, like a real session id
        environment = {"MENTORSITE_CONFIG": os.path.join(folder, "mentorsite.yml"), "REQUEST_METHOD": "GET", "REMOTE_ADDR": "127.0.0.1",
                       "QUERY_STRING": "mentor=jose-muller", "HTTP_COOKIE": f"bk_session={session}"}
        page = subprocess.run([os.path.join(binary, "mentorsite-cgi")], env=environment, capture_output=True, text=True).stdout
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        import calendar
        for index in range(count):
            start = calendar.timegm(time.strptime(starts[index], "%Y-%m-%dT%H:%M:%SZ"))
            draft = f"benchdraftbenchdraft{index:06d}"
            key = f"benchkey{index:06d}"
            query = urllib.parse.urlencode({"mentor": "jose-muller", "specialty": "Depression", "type": "video", "start": start, "tz": "Europe/Berlin"})
            data = '{"name":"Bench Patient","email":"bench%d@example.org","phone":"","notes":"","query":"%s","idempotency":"%s"}' % (index, query, key)
            connection.execute("INSERT INTO booking_drafts (id, mentor_id, data, expires_at) VALUES (?, ?, ?, ?)", (draft, mentor_id, data, int(time.time()) + 3600))
            connection.commit()
            body = urllib.parse.urlencode({"csrf": csrf, "idempotency": key, "card_number": "4242424242424242", "card_expiry": "12/30", "card_cvc": "123"}).encode()
            environment = {"MENTORSITE_CONFIG": os.path.join(folder, "mentorsite.yml"), "REQUEST_METHOD": "POST", "PATH_INFO": "/payment",
                           "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body)),
                           "REMOTE_ADDR": f"10.0.{index // 250}.{index % 250}", "HTTP_COOKIE": f"bk_session={session}; bk_draft={draft}"}
            began = time.perf_counter()
            result = subprocess.run([os.path.join(binary, "mentorsite-cgi")], env=environment, input=body, capture_output=True)
            latencies.append((time.perf_counter() - began) * 1000)
            assert result.stdout.startswith(b"Status: 303"), result.stdout[:300]
        latencies.sort()
        booked = connection.execute("SELECT count(*) FROM appointments").fetchone()[0]
        print(f"Booking POST (payment → durable commit), {count} requests, one process each:")
        print(f"  p50 {latencies[len(latencies) // 2]:.1f} ms   p99 {latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]:.1f} ms   (targets 20 / 60 ms)   {booked} booked")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
