"""Hostile and broken input for the generator: every case names the file, exits non-zero
and leaves the database and the previous `public/` as they were; and profile text written
to attack visitors never becomes executable on any page (checked by parsing the output)."""
from support import *

BOMB = "\n".join(["---", "name: Bomb", "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
                 + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
                 + ["languages: *a8", "---", "Bio."]) + "\n"


@test
def broken_and_hostile_content_is_refused_by_file_and_changes_nothing():
    folder = built_site()
    public = os.path.join(folder, "public")
    before = tree_digest(public)
    database = os.path.join(folder, "site.sqlite")
    dump = lambda: list(sqlite3.connect(database).iterdump())
    database_before = dump()
    mentors = os.path.join(folder, "content", "mentors")
    cases = [
        ("zz-unknown.md", "---\nname: Ann\nfavourite_colour: blue\n---\n", ["zz-unknown.md:3: favourite_colour: unknown key"]),
        ("zz-types.md", "---\nname: Ann\nrating: high\nexperience_years: 3.5\nlanguages: English\n---\n",
         ["zz-types.md:3: rating:", "zz-types.md:4: experience_years:", "zz-types.md:5: languages: expected a list"]),
        ("zz-yaml.md", "---\nname: Ann\n  title: [x\n---\n", ["zz-yaml.md:"]),
        ("zz-tabs.md", "---\nname: Ann\n\ttitle: x\n---\n", ["zz-tabs.md:"]),
        ("zz-no-end.md", "---\nname: Ann\n", ["zz-no-end.md:", "not closed"]),
        ("zz-bomb.md", BOMB, ["zz-bomb.md:"]),
        ("zz-zone.md", "---\nname: Ann\ntimezone: US/Eastern\n---\n", ["zz-zone.md:3: timezone:"]),
        ("zz-date.md", "---\nname: Ann\ntimezone: Europe/Paris\nblocked_dates:\n  - { date: 2027-02-29 }\n---\n", ["zz-date.md:5: blocked_dates[0].date:"]),
        ("zz-time.md", "---\nname: Ann\ntimezone: Europe/Paris\navailability:\n  - { day: monday, start: \"09:00\", end: \"24:00\" }\n---\n",
         ["zz-time.md:5: availability[0].end:"]),
        ("zz-email.md", "---\nname: Ann\nemail: \"ann@example.org\\r\\nBcc: all@example.org\"\n---\n", ["zz-email.md:3: email:"]),
        # Text that could start a property in a calendar file, reorder what readers see, or
        # show nothing at all.
        ("zz-crlf.md", "---\nname: \"Ann\\r\\nATTENDEE:mailto:x@example.org\"\n---\n", ["zz-crlf.md:2: name: must be one line of text without control characters"]),
        ("zz-bidi.md", "---\nname: Ann\ntitle: \"\\u202Egnillesnuoc\"\n---\n", ["zz-bidi.md:3: title: must not contain bidirectional"]),
        ("zz-invisible.md", "---\nname: \"\\u200B\\u200C\\u200D\"\n---\n", ["zz-invisible.md:2: name: has no visible characters"]),
        ("zz-list.md", "---\nname: Ann\nlanguages: [\"English\\u0007\"]\n---\n", ["zz-list.md:3: languages: must be one line"]),
        ("zz-nested.md", "---\nname: Ann\neducation:\n  - { degree: \"MA\\nX\", institution: Uni }\n---\n", ["zz-nested.md:4: education[0].degree: must be one line"]),
    ]
    for name, text, messages in cases:
        path = os.path.join(mentors, name)
        open(path, "w").write(text)
        for command in ("import", "check"):
            result = run("mentorsite", command, cwd=folder, check=False)
            assert result.returncode == 1, (name, command, result.stdout, result.stderr)
            for message in messages:
                assert message in result.stderr, (name, command, message, result.stderr)
        os.remove(path)
    # Bytes that are not UTF-8, and a 50 MB bio: refused before parsing.
    open(os.path.join(mentors, "zz-latin1.md"), "wb").write(b"---\nname: Jos\xe9\n---\nBio\n")
    result = run("mentorsite", "import", cwd=folder, check=False)
    assert result.returncode == 1 and "zz-latin1.md" in result.stderr and "UTF-8" in result.stderr, result.stderr
    os.remove(os.path.join(mentors, "zz-latin1.md"))
    with open(os.path.join(mentors, "zz-huge.md"), "w") as handle:
        handle.write("---\nname: Huge\n---\n")
        handle.write(("All work and no play. " * 50 + "\n\n") * 47_000)
    assert os.path.getsize(os.path.join(mentors, "zz-huge.md")) > 50_000_000
    result = run("mentorsite", "import", cwd=folder, check=False)
    assert result.returncode == 1 and "zz-huge.md" in result.stderr and "256 KiB" in result.stderr, result.stderr
    os.remove(os.path.join(mentors, "zz-huge.md"))
    # Two files claiming one slug.
    for name in ("zz-a.md", "zz-b.md"):
        open(os.path.join(mentors, name), "w").write("---\nname: Twin\nslug: twin\n---\n")
    result = run("mentorsite", "import", cwd=folder, check=False)
    assert result.returncode == 1 and "twin" in result.stderr and "zz-b.md" in result.stderr, result.stderr
    for name in ("zz-a.md", "zz-b.md"):
        os.remove(os.path.join(mentors, name))
    assert dump() == database_before
    # Templates: a partial that includes itself, and one that is missing.
    partial = os.path.join(folder, "templates", "zz-loop.mustache")
    open(partial, "w").write("{{% CONTENT_TYPE: HTML}}\n{{>zz-loop}}\n")
    page = os.path.join(folder, "templates", "page.mustache")
    original = open(page).read()
    open(page, "w").write(original.replace("{{/body}}", "{{>zz-loop}}{{/body}}", 1))
    result = run("mentorsite", "build", cwd=folder, check=False)
    assert result.returncode == 1 and "zz-loop.mustache" in result.stderr and "loop: zz-loop → zz-loop" in result.stderr, result.stderr
    open(page, "w").write(original)
    os.remove(partial)
    assert tree_digest(public) == before


@test
def deeply_nested_markdown_builds_without_crashing():
    folder = make_site()
    mentors = os.path.join(folder, "content", "mentors")
    # Under the 256 KiB cap: 5,000 nested quotes, 5,000 nested lists, 20,000 emphasis
    # markers and 10,000 open brackets.
    body = "> " * 5000 + "deep quote\n\n" + "- " * 5000 + "item\n\n" + "*" * 10000 + "x" + "*" * 10000 + "\n\n" + "[" * 10000 + "\n"
    open(os.path.join(mentors, "deep.md"), "w").write("---\nname: Deep Nesting\n---\n" + body)
    run("mentorsite", "import", cwd=folder)
    run("mentorsite", "build", cwd=folder)
    page = open(os.path.join(folder, "public", "mentors", "deep-nesting", "index.html"), encoding="utf-8").read()
    assert "deep quote" in page and "<h1" in page


@test
def an_unwritable_output_folder_is_a_clear_error_and_keeps_the_old_site():
    folder = built_site()
    public = os.path.join(folder, "public")
    content = os.path.join(folder, "content", "mentors", "jose-muller.md")
    text = open(content).read()
    open(content, "w").write(text.replace("title: Psychotherapist (HP)", "title: Psychotherapist"))
    run("mentorsite", "import", cwd=folder)
    before = tree_digest(public)
    # The build runs as a user who may read everything but not write public/ (root may write anywhere).
    subprocess.run(["chown", "-R", "www-data:www-data", folder], check=True)
    subprocess.run(["chown", "-R", "root:root", public], check=True)
    os.chmod(folder, 0o755)
    binaries = os.path.join(folder, "bin")
    os.makedirs(binaries)
    shutil.copy2(os.path.join(BIN, "mentorsite"), binaries)
    result = subprocess.run(["runuser", "-u", "www-data", "--", "env", "-i", "PATH=/usr/bin:/bin", "HOME=" + folder,
                             os.path.join(binaries, "mentorsite"), "build"], cwd=folder, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "public" in result.stderr and ("ermission" in result.stderr or "not writable" in result.stderr), result.stderr
    assert "Fatal error" not in result.stderr
    assert tree_digest(public) == before


HOSTILE = """---
name: "Eve <script>alert('name')</script>"
title: "<img src=x onerror=alert('title')>"
specialty: "\\"><svg onload=alert('specialty')>"
specialties: ["</script><script>alert('json-ld')</script>", "Sleep"]
location: "</title><script>alert('location')</script>"
languages: ["<b onmouseover=alert(1)>English</b>"]
timezone: Europe/Paris
availability:
  - { day: monday, start: "09:00", end: "12:00" }
---

<script>alert('bio')</script>
<img src=x onerror="alert('bio img')">
<iframe src="https://evil.example/"></iframe>
<div onmouseover="alert('div')">hover</div>

[plain javascript](javascript:alert('link'))
[mixed case](JaVaScRiPt:alert('case'))
[entities](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert('entity'))
[hex entities](&#x6A;avascript:alert('hex'))
[tab inside](java&#09;script:alert('tab'))
[data url](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
[vbscript](vbscript:msgbox(1))
<a href="javascript:alert('raw')">raw link</a>
![image](javascript:alert('img'))
<svg><script>alert('svg')</script></svg>

A [fine link](https://example.org/ok) stays.
"""


class ExecutableFinder(html.parser.HTMLParser):
    """Everything in a page that a browser could run."""
    DANGEROUS_ELEMENTS = {"iframe", "object", "embed", "svg", "math", "frame", "frameset", "base", "form"}
    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}

    def __init__(self, allowed_forms=()):
        super().__init__(convert_charrefs=True)
        self.problems, self.json_ld = [], []
        self._script = None
        self.allowed_forms = allowed_forms
        self.search_forms = 0

    @staticmethod
    def _is_the_directory_search(values):
        return (values.get("class") == "search-form" and values.get("role") == "search"
                and set(values) == {"class", "role"})

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "form" and self._is_the_directory_search(values):
            # The directory's own search form: it has no action (JavaScript reads it, it never
            # submits anywhere), and a page has at most one.
            self.search_forms += 1
            if self.search_forms > 1:
                self.problems.append("a second search form")
        elif tag in self.DANGEROUS_ELEMENTS and not (tag == "form" and values.get("action", "").startswith(self.allowed_forms or ("\0",))):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}={value}")
            if name in self.URL_ATTRIBUTES and value:
                squeezed = "".join(character for character in value if character > " ").lower()
                if squeezed.startswith(("javascript:", "vbscript:", "data:")):
                    self.problems.append(f"{tag} {name}={value}")
        if tag == "script":
            kind = values.get("type", "")
            if kind == "application/ld+json":
                self._script = []
            elif values.get("src", "").startswith("/assets/") and kind in ("", "module"):
                self._script = None
            else:
                self.problems.append(f"<script {values}>")

    @classmethod
    def json_ld_of(cls, text):
        finder = cls()
        finder.feed(text)
        return finder.json_ld

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.json_ld.append("".join(self._script))
            self._script = None


@test
def hostile_profile_text_never_becomes_executable_on_any_page():
    folder = make_site()
    open(os.path.join(folder, "content", "mentors", "eve.md"), "w").write(HOSTILE)
    run("mentorsite", "import", cwd=folder)
    run("mentorsite", "build", cwd=folder)
    pages = list(html_files(os.path.join(folder, "public")))
    eve_pages = 0
    for path in pages:
        text = open(path, encoding="utf-8").read()
        finder = ExecutableFinder()
        finder.feed(text)
        assert not finder.problems, (path, finder.problems)
        for block in finder.json_ld:
            assert "</script" not in block.lower() and "<!--" not in block, (path, block[:200])
            json.loads(block)
        if "Eve" in text:
            eve_pages += 1
    assert eve_pages >= 3, eve_pages  # profile, directory, a specialty page
    profile = [path for path in pages if "/mentors/eve" in path]
    assert profile, "the hostile mentor has no page"
    text = open(profile[0], encoding="utf-8").read()
    assert "https://example.org/ok" in text
    # The JSON-LD keeps the text as data: the hostile name survives, escaped, as a string.
    assert any("Eve <script>alert('name')</script>" in json.dumps(json.loads(block), ensure_ascii=False)
               for block in ExecutableFinder.json_ld_of(text))
    # The booking pages show the same names: check them too.
    status, _, body = cgi(folder, query="mentor=" + os.path.basename(os.path.dirname(profile[0])))
    assert status == 200, status
    finder = ExecutableFinder(allowed_forms=("/cgi-bin/book",))
    finder.feed(body)
    assert not finder.problems, finder.problems
