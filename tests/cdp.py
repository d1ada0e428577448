"""A small Chrome DevTools Protocol client for browser tests: headless Chromium driven over a pipe, no extra package.

``--remote-debugging-pipe`` makes Chromium read commands on fd 3 and write answers and events on fd 4, as
NUL-terminated JSON. Tests use it to type into pages, click, download, upload, print to PDF and watch requests —
things ``chromium --dump-dom`` cannot do. One :class:`Browser` per test module; one :class:`Page` per tab.
"""
from __future__ import annotations

import base64
import fcntl
import itertools
import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any, Callable

Event = dict[str, Any]


class CDPError(RuntimeError):
    """Chromium answered a command with an error, or did not answer in time."""


class Browser:
    """Headless Chromium with a throw-away profile, driven over the DevTools pipe."""

    def __init__(self, executable: str, profile: Path, *args: str) -> None:
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        # Move the child's ends out of the way first, so placing them on 3 and 4 cannot clobber one another.
        high_r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 20)
        high_w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 20)
        for fd in (to_child_r, from_child_w):
            os.close(fd)

        def _place() -> None:
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        cmd = [executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync", "--hide-scrollbars",
               "--disable-default-apps", "--remote-debugging-pipe", f"--user-data-dir={profile}", *args,
               "about:blank"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, pass_fds=(3, 4, high_r, high_w), preexec_fn=_place)
        os.close(high_r)
        os.close(high_w)
        self._ids = itertools.count(1)
        self._buffer = b""
        self.events: list[Event] = []

    # ---- the wire -------------------------------------------------------------------------------------------

    def _read_one(self, deadline: float) -> Event:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_child], [], [], left)[0]:
                raise CDPError("Chromium did not answer in time")
            chunk = os.read(self._from_child, 1 << 20)
            if not chunk:
                raise CDPError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(raw)

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
             timeout: float = 60) -> dict[str, Any]:
        """Send one command and wait for its answer; events that arrive meanwhile are kept in :attr:`events`."""
        msg: dict[str, Any] = {"id": next(self._ids), "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_child, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            got = self._read_one(deadline)
            if got.get("id") == msg["id"]:
                if "error" in got:
                    raise CDPError(f"{method}: {got['error']}")
                return got.get("result", {})
            if "method" in got:
                self.events.append(got)

    def wait_for(self, method: str, where: Callable[[Event], bool] = lambda e: True, timeout: float = 30) -> Event:
        """The first event named ``method`` (already received or still to come) that ``where`` accepts."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for e in self.events[seen:]:
                if e["method"] == method and where(e):
                    self.events.remove(e)
                    return e
            seen = len(self.events)
            got = self._read_one(deadline)
            if "method" in got:
                self.events.append(got)

    def page(self) -> "Page":
        """A new tab, attached and with page, runtime and network events on."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session, target)
        for domain in ("Page", "Runtime", "Network"):
            page.send(f"{domain}.enable")
        return page

    def close(self) -> None:
        """Ask Chromium to quit; kill it if it does not."""
        try:
            self.send("Browser.close", timeout=5)
        except (CDPError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass


class Page:
    """One tab: navigate, evaluate JavaScript, type, click, print."""

    def __init__(self, browser: Browser, session: str, target: str) -> None:
        self.browser, self.session, self.target = browser, session, target

    def send(self, method: str, params: dict[str, Any] | None = None, timeout: float = 60) -> dict[str, Any]:
        return self.browser.send(method, params, self.session, timeout)

    def events(self, method: str) -> list[Event]:
        """Events of this tab received so far."""
        return [e for e in self.browser.events if e.get("sessionId") == self.session and e["method"] == method]

    def goto(self, url: str, timeout: float = 30) -> None:
        """Open ``url`` and wait until it has loaded."""
        self.send("Page.navigate", {"url": url})
        self.browser.wait_for("Page.loadEventFired", lambda e: e.get("sessionId") == self.session, timeout)

    def js(self, expression: str, timeout: float = 60) -> Any:
        """Evaluate ``expression`` in the page (promises are awaited) and return its value as JSON data."""
        got = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True,
                                             "userGesture": True}, timeout)
        if "exceptionDetails" in got:
            raise CDPError(f"JavaScript error: {json.dumps(got['exceptionDetails'], ensure_ascii=False)[:1500]}")
        return got["result"].get("value")

    def focus(self, selector: str) -> None:
        """Focus the element ``selector`` selects (it must exist)."""
        if not self.js(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); "
                       "if (!e) return false; e.scrollIntoView({block: 'center'}); e.focus(); return true; })()"):
            raise CDPError(f"no element {selector}")

    def type(self, text: str) -> None:
        """Type text into the focused element as a keyboard would (input events, user activation)."""
        self.send("Input.insertText", {"text": text})

    def key(self, key: str, code: str | None = None, keycode: int = 0, modifiers: int = 0) -> None:
        """Press and release one key (``Tab``, ``Enter``, ``Space`` …) on the focused element."""
        text = {"Enter": "\r", " ": " "}.get(key)
        down: dict[str, Any] = {"type": "keyDown", "key": key, "code": code or key, "windowsVirtualKeyCode": keycode,
                                "modifiers": modifiers}
        if text:
            down["text"] = text
        self.send("Input.dispatchKeyEvent", down)
        self.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": key, "code": code or key,
                                             "windowsVirtualKeyCode": keycode, "modifiers": modifiers})

    def click(self, selector: str) -> None:
        """Click the middle of the element ``selector`` selects, with the mouse."""
        box = self.js(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null; "
                      "e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect(); "
                      "return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        if box is None:
            raise CDPError(f"no element {selector}")
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1], "button": "left",
                                                   "clickCount": 1})

    def set_files(self, selector: str, files: list[Path]) -> None:
        """Choose files in an ``<input type=file>`` as a person would in the file dialog."""
        doc = self.send("DOM.getDocument")["root"]["nodeId"]
        node = self.send("DOM.querySelector", {"nodeId": doc, "selector": selector})["nodeId"]
        self.send("DOM.setFileInputFiles", {"nodeId": node, "files": [str(f) for f in files]})

    def pdf(self) -> bytes:
        """Print the page as the browser's 打印 → 另存为 PDF would (CSS page size, backgrounds off)."""
        got = self.send("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": False}, timeout=120)
        return base64.b64decode(got["data"])

    def screenshot(self, path: Path, width: int, height: int, full: bool = False) -> Path:
        """A PNG of the page at ``width``×``height`` CSS pixels (``full``: the whole page height)."""
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}
        self.send("Emulation.setDeviceMetricsOverride", metrics)
        params: dict[str, Any] = {"format": "png"}
        if full:  # a viewport as tall as the page: what a person scrolling through would see, in one picture
            self.send("Emulation.setDeviceMetricsOverride",
                      {**metrics, "height": int(self.js("document.documentElement.scrollHeight"))})
        data = self.send("Page.captureScreenshot", params)["data"]
        path.write_bytes(base64.b64decode(data))
        self.send("Emulation.clearDeviceMetricsOverride")
        return path
