"""Time bounds on work whose length the input decides: reading a Markdown page, building the site.

Python-Markdown is pure Python, and some pages under every size cap keep it busy for minutes (sixty thousand
headings, half a million backslashes — and the next pattern nobody has counted yet). A counter per known slow
pattern never ends; a bound on the time does. :class:`TimeLimit` raises :class:`TimeUp` in the thread doing the
work once its seconds are over, and the caller turns that into a problem line at the page.

How: one watchdog thread asks CPython to raise the exception in the working thread (``PyThreadState_SetAsyncExc``),
which works in any thread (``wugu serve`` rebuilds on its watcher thread, where ``signal.alarm`` cannot reach) and
on Windows. It lands between two Python instructions, so code busy in Python stops at once. :class:`TimeUp` is a
:class:`BaseException`, so no ``except Exception`` in an extension swallows it, and it is raised again every half
second until the bound is stopped (an exception raised while the thread starts another one may land in that one).
Bounds nest (a page inside the whole site build), and each says which one ran out. On a Python
without that call (not CPython) the bound is not kept and the work runs to its end, as before.

The bounds can be changed through the environment (``WUGU_PAGE_SECONDS``, ``WUGU_PAGES_SECONDS``,
``WUGU_SITE_SECONDS``): for a very slow machine, and for the tests, which use tiny bounds.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from types import TracebackType
from typing import Any

__all__ = ["TimeUp", "TimeLimit", "seconds", "PAGE_SECONDS", "PAGES_SECONDS", "SITE_SECONDS", "PAGE_ENV",
           "PAGES_ENV", "SITE_ENV", "AVAILABLE"]

#: Longest time for reading one page (Markdown to HTML, in the check and in the build); a real page takes
#: milliseconds, a 500 KB page of prose about a second.
PAGE_SECONDS = 10.0
#: Longest time for reading all hand-written pages in one check (the shipped ones take a few milliseconds).
PAGES_SECONDS = 30.0
#: Longest time for building the whole website with mkdocs (the handbook takes 2–4 seconds).
SITE_SECONDS = 90.0
#: Environment variables that change the two bounds (seconds, a number above zero).
PAGE_ENV, PAGES_ENV, SITE_ENV = "WUGU_PAGE_SECONDS", "WUGU_PAGES_SECONDS", "WUGU_SITE_SECONDS"
#: Once a bound has run out, its exception is raised again this often until the bound is stopped.
AGAIN = 0.5

try:
    import ctypes

    _set_async_exc: Any = ctypes.pythonapi.PyThreadState_SetAsyncExc if sys.implementation.name == "cpython" else None
except (ImportError, AttributeError):  # pragma: no cover - not CPython
    _set_async_exc = None
#: Whether bounds are kept on this Python.
AVAILABLE = _set_async_exc is not None

_WAKE = threading.Condition()  # guards the two below; firing and stopping never overlap
_RUNNING: list[TimeLimit] = []  # the bounds being counted, in every thread
_watchdog: threading.Thread | None = None


def seconds(env: str, default: float) -> float:
    """The bound set in the environment variable ``env`` (a number above zero), else ``default``."""
    try:
        value = float(os.environ.get(env, ""))
    except ValueError:
        return default
    return value if 0 < value < 1e6 else default


class TimeUp(BaseException):
    """The time of a :class:`TimeLimit` is over (``limit`` says which one, when several are nested)."""

    limit: TimeLimit | None = None


class TimeLimit:
    """At most ``seconds`` for the work between :meth:`start` and :meth:`stop` (or inside ``with``) in this thread.

    Catch :class:`TimeUp` around the whole ``with`` statement (the exception may arrive while the bound is being
    stopped): ``exc.limit is the_limit`` tells it is this bound, not an outer one, that ran out.
    """

    def __init__(self, seconds: float, what: str = "") -> None:
        self.seconds = seconds
        self.what = what
        self.fired = False  # the time ran out (the exception was raised at least once)
        self._thread = 0
        self._due = 0.0
        self.error: type[TimeUp] = type("TimeUp", (TimeUp,), {"limit": self})

    def start(self) -> TimeLimit:
        """Start counting now, for the calling thread."""
        global _watchdog
        if not AVAILABLE:
            return self
        with _WAKE:
            self._thread = threading.get_ident()
            self._due = time.monotonic() + self.seconds
            self.fired = False
            if _watchdog is None:  # nothing can fire before it runs: starting it here is safe
                _watchdog = threading.Thread(target=_watch, name="wugu-time-limit", daemon=True)
                _watchdog.start()
            _RUNNING.append(self)
            _WAKE.notify()
        return self

    def stop(self) -> None:
        """Stop counting; an exception raised but not yet arrived is taken back (an outer bound of the same thread
        that has run out raises its own again within :data:`AGAIN` seconds)."""
        with _WAKE:
            if self in _RUNNING:
                _RUNNING.remove(self)
                if self.fired:
                    _raise_in(self._thread, None)

    def __enter__(self) -> TimeLimit:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def _raise_in(thread: int, error: type[BaseException] | None) -> None:
    """Have ``thread`` raise ``error`` at its next Python instruction (``None``: no longer)."""
    _set_async_exc(ctypes.c_ulong(thread), ctypes.py_object(error) if error is not None else None)


def _after_fork() -> None:
    """In a child process (``wugu build --editions`` and the PDFs fork workers) the watchdog thread does not exist
    and the parent's bounds are not the child's: start afresh."""
    global _WAKE, _watchdog
    _WAKE, _watchdog = threading.Condition(), None
    _RUNNING.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def _watch() -> None:
    """The watchdog: raise :class:`TimeUp` in the thread of every bound that has run out, again and again."""
    with _WAKE:
        while True:
            now = time.monotonic()
            for bound in _RUNNING:
                if bound._due <= now:
                    bound.fired = True
                    _raise_in(bound._thread, bound.error)
                    bound._due = now + AGAIN
            _WAKE.wait(min((b._due for b in _RUNNING), default=now + 3600) - now)
