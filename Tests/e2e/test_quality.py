"""Page quality budgets on the built example site and on every booking step: valid HTML,
links and assets that resolve, images with alt text and dimensions, weight, no
render-blocking or third-party requests, labels, landmarks, heading order, and the
stylesheet's colour contrast (WCAG AA, computed from its CSS variables)."""
from support import *

PROFILE_BUDGET = 50 * 1024  # HTML + CSS + JS of one profile page, uncompressed


class QualityParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lang, self.headings, self.landmarks = None, [], set()
        self.controls, self.labels, self.images, self.scripts, self.stylesheets, self.urls = [], set(), [], [], [], []
        self.in_head = False
        self._label_depth = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        if tag == "head":
            self.in_head = True
        if tag == "body":
            self.in_head = False
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag in ("header", "nav", "main", "footer"):
            self.landmarks.add(tag)
        if tag == "label":
            self._label_depth += 1
            if values.get("for"):
                self.labels.add(values["for"])
        if tag in ("input", "select", "textarea") and values.get("type") not in ("hidden", "submit", "button"):
            self.controls.append((tag, values, self._label_depth > 0))
        if tag == "img":
            self.images.append(values)
        if tag == "script":
            self.scripts.append((values, self.in_head))
        if tag == "link" and "stylesheet" in values.get("rel", ""):
            self.stylesheets.append(values.get("href", ""))
        for name in ("href", "src", "action"):
            if values.get(name) is not None:
                self.urls.append((tag, name, values[name]))

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_depth -= 1


def parse_text(text):
    parser = QualityParser()
    parser.feed(text)
    return parser


def check_accessibility(name, text, parser):
    assert parser.lang, f"{name}: <html> has no lang"
    assert {"header", "main", "footer"} <= parser.landmarks, (name, parser.landmarks)
    assert parser.headings and parser.headings[0] == 1 and parser.headings.count(1) == 1, (name, parser.headings)
    for previous, current in zip(parser.headings, parser.headings[1:]):
        assert current <= previous + 1, f"{name}: heading h{current} follows h{previous}"
    for tag, values, wrapped in parser.controls:
        named = wrapped or values.get("id") in parser.labels or values.get("aria-label") or values.get("aria-labelledby")
        assert named, f"{name}: <{tag} name={values.get('name')}> has no label"
    for image in parser.images:
        assert "alt" in image and image.get("width") and image.get("height"), (name, image)


def check_requests(name, parser, booking_url):
    """Scripts never block rendering; every request stays on this site."""
    for values, in_head in parser.scripts:
        if values.get("type") == "application/ld+json":
            continue
        assert values.get("src"), f"{name}: inline script"
        assert "defer" in values or "async" in values or values.get("type") == "module", f"{name}: render-blocking script {values}"
    for tag, attribute, url in parser.urls:
        if tag == "a" and attribute == "href":
            continue  # links may go anywhere; they are not requests
        if tag == "form":
            assert url.startswith(booking_url), (name, url)
            continue
        assert not re.match(r"^(https?:)?//", url) or url.startswith("http://127.0.0.1:8080/"), f"{name}: third-party request {tag} {attribute}={url}"


@test
def every_page_meets_the_quality_budgets():
    folder = built_site()
    public = os.path.join(folder, "public")
    css_files = [name for name in os.listdir(os.path.join(public, "assets")) if name.endswith(".css")]
    css = open(os.path.join(public, "assets", css_files[0]), encoding="utf-8").read()
    assert "@import" not in css and not re.search(r"url\(\s*['\"]?(https?:)?//", css), "the stylesheet requests another site"
    profiles = 0
    broken = []
    for path in html_files(public):
        name = os.path.relpath(path, public)
        text = open(path, encoding="utf-8").read()
        if 'http-equiv="refresh"' in text:
            continue  # old-slug redirect stubs
        parser = parse_text(text)
        check_accessibility(name, text, parser)
        check_requests(name, parser, "/cgi-bin/book")
        # Every internal link and asset resolves to a file, or is the booking CGI.
        for tag, attribute, url in parser.urls:
            parsed = urllib.parse.urlsplit(url)
            if parsed.scheme or url.startswith(("#", "mailto:", "tel:")):
                continue
            target = urllib.parse.unquote(parsed.path)
            if target.startswith("/cgi-bin/book"):
                query = urllib.parse.parse_qs(parsed.query)
                assert "mentor" in query and os.path.exists(os.path.join(public, "mentors", query["mentor"][0], "index.html")), (name, url)
                continue
            resolved = os.path.join(public, target.lstrip("/"))
            if target.endswith("/"):
                resolved = os.path.join(resolved, "index.html")
            if not os.path.isfile(resolved):
                broken.append((name, url))
        if name.startswith("mentors/"):
            profiles += 1
            weight = len(text.encode())
            for href in parser.stylesheets:
                weight += os.path.getsize(os.path.join(public, href.lstrip("/")))
            for values, _ in parser.scripts:
                if values.get("src"):
                    weight += os.path.getsize(os.path.join(public, values["src"].lstrip("/")))
            assert weight < PROFILE_BUDGET, f"{name}: {weight} bytes of HTML, CSS and JS (budget {PROFILE_BUDGET})"
    assert not broken, broken
    assert profiles >= 16


def relative_luminance(hex_colour):
    hex_colour = hex_colour.lstrip("#")
    if len(hex_colour) == 3:
        hex_colour = "".join(character * 2 for character in hex_colour)
    channels = [int(hex_colour[index:index + 2], 16) / 255 for index in (0, 2, 4)]
    linear = [value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4 for value in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first, second):
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@test
def the_stylesheet_meets_wcag_aa_contrast():
    css = open(os.path.join(REPO, "templates", "assets", "style.css"), encoding="utf-8").read()
    variables = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})\b", re.search(r":root\s*{(.*?)}", css, re.S).group(1)))

    def resolve(value):
        value = value.strip()
        match = re.fullmatch(r"var\(--([\w-]+)\)", value)
        if match:
            return variables.get(match.group(1))
        return value if re.fullmatch(r"#[0-9a-fA-F]{3,6}", value) else None

    pages = [variables["bg"], variables["surface"]]
    rules = []
    for selectors, body in re.findall(r"([^{}]+){([^{}]*)}", css):
        declarations = dict((name.strip(), value.strip()) for name, _, value in
                            (part.partition(":") for part in body.split(";") if ":" in part))
        for selector in selectors.split(","):
            rules.append((" ".join(selector.split()), declarations))
    backgrounds = {selector: resolve(declarations.get("background", declarations.get("background-color", "")))
                   for selector, declarations in rules}
    checked = 0
    for selector, declarations in rules:
        if ":root" in selector:
            continue
        foreground = resolve(declarations.get("color", ""))
        background = backgrounds.get(selector)
        # A descendant rule (".chip-current .count") sits on its ancestor's background.
        if not background and " " in selector:
            background = backgrounds.get(selector.rsplit(" ", 1)[0])
        if foreground:
            for behind in [background] if background else pages:
                ratio = contrast(foreground, behind)
                assert ratio >= 4.5, f"{selector.strip()}: text {foreground} on {behind} has contrast {ratio:.2f} (AA needs 4.5)"
                checked += 1
        outline = re.search(r"(#[0-9a-fA-F]{3,6}|var\(--[\w-]+\))\s*$", declarations.get("outline", ""))
        if outline and resolve(outline.group(1)):
            for behind in pages:
                ratio = contrast(resolve(outline.group(1)), behind)
                assert ratio >= 3, f"{selector.strip()}: focus outline contrast {ratio:.2f} (needs 3)"
                checked += 1
    # Text the rules above put on tinted backgrounds of other rules.
    for foreground, background in [("accent-strong", "accent-soft"), ("text", "accent-soft"), ("muted", "accent-soft"), ("on-accent", "accent-strong")]:
        assert contrast(variables[foreground], variables[background]) >= 4.5, (foreground, background)
        checked += 1
    assert checked >= 20, checked


@test
def every_booking_step_meets_the_same_budgets():
    folder = built_site()
    public = os.path.join(folder, "public")
    session = "qualitysessionqualityses"
    pages = {}
    status, _, pages["specialty"] = cgi(folder, query="mentor=jose-muller", cookie=f"bk_session={session}")
    csrf = form_value(pages["specialty"], "csrf")
    status, _, pages["type"] = cgi(folder, path="/type", query="mentor=jose-muller&specialty=Depression", cookie=f"bk_session={session}")
    status, _, pages["time"] = cgi(folder, path="/time", query="mentor=jose-muller&specialty=Depression&type=video&tz=America/New_York",
                                   cookie=f"bk_session={session}")
    start = re.findall(r'name="start" id="slot-\d+" value="(\d+)"', pages["time"])[0]
    query = f"mentor=jose-muller&specialty=Depression&type=video&tz=America/New_York&start={start}"
    status, _, pages["details"] = cgi(folder, path="/details", query=query, cookie=f"bk_session={session}")
    form = urllib.parse.urlencode({"csrf": csrf, "mentor": "jose-muller", "specialty": "Depression", "type": "video", "tz": "America/New_York",
                                   "start": start, "name": "Pat", "email": "not-an-email"})
    status, _, pages["details-with-errors"] = cgi(folder, "POST", "/details", body=form.encode(), cookie=f"bk_session={session}")
    assert status == 422
    status, _, pages["not-found"] = cgi(folder, query="mentor=nobody")
    for name, text in pages.items():
        path = os.path.join(folder, f"booking-{name}.html")
        open(path, "w", encoding="utf-8").write(text)
        result = subprocess.run(["tidy", "-errors", "-quiet", "-utf8", path], capture_output=True, text=True)
        assert result.returncode < 2, f"{name}: {result.stderr}"
        parser = parse_text(text)
        check_accessibility(name, text, parser)
        check_requests(name, parser, "/cgi-bin/book")
        for values, _ in parser.scripts:
            if values.get("src"):
                assert os.path.isfile(os.path.join(public, values["src"].lstrip("/"))), (name, values)
        for href in parser.stylesheets:
            assert os.path.isfile(os.path.join(public, href.lstrip("/"))), (name, href)
    # Errors: a summary that takes focus (autofocus, also without JavaScript) and inline
    # messages tied to their fields.
    errors = pages["details-with-errors"]
    assert re.search(r'<div class="error-summary"[^>]*\bautofocus\b', errors), "the error summary does not take focus"
    assert re.search(r'aria-describedby="[^"]*\bemail-error\b', errors) and 'id="email-error"' in errors and 'aria-invalid="true"' in errors
