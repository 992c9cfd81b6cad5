"""Compile sources to marshalled code with the target interpreter, in parallel.

Work is split into batches run by worker processes of the target interpreter
(its bytecode and marshal format are version-specific).  The worker
canonicalises marshal output, so the bytes do not depend on which batch or
process compiled a module.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import _worker
from .errors import EXIT_STALE, FroreError
from .interpreter import is_running_interpreter, worker_command
from .model import Interpreter

BATCH_BYTES = 400_000       # source bytes per worker call: progress granularity


@dataclass(frozen=True)
class Job:
    source_id: str
    source: Path


def freeze_in_process(job: Job) -> bytes:
    return _unwrap(_worker.freeze_one(job.source_id, str(job.source)))


def freeze_all(interp: Interpreter, jobs: list[Job], parallel: int | None = None,
               progress: Callable[[int, int], None] | None = None) -> dict[str, bytes]:
    """Marshalled code for every job, keyed by source id.  Raises on the first error."""
    if not jobs:
        return {}
    if len(jobs) == 1 and is_running_interpreter(interp.executable):
        return {jobs[0].source_id: freeze_in_process(jobs[0])}
    batches = _batches(jobs)
    workers = max(1, min(parallel or os.cpu_count() or 1, len(batches)))
    results: dict[str, bytes] = {}
    done = 0
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for batch_result in pool.map(lambda b: _run_worker(interp, b), batches):
            for item in batch_result:
                results[item["name"]] = _unwrap(item)
            done += len(batch_result)
            if progress:
                progress(done, len(jobs))
    return results


def _batches(jobs: list[Job]) -> list[list[Job]]:
    batches: list[list[Job]] = [[]]
    size = 0
    for job in jobs:
        try:
            n = job.source.stat().st_size
        except OSError as exc:
            raise FroreError(f"cannot read source: {exc.strerror}", job.source) from None
        if batches[-1] and size + n > BATCH_BYTES:
            batches.append([])
            size = 0
        batches[-1].append(job)
        size += n
    return batches


def _run_worker(interp: Interpreter, batch: list[Job]) -> list[dict]:
    request = {"jobs": [{"name": j.source_id, "path": str(j.source)} for j in batch]}
    proc = subprocess.run(worker_command(interp.executable), input=json.dumps(request).encode(),
                          capture_output=True)
    if proc.returncode != 0:
        raise FroreError(f"freezing worker under {interp.executable} failed:\n"
                         + proc.stderr.decode(errors="replace"), exit_code=EXIT_STALE)
    items = json.loads(proc.stdout)
    for item in items:
        if "data" in item:
            item["data"] = base64.b64decode(item["data"])
    return items


def _unwrap(item: dict) -> bytes:
    if "error" in item:
        err = item["error"]
        raise FroreError(err["message"], err["path"], err["line"] or None, exit_code=EXIT_STALE)
    return item["data"]


def progress_printer(stream=sys.stderr) -> Callable[[int, int], None]:
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
