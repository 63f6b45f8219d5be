"""The generator: pages, SEO, sitemap, determinism, rebuilds, broken input, `serve`."""
import unicodedata

from support import *


@test
def every_mentor_gets_a_profile_page():
    folder = built_site()
    pages = sorted(os.listdir(os.path.join(folder, "public", "mentors")))
    assert len(pages) == len(mentor_files(folder)) >= 12, pages
    for expected in ("jose-muller", "nguyen-thi-dao", "soren-lindqvist", "maria-garcia", "maria-garcia-2"):
        assert expected in pages, (expected, pages)
    for name in ("index.html", "404.html", "sitemap.xml", "robots.txt"):
        assert os.path.exists(os.path.join(folder, "public", name)), name


@test
def pages_are_valid_html_for_tidy_and_nest_properly():
    folder = built_site()
    for path in html_files(os.path.join(folder, "public")):
        result = subprocess.run(["tidy", "-errors", "-quiet", "-utf8", path], capture_output=True, text=True)
        assert result.returncode < 2, f"{path}: {result.stderr}"
        parser = parse_page(path)
        assert not parser.errors, f"{path}: {parser.errors}"


@test
def profile_pages_carry_complete_seo_metadata():
    folder = built_site()
    base = "http://127.0.0.1:8080"
    titles = set()
    for slug in os.listdir(os.path.join(folder, "public", "mentors")):
        path = os.path.join(folder, "public", "mentors", slug, "index.html")
        page = parse_page(path)
        assert page.html_lang == "en", path
        assert len(page.h1) == 1, (path, page.h1)
        assert page.title not in titles, page.title
        titles.add(page.title)
        description = page.meta.get("description", "")
        assert 50 <= len(description) <= 160, (path, len(description), description)
        assert page.links.get("canonical") == f"{base}/mentors/{slug}/", page.links
        for key in ("og:title", "og:description", "og:url", "og:image", "og:type", "twitter:card", "twitter:title"):
            assert page.meta.get(key), (path, key)
        assert page.meta["og:url"] == page.links["canonical"]
        ld = [json.loads(text) for kind, text in page.scripts if kind == "application/ld+json"]
        assert len(ld) == 1, path
        graph = {item["@type"]: item for item in ld[0]["@graph"]}
        assert ld[0]["@context"] == "https://schema.org"
        person = graph["ProfilePage"]["mainEntity"]
        assert person["@type"] == "Person" and person["name"] == page.h1[0], person
        assert person["url"] == page.links["canonical"]
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", graph["ProfilePage"]["dateModified"])
        crumbs = graph["BreadcrumbList"]["itemListElement"]
        assert [c["position"] for c in crumbs] == list(range(1, len(crumbs) + 1))
        assert all(c["item"].startswith(base + "/") for c in crumbs)
        assert f"/cgi-bin/book?mentor={slug}" in page.anchors, path
        for img in page.imgs:
            assert img.get("alt") and img.get("width") and img.get("height"), (path, img)
        stylesheet = [line for line in open(path, encoding="utf-8") if 'rel="stylesheet"' in line]
        assert stylesheet and "/assets/style." in stylesheet[0]


@test
def sitemap_is_valid_xml_listing_every_mentor_and_robots_names_it():
    folder = built_site()
    tree = ET.parse(os.path.join(folder, "public", "sitemap.xml"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [url.find("s:loc", ns).text for url in tree.getroot().findall("s:url", ns)]
    assert len(locations) == len(set(locations))
    assert all(location.startswith("http://127.0.0.1:8080/") for location in locations)
    for slug in os.listdir(os.path.join(folder, "public", "mentors")):
        assert f"http://127.0.0.1:8080/mentors/{slug}/" in locations, slug
    for url in tree.getroot().findall("s:url", ns):
        lastmod = url.find("s:lastmod", ns)
        if lastmod is not None:
            assert re.match(r"^\d{4}-\d\d-\d\d$", lastmod.text), lastmod.text
    robots = open(os.path.join(folder, "public", "robots.txt")).read()
    assert "Sitemap: http://127.0.0.1:8080/sitemap.xml" in robots
    assert "Disallow: /cgi-bin/book" in robots


@test
def every_language_has_a_page_listing_exactly_its_mentors_with_breadcrumbs_and_a_sitemap_place():
    folder = built_site()
    public = os.path.join(folder, "public")
    speakers = {}
    for name in mentor_files(folder):
        text = open(os.path.join(folder, "content", "mentors", name + ".md"), encoding="utf-8").read()
        block = re.search(r"\nlanguages:((?:\n  - [^\n]+)+|[^\n]*)", text)
        languages = re.findall(r"\n  - ([^\n]+)", block.group(1)) if block and block.group(1).startswith("\n") else \
            [item.strip() for item in block.group(1).strip().strip("[]").split(",")] if block else []
        for language in languages:
            speakers.setdefault(language.strip().strip('"'), set()).add(name)
    assert "Spanish" in speakers and "English" in speakers, speakers
    sitemap = open(os.path.join(public, "sitemap.xml")).read()
    listed = sorted(os.listdir(os.path.join(public, "languages")))
    assert len(listed) == len(speakers), (listed, sorted(speakers))
    for language, mentors in speakers.items():
        folded = "".join(c for c in unicodedata.normalize("NFKD", language) if not unicodedata.combining(c))
        slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
        page = open(os.path.join(public, "languages", slug, "index.html"), encoding="utf-8").read()
        cards = set(re.findall(r'<h2 class="card-name"><a href="/mentors/([^/]+)/">', page))
        assert len(cards) == len(mentors), (language, cards, mentors)
        assert f"<h1>Mentors who speak {language}</h1>" in page
        assert f"<loc>http://127.0.0.1:8080/languages/{slug}/</loc>" in sitemap, slug
        data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
        crumbs = data["@graph"][0]["itemListElement"]
        assert [crumb["name"] for crumb in crumbs] == ["Mentors", language], crumbs
        assert 'name="robots"' not in page  # one dimension at a time: every language page is indexed
    # A profile links its languages; the directory lists them.
    jose = open(os.path.join(public, "mentors", "jose-muller", "index.html"), encoding="utf-8").read()
    assert '<li><a href="/languages/spanish/">Spanish</a></li>' in jose
    assert 'href="/languages/german/">German <span class="count">' in open(os.path.join(public, "index.html"), encoding="utf-8").read()


@test
def two_builds_from_two_imports_are_byte_identical():
    first, second = built_site(), built_site()
    a = {path: digest for path, (digest, _) in tree_digest(os.path.join(first, "public")).items()}
    b = {path: digest for path, (digest, _) in tree_digest(os.path.join(second, "public")).items()}
    assert a == b, sorted(set(a.items()) ^ set(b.items()))[:5]


@test
def a_rebuild_without_changes_rewrites_no_file():
    folder = built_site()
    before = tree_digest(os.path.join(folder, "public"))
    time.sleep(0.05)
    run("mentorsite", "import", cwd=folder)
    result = run("mentorsite", "build", cwd=folder)
    assert " 0 written," in result.stdout, result.stdout
    assert tree_digest(os.path.join(folder, "public")) == before


@test
def removed_mentors_disappear_and_renamed_ones_redirect():
    folder = built_site()
    os.remove(os.path.join(folder, "content", "mentors", "yuki-tanaka.md"))
    path = os.path.join(folder, "content", "mentors", "kwame-mensah.md")
    text = open(path, encoding="utf-8").read().replace("name: Kwame Mensah", "name: Kwame A. Mensah")
    open(path, "w", encoding="utf-8").write(text)
    result = run("mentorsite", "import", cwd=folder)
    assert "/mentors/kwame-mensah/ now redirects to /mentors/kwame-a-mensah/" in result.stdout, result.stdout
    run("mentorsite", "build", cwd=folder)
    public = os.path.join(folder, "public")
    assert not os.path.exists(os.path.join(public, "mentors", "yuki-tanaka"))
    assert "yuki-tanaka" not in open(os.path.join(public, "sitemap.xml")).read()
    redirect = open(os.path.join(public, "mentors", "kwame-mensah", "index.html")).read()
    assert 'content="0; url=/mentors/kwame-a-mensah/"' in redirect
    assert "/mentors/kwame-mensah/ /mentors/kwame-a-mensah/ 301" in open(os.path.join(public, "_redirects")).read()
    assert "Redirect 301 /mentors/kwame-mensah/ /mentors/kwame-a-mensah/" in open(os.path.join(public, ".htaccess")).read()


@test
def broken_input_names_file_line_and_field_and_keeps_the_previous_site():
    folder = built_site()
    public = os.path.join(folder, "public")
    before = tree_digest(public)
    database_before = open(os.path.join(folder, "site.sqlite"), "rb").read()
    cases = [
        ("content/mentors/zz-broken.md", "---\nname: Broken\ntimezone: EST5EDT\navailability:\n  - { day: funday, start: \"09:00\", end: \"10:00\" }\n---\nBio\n",
         ["zz-broken.md:3: timezone: \"EST5EDT\" is not an IANA time zone", "zz-broken.md:5: availability[0].day: \"funday\" is not a day"]),
        ("content/mentors/zz-yaml.md", "---\nname: [unclosed\n---\n", ["zz-yaml.md:"]),
        ("content/mentors/zz-noname.md", "---\ntitle: Nobody\n---\n", ["zz-noname.md:2: name: is required"]),
    ]
    for relative, text, messages in cases:
        path = os.path.join(folder, relative)
        open(path, "w").write(text)
        result = run("mentorsite", "import", cwd=folder, check=False)
        assert result.returncode == 1, result
        for message in messages:
            assert message in result.stderr, (message, result.stderr)
        assert result.stdout == "", result.stdout
        os.remove(path)
    assert open(os.path.join(folder, "site.sqlite"), "rb").read() == database_before
    template = os.path.join(folder, "templates", "mentor.mustache")
    original = open(template).read()
    open(template, "w").write(original.replace("{{/mentor}}", "{{/mentorx}}"))
    result = run("mentorsite", "build", cwd=folder, check=False)
    assert result.returncode == 1 and "mentor.mustache:" in result.stderr and "wrong name" in result.stderr, result.stderr
    open(template, "w").write(original.replace("{{>breadcrumbs}}", "{{>nowhere}}"))
    result = run("mentorsite", "build", cwd=folder, check=False)
    assert result.returncode == 1 and 'uses partial "nowhere"' in result.stderr, result.stderr
    os.remove(template)
    result = run("mentorsite", "build", cwd=folder, check=False)
    assert result.returncode == 1 and "mentor.mustache: missing template" in result.stderr, result.stderr
    assert tree_digest(public) == before


@test
def build_refuses_missing_and_newer_databases_clearly():
    folder = make_site()
    result = run("mentorsite", "build", cwd=folder, check=False)
    assert result.returncode == 1 and "site.sqlite: no such database; run `mentorsite import` first" in result.stderr, result.stderr
    assert not os.path.exists(os.path.join(folder, "site.sqlite"))
    run("mentorsite", "import", cwd=folder)
    connection = sqlite3.connect(os.path.join(folder, "site.sqlite"))
    connection.execute("PRAGMA user_version = 99")
    connection.close()
    result = run("mentorsite", "build", cwd=folder, check=False)
    assert result.returncode == 1 and "is newer than this mentorsite knows" in result.stderr, result.stderr


@test
def check_reports_completeness_and_fails_on_errors():
    folder = built_site()
    result = run("mentorsite", "check", cwd=folder)
    assert "Profile completeness:" in result.stdout
    assert re.search(r"\d+%  content/mentors/jose-muller.md \(José Müller\)", result.stdout), result.stdout
    assert "0 errors" in result.stdout
    open(os.path.join(folder, "content", "mentors", "zz.md"), "w").write(
        "---\nname: Zed\ntimezone: Europe/Berlin\nblocked_dates:\n  - { date: 2026-02-30 }\navailability:\n  - { day: monday, start: \"10:00\", end: \"09:00\" }\n---\n")
    result = run("mentorsite", "check", cwd=folder, check=False)
    assert result.returncode == 1
    assert 'content/mentors/zz.md:5: blocked_dates[0].date: "2026-02-30" is not a real date YYYY-MM-DD' in result.stderr, result.stderr
    assert "content/mentors/zz.md:7: availability[0].end: 09:00 is not after start 10:00" in result.stderr, result.stderr


@test
def help_describes_every_command():
    result = run("mentorsite", "--help", cwd=REPO)
    for command in ("import", "build", "serve", "check"):
        assert re.search(rf"^\s+{command}\s", result.stdout, re.M), result.stdout
    result = run("mentorsite", "build", "--help", cwd=REPO)
    for option in ("--db <FILE>", "--content <DIR>", "--templates <DIR>", "--output <DIR>", "--base-url <URL>"):
        assert option in result.stdout, (option, result.stdout)
    result = run("mentorsite", "build", "--bogus", cwd=REPO, check=False)
    assert result.returncode != 0 and "Unknown option '--bogus'" in result.stderr


@test
def serve_runs_a_real_lighttpd_with_site_and_booking():
    folder = built_site_with_a_renamed_mentor()
    server = Server(folder)
    try:
        base = server.base
        status, headers, body = fetch(base + "/")
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8", (status, headers)
        status, headers, body = fetch(base + "/mentors/nguyen-thi-dao/")
        assert status == 200 and "Nguyễn Thị Đào".encode() in body
        status, headers, body = fetch(base + "/sitemap.xml")
        assert status == 200 and headers["Content-Type"].startswith("application/xml")
        status, headers, body = fetch(base + "/no/such/page/")
        assert status == 404 and b"We could not find that page" in body, status
        status, headers, _ = fetch(base + "/mentors/kwame-mensah/")
        assert status == 301 and headers["Location"].endswith("/mentors/kwame-owusu-mensah/"), (status, headers)
        css = [name for name in os.listdir(os.path.join(folder, "public", "assets")) if name.endswith(".css")][0]
        status, headers, _ = fetch(base + "/assets/" + css)
        assert status == 200 and "immutable" in headers.get("Cache-Control", ""), headers
        status, _, _ = fetch(base + "/.htaccess")
        assert status == 403, status
        status, headers, body = fetch(base + "/cgi-bin/book?mentor=jose-muller")
        assert status == 200 and b"What would you like to talk about?" in body, status
    finally:
        server.stop()


@test
def serve_explains_a_missing_site():
    folder = make_site()
    result = run("mentorsite", "serve", "--port", str(free_port()), cwd=folder, check=False)
    assert result.returncode == 1 and "has no built site; run `mentorsite build` first" in result.stderr, result.stderr


@test
def serve_watch_rebuilds_on_content_and_template_edits_and_survives_mistakes():
    folder = built_site()
    port = free_port()
    log = open(os.path.join(folder, "serve.log"), "w")
    process = subprocess.Popen([os.path.join(BIN, "mentorsite"), "serve", "--port", str(port), "--watch"], cwd=folder,
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def eventually(check, what, seconds=15):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if check():
                return
            time.sleep(0.2)
        raise AssertionError(f"{what} did not happen; serve said:\n" + open(os.path.join(folder, "serve.log")).read()[-1500:])

    try:
        eventually(lambda: fetch(base + "/")[0] == 200 if port_open(port) else False, "serve start")
        mentor = os.path.join(folder, "content", "mentors", "jose-muller.md")
        text = open(mentor, encoding="utf-8").read()
        open(mentor, "w", encoding="utf-8").write(text.replace("title: Psychotherapist (HP)", "title: Senior Psychotherapist"))
        eventually(lambda: b"Senior Psychotherapist" in fetch(base + "/mentors/jose-muller/")[2], "a content edit showing")
        page = os.path.join(folder, "templates", "404.mustache")
        template = open(page).read()
        open(page, "w").write(template.replace("We could not find that page", "Nothing lives here"))
        eventually(lambda: b"Nothing lives here" in fetch(base + "/no/such/page/")[2], "a template edit showing")
        # The configuration is read again too.
        config = os.path.join(folder, "mentorsite.yml")
        settings = open(config).read()
        open(config, "w").write(settings.replace("site_name: Mood Mentors", "site_name: Calm Corner"))
        eventually(lambda: b"Calm Corner" in fetch(base + "/")[2], "a configuration edit showing")
        # A renamed mentor: the new page appears and lighttpd redirects the old URL (301).
        kwame = os.path.join(folder, "content", "mentors", "kwame-mensah.md")
        kwame_text = open(kwame, encoding="utf-8").read()
        open(kwame, "w", encoding="utf-8").write(kwame_text.replace("name: Kwame Mensah", "name: Kwame Owusu Mensah"))
        eventually(lambda: fetch(base + "/mentors/kwame-owusu-mensah/")[0] == 200, "the renamed mentor's page")
        eventually(lambda: fetch(base + "/mentors/kwame-mensah/")[0] == 301, "the 301 from the old URL")
        # A mistake: reported, and the last good site keeps being served.
        open(mentor, "w", encoding="utf-8").write("---\nname: [broken\n---\n")
        eventually(lambda: "Not rebuilt" in open(os.path.join(folder, "serve.log")).read(), "the error report")
        assert b"Senior Psychotherapist" in fetch(base + "/mentors/jose-muller/")[2]
        open(mentor, "w", encoding="utf-8").write(text)
        eventually(lambda: b"Psychotherapist (HP)" in fetch(base + "/mentors/jose-muller/")[2], "recovery after the fix")
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
    assert not port_open(port), "lighttpd kept running after serve --watch stopped"


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False
