"""Reading an export in a separate process, a few chunks ahead of the archive's writer.

Parsing is pure Python, and so is most of recording (rows, journal leaves, canonical JSON): in one
process they take turns on the interpreter lock and ingest can go no faster than their sum. A
reading process parses, hashes and describes each item (proctor.comms.views) while the writer
records the previous chunk, which is what lets a large import use a second core. The reader is
forked (it needs only the export, the parse options and the source's description), sends plain
dicts and bytes through a bounded queue, and exits if the writer goes away, so a killed import
leaves no orphan behind.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import queue
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any

from proctor.comms.formats import iter_items
from proctor.comms.model import CommsError, ParseOptions
from proctor.comms.views import View, ViewContext, view_of
from proctor.core.clock import iso_utc
from proctor.store.blobs import BlobStore

Chunk = list[View]
_DONE = "done"
_ERROR = "error"
_CHUNK = "chunk"


def _chunks(
    path: Path, fmt: str, options: ParseOptions, ctx: ViewContext, skip: int, size: int
) -> Iterator[Chunk]:
    items = iter_items(path, fmt, options)
    if skip:
        items = islice(items, skip, None)
    while batch := list(islice(items, size)):
        yield [view_of(item, hashlib.sha256(item.raw).hexdigest(), ctx) for item in batch]


class _BlobWriter:
    """Writes a chunk's blobs on threads while the next chunk is parsed; a chunk is sent on only
    once every blob it names is durable, so the writer may commit its records straight away."""

    def __init__(self, store: BlobStore, pool: ThreadPoolExecutor) -> None:
        self.store = store
        self.pool = pool

    def start(self, chunk: Chunk) -> tuple[Chunk, dict[str, Future[tuple[str, int]]]]:
        futures: dict[str, Future[tuple[str, int]]] = {}
        for view in chunk:
            until = iso_utc(view["retain_until"])
            for sha, data in [(view["sha"], view["raw"]), *view.get("blobs", ())]:
                if sha not in futures:
                    futures[sha] = self.pool.submit(self.store.put, data, until)
        return chunk, futures

    def finish(self, chunk: Chunk, futures: dict[str, Future[tuple[str, int]]]) -> Chunk:
        stored = {sha: future.result()[1] for sha, future in futures.items()}
        self.store.sync()  # durable before the writer commits rows that refer to these blobs
        for view in chunk:
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
