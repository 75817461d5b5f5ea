"""A headless Chromium driven over the Chrome DevTools Protocol, for the browser checks.

A small client: Chromium is started with ``--remote-debugging-port=0`` and prints the
browser's websocket address on stderr; each page is a target attached with a flat
session, so one websocket (``websocket-client``) carries every command and event. A page
is loaded, and then asked what a reader would check: its text, its console errors and
uncaught exceptions, the requests it made, and whether anything sticks out of the
viewport or out of a table cell; a screenshot of the whole page is kept.

The only time limit here is a guard against a browser that hangs (``HANG``): no test
measures how long a page takes.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking")
HANG = 120  # seconds without any message from the browser: it hung

# What a reader would see as broken: an element whose right edge passes the viewport, or a
# table cell whose content is wider than the cell (cut off or spilling over).
_OVERFLOW = """(() => {
  const width = document.documentElement.clientWidth;
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
  const scrolls = e => {  // inside a box that scrolls sideways: reachable, not cut off
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      const x = getComputedStyle(a).overflowX;
      if ((x === 'auto' || x === 'scroll') && a.getBoundingClientRect().right <= width + 1) return true;
    }
    return false;
  };
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > width + 1 && !scrolls(e);
  }).map(name);
  const cells = [...document.querySelectorAll('td, th')].filter(
    c => c.scrollWidth > c.clientWidth + 1).map(c => name(c) + ': ' + c.textContent.slice(0, 40));
  return {page: document.documentElement.scrollWidth - width, wide: wide.slice(0, 20),
          cells: cells.slice(0, 20)};
})()"""


class Page:
    """One tab: its session, and what it logged."""

    def __init__(self, browser: "Browser", session: str) -> None:
        self.browser, self.session = browser, session
        self.errors: list[str] = []
        self.requests: list[str] = []

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        return self.browser.send(method, params, self.session)

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression[:60]}...: {result['exceptionDetails']}")
        return result["result"].get("value")

    def text(self) -> str:
        return str(self.evaluate("document.body.innerText"))

    def overflow(self) -> dict[str, Any]:
        return dict(self.evaluate(_OVERFLOW))

    def screenshot(self, path: Path) -> Path:
        """The whole page (not only the viewport) as a PNG at PATH; a copy goes to the
        directory $CROSSINGS_SCREENSHOTS names, if set."""
        metrics = self.send("Page.getLayoutMetrics")["cssContentSize"]
        shot = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": metrics["width"],
                               "height": metrics["height"], "scale": 1})
        path.write_bytes(base64.b64decode(shot["data"]))
        keep = os.environ.get("CROSSINGS_SCREENSHOTS")
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, Path(keep) / path.name)
        return path

    def media(self, media: str, width: int) -> None:
        """Lay the page out for MEDIA ('print', 'screen') at WIDTH CSS pixels."""
        self.send("Emulation.setEmulatedMedia", media=media)
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=900,
                  deviceScaleFactor=1, mobile=False)

    def pdf(self) -> bytes:
        """The page printed as the browser prints it (A4, its own @page margins)."""
        printed = self.send("Page.printToPDF", paperWidth=8.27, paperHeight=11.69,
                            preferCSSPageSize=True, printBackground=True)
        return base64.b64decode(printed["data"])

    def note(self, event: dict[str, Any]) -> None:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.errors.append("console: " + " ".join(str(a.get("value", a.get("description")))
                                                      for a in params.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.errors.append("exception: " + str(details.get("exception", {}).get(
                "description", details.get("text"))))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            self.errors.append(f"log: {params['entry'].get('text')} {params['entry'].get('url', '')}")
        elif method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])


class Browser:
    """Headless Chromium and one websocket to it."""

    def __init__(self, profile: Path) -> None:
        import websocket

        assert CHROMIUM is not None
        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS, "--remote-debugging-port=0", f"--user-data-dir={profile}",
             "--no-first-run", "--hide-scrollbars", "--window-size=1280,900", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        address = self._address()
        self.socket = websocket.create_connection(address, timeout=HANG, suppress_origin=True)
        self.next_id = 0
        self.pages: dict[str, Page] = {}
        self.waiting: list[dict[str, Any]] = []

    def _address(self) -> str:
        assert self.process.stderr is not None
        seen = []
        for line in self.process.stderr:
            seen.append(line)
            if line.startswith("DevTools listening on "):
                # keep reading what it says, so a full pipe never stalls it
                self.drain = threading.Thread(target=self.process.stderr.read, daemon=True)
                self.drain.start()
                return line.split(" on ", 1)[1].strip()
        raise AssertionError("Chromium exited before it listened: " + "".join(seen[-20:]))

    def send(self, method: str, params: dict[str, Any] | None = None,
             session: str | None = None) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.socket.send(json.dumps(message))
        while True:
            reply = self._receive()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))

    def _receive(self) -> dict[str, Any]:
        reply = json.loads(self.socket.recv())
        if "method" in reply:
            page = self.pages.get(reply.get("sessionId", ""))
            if page is not None:
                page.note(reply)
            self.waiting.append(reply)
        return dict(reply)

    def wait_for(self, method: str, session: str) -> dict[str, Any]:
        while True:
            for i, event in enumerate(self.waiting):
                if event["method"] == method and event.get("sessionId") == session:
                    return dict(self.waiting.pop(i))
            self._receive()

    def open(self, url: str, width: int = 1280, height: int = 900) -> Page:
        """A new tab showing URL, loaded (its load event fired), errors and requests noted."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = self.pages[session] = Page(self, session)
        for domain in ("Page", "Runtime", "Log", "Network"):
            page.send(f"{domain}.enable")
        page.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)
        self.waiting.clear()
        page.send("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired", session)
        page.evaluate("document.fonts.ready.then(() => true)")
        return page

    def close(self) -> None:
        try:
            self.socket.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=HANG)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.drain.join(timeout=HANG)
            if self.process.stderr is not None:
                self.process.stderr.close()
