"""The console in a real browser: headless Chromium driven by selenium against `stipple serve`.

Run by Scripts/console-browser.sh, which starts the server on a demo clinic and passes:
  STIPPLE_CONSOLE_URL   base URL of the server (http://127.0.0.1:PORT)
  STIPPLE_OPERATOR_KEY  an operator key (signs in, and books through the API)
  STIPPLE_AUDITOR_KEY   an auditor key (verifies the chain on the Audit page)
  STIPPLE_SCREENSHOTS   folder for the screenshots (under .build/, not committed)
  STIPPLE_PHOTO_CLIENTS the demo clients whose photos are stored, comma-separated
Exits non-zero on the first failed check, naming it.
"""
import datetime
import json
import os
import re
import shutil
import struct
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from zoneinfo import ZoneInfo
import zlib

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE = os.environ["STIPPLE_CONSOLE_URL"].rstrip("/")
KEY = os.environ["STIPPLE_OPERATOR_KEY"]
SHOTS = os.environ.get("STIPPLE_SCREENSHOTS", ".build/console-screenshots")
os.makedirs(SHOTS, exist_ok=True)
checks = 0


def check(condition, what):
    global checks
    checks += 1
    if not condition:
        print(f"console-browser: FAILED: {what}", file=sys.stderr)
        try:
            driver.save_screenshot(os.path.join(SHOTS, "failure.png"))
            print(f"console-browser: page at failure: {driver.current_url}", file=sys.stderr)
        except Exception:
            pass
        sys.exit(1)
    print(f"  ok: {what}")


def api(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {KEY}")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def shot(name):
    path = os.path.join(SHOTS, name + ".png")
    driver.save_screenshot(path)
    print(f"  screenshot: {path}")


def money(text):
    """Minor units from 'GBP 1,234.50' / 'GBP -12.00'."""
    match = re.search(r"(-?)(\d+)\.(\d\d)", text.replace(",", ""))
    assert match, text
    value = int(match.group(2)) * 100 + int(match.group(3))
    return -value if match.group(1) else value


def local_day(moment, place):
    """The calendar day of an instant at a location, in its IANA zone (UTC when it has none)."""
    return moment.astimezone(ZoneInfo(place.get("zone") or "UTC")).date()


def png_bytes(width, height):
    """A real RGB PNG (a gradient), written with the standard library: a file a front desk would pick."""
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    rows = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in ((x * 255) // width, (y * 255) // height, 128))
        for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1024,1366"]:
    options.add_argument(argument)
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
wait = WebDriverWait(driver, 20)
console_errors = []


def collect_console():
    for entry in driver.get_log("browser"):
        if entry.get("level") == "SEVERE":
            console_errors.append(entry)


try:
    # 1. Sign in: the console sends an unsigned-in browser to the sign-in form.
    driver.get(BASE + "/console")
    check("/console/sign-in" in driver.current_url, "an unsigned-in browser lands on the sign-in form")
    shot("01-sign-in")
    driver.find_element(By.ID, "key").send_keys(KEY)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait.until(EC.url_contains("/console/today"))
    check(driver.find_element(By.TAG_NAME, "h1").text in ("Today",), "signed in, on Today")
    cookies = {c["name"]: c for c in driver.get_cookies()}
    check("stipple_console" in cookies and cookies["stipple_console"]["httpOnly"], "the session cookie is HttpOnly")
    check(all(KEY not in c["value"] for c in cookies.values()), "the key itself is not stored in the browser")
    shot("02-today")
    collect_console()

    # 2. A demo client with a fade forecast, found by part of their name.
    status, due = api("GET", "/v1/forecasts?due_within=3650d&limit=50")
    check(status == 200 and due["clients"], "the demo clinic has clients with a fade forecast")
    target = next(c for c in due["clients"] if c.get("name") and c["name"] != "(erased)")
    surname = target["name"].split()[-1]
    part = surname[: max(3, len(surname) - 2)]
    driver.get(BASE + "/console/clients")
    box = driver.find_element(By.ID, "q")
    box.send_keys(part)
    box.submit()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "table.results")))
    link = driver.find_element(By.CSS_SELECTOR, f"a[href='/console/clients/{target['clientID']}']")
    check(link.text == target["name"], f"searching '{part}' finds {target['name']}")
    shot("03-search")
    link.click()
    wait.until(EC.url_contains(target["clientID"]))
    check(driver.find_element(By.TAG_NAME, "h1").text == target["name"], "the client's page opens")
    svg = driver.find_elements(By.CSS_SELECTOR, "figure.chart svg")
    check(len(svg) == 1 and svg[0].size["width"] > 100, "the fade chart is an inline SVG, drawn")
    due_text = driver.find_element(By.ID, "due-date").text
    check(re.fullmatch(r"\d{4}-\d{2}-\d{2}", due_text) is not None, f"the page shows the touch-up due date ({due_text})")
    check("touch-up due" in svg[0].get_attribute("innerHTML"), "the chart marks the due date")
    shot("04-client")
    collect_console()

    # 2b. Before and after side by side: every thumbnail decoded in the browser, and opens the full image.
    photo_client = None
    for candidate in filter(None, os.environ.get("STIPPLE_PHOTO_CLIENTS", "").split(",")):
        status, pairs = api("GET", f"/v1/clients/{candidate}/photos/before-after")
        if status == 200 and any(
            (p.get("before") or {}).get("stored") and (p.get("after") or {}).get("stored") for p in pairs["angles"]
        ):
            photo_client = candidate
            break
    check(photo_client is not None, "the demo clinic has a client with a stored before and after photo")
    driver.get(BASE + f"/console/clients/{photo_client}")
    wait.until(EC.presence_of_element_located((By.ID, "photos")))
    images = driver.find_elements(By.CSS_SELECTOR, "figure.pair img")
    check(len(images) >= 2, f"before and after thumbnails are shown ({len(images)})")
    wait.until(lambda d: all(d.execute_script("return arguments[0].complete", i) for i in images))
    widths = [driver.execute_script("return arguments[0].naturalWidth", i) for i in images]
    check(all(w > 0 for w in widths), f"every before/after thumbnail loaded (naturalWidth {widths})")
    check(max(widths) <= 320, "thumbnails are at most 320 px wide")
    labels = driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby=photos]").text
    check("Before" in labels and "After" in labels, "a before and an after photo are side by side")
    shot("04b-before-after")
    full = images[0].find_element(By.XPATH, "..").get_attribute("href")
    driver.get(full)
    width = driver.execute_script("return document.images.length ? document.images[0].naturalWidth : 0")
    check(width > 320, f"the thumbnail opens the full image ({width} px wide)")
    collect_console()

    # 2c. A photo uploaded through the form (a real PNG file on disk) is stored and its thumbnail loads; a file
    # that is not an image is refused next to the file field. Chromium logs the refusal's 415 status as a failed
    # resource: that one expected entry is checked here, not counted as an error.
    upload_dir = tempfile.mkdtemp(prefix="stipple-upload-")
    png_path = os.path.join(upload_dir, "front-desk-follow-up.png")
    with open(png_path, "wb") as handle:
        handle.write(png_bytes(400, 300))
    text_path = os.path.join(upload_dir, "notes.txt")
    with open(text_path, "w") as handle:
        handle.write("not an image")
    # The demo's history may have withdrawn this client's photo consent since: sign a fresh one first, on the
    # clinic's latest published consent form (a signature must name a published version).
    status, settings = api("GET", "/v1/settings")
    check(status == 200, f"the clinic's settings read through the API ({status})")
    forms = settings.get("consentForms") or []
    form_version = forms[-1]["formVersion"] if forms else "v1"
    status, _ = api("POST", f"/v1/clients/{photo_client}/consents", {
        "consentID": str(uuid.uuid4()), "formVersion": form_version, "scopes": ["clinical-photos"]})
    check(status == 201, f"a clinical-photos consent signed through the API ({status})")
    driver.get(BASE + f"/console/clients/{photo_client}")
    driver.find_element(By.ID, "f-photo").send_keys(text_path)
    driver.find_element(By.CSS_SELECTOR, "form[action$='/photos'] button[type=submit]").click()
    error = wait.until(EC.presence_of_element_located((By.ID, "f-photo-error")))
    check("is not accepted" in error.text, f"a text file is refused next to the file field ({error.text})")
    refused = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    check(len(refused) == 1 and "/photos" in refused[0]["message"] and "415" in refused[0]["message"],
          f"the only console entry of the refused upload is its 415 status ({refused})")
    driver.find_element(By.ID, "f-photo").send_keys(png_path)
    Select(driver.find_element(By.ID, "f-stage")).select_by_value("follow-up")
    Select(driver.find_element(By.ID, "f-angle")).select_by_value("crown")
    driver.find_element(By.CSS_SELECTOR, "form[action$='/photos'] button[type=submit]").click()
    wait.until(EC.url_contains("uploaded="))
    uploaded = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#uploaded img")))
    wait.until(lambda d: d.execute_script("return arguments[0].complete", uploaded))
    width = driver.execute_script("return arguments[0].naturalWidth", uploaded)
    check(width > 0, f"the uploaded photo's thumbnail loaded (naturalWidth {width})")
    caption = driver.find_element(By.CSS_SELECTOR, "#uploaded figcaption").text
    check("follow up, crown view, 400 × 300 px" in caption, f"the upload is described ({caption})")
    shot("04c-photo-uploaded")
    shutil.rmtree(upload_dir, ignore_errors=True)
    driver.get(BASE + f"/console/clients/{target['clientID']}")
    wait.until(EC.presence_of_element_located((By.ID, "balance")))
    collect_console()

    # 3. A payment through the form shows in the timeline and the balance.
    balance_before = money(driver.find_element(By.ID, "balance").text)
    driver.find_element(By.ID, "f-amount").send_keys("42.50")
    Select(driver.find_element(By.ID, "f-method")).select_by_value("cash")
    page_before = driver.find_element(By.ID, "timeline-entries")
    driver.find_element(By.CSS_SELECTOR, "form[action$='/payments'] button[type=submit]").click()
    wait.until(EC.staleness_of(page_before))  # the answer page replaced the form's page
    wait.until(EC.presence_of_element_located((By.ID, "timeline-entries")))
    entries = driver.find_element(By.ID, "timeline-entries").text
    check(re.search(r"Payment of [A-Z]{3} 42\.50 by cash", entries) is not None, "the payment is in the timeline")
    balance_after = money(driver.find_element(By.ID, "balance").text)
    check(balance_after == balance_before - 4250, f"the balance fell by 42.50 ({balance_before} -> {balance_after})")
    shot("05-payment")
    collect_console()
    # A bad amount is refused next to its field. The refused form comes back with status 422, which
    # Chromium logs as a failed resource: that one expected entry is checked here, not counted as an error.
    driver.find_element(By.ID, "f-amount").send_keys("a lot")
    driver.find_element(By.CSS_SELECTOR, "form[action$='/payments'] button[type=submit]").click()
    error = wait.until(EC.presence_of_element_located((By.ID, "f-amount-error")))
    check("amount" in error.text, "a bad amount is explained next to the amount field")
    refused = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    check(len(refused) == 1 and "/payments" in refused[0]["message"] and "422" in refused[0]["message"],
          f"the only console entry of the refused form is its 422 status ({refused})")

    # 4. A booking made through the API appears on Today without a reload.
    status, locations = api("GET", "/v1/schedule?limit=1")
    check(status == 200, "the schedule API answers")
    client_id = str(uuid.uuid4())
    status, _ = api("POST", "/v1/clients", {
        "clientID": client_id,
        "personal": {"fullName": "Livia Bookwell", "contact": {"email": "livia@example.com"}, "dateOfBirth": "1988-02-03"},
    })
    check(status == 201, "a client registered through the API")
    places = json.loads(os.environ["STIPPLE_PLACES"])
    now = datetime.datetime.now(datetime.timezone.utc)

    def book(client, slot_start, place, minutes):
        body = {
            "appointmentID": str(uuid.uuid4()), "locationID": place["location"], "technicianID": place["technician"],
            "slot": {"start": slot_start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                     "end": (slot_start + datetime.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")},
        }
        status, answer = api("POST", f"/v1/clients/{client}/consultations", body)
        return status == 201, (slot_start.isoformat(), place["location"], status, answer.get("detail"))

    # The first day a location is open (locations keep opening hours, on their own clock): from today on,
    # try whole hours of the location's day until one slot is free.
    booked = None
    last_refusal = None
    for days in range(0, 8):
        for place in places:
            zone = ZoneInfo(place.get("zone") or "UTC")
            local_date = now.astimezone(zone).date() + datetime.timedelta(days=days)
            for hour in range(8, 20):
                slot_start = datetime.datetime(local_date.year, local_date.month, local_date.day, hour, 0,
                                               tzinfo=zone).astimezone(datetime.timezone.utc)
                if slot_start < now + datetime.timedelta(minutes=20):
                    continue
                ok, last_refusal = book(client_id, slot_start, place, 45)
                if ok:
                    booked, booked_place = slot_start, place
                    break
            if booked:
                break
        if booked:
            break
    check(booked is not None, f"a consultation could be booked on a day a location is open ({last_refusal})")
    # Open that local day's page first, then book a second one while it is open.
    day = str(local_day(booked, booked_place))
    driver.get(BASE + f"/console/today?day={day}")
    wait.until(lambda d: d.find_element(By.ID, "live-status").text.startswith("live"))
    driver.execute_script("window.__notReloaded = true;")
    # The projection may still be applying the booking: the page's live feed then brings it in.
    try:
        WebDriverWait(driver, 15).until(lambda d: "Livia Bookwell" in d.find_element(By.ID, "schedule").text)
        first_shown = True
    except TimeoutException:
        first_shown = False
    check(first_shown, "the first booking is on its location's day page")
    heading = f"{day} · {booked_place['zone']}"
    check(heading in driver.find_element(By.ID, "schedule").text, f"the location names its day and zone ({heading})")
    second_client = str(uuid.uuid4())
    status, _ = api("POST", "/v1/clients", {
        "clientID": second_client,
        "personal": {"fullName": "Orla Livewire", "contact": {"phone": "+353 1 555 0101"}, "dateOfBirth": "1979-11-12"},
    })
    check(status == 201, "a second client registered through the API")
    booked_second = False
    for attempt in range(0, 24):
        slot_start = booked + datetime.timedelta(minutes=60 + 30 * attempt)
        for place in places:
            if str(local_day(slot_start, place)) != day:
                continue  # the open page shows that day at each location
            booked_second, last_refusal = book(second_client, slot_start, place, 30)
            if booked_second:
                break
        if booked_second:
            break
    check(booked_second, f"a second consultation was booked through the API on the same day ({last_refusal})")
    try:
        WebDriverWait(driver, 15).until(lambda d: "Orla Livewire" in d.find_element(By.ID, "schedule").text)
        appeared = True
    except TimeoutException:
        appeared = False
    check(appeared, "the API booking appeared on the open page")
    check(driver.execute_script("return window.__notReloaded === true;"), "the page was not reloaded")
    shot("06-today-live")
    collect_console()

    # 5. Revenue, touch-ups, recall render with their charts and tables.
    driver.get(BASE + "/console/revenue")
    check(len(driver.find_elements(By.CSS_SELECTOR, "figure.chart svg rect.cash")) > 0, "revenue has cash bars")
    shot("07-revenue")
    driver.get(BASE + "/console/touch-ups")
    check(len(driver.find_elements(By.CSS_SELECTOR, "table tbody tr")) > 0, "touch-ups due are listed")
    shot("08-touch-ups")
    driver.get(BASE + "/console/recall")
    recalled = driver.find_elements(By.CSS_SELECTOR, "main p a[href^='/console/recall?batch=']")
    check(len(recalled) > 0, "the generated clinic has a recalled batch to trace")
    if recalled:
        recalled[0].click()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "section.card h2")))
        report = driver.find_element(By.TAG_NAME, "main").text
        check(
            "UTC" not in report and re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d [A-Za-z_]+/[A-Za-z_]+", report) is not None,
            "recall times are in their locations' zones (a time, then its zone's name), not in UTC",
        )
    shot("09-recall")
    collect_console()

    # 6. A forgotten client: the page shows (erased), search no longer finds them.
    forgotten = next(c for c in due["clients"] if c.get("name") and c["clientID"] != target["clientID"])
    forgotten_surname = forgotten["name"].split()[-1]
    status, _ = api("POST", f"/v1/clients/{forgotten['clientID']}/erasures", {"reason": "asked to be forgotten"})
    check(status == 201, "a demo client was forgotten through the API")
    time.sleep(1.5)  # the server's projection runner follows the log
    driver.get(BASE + f"/console/clients/{forgotten['clientID']}")
    check(driver.find_element(By.TAG_NAME, "h1").text == "(erased)", "the forgotten client's page shows (erased)")
    check(forgotten["name"] not in driver.page_source, "their name is nowhere on the page")
    check(len(driver.find_elements(By.CSS_SELECTOR, "img")) == 0, "no photo loads for them")
    shot("10-erased")
    driver.get(BASE + "/console/clients?q=" + urllib.parse.quote(forgotten["name"]))
    check(forgotten["clientID"] not in driver.page_source, "search does not find the forgotten client")
    collect_console()

    # 7. Sign out ends the session.
    driver.get(BASE + "/console/today")
    driver.find_element(By.CSS_SELECTOR, "form.sign-out button").click()
    wait.until(EC.url_contains("/console/sign-in"))
    driver.get(BASE + "/console/today")
    check("/console/sign-in" in driver.current_url, "after signing out, pages need signing in again")
    collect_console()

    # 8. An auditor verifies the chain with the Audit page's button: the result is recorded and shown with
    # who and when.
    driver.find_element(By.ID, "key").send_keys(os.environ["STIPPLE_AUDITOR_KEY"])
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait.until(EC.url_contains("/console/today"))
    driver.get(BASE + "/console/audit")
    driver.find_element(By.CSS_SELECTOR, "form[action='/console/audit/verify'] button").click()
    result = wait.until(EC.presence_of_element_located((By.ID, "verify-result")))
    check(result.text.startswith("intact:") and "events verified" in result.text,
          f"the verification's result is shown ({result.text})")
    check(driver.find_element(By.ID, "verify-actor").text == "console-browser-auditor",
          "the page says who verified")
    shot("11-audit")
    collect_console()
    check(not console_errors, f"no errors in the browser console ({console_errors})")
finally:
    driver.quit()
print(f"console-browser: {checks} checks passed; screenshots in {SHOTS}")
