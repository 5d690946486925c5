"""A crawl's log reaches both its run's log file and the worker's own output, line by line."""

from __future__ import annotations

import io
import subprocess
import sys

from tasks.worker.crawls import copy_lines


class Closed(io.BytesIO):
    def write(self, data) -> int:
        raise ValueError("I/O operation on closed file")


def test_every_line_goes_to_every_target_and_a_broken_one_is_dropped() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys\nfor n in range(3): print('line', n, flush=True)"],
        stdout=subprocess.PIPE,
    )
    log_file, worker_output, broken = io.BytesIO(), io.BytesIO(), Closed()
    copy_lines(child.stdout, (log_file, broken, worker_output))
    child.wait()
    assert log_file.getvalue() == worker_output.getvalue() == b"line 0\nline 1\nline 2\n"
