#!/usr/bin/env python3
"""What a person waits for: every page of the navigation clicked in headless Chromium, click to content.

    python benchmarks/browser.py --db data/partyday.duckdb               # 3 rounds, a table on stdout
    python benchmarks/browser.py --db DB --rounds 5 --json out.json      # the figures as JSON
    python3 tasks.py bench --only browser                                # demo, large and province into BENCHMARKS.md
    python benchmarks/browser.py --db DB --profile --pages participation # where the browser's time goes

Serves the app on the database (``python -m pipelines.ui.serve``, a real Streamlit server), signs in as
the demo committee account (created with the demo accounts helper when the database has none) and
clicks each link of the sidebar in turn, several rounds. A click is timed inside the browser, from the
click to the moment the page is idle with its content drawn: the script run has finished
(``stApp[data-test-script-state=notRunning]``), nothing of the previous page is left (no stale
element), the browser is at the page's address, every Plotly chart in view has drawn its SVG and every table its canvas.

- cold: the first visit of a page after the data changed, as after a load (every cached query result
  of the server misses: the data version every cache is keyed on is moved on, as a load moves it);
- warm: the same page visited again, nothing changed.
The first visits after the server started (imports, the chart library loaded into the browser) are kept
apart as ``start``. Each click also says how long the server's script ran (``run_ms``, from the run
starting to it finishing as the browser saw it), so a slow page tells whether the server or the drawing
is slow. ``--profile`` samples the browser's main thread (V8 CPU profiler) over warm visits and splits
click to content into waiting for the server, the Streamlit frontend's JavaScript, plotly.js, the
browser's own style, layout and paint, and garbage collection.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHROMIUM = os.environ.get("PARTYDAY_CHROMIUM", "/usr/bin/chromium")
# The flags of tests/conftest.py: headless, no sandbox (containers), nothing talking to the network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]
VIEWPORT: Any = {"width": 1400, "height": 1000}
USER, PASSWORD = "dangwei", "demo1234"
# The page targets of the issue (median click to content), per database scale.
TARGETS_MS = {"province": {"warm": 1000.0, "cold": 2000.0}, "demo": {"warm": 500.0, "cold": 500.0}}

# In the page before each click: record when the script run starts and stops (the attribute Streamlit
# keeps on its root element), so the run's own length is known besides click-to-content.
_WATCH = """() => {
  const b = window.__bench = {t0: null, run: null, stop: null, done: null};
  if (window.__benchObserver) window.__benchObserver.disconnect();
  const obs = new MutationObserver(records => {
    for (const r of records) {
      const state = r.target.getAttribute('data-test-script-state');
      if (b.t0 === null) continue;
      if (state === 'running' && b.run === null) b.run = performance.now();
      if (state === 'notRunning' && b.run !== null && b.stop === null) b.stop = performance.now();
    }
  });
  obs.observe(document.body, {attributes: true, subtree: true, attributeFilter: ['data-test-script-state']});
  window.__benchObserver = obs;
}"""

_CLICK = """(index) => {
  const links = document.querySelectorAll('[data-testid="stSidebarNav"] a');
  const b = window.__bench, h1 = document.querySelector('[data-testid="stMain"] h1');
  b.path = new URL(links[index].href).pathname;
  b.oldTitle = h1 ? h1.textContent : null;
  b.t0 = performance.now();
  links[index].click();
}"""

# True (and the time noted) once the new page is idle with its content drawn: its run seen or its title shown.
_DONE = """() => {
  const b = window.__bench;
  if (b.done !== null) return true;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-stale="true"]')) return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  if (location.pathname !== b.path) return false;
  const h1 = document.querySelector('[data-testid="stMain"] h1');
  if (b.run === null && (!h1 || h1.textContent === b.oldTitle)) return false;  // the new page's run, not the old
  const shown = el => !el.closest('details:not([open])');  // a closed expander's content is not drawn
  for (const c of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
    if (shown(c) && !c.querySelector('.main-svg')) return false;
  }
  for (const d of document.querySelectorAll('[data-testid="stDataFrame"]')) {
    if (shown(d) && !d.querySelector('canvas')) return false;
  }
  b.done = performance.now();
  return true;
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(db_path: Path, log: Path | None = None) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A real Streamlit server of the app on ``db_path`` (loopback, a free port): its URL and process."""
    port = _free_port()
    env = dict(os.environ, PARTYDAY_DB=str(db_path))
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    server = subprocess.Popen([sys.executable, "-m", "pipelines.ui.serve", "app.py", "--server.port", str(port),
                               "--server.address", "127.0.0.1", "--server.headless", "true",
                               "--browser.gatherUsageStats", "false"], cwd=ROOT, env=env, stdout=out,
                              stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the Streamlit server did not start") from None
                time.sleep(0.3)
        yield url, server
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        if log:
            out.close()  # type: ignore[union-attr]


def ensure_account(db_path: Path, user: str) -> None:
    """The demo accounts, created when ``user`` is one of them and the database has none."""
    from pipelines import auth, db

    with db.reading(db_path) as con:
        found = auth.get_user(con, user, active_only=False)
    if found is None and user in {name for name, _ in auth.DEMO_ACCOUNTS}:
        with db.writing(db_path) as con:
            auth.create_demo_accounts(con)


def wait_idle(page: Any, timeout_s: float) -> None:
    """Until the app has stopped running and stays so for a moment (the first load, a sign-in)."""
    deadline = time.monotonic() + timeout_s
    quiet = None
    while time.monotonic() < deadline:
        state = page.evaluate("() => document.querySelector('[data-testid=\"stApp\"]')"
                              "?.getAttribute('data-test-script-state')")
        if state == "notRunning" and not page.locator('[data-stale="true"]').count():
            quiet = quiet or time.monotonic()
            if time.monotonic() - quiet > 0.5:
                return
        else:
            quiet = None
        page.wait_for_timeout(100)
    raise RuntimeError("the app did not become idle")


def sign_in(page: Any, url: str, user: str, password: str, timeout_s: float) -> None:
    """Open the app and sign in through the login form."""
    page.goto(url)
    page.wait_for_selector("input[type=password]", timeout=timeout_s * 1000)
    page.locator("input[type=text]").first.fill(user)
    page.locator("input[type=password]").first.fill(password)
    page.locator("input[type=password]").first.press("Enter")
    signed_in(page, timeout_s)
    wait_idle(page, timeout_s)


def signed_in(page: Any, timeout_s: float) -> None:
    """After the sign-in form: wait for the menu and the session cookie (set in the background; should
    that fail, the page is loaded once more, and measuring before it would time a page about to be replaced)."""
    page.wait_for_selector('[data-testid="stSidebarNav"] a', timeout=timeout_s * 1000)
    for _ in range(int(timeout_s * 10)):
        if any(c["name"] == "partyday_session" for c in page.context.cookies()):
            break
        page.wait_for_timeout(100)
    page.wait_for_load_state()
    page.wait_for_selector('[data-testid="stSidebarNav"] a', timeout=timeout_s * 1000)


def nav_pages(page: Any) -> list[tuple[str, str]]:
    """The sidebar's pages in menu order: (url path, title)."""
    links = page.locator('[data-testid="stSidebarNav"] a')
    found = []
    for i in range(links.count()):
        href = links.nth(i).get_attribute("href") or ""
        title = links.nth(i).inner_text().split("\n")[-1].strip()  # the icon's ligature name comes first
        found.append((urllib.parse.urlparse(href).path.strip("/") or "overview", title))
    return found


def click(page: Any, index: int, timeout_s: float) -> dict[str, float | None]:
    """Click the ``index``-th link of the sidebar; click to content (``ms``) and the script run (``run_ms``)."""
    page.evaluate(_WATCH)
    page.evaluate(_CLICK, index)
    page.wait_for_function(_DONE, polling="raf", timeout=timeout_s * 1000)
    b = page.evaluate("() => window.__bench")
    run_ms = b["stop"] - b["run"] if b["run"] is not None and b["stop"] is not None else None
    return {"ms": b["done"] - b["t0"], "run_ms": run_ms}


def move_data_version(db_path: Path) -> None:
    """Make every cached query result of the server stale, as a load does: the caches are keyed on the
    file's modification stamp (:func:`pipelines.ui.common.data_version`); the data itself is unchanged."""
    stamp = time.time_ns()
    os.utime(db_path, ns=(stamp, stamp))


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(q * len(ordered) + 0.5)) - 1))
    return ordered[k]


def summary(samples: list[float]) -> dict[str, float] | None:
    """Median and p95 of a list of milliseconds (None when empty)."""
    if not samples:
        return None
    return {"median_ms": statistics.median(samples), "p95_ms": percentile(samples, 0.95), "n": len(samples)}


@contextmanager
def signed_in_page(db_path: Path, user: str, password: str, timeout_s: float,
                   server_log: Path | None = None) -> Iterator[tuple[Any, list[tuple[str, str]], float]]:
    """The app served on ``db_path`` and a headless Chromium page signed in to it: the page, the menu
    (:func:`nav_pages`) and how long signing in took (seconds)."""
    from playwright.sync_api import sync_playwright

    ensure_account(db_path, user)
    with serve(db_path, server_log) as (url, _server), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            t0 = time.perf_counter()
            sign_in(page, url, user, password, timeout_s)
            yield page, nav_pages(page), time.perf_counter() - t0
        finally:
            browser.close()


# What the browser's main thread did, by where the sampled code came from (V8 CPU profile, self time)
PROFILE_GROUPS = ("waiting (idle)", "Streamlit frontend (JS)", "plotly.js", "DOM and canvas calls",
                  "browser (style, layout, paint)", "garbage collection", "other JS")


def _profile_group(call_frame: dict[str, Any]) -> str:
    name, url = call_frame.get("functionName") or "", call_frame.get("url") or ""
    if name == "(idle)":
        return "waiting (idle)"
    if name == "(program)":
        return "browser (style, layout, paint)"
    if name == "(garbage collector)":
        return "garbage collection"
    if "plotly" in url.lower():
        return "plotly.js"
    if "/static/" in url:
        return "Streamlit frontend (JS)"
    if not url:  # a native function the page's code called: setAttribute, getBoundingClientRect, fillRect ...
        return "DOM and canvas calls"
    return "other JS"


def profile_pages(db_path: Path, visits: int = 3, *, user: str = USER, password: str = PASSWORD,
                  pages: list[str] | None = None, timeout_s: float = 180.0,
                  progress: Any = None) -> dict[str, dict[str, float]]:
    """Where a warm visit's click to content goes in the browser: each page visited twice, then
    ``visits`` times under the V8 CPU profiler, each time coming from another page; per page the mean
    click to content (``ms``) and the mean milliseconds of each of :data:`PROFILE_GROUPS`."""
    say = progress or (lambda msg: None)
    out: dict[str, dict[str, float]] = {}
    with signed_in_page(db_path, user, password, timeout_s) as (page, menu, _sign_in_s):
        cdp = page.context.new_cdp_session(page)
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 250})
        for index, (key, _title) in enumerate(menu):
            if pages is not None and key not in pages:
                continue
            other = 1 if index == 0 else 0  # visited in between, as the benchmark's warm visits come from another page
            for _ in range(2):
                click(page, other, timeout_s)
                click(page, index, timeout_s)
            spent = dict.fromkeys(("ms", *PROFILE_GROUPS), 0.0)
            for _ in range(visits):
                click(page, other, timeout_s)
                page.wait_for_timeout(300)
                cdp.send("Profiler.start")
                spent["ms"] += float(click(page, index, timeout_s)["ms"] or 0.0)
                t0, done, now = page.evaluate("() => [window.__bench.t0, window.__bench.done, performance.now()]")
                profile = cdp.send("Profiler.stop")["profile"]
                # the profile's clock (µs) against the page's (ms): its end is about now (one round trip)
                offset = profile["endTime"] / 1000 - now
                groups = {n["id"]: _profile_group(n["callFrame"]) for n in profile["nodes"]}
                at = profile["startTime"] / 1000
                for node, delta in zip(profile["samples"], profile.get("timeDeltas") or [], strict=False):
                    at += delta / 1000
                    if t0 + offset < at <= done + offset:  # only the samples from the click to the content
                        spent[groups[node]] += delta / 1000
            out[key] = {k: v / visits for k, v in spent.items()}
            say(f"profiled {key}: " + ", ".join(f"{k} {v:.0f} ms" for k, v in out[key].items()))
    return out


def profile_table(result: dict[str, dict[str, float]]) -> str:
    """The profile as a Markdown table: per page the mean click to content and each group's share."""
    lines = ["| page | click to content ms | " + " | ".join(f"{g} ms" for g in PROFILE_GROUPS) + " |",
             "|---|---:|" + "---:|" * len(PROFILE_GROUPS)]
    for key, e in result.items():
        lines.append(f"| {key} | {e['ms']:.0f} | " + " | ".join(f"{e[g]:.0f}" for g in PROFILE_GROUPS) + " |")
    return "\n".join(lines)


def bench_browser(db_path: Path, rounds: int = 3, *, user: str = USER, password: str = PASSWORD,
                  pages: list[str] | None = None, timeout_s: float = 180.0, pause_s: float = 0.3,
                  server_log: Path | None = None, progress: Any = None) -> dict[str, Any]:
    """Click every page of the navigation ``rounds`` times, cold and warm; per page the samples and their
    median and p95 (``cold``, ``warm``), the first visits after the server started (``start``) and the
    script runs (``run_ms`` of the warm visits). ``pages`` restricts the pages clicked (url paths)."""
    say = progress or (lambda msg: None)
    samples: dict[str, dict[str, list[float]]] = {}
    titles: dict[str, str] = {}
    started = time.perf_counter()
    with signed_in_page(db_path, user, password, timeout_s, server_log) as (page, menu, sign_in_s):
        chosen = [(i, key, title) for i, (key, title) in enumerate(menu) if pages is None or key in pages]
        order = chosen[1:] + chosen[:1]  # the first page is open after signing in: visit it last

        def visit(kind: str) -> None:
            for i, key, title in order:
                got = click(page, i, timeout_s)
                titles[key] = title
                slot = samples.setdefault(key, {"start": [], "cold": [], "warm": [], "run_ms": []})
                slot[kind].append(got["ms"])  # type: ignore[arg-type]
                if kind == "warm" and got["run_ms"] is not None:
                    slot["run_ms"].append(got["run_ms"])
                page.wait_for_timeout(pause_s * 1000)
                say(f"{kind} {key}: {got['ms']:.0f} ms (script run {got['run_ms'] or 0:.0f} ms)")

        visit("start")
        for _ in range(rounds):
            move_data_version(db_path)
            visit("cold")
            visit("warm")
    out: dict[str, Any] = {"db": str(db_path), "rounds": rounds, "sign_in_s": sign_in_s,
                           "seconds": time.perf_counter() - started, "pages": {}}
    for key, slot in samples.items():
        out["pages"][key] = {"title": titles[key], "start_ms": slot["start"][0] if slot["start"] else None,
                             "cold": summary(slot["cold"]), "warm": summary(slot["warm"]),
                             "run": summary(slot["run_ms"]), "samples": {k: slot[k] for k in ("cold", "warm")}}
    return out


def table(result: dict[str, Any]) -> str:
    """The figures as a Markdown table: per page cold and warm median and p95, the warm script run."""
    def cell(part: dict[str, float] | None, name: str) -> str:
        return "–" if not part else f"{part[name]:.0f}"

    lines = ["| page | cold median ms | cold p95 ms | warm median ms | warm p95 ms | warm script run median ms |",
             "|---|---:|---:|---:|---:|---:|"]
    for key, e in result["pages"].items():
        lines.append(f"| {key} | {cell(e['cold'], 'median_ms')} | {cell(e['cold'], 'p95_ms')} | "
                     f"{cell(e['warm'], 'median_ms')} | {cell(e['warm'], 'p95_ms')} | {cell(e['run'], 'median_ms')} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the browser benchmark on one database; print the table (and write the JSON when asked)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="the database to serve (a copy is wise: signing in writes)")
    parser.add_argument("--rounds", type=int, default=3, help="cold and warm visits of every page (default 3)")
    parser.add_argument("--pages", default=None, help="comma-separated url paths (default: every page of the menu)")
    parser.add_argument("--user", default=USER)
    parser.add_argument("--password", default=PASSWORD)
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds a click may take at most")
    parser.add_argument("--json", default=None, help="write the figures here")
    parser.add_argument("--server-log", default=None, help="write the server's output here")
    parser.add_argument("--profile", action="store_true",
                        help="instead: where the browser's time goes on warm visits (V8 CPU profile, --rounds visits)")
    args = parser.parse_args(argv)
    if args.profile:
        profile = profile_pages(Path(args.db), args.rounds, user=args.user, password=args.password,
                                pages=args.pages.split(",") if args.pages else None, timeout_s=args.timeout,
                                progress=lambda msg: print(msg, file=sys.stderr, flush=True))
        if args.json:
            Path(args.json).write_text(json.dumps(profile, indent=2), encoding="utf-8")
        print(profile_table(profile))
        return 0
    result = bench_browser(Path(args.db), args.rounds, user=args.user, password=args.password,
                           pages=args.pages.split(",") if args.pages else None, timeout_s=args.timeout,
                           server_log=Path(args.server_log) if args.server_log else None,
                           progress=lambda msg: print(msg, file=sys.stderr, flush=True))
    result["load"] = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
