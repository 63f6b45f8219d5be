#!/usr/bin/env python3
"""`make bench`: generate N synthetic mentors with realistic 300–600-word bios, then time
`mentorsite import` into a new database, a full `mentorsite build` into an empty folder, a
no-change rebuild, and one mentor's edit reaching the published site (their content file
changed, then `import` and `build`, which read and render only what changed), each the
median of several runs with peak memory; the edit's time as a fraction of a fresh import
plus full build; and the same content through Hugo when it is installed, with a layout
under bench/hugo/ of the same richness.

Usage: bench.py --bin .build/release --mentors 10000 [--runs 5]
"""
import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time


def free_port():
    """A free TCP port on 127.0.0.1 (the benches serve on loopback only)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_listening(port, tries=100):
    """Waits until something accepts connections on 127.0.0.1:port (about 5 s at most)."""
    for _ in range(tries):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)


REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORDS = ("anxiety calm breathing session support listen change habit sleep worry family work stress grief loss "
         "relationship partner child parent trust change pattern thought feeling body mind practice weekly goal "
         "plan kindness patience progress setback recovery strength value meaning rest energy balance boundary "
         "conversation confidence career transition burnout routine exercise journal reflection compassion safety "
         "trauma memory present future past focus attention skill tool exposure step small gentle honest clear").split()
SPECIALTIES = ["Anxiety", "Depression", "Grief", "Relationships", "Career", "Sleep", "Trauma", "Stress", "Burnout",
               "Self-esteem", "Parenting", "Addiction", "OCD", "Panic", "Life transitions", "Work stress"]
ZONES = ["Africa/Nairobi", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Auckland", "America/Sao_Paulo",
         "Asia/Tokyo", "Europe/London", "Australia/Sydney", "Asia/Kathmandu"]
FIRST = ["Amani", "José", "Đào", "María", "Priya", "Liam", "Sarah", "Kwame", "Aroha", "Søren", "Camila", "Bikash",
         "Chloé", "Daniel", "Yuki", "Fatima", "Ivan", "Mei", "Olu", "Zoë"]
LAST = ["Wanjiru", "Müller", "Nguyễn", "García", "Raghunathan", "O'Connor", "Whitfield", "Mensah", "Ngata",
        "Lindqvist", "Rocha", "Thapa", "Dubois", "Cohen", "Tanaka", "Haddad", "Petrov", "Chen", "Adeyemi", "Łukasik"]


def sentence(rng):
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def bio(rng):
    target, paragraphs, count = rng.randint(300, 600), [], 0
    while count < target:
        text = " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))
        if rng.random() < 0.15:
            paragraphs.append("## " + sentence(rng)[:-1])
        if rng.random() < 0.2:
            text += f" Read more about **{rng.choice(WORDS)}** and *{rng.choice(WORDS)}*."
        paragraphs.append(text)
        count += len(text.split())
    return "\n\n".join(paragraphs)


def generate(folder, count):
    rng = random.Random(42)
    mentors = os.path.join(folder, "content", "mentors")
    os.makedirs(mentors)
    os.makedirs(os.path.join(folder, "content", "pages"))
    for index in range(count):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        specialties = rng.sample(SPECIALTIES, 3)
        days = rng.sample(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday"], 3)
        lines = ["---", f'name: "{name}"', "title: Counsellor", f"specialty: {specialties[0]}",
                 f"specialties: [{', '.join(specialties)}]", "languages: [English, Spanish]",
                 "therapy_types: [Cognitive Behavioural Therapy, Mindfulness]", "location: Somewhere",
                 f"experience_years: {rng.randint(1, 30)}", f"rating: {rng.randint(30, 50) / 10}",
                 f"review_count: {rng.randint(0, 200)}", f"hourly_rate: {rng.randint(40, 200)}",
                 f"timezone: {rng.choice(ZONES)}", "education:",
                 "  - { degree: MA Psychology, institution: University of Somewhere, year: 2012 }",
                 "experience:", "  - { title: Counsellor, place: City Clinic, duration: 2012 – present }",
                 "availability:"]
        lines += [f'  - {{ day: {day}, start: "09:00", end: "12:00" }}' for day in days]
        lines += ["---", "", bio(rng), ""]
        with open(os.path.join(mentors, f"mentor-{index:06d}.md"), "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines))
    shutil.copytree(os.path.join(REPO, "templates"), os.path.join(folder, "templates"))
    with open(os.path.join(folder, "mentorsite.yml"), "w") as handle:
        handle.write("site_name: Bench Mentors\nbase_url: https://bench.example.org\n")


# Every run reads "now" from the test clock, as the tests do: timings never depend on the day.
ENVIRONMENT = dict(os.environ, MENTORSITE_TEST_NOW=os.environ.get("MENTORSITE_TEST_NOW", "1796087100"))


def timed(command, cwd):
    """Wall seconds and peak resident memory (MiB) of one run of command."""
    # Output goes to files: a pipe that nobody reads while we wait would block the child.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, env=ENVIRONMENT)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{stderr.decode()}")
    return elapsed, usage.ru_maxrss / 1024, stdout.decode()


def median_of(runs, setup, command, cwd):
    results = []
    for _ in range(runs):
        setup()
        # Whatever the setup deleted or wrote reaches the disk before the clock starts: on
        # ext4, removing the last run's 20,000 files otherwise lands inside the next run
        # (for mentorsite and Hugo alike).
        os.sync()
        results.append(timed(command() if callable(command) else command, cwd))
    return statistics.median(r[0] for r in results), max(r[1] for r in results), [r[0] for r in results], results[-1][2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(REPO, ".build", "release"))
    parser.add_argument("--mentors", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep bench/out for inspection")
    parser.add_argument("--no-hugo", action="store_true", help="skip the Hugo comparison")
    parser.add_argument("--only-builds", action="store_true", help="only the full builds, mentorsite's and Hugo's (e.g. on disk, with --dir)")
    parser.add_argument("--dir", default="/dev/shm" if os.path.isdir("/dev/shm") else os.path.join(REPO, "bench", "out"),
                        help="where the generated site and outputs go (default: a tmpfs, so that disk write-back and "
                             "ext4's recently-deleted-inode scans do not swamp the measurement)")
    arguments = parser.parse_args()
    binary = os.path.join(os.path.abspath(arguments.bin), "mentorsite")
    folder = os.path.join(arguments.dir, f"mentorsite-bench-{arguments.mentors}")
    shutil.rmtree(folder, ignore_errors=True)
    print(f"Generating {arguments.mentors} mentors with 300–600-word bios in {folder} …")
    generate(folder, arguments.mentors)
    database = os.path.join(folder, "site.sqlite")
    public = os.path.join(folder, "public")

    def fresh_database():
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(database + suffix):
                os.remove(database + suffix)

    def fresh_output():
        # The output folder and the generator's cache: a build from nothing.
        shutil.rmtree(public, ignore_errors=True)
        shutil.rmtree(os.path.join(folder, ".mentorsite"), ignore_errors=True)

    runs = arguments.runs
    where = "tmpfs" if arguments.dir.startswith("/dev/shm") else "disk"
    if arguments.only_builds:
        timed([binary, "import"], folder)
        full = median_of(runs, fresh_output, [binary, "build", "--quiet"], folder)
        print(f"\nmentorsite on {where} ({folder}), {arguments.mentors} mentors, full build, median of {runs}: "
              f"{full[0]:.3f} s, peak {full[1]:.0f} MiB   {fmt(full[2])}")
        hugo_compare(arguments, folder, runs, full)
        if not arguments.keep:
            shutil.rmtree(folder, ignore_errors=True)
        return
    imp = median_of(runs, fresh_database, [binary, "import"], folder)
    full = median_of(runs, fresh_output, [binary, "build", "--quiet"], folder)
    rebuild = median_of(runs, lambda: None, [binary, "build"], folder)
    assert " 0 written," in rebuild[3], rebuild[3]

    # One mentor's content file edited (a different mentor each run), then import and build.
    mentor_files = sorted(os.listdir(os.path.join(folder, "content", "mentors")))
    edits = []
    for run in range(runs):
        path = os.path.join(folder, "content", "mentors", mentor_files[(run * 7919) % len(mentor_files)])
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text.replace("title: Counsellor", f"title: Senior Counsellor {run}", 1))
        imported = timed([binary, "import"], folder)
        built = timed([binary, "build"], folder)
        assert "1 updated" in imported[2], imported[2]
        assert re.search(r"Render 1 of \d+ mentors", built[2]), built[2]
        edits.append((imported[0] + built[0], imported[0], built[0], max(imported[1], built[1])))
    edit = statistics.median(e[0] for e in edits)
    edit_import = statistics.median(e[1] for e in edits)
    edit_build = statistics.median(e[2] for e in edits)
    edit_peak = max(e[3] for e in edits)
    pages = arguments.mentors
    print()
    print(f"mentorsite on {where}, {pages} mentors, median of {runs} runs (all runs in s):")
    print(f"  import            {imp[0]:7.3f} s   peak {imp[1]:6.0f} MiB   {fmt(imp[2])}")
    print(f"  full build        {full[0]:7.3f} s   peak {full[1]:6.0f} MiB   {pages / full[0]:8.0f} mentor pages/s   {fmt(full[2])}")
    print(f"  no-change rebuild {rebuild[0]:7.3f} s   peak {rebuild[1]:6.0f} MiB   {100 * rebuild[0] / full[0]:5.1f}% of full   {fmt(rebuild[2])}")
    print(f"  one mentor edited {edit:7.3f} s   peak {edit_peak:6.0f} MiB   import {edit_import:.3f} s + build {edit_build:.3f} s   {fmt([e[0] for e in edits])}")
    print(f"  edit → published: {edit / (imp[0] + full[0]):.3f} of a fresh import plus full build ({edit:.3f} s against {imp[0] + full[0]:.3f} s)")
    print(f"  per mentor: import {1e6 * imp[0] / pages:.0f} µs, build {1e6 * full[0] / pages:.0f} µs")

    if shutil.which("cmark"):
        bios = os.path.join(folder, "all-bios.md")
        with open(bios, "w") as out:
            for name in sorted(os.listdir(os.path.join(folder, "content", "mentors"))):
                text = open(os.path.join(folder, "content", "mentors", name), encoding="utf-8").read()
                out.write(text.split("\n---\n", 1)[1] + "\n\n")
        floor = median_of(runs, lambda: None, ["cmark", bios], folder)
        print(f"  floor: cmark CLI renders all bios in {floor[0]:.3f} s")

    hugo_compare(arguments, folder, runs, full)
    if not arguments.keep:
        shutil.rmtree(folder, ignore_errors=True)


def hugo_compare(arguments, folder, runs, full):
    """Hugo on the same content with bench/hugo's layout: a full build, side by side."""
    hugo = None if arguments.no_hugo else shutil.which("hugo")
    if hugo:
        site = os.path.join(folder, "hugo")
        shutil.copytree(os.path.join(REPO, "bench", "hugo"), site)
        shutil.copytree(os.path.join(folder, "content", "mentors"), os.path.join(site, "content", "mentors"))
        hugo_runs = max(1, min(runs, 3))
        out = os.path.join(folder, "hugo-public")
        result = median_of(hugo_runs, lambda: shutil.rmtree(out, ignore_errors=True),
                           [hugo, "--quiet", "--source", site, "--destination", out], folder)
        print(f"hugo, same content, median of {hugo_runs} runs:")
        print(f"  full build        {result[0]:7.3f} s   peak {result[1]:6.0f} MiB   {fmt(result[2])}")
        print(f"  mentorsite / hugo: {full[0] / result[0]:.3f} of Hugo's wall time ({result[0] / full[0]:.1f}× faster)")
    elif arguments.no_hugo:
        print("Hugo comparison skipped (--no-hugo)")
    else:
        print("hugo is not installed: skipping the comparison (apt-get install hugo)")


def fmt(values):
    return "[" + ", ".join(f"{value:.3f}" for value in values) + "]"


if __name__ == "__main__":
    main()
