"""Reading an export in a separate process, a few chunks ahead of the archive's writer.

Parsing is pure Python, and so is most of recording (rows, journal leaves, canonical JSON): in one
process they take turns on the interpreter lock and ingest can go no faster than their sum. A
reading process parses, hashes and describes each item (proctor.comms.views) while the writer
records the previous chunk, which is what lets a large import use a second core. The reader is
forked (it needs only the export, the parse options and the source's description), sends plain
dicts and bytes through a bounded queue, and dies with the writer: on Linux the kernel kills it
when the writer's process ends (``PR_SET_PDEATHSIG``, which covers kill -9), and everywhere a
watchdog thread ends it as soon as its parent changes, so a killed import leaves no orphan behind.

An item whose description fails (a date the retention arithmetic cannot carry, say) becomes a
quarantined item with the reason, like any item its importer could not read.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import hashlib
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import Any

from proctor.comms.formats import iter_items
from proctor.comms.model import CommsError, Listed, ParsedItem, ParseOptions, Quarantined
from proctor.comms.views import View, ViewContext, view_of
from proctor.core.clock import iso_utc
from proctor.store.blobs import BlobStore

Chunk = list[View]
_DONE = "done"
_ERROR = "error"
_CHUNK = "chunk"


_PR_SET_PDEATHSIG = 1


def describe(item: ParsedItem, ctx: ViewContext) -> View:
    """The view of one item; a listed entry as itself, and an item that cannot be described
    (its date beyond what the calendar arithmetic carries, say) as a quarantined one."""
    if isinstance(item, Listed):
        return {
            "type": "listed",
            "origin": _text(item.origin),
            "format": item.format,
            "reason": _text(item.reason),
            "size": item.size,
            "sha256": item.sha256,
        }
    if isinstance(item, Quarantined):
        item = replace(item, origin=_text(item.origin), reason=_text(item.reason))
    elif not _storable(item.origin):  # a file name that is not valid text
        item = replace(item, origin=_text(item.origin))
    sha = hashlib.sha256(item.raw).hexdigest()
    try:
        return view_of(item, sha, ctx)
    except Exception as exc:  # one item's fault must not end the import
        reason = f"{item.origin}: cannot be recorded: {type(exc).__name__}: {exc}"
        return view_of(Quarantined(item.raw, item.origin, item.format, reason), sha, ctx)


def _storable(text: str) -> bool:
    if text.isascii():
        return "\x00" not in text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def _text(text: str) -> str:
    """Origins and reasons quote the export (file names, header values): undecodable bytes and
    NULs in them are written as escapes, so the reason can be stored and read."""
    if _storable(text):
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def _chunks(
    path: Path, fmt: str, options: ParseOptions, ctx: ViewContext, skip: int, size: int
) -> Iterator[Chunk]:
    items = iter_items(path, fmt, options, listed=True)
    if skip:
        items = islice(items, skip, None)
    while batch := list(islice(items, size)):
        yield [describe(item, ctx) for item in batch]


def _die_with_parent(parent: int) -> None:
    """Make sure this process does not outlive the writer that started it (see the docstring)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except OSError:
            pass  # the watchdog below still ends it
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="comms-reader-watchdog", daemon=True).start()


class _BlobWriter:
    """Writes a chunk's blobs on threads while the next chunk is parsed; a chunk is sent on only
    once every blob it names is durable, so the writer may commit its records straight away."""

    def __init__(self, store: BlobStore, pool: ThreadPoolExecutor) -> None:
        self.store = store
        self.pool = pool

    def start(self, chunk: Chunk) -> tuple[Chunk, dict[str, Future[tuple[str, int]]]]:
        futures: dict[str, Future[tuple[str, int]]] = {}
        for view in chunk:
            if view["type"] == "listed":
                continue
            until = iso_utc(view["retain_until"])
            for sha, data in [(view["sha"], view["raw"]), *view.get("blobs", ())]:
                if sha not in futures:
                    futures[sha] = self.pool.submit(self.store.put, data, until)
        return chunk, futures

    def finish(self, chunk: Chunk, futures: dict[str, Future[tuple[str, int]]]) -> Chunk:
        stored = {sha: future.result()[1] for sha, future in futures.items()}
        self.store.sync()  # durable before the writer commits rows that refer to these blobs
        for view in chunk:
            if view["type"] == "listed":
                continue
            view["stored"] = {
                sha: stored[sha] for sha in [view["sha"], *(s for s, _ in view.get("blobs", ()))]
            }
        return chunk


def _run(
    out: Any,
    parent: int,
    path: Path,
    fmt: str,
    options: ParseOptions,
    ctx: ViewContext,
    skip: int,
    size: int,
    store: BlobStore | None,
) -> None:
    _die_with_parent(parent)

    def send(message: tuple[str, Any]) -> bool:
        while True:
            try:
                out.put(message, timeout=0.5)
                return True
            except queue.Full:
                if os.getppid() != parent:  # the writer is gone (killed): stop reading
                    return False

    try:
        if store is None:
            for chunk in _chunks(path, fmt, options, ctx, skip, size):
                if not send((_CHUNK, chunk)):
                    return
        else:
            with ThreadPoolExecutor(max_workers=8, thread_name_prefix="blob") as pool:
                blobs = _BlobWriter(store, pool)
                pending = None
                for chunk in _chunks(path, fmt, options, ctx, skip, size):
                    started = blobs.start(chunk)
                    if pending is not None and not send((_CHUNK, blobs.finish(*pending))):
                        return
                    pending = started
                if pending is not None and not send((_CHUNK, blobs.finish(*pending))):
                    return
        send((_DONE, None))
    except BaseException as exc:  # handed to the writer, which raises it
        try:
            pickle.dumps(exc)
        except Exception:
            exc = CommsError(f"{path}: reading failed: {type(exc).__name__}: {exc}")
        send((_ERROR, exc))


def read_chunks(
    path: Path,
    fmt: str,
    options: ParseOptions,
    ctx: ViewContext,
    *,
    skip: int = 0,
    size: int = 500,
    depth: int = 3,
    store: BlobStore | None = None,
) -> Iterator[Chunk]:
    """Chunks of item views (see proctor.comms.views) in export order, after the first `skip`.

    With `store`, the reading process also writes every blob a chunk names before sending it
    (each view then carries ``stored``: SHA-256 to stored size). Only pass a store that is safe to
    use from a forked process (the filesystem store: files and a path, no open connections).
    """
    context = multiprocessing.get_context("fork")
    out = context.Queue(maxsize=depth)
    process = context.Process(
        target=_run,
        args=(out, os.getpid(), path, fmt, options, ctx, skip, size, store),
        name="comms-reader",
        daemon=True,
    )
    gc.freeze()  # the child then leaves the parent's objects alone: no copy-on-write of the heap
    try:
        process.start()
    finally:
        gc.unfreeze()
    try:
        while True:
            try:
                kind, value = out.get(timeout=1.0)
            except queue.Empty:
                if process.is_alive():
                    continue
                raise CommsError(
                    f"{path}: the reading process stopped (exit code {process.exitcode})"
                ) from None
            if kind == _DONE:
                return
            if kind == _ERROR:
                raise value
            yield value
    finally:
        if process.is_alive():
            process.terminate()
        process.join()
        process.close()
        out.close()
        out.join_thread()
