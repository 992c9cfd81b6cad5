"""Compile sources to marshalled code with the target interpreter, in parallel.

Work is split into batches run by worker processes of the target interpreter
(its bytecode and marshal format are version-specific).  Compilation never
happens inside frore's own process, even when the interpreters match: see
_worker.py for why the bytes would then depend on what frore had imported.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .errors import EXIT_STALE, FroreError
from .interpreter import WorkerCrashed, call_worker, timeout_for

if TYPE_CHECKING:
    from typing import Callable

    from .model import Interpreter

BATCH_BYTES = 400_000       # source bytes per worker call: progress granularity


class Job:
    """One module to compile: the name it is compiled as, and its source file.

    A plain class, not a dataclass: importing dataclasses costs each
    `frore freeze` (run once per header by build rules) about 10 ms.
    """

    __slots__ = ("source_id", "source", "size", "optimize")

    def __init__(self, source_id: str, source: Path, size: int = 0, optimize: int = 0) -> None:
        self.source_id = source_id
        self.source = source
        self.size = size            # bytes, for batching and time limits
        self.optimize = optimize    # 0, or 1/2 as python -O/-OO


def freeze_all(interp: Interpreter, jobs: list[Job], parallel: int | None = None,
               progress: Callable[[int, int], None] | None = None,
               on_result: Callable[[str, bytes], None] | None = None) -> dict[str, bytes]:
    """Marshalled code for every job, keyed by source id.  Raises on the first error.

    *on_result* is called in this thread as each batch arrives, so the caller
    can render output while the workers compile the next batches.
    """
    if not jobs:
        return {}
    from concurrent.futures import ThreadPoolExecutor

    batches = _batches(jobs)
    workers = max(1, min(parallel or os.cpu_count() or 1, len(batches)))
    results: dict[str, bytes] = {}
    done = 0
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for batch_result in pool.map(lambda b: _run_worker(interp, b), batches):
            for item in batch_result:
                results[item["name"]] = data = _unwrap(item)
                if on_result:
                    on_result(item["name"], data)
            done += len(batch_result)
            if progress:
                progress(done, len(jobs))
    return results


def _batches(jobs: list[Job]) -> list[list[Job]]:
    batches: list[list[Job]] = [[]]
    size = 0
    for job in jobs:
        if not job.size:
            try:
                job.size = job.source.stat().st_size
            except OSError as exc:
                raise FroreError(f"cannot read source: {exc.strerror}", job.source) from None
        if batches[-1] and size + job.size > BATCH_BYTES:
            batches.append([])
            size = 0
        batches[-1].append(job)
        size += job.size
    return batches


def _run_worker(interp: Interpreter, batch: list[Job]) -> list[dict[str, Any]]:
    request = {"op": "freeze", "jobs": [(j.source_id, str(j.source)) for j in batch],
               "optimize": {j.source_id: j.optimize for j in batch if j.optimize}}
    try:
        reply = call_worker(interp.executable, request,
                            timeout=timeout_for(sum(j.size for j in batch)))
    except WorkerCrashed as exc:
        if len(batch) == 1:
            job = batch[0]
            raise FroreError(f"{exc.message} while compiling this file", job.source,
                             exit_code=EXIT_STALE) from None
        # Which source crashed it?  Ask again one module per worker.
        return [item for job in batch for item in _run_worker(interp, [job])]
    if not isinstance(reply, list) or len(reply) != len(batch):
        raise FroreError(f"python {str(interp.executable)!r} did not answer like frore's "
                         "freezing worker", exit_code=EXIT_STALE)
    return reply


def _unwrap(item: dict[str, Any]) -> bytes:
    if "error" in item:
        err = item["error"]
        raise FroreError(err["message"], err["path"], err["line"] or None, exit_code=EXIT_STALE)
    data: bytes = item["data"]
    return data


def progress_printer(stream: TextIO = sys.stderr) -> Callable[[int, int], None]:
    """One updating line on a terminal, a few lines in a log: long runs show progress."""
    tty = stream.isatty()
    last = [0]

    def show(done: int, total: int) -> None:
        if tty:
            end = "\n" if done == total else ""
            stream.write(f"\rfrore: froze {done}/{total} modules{end}")
            stream.flush()
        elif done == total or done - last[0] >= max(50, total // 10):
            last[0] = done
            stream.write(f"frore: froze {done}/{total} modules\n")
    return show
