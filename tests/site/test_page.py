"""The notes page in headless Chromium against the local stand-in (tests/site/standin.py).

The page is served with the CSP CloudFront sends (plus Trusted Types), from its own origin; the
API, the sign-in service and the audio are each on another origin, so CORS, PKCE and the CSP are
all exercised. Browser tests skip when Debian's chromium/chromium-driver are not installed.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.site.standin import CLIENT_ID, SITE_DIR, Standin, b64url

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
USER = "alice@example.com"
INJECTION = '<img src=x onerror=alert(1)> & "quotes"'


@pytest.fixture(scope="module")
def standin():
    with Standin(page_size=3, user=USER) as server:
        yield server


# --- without a browser -------------------------------------------------------------------------


def test_page_has_no_inline_script_or_handler():
    """What the CSP would block, checked statically too (the browser test proves it at runtime)."""
    html = (SITE_DIR / "index.html").read_text()
    assert re.findall(r"<script\b[^>]*>", html) == [
        '<script src="config.js" defer>',
        '<script src="app.js" defer>',
    ]
    for name in ("index.html", "app.js"):
        text = (SITE_DIR / name).read_text()
        assert not re.search(r"\son[a-z]+\s*=", text), f"inline event handler in {name}"
        assert not re.search(r"\.(inner|outer)HTML\b|insertAdjacentHTML|document\.write", text)
    assert not re.search(r"(?i)https?://", (SITE_DIR / "app.js").read_text()), "no fixed hosts"


def _post_form(url: str, form: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=urlencode(form).encode(), method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def test_standin_rejects_a_wrong_code_verifier(standin):
    """The browser test only proves PKCE if the stand-in really checks it."""
    standin.reset()
    verifier = "v" * 43
    challenge = b64url(hashlib.sha256(verifier.encode()).digest())
    query = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": standin.site_url,
        "scope": "openid email",
        "state": "s1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    opener = urllib.request.build_opener(_NoRedirect)

    def code() -> str:
        url = f"{standin.origin('auth')}/oauth2/authorize?{urlencode(query)}"
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(url)
        assert redirect.value.code == 302
        return parse_qs(urlsplit(redirect.value.headers["Location"]).query)["code"][0]

    token_url = f"{standin.origin('auth')}/oauth2/token"
    form = {
        "grant_type": "authorization_code",
        "client_id": CLIENT_ID,
        "code": code(),
        "redirect_uri": standin.site_url,
        "code_verifier": "w" * 43,
    }
    assert _post_form(token_url, form) == (
        400,
        {"error": "invalid_grant", "error_description": "PKCE check failed"},
    )
    form.update(code=code(), code_verifier=verifier)
    status, tokens = _post_form(token_url, form)
    assert status == 200 and tokens["id_token"].count(".") == 2
    assert _post_form(token_url, form)[0] == 400, "a code is single use"


# --- in the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if missing:
        pytest.skip(f"browser tests need Debian's chromium and chromium-driver: no {missing}")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--disable-extensions",
        "--no-first-run",
        "--autoplay-policy=no-user-gesture-required",
        "--window-size=1000,800",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    with pytest.MonkeyPatch.context() as env:
        # Both paths are given, so Selenium Manager has nothing to find; offline, it could not
        # download a browser or driver even if it tried.
        env.setenv("SE_OFFLINE", "true")
        service = Service(executable_path=str(CHROMEDRIVER))
        driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(10)
    yield driver
    driver.quit()


class Page:
    """The notes page, as a user sees it."""

    def __init__(self, driver, standin: Standin):
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver, self.standin, self.by = driver, standin, By
        # The list is re-rendered after each change: an element read mid-render goes stale.
        self.wait = WebDriverWait(
            driver, 5, poll_frequency=0.05, ignored_exceptions=(StaleElementReferenceException,)
        )

    def find(self, css: str):
        return self.driver.find_element(self.by.CSS_SELECTOR, css)

    def visible(self, css: str) -> bool:
        found = self.driver.find_elements(self.by.CSS_SELECTOR, css)
        return bool(found) and found[0].is_displayed()

    def until(self, condition, message: str = ""):
        from selenium.common.exceptions import TimeoutException

        try:
            return self.wait.until(lambda _: condition(), message)
        except TimeoutException:
            # what the user would see, and why: the status line and the console
            raise AssertionError(
                f"timed out waiting for {message or condition}; status: {self.status()!r}; "
                f"console: {self.console_errors()}; stand-in problems: {self.standin.problems}"
            ) from None

    def texts(self) -> list[str]:
        return [
            e.text for e in self.driver.find_elements(self.by.CSS_SELECTOR, "#notes .note-text")
        ]

    def status(self) -> str:
        return self.find("#status").text

    def open(self) -> None:
        self.driver.get(self.standin.site_url)
        self.until(lambda: self.visible("#sign-in") or self.visible("#signed-in"), "page ready")

    def sign_in(self) -> None:
        self.open()
        self.find("#sign-in").click()
        # authorize redirects straight back; the page trades the code and loads the notes
        self.until(lambda: self.visible("#signed-in") and not self.driver.current_url.count("?"))
        self.until(lambda: self.visible("#empty") or self.texts(), "first page of notes")

    def add(self, text: str, incomplete: bool = True) -> None:
        count = len(self.texts())
        self.find("#note-text").send_keys(text)
        if self.find("#note-incomplete").is_selected() != incomplete:
            self.find("#note-incomplete").click()
        self.find("#add-note").click()
        self.until(lambda: len(self.texts()) == count + 1, f"note {text!r} listed")

    def item(self, text: str):
        for item in self.driver.find_elements(self.by.CSS_SELECTOR, "#notes li"):
            if item.find_element(self.by.CSS_SELECTOR, ".note-text").text == text:
                return item
        raise AssertionError(f"no note {text!r} in {self.texts()}")

    def console_errors(self, allowed: tuple[str, ...] = ()) -> list[str]:
        """Browser console entries at WARNING or above (CSP violations are SEVERE), except the
        failed-request lines a test provoked on purpose."""
        return [
            entry["message"]
            for entry in self.driver.get_log("browser")
            if entry["level"] in ("WARNING", "SEVERE")
            and not any(pattern in entry["message"] for pattern in allowed)
        ]


@pytest.fixture
def page(browser, standin):
    standin.reset()
    page = Page(browser, standin)
    browser.get(standin.site_url)
    browser.execute_script("sessionStorage.clear()")
    browser.get_log("browser")  # start each test with an empty console
    yield page
    assert standin.problems == [], "the page sent requests the real services would reject"


def test_sign_in_create_toggle_delete_reload_speak_sign_out(page, standin):
    page.sign_in()
    assert page.visible("#empty") and page.texts() == []
    assert page.find("#who").text == f"Signed in as {USER}"

    page.add("Buy milk")
    page.add(INJECTION, incomplete=False)
    # newest first; the markup shows literally, nothing was parsed into an element
    assert page.texts() == [INJECTION, "Buy milk"]
    assert page.driver.find_elements(page.by.CSS_SELECTOR, "#notes img") == []
    assert not page.visible("#empty")
    stored = {note["Note"]: note for note in standin.notes_of(USER)}
    assert stored["Buy milk"]["Is_Incomplete"] is True
    assert stored[INJECTION]["Is_Incomplete"] is False

    toggle = page.item("Buy milk").find_element(page.by.CSS_SELECTOR, "input.toggle")
    toggle.click()
    page.until(lambda: page.status() == "Marked complete.")
    assert not toggle.is_selected()
    assert "done" in page.item("Buy milk").get_attribute("class")
    assert {n["Note"]: n["Is_Incomplete"] for n in standin.notes_of(USER)}["Buy milk"] is False

    page.item(INJECTION).find_element(page.by.CSS_SELECTOR, "button.delete").click()
    page.until(lambda: page.texts() == ["Buy milk"], "deleted note gone")
    assert [n["Note"] for n in standin.notes_of(USER)] == ["Buy milk"]

    page.driver.refresh()  # the ID token is in sessionStorage: still signed in
    page.until(lambda: page.texts() == ["Buy milk"], "notes after reload")
    assert not page.visible("#sign-in")
    assert (
        not page.item("Buy milk").find_element(page.by.CSS_SELECTOR, "input.toggle").is_selected()
    )

    page.item("Buy milk").find_element(page.by.CSS_SELECTOR, "button.speak").click()
    page.until(
        lambda: page.driver.execute_script(
            "const a = document.getElementById('player');"
            "return !a.hidden && a.error === null && a.readyState >= 2;"
        ),
        "audio loaded",
    )
    assert page.find("#player").get_attribute("src").startswith(standin.origin("s3") + "/audio/")

    page.find("#sign-out").click()
    page.until(lambda: page.visible("#sign-in"), "signed out")
    assert page.driver.execute_script("return sessionStorage.length") == 0
    assert ("auth", "GET", "/logout") in standin.calls
    assert page.console_errors() == []


def test_load_more_follows_next_token(page, standin):
    standin.add_notes(USER, [f"note {n}" for n in range(1, 8)])  # pages of 3: 3 + 3 + 1
    page.sign_in()
    assert page.texts() == ["note 1", "note 2", "note 3"]
    for shown in (6, 7):
        assert page.visible("#load-more")
        page.find("#load-more").click()
        page.until(lambda shown=shown: len(page.texts()) == shown, f"{shown} notes after Load more")
    assert page.texts() == [f"note {n}" for n in range(1, 8)]
    page.until(lambda: not page.visible("#load-more"), "no Load more after the last page")
    assert page.console_errors() == []


def test_errors_are_shown(page, standin):
    page.sign_in()
    api_calls = len([call for call in standin.calls if call[0] == "api"])

    page.find("#note-text").send_keys("   ")
    page.find("#add-note").click()
    page.until(lambda: page.status() == "Write something before adding a note.")
    assert "error" in page.find("#status").get_attribute("class")
    assert len([call for call in standin.calls if call[0] == "api"]) == api_calls, "nothing sent"

    # A note deleted elsewhere: the API's 404 message is shown and the checkbox stays as stored.
    page.find("#note-text").clear()
    page.add("deleted elsewhere")
    standin.delete_note(USER, standin.notes_of(USER)[0]["NoteId"])
    toggle = page.item("deleted elsewhere").find_element(page.by.CSS_SELECTOR, "input.toggle")
    toggle.click()
    page.until(lambda: re.fullmatch(r"note \d+ not found", page.status()), "API message shown")
    assert toggle.is_selected()

    # An expired session: the API answers 401 and the page offers to sign in again.
    standin.revoke_tokens()
    page.item("deleted elsewhere").find_element(page.by.CSS_SELECTOR, "button.speak").click()
    page.until(lambda: page.visible("#sign-in"), "sign-in offered again")
    assert "sign in again" in page.status()

    # Chrome logs each 4xx response as a failed resource load; those were provoked here.
    assert page.console_errors(allowed=("status of 404", "status of 401")) == []
