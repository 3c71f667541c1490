"""The pages, end to end, in a real browser.

Run by `cargo xtask test` (in the project's virtualenv, which has
Playwright for Python from PyPI) over a SQLite file and over a fresh
database of the test Postgres:

    python http/tests/browser/run.py --server target/debug/agendo \
        --axe target/browser/node_modules/axe-core/axe.min.js [--postgres URL]

It drives Debian's Chromium (`/usr/bin/chromium`, or `AGENDO_CHROMIUM`)
headless; Playwright downloads no browser. Every page visited is checked
by axe-core (no serious or critical violation), must log no Content
Security Policy violation, and must ask nothing of another origin; a
screenshot of each at 375 and 1280 px is written under
`target/browser/screenshots/`. The scenarios:

1. an owner opens a business and sets it up from nothing, through the
   pages alone (settings and policy, a service, a professional and their
   hours, a receptionist's sign-in);
2. a client books from the public page at 375 px; the next client no
   longer sees that time;
3. two browsers book the same time at once: one succeeds, the other is
   told the time was just taken and shown the next free ones;
4. the first client's manage link cancels the (late) booking, showing the
   fee before confirming and the fee kept after;
5. the receptionist moves a booking by dragging it, then by keyboard only;
   books an empty slot for a known client, confirms and cancels it (the
   settlement shown), blocks time, and switches the language;
6. another business's owner gets 404 for the first business's pages.

The exit status is 0 when every check held.
"""

import argparse
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from agendo_server import free_port, psql, wait_until_up, with_database  # noqa: E402

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "cavalo-bateria-grampo"
SHOTS = os.path.join("target", "browser", "screenshots")


class Checks:
    """What every page must satisfy, and the screenshots."""

    def __init__(self, base, axe, label):
        self.base = base
        self.axe = axe
        self.label = label
        self.failures = []
        self.pages_checked = 0
        os.makedirs(SHOTS, exist_ok=True)

    def context(self, browser, width, lang="pt-BR"):
        ctx = browser.new_context(
            viewport={"width": width, "height": 900},
            locale=lang,
            extra_http_headers={"Accept-Language": lang},
        )
        ctx.add_init_script(path=self.axe)
        ctx.on("page", self.watch)
        return ctx

    def watch(self, page):
        def console(message):
            if "Content Security Policy" in message.text or "Refused to" in message.text:
                self.fail(f"CSP: {message.text} on {page.url}")

        def request(req):
            if not (req.url.startswith(self.base) or req.url.startswith("data:")):
                self.fail(f"request to another origin: {req.url} from {page.url}")

        page.on("console", console)
        page.on("request", request)

    def fail(self, what):
        print(f"browser ({self.label}): FAILED: {what}", flush=True)
        self.failures.append(what)

    def check(self, condition, what):
        if not condition:
            self.fail(what)

    def page(self, page, name):
        """axe-core on the page as it is, then screenshots at both widths."""
        violations = page.evaluate(
            """async () => {
                const result = await axe.run(document, {resultTypes: ['violations']});
                return result.violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}x, first ${JSON.stringify(v.nodes[0].target)})`);
            }"""
        )
        for v in violations:
            self.fail(f"axe on {name}: {v}")
        self.pages_checked += 1
        size = page.viewport_size
        for width in (375, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=os.path.join(SHOTS, f"{self.label}-{name}-{width}.png"), full_page=True)
        page.set_viewport_size(size)


def go(page, url):
    response = page.goto(url)
    return response.status if response else 0


def submit(page, selector="main button[type=submit]"):
    with page.expect_navigation():
        page.locator(selector).first.click()


def run(base, axe, label):
    checks = Checks(base, axe, label)
    chromium = os.environ.get("AGENDO_CHROMIUM", "/usr/bin/chromium")
    slug = f"barbearia-{uuid.uuid4().hex[:6]}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        owner = checks.context(browser, 1280).new_page()

        # 1. An owner opens a business and sets it up from nothing.
        go(owner, f"{base}/")
        checks.page(owner, "home")
        go(owner, f"{base}/register")
        checks.page(owner, "register")
        owner.fill("#business_name", "Barbearia do Zé")
        owner.fill("#slug", slug)
        owner.fill("#timezone", "America/Sao_Paulo")
        owner.select_option("#currency", "BRL")
        owner.select_option("#locale", "pt-BR")
        owner.fill("#name", "José Almeida")
        owner.fill("#email", f"ze@{slug}.example")
        owner.fill("#password", PASSWORD)
        submit(owner)
        checks.check(owner.url.endswith("/staff/setup"), f"registering leads to the set-up, not {owner.url}")
        checks.page(owner, "setup-empty")
        owner.fill("#b-description", "Cortes e barba no centro")
        owner.fill("#b-address", "Rua Augusta, 100 — São Paulo")
        owner.fill("#b-late-hours", "24")
        owner.fill("#b-late-fee", "50")
        owner.fill("#b-no-show", "100")
        owner.fill("#b-deposit", "0")
        owner.fill("#b-minutes", "120")
        submit(owner, "#business button[type=submit]")
        checks.check(owner.locator("p.notice").count() == 1, "saving the settings says so")
        # A bad value is refused, naming the field, and nothing is lost.
        owner.fill("#b-late-fee", "150")
        submit(owner, "#business button[type=submit]")
        checks.check(owner.locator("#business .error").count() == 1, "a fee of 150% is refused on the form")
        checks.page(owner, "setup-refused")
        go(owner, f"{base}/staff/setup")
        checks.check(owner.input_value("#b-late-fee") == "50", "the refused fee left the stored one alone")
        owner.fill("#s-name", "Corte masculino")
        owner.fill("#s-duration", "30")
        owner.fill("#s-price", "80,00")
        submit(owner, "#services button[type=submit]")
        checks.check("R$ 80,00" in owner.inner_text("#services"), "the service is listed with its price")
        owner.fill("#p-name", "Zé")
        for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
            owner.fill(f"#staff input[name={day}_from] >> nth=-1", "00:00")
            owner.fill(f"#staff input[name={day}_to] >> nth=-1", "23:30")
        submit(owner, "#staff form[action='/staff/setup/staff'] button[type=submit]")
        checks.check("Zé" in owner.inner_text("#staff"), "the professional is listed")
        owner.fill("#a-name", "Rita Souza")
        owner.fill("#a-email", f"rita@{slug}.example")
        owner.select_option("#a-role", "receptionist")
        owner.fill("#a-password", PASSWORD)
        submit(owner, "#accounts button[type=submit]")
        checks.check("Rita Souza" in owner.inner_text("#accounts"), "the receptionist's sign-in is listed")
        checks.page(owner, "setup-done")

        # 2. A client books at 375 px; the next no longer sees the time.
        client_a = checks.context(browser, 375).new_page()
        responses = []

        def record(response):
            responses.append(response)

        client_a.on("response", record)
        go(client_a, f"{base}/b/{slug}")
        client_a.wait_for_load_state("networkidle")
        first_requests = len(responses)
        first_visit = sum(len(r.body()) + sum(len(k) + len(v) + 4 for k, v in r.headers.items()) for r in responses)
        client_a.remove_listener("response", record)
        checks.check(client_a.locator("h1").inner_text() == "Barbearia do Zé", "the public page shows the business")
        checks.page(client_a, "public-services")
        client_a.locator("a.card").first.click()
        client_a.wait_for_load_state()
        checks.page(client_a, "public-times")
        times = client_a.locator("ul.times a")
        checks.check(times.count() > 2, "free times are offered")
        booked_label = times.first.inner_text()
        booked_href = times.first.get_attribute("href")
        times.first.click()
        client_a.wait_for_load_state()
        checks.page(client_a, "public-form")
        client_a.fill("#name", "Maria Silva")
        client_a.fill("#email", "maria@example.com")
        client_a.fill("#phone", "+55 11 98765-4321")
        submit(client_a, "#details button[type=submit]")
        checks.check("/manage/" in client_a.url, f"booking leads to the manage page, not {client_a.url}")
        checks.check(client_a.locator("h1").inner_text() == "Agendamento feito", "the confirmation says booked")
        checks.check(booked_label in client_a.inner_text("dl.summary"), "the confirmation shows the time booked")
        checks.check("/manage/" in client_a.input_value("#link"), "the confirmation shows the manage link")
        checks.page(client_a, "manage-booked")
        manage_url = client_a.url.split("?")[0]

        client_b = checks.context(browser, 375).new_page()
        go(client_b, base + booked_href.split("&start=")[0])
        labels = client_b.locator("ul.times a").all_inner_texts()
        checks.check(booked_label not in labels, f"the next client still sees {booked_label} in {labels}")

        # 3. Two browsers book the same time at once, on the next day, so
        # that the day of the race is whole whatever the hour of the run:
        # late in the local evening today has no free half hour left to
        # move the winner to.
        today = re.search(r"date=(\d{4}-\d{2}-\d{2})", booked_href).group(1)
        tomorrow = dt.date.fromisoformat(today) + dt.timedelta(days=1)
        go(client_b, base + booked_href.split("&start=")[0].replace(f"date={today}", f"date={tomorrow}"))
        contested_href = base + client_b.locator("ul.times a").first.get_attribute("href")
        contested_label = client_b.locator("ul.times a").first.inner_text()
        racers = []
        for n in range(2):
            page = checks.context(browser, 375).new_page()
            go(page, contested_href)
            page.fill("#name", f"Cliente {n}")
            page.fill("#email", f"cliente{n}@example.com")
            racers.append(page)
        for page in racers:
            page.locator("#details button[type=submit]").click(no_wait_after=True)
        for page in racers:
            page.wait_for_load_state()
            page.wait_for_function("() => !document.querySelector('#details button[type=submit]') || document.querySelector('.notice')")
        won = [p for p in racers if "/manage/" in p.url]
        lost = [p for p in racers if "/manage/" not in p.url]
        checks.check(len(won) == 1 and len(lost) == 1, f"one of two wins the race: {[p.url for p in racers]}")
        if lost:
            loser = lost[0]
            checks.check("acabou de ser reservado" in loser.inner_text(".notice"), "the loser is told the time was taken")
            offered = loser.locator("ul.times a").all_inner_texts()
            checks.check(len(offered) > 0 and contested_label not in offered, f"the loser is shown other free times: {offered}")
            checks.page(loser, "public-taken")

        # 4. The manage link cancels the late booking, showing the fee.
        go(client_a, manage_url)
        client_a.fill("#reason", "Imprevisto no trabalho")
        submit(client_a, "form[action$='/cancel'] button[type=submit]")
        fee_text = client_a.inner_text(".box.warn")
        checks.check("R$ 40,00" in fee_text.replace("\xa0", " "), f"the fee is shown before confirming: {fee_text!r}")
        checks.page(client_a, "manage-cancel-quote")
        submit(client_a, ".box.warn button[type=submit]")
        checks.check(client_a.locator("h1").inner_text() == "Agendamento cancelado", "the booking is cancelled")
        checks.check("R$ 40,00" in client_a.inner_text("main").replace("\xa0", " "), "the fee kept is shown after cancelling")
        checks.page(client_a, "manage-cancelled")
        go(won[0] if won else client_b, (won[0].url.split("?")[0] if won else manage_url) + "/move")
        checks.page(won[0] if won else client_b, "manage-move")

        # 5. The receptionist moves a booking by drag, then by keyboard.
        desk = checks.context(browser, 1280).new_page()
        go(desk, f"{base}/staff/agenda")
        checks.check("/staff/sign-in" in desk.url, "the staff area asks for a sign-in")
        checks.page(desk, "sign-in")
        desk.fill("#email", f"rita@{slug}.example")
        desk.fill("#password", PASSWORD)
        submit(desk)
        checks.check("/staff/agenda" in desk.url, f"signing in leads to the agenda, not {desk.url}")
        # The day of the contested booking (tomorrow).
        day = re.search(r"date=(\d{4}-\d{2}-\d{2})", contested_href).group(1)
        go(desk, f"{base}/staff/agenda?date={day}")
        booking = desk.locator("a.booking").first
        checks.check(booking.count() == 1, "the day's booking is on the agenda")
        checks.page(desk, "agenda-day")
        booking_id = booking.get_attribute("id")
        before = booking.inner_text()
        pro = booking.get_attribute("data-pro")
        cells = desk.locator(f"a.free[data-pro='{pro}']")
        # A free cell is a quarter hour; the 30-minute haircut fits where the
        # next quarter is free too. Late in the local day the last cells are
        # before the hours end (23:30), where it does not fit and a move is
        # rightly refused, so only cells where it fits are targets.
        starts = [cells.nth(i).get_attribute("data-start") for i in range(cells.count())]
        at = [dt.datetime.fromisoformat(start.replace("Z", "+00:00")) for start in starts]
        quarter = dt.timedelta(minutes=15)
        fits = [i for i in range(len(at) - 1) if at[i + 1] - at[i] == quarter]
        checks.check(bool(fits), f"the agenda offers a free half hour to move to ({starts})")
        target = cells.nth(fits[min(6, len(fits) - 1)] if fits else 0)
        target_start = target.get_attribute("data-start")
        with desk.expect_navigation():
            booking.drag_to(target)
        moved = desk.locator(f"#{booking_id}")
        checks.check(moved.count() == 1 and moved.inner_text() != before, f"dragging moved the booking ({before!r})")
        # Keyboard only: Tab to the booking, Enter, Tab to the times, pick
        # the next one with an arrow key, Tab to the button, Enter.
        for _ in range(200):
            desk.keyboard.press("Tab")
            if desk.evaluate("() => document.activeElement.id") == booking_id:
                break
        checks.check(desk.evaluate("() => document.activeElement.id") == booking_id, "the booking is reachable by Tab")
        with desk.expect_navigation():
            desk.keyboard.press("Enter")
        checks.page(desk, "booking")
        when_before = desk.inner_text("#when")
        for _ in range(100):
            desk.keyboard.press("Tab")
            if desk.evaluate("() => document.activeElement.id") == "start":
                break
        checks.check(desk.evaluate("() => document.activeElement.id") == "start", "the free times are reachable by Tab")
        desk.keyboard.press("ArrowDown")
        desk.keyboard.press("Tab")
        with desk.expect_navigation():
            desk.keyboard.press("Enter")
        checks.check(desk.inner_text("#when") != when_before, f"the keyboard moved the booking from {when_before}")
        booking_url = desk.url.split("#")[0]
        # A booking made from an empty slot, confirmed, then cancelled by
        # the business with the settlement shown.
        go(desk, f"{base}/staff/agenda?date={day}")
        free = desk.locator(f"a.free[data-pro='{pro}']")
        if free.count() < 6:
            # Late in the evening: book the next day instead.
            go(desk, f"{base}/staff/agenda?date={dt.date.fromisoformat(day) + dt.timedelta(days=1)}")
        with desk.expect_navigation():
            # An hour before the day's last free cell: the haircut fits.
            free.nth(free.count() - 5).click()
        checks.check("/staff/bookings/new" in desk.url, f"an empty slot opens the booking form, not {desk.url}")
        desk.select_option("#client", label=desk.locator("#client option", has_text="Maria Silva").first.inner_text())
        submit(desk)
        checks.check("Maria Silva" in desk.inner_text("h1"), f"the slot is booked for Maria: {desk.url}")
        submit(desk, "form[action$='/confirm'] button")
        checks.check("Confirmado" in desk.inner_text("dl.summary"), "the booking is confirmed")
        submit(desk, "form[action$='/cancel'] button")
        checks.check("não tem custo" in desk.inner_text(".box"), "the business cancelling costs the client nothing")
        submit(desk, "form[action$='/cancel'] button")
        checks.check("Cancelado" in desk.inner_text("dl.summary"), "the booking is cancelled")
        checks.check("Acerto" in desk.inner_text("main"), "the settlement is shown")
        checks.page(desk, "booking-cancelled")
        # Time blocked shows hatched on the agenda.
        go(desk, f"{base}/staff/blocks/new?pro={pro}")
        desk.fill("#date", day)
        desk.fill("#from", "23:00")
        desk.fill("#to", "23:30")
        desk.fill("#reason", "Reunião da equipe")
        submit(desk)
        checks.check("Reunião da equipe" in desk.inner_text(".grid"), f"the block is on the agenda: {desk.url}")
        # The language switch.
        with desk.expect_navigation():
            desk.locator("footer a", has_text="English").click()
        checks.check("Block time" in desk.inner_text("main"), "the switch turns the pages to English")
        checks.page(desk, "agenda-day-en")
        with desk.expect_navigation():
            desk.locator("footer a", has_text="Português").click()
        checks.check("Bloquear horário" in desk.inner_text("main"), "and back to Portuguese")
        go(desk, f"{base}/staff/agenda?view=week")
        checks.page(desk, "agenda-week")
        go(desk, f"{base}/staff/bookings/new?pro={pro}&start={target_start}")
        checks.page(desk, "booking-new")
        go(desk, f"{base}/staff/blocks/new?pro={pro}")
        checks.page(desk, "block-new")
        go(desk, f"{base}/staff/clients?q=maria")
        checks.check("Maria Silva" in desk.inner_text("main"), "the client search finds Maria")
        checks.page(desk, "clients")
        desk.locator("ul.list a").first.click()
        desk.wait_for_load_state()
        checks.check("Cancelado" in desk.inner_text("main"), "Maria's history shows her cancelled booking")
        checks.page(desk, "client")
        client_url = desk.url

        # 6. Another business's pages answer 404.
        other = checks.context(browser, 1280).new_page()
        go(other, f"{base}/register")
        other.fill("#business_name", "Salão da Ana")
        other.fill("#timezone", "America/Sao_Paulo")
        other.fill("#name", "Ana")
        other.fill("#email", f"ana@{slug}.example")
        other.fill("#password", PASSWORD)
        submit(other)
        for url in (booking_url, client_url):
            status = go(other, url)
            checks.check(status == 404, f"another business's page {url} answers {status}, not 404")
        checks.page(other, "not-found")
        for name, path in (("forgot", "/staff/forgot"), ("reset", "/reset-password#token=x"), ("verify", "/verify-email#token=x")):
            go(other, base + path)
            checks.page(other, name)
        browser.close()
    print(
        f"browser ({label}): first visit to the booking page: {first_visit} bytes (bodies and "
        f"headers) in {first_requests} requests, all from {base}",
        flush=True,
    )
    print(f"browser ({label}): {checks.pages_checked} pages checked by axe-core", flush=True)
    return checks.failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--axe", required=True)
    parser.add_argument("--postgres")
    args = parser.parse_args()
    port = free_port()
    base = f"http://localhost:{port}"
    scratch = tempfile.mkdtemp(prefix="agendo-browser-")
    env = dict(os.environ)
    env.update(
        AGENDO_BIND=f"127.0.0.1:{port}",
        AGENDO_PUBLIC_URL=base,
        AGENDO_RUN_WORKER="false",
        AGENDO_PUBLIC_RATE="100000",
        AGENDO_LOG_FORMAT="json",
    )
    label = "sqlite"
    name = None
    if args.postgres:
        name = f"browser_{uuid.uuid4().hex[:8]}"
        psql(args.postgres, f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = with_database(args.postgres, name)
        env["AGENDO_SECRET"] = uuid.uuid4().hex * 2
        label = "postgres"
    else:
        env["DATABASE_URL"] = f"sqlite://{scratch}/agendo.db"
    log = open(os.path.join(scratch, "server.log"), "w")
    server = subprocess.Popen([args.server, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(base, server, "browser")
        failures = run(base, args.axe, label)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        if name:
            psql(args.postgres, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    with open(os.path.join(scratch, "server.log")) as f:
        tail = f.read()[-4000:]
    shutil.rmtree(scratch, ignore_errors=True)
    if failures:
        print(f"browser ({label}): server log tail:\n{tail}")
        sys.exit(f"browser ({label}): {len(failures)} checks failed")
    print(f"browser ({label}): every check held")


if __name__ == "__main__":
    main()
