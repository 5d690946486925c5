"""Resident memory and CPU time of a process and its descendants, read from /proc (Linux)."""

from __future__ import annotations

import os
import resource
import threading
import time
from collections.abc import Iterable
from pathlib import Path

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def parse_stat(text: str) -> tuple[int, float]:
    """(parent pid, CPU seconds of the process itself) from a /proc/PID/stat line."""
    # The command name is in parentheses and may hold spaces: split after its closing one.
    fields = text[text.rindex(")") + 2 :].split()
    parent = int(fields[1])
    utime, stime = int(fields[11]), int(fields[12])
    return parent, (utime + stime) / CLOCK_TICKS


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent, _ = parse_stat((entry / "stat").read_text())
        except (OSError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    return children


def process_tree(roots: Iterable[int]) -> list[int]:
    """The roots and every descendant still alive."""
    children = _children_map()
    seen: list[int] = []
    stack = list(roots)
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.append(pid)
        stack.extend(children.get(pid, []))
    return seen


def rss_bytes(pids: Iterable[int]) -> int:
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_BYTES
        except (OSError, ValueError, IndexError):
            continue
    return total


def cpu_seconds(pids: Iterable[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += parse_stat(Path(f"/proc/{pid}/stat").read_text())[1]
        except (OSError, ValueError):
            continue
    return total


# HotSpot's JIT compiler threads, by the names the kernel keeps (15 characters): "C2 CompilerThre".
JIT_THREAD_PREFIXES = ("C1 CompilerThre", "C2 CompilerThre")


def thread_cpu_seconds(pid: int) -> dict[str, float]:
    """CPU seconds of one process's threads: its JIT compiler threads ("jit") and all the others."""
    split = {"jit": 0.0, "other": 0.0}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            _, seconds = parse_stat((task / "stat").read_text())
        except (OSError, ValueError):
            continue  # the thread ended meanwhile
        split["jit" if name.startswith(JIT_THREAD_PREFIXES) else "other"] += seconds
    return split


def parse_machine_ticks(text: str) -> tuple[int, int]:
    """(busy, total) clock ticks of all cores together from the text of /proc/stat."""
    line = next(line for line in text.splitlines() if line.startswith("cpu "))
    # user nice system idle iowait irq softirq steal; guest time is counted in user already.
    ticks = [int(field) for field in line.split()[1:9]]
    total = sum(ticks)
    return total - ticks[3] - ticks[4], total


def machine_ticks() -> tuple[int, int]:
    return parse_machine_ticks(Path("/proc/stat").read_text())


def busy_share(before: tuple[int, int], after: tuple[int, int]) -> float | None:
    """The share of all the machine's cores busy between two `machine_ticks` readings (1.0: every core)."""
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total > 0 else None


def reaped_children_cpu_seconds() -> float:
    """CPU of this process's children that have ended and been waited for (a crawler run to its end):
    /proc no longer has them, the kernel's account does."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def largest_process(pids: Iterable[int]) -> int:
    """The pid with the most resident memory: a JVM's server process, not its launcher."""
    return max(pids, key=lambda pid: rss_bytes([pid]))


class NodeCpu:
    """CPU of a JVM (the Elasticsearch node), its JIT compiler threads apart, since a reading. Compiler
    threads the JVM retires take their share with them, so "jit" can only be too low, never too high.

    A freshly started node spends much of its CPU compiling, for minutes: on this project's 2-core machine,
    drains of 700 new pages each on one node took (ms of node CPU per page, compiler threads / the rest)
    18.1 / 15.2 in the first, 11.5 / 9.2 in the second, 8.2 / 4.8 in the fourth and 2.4-9.2 / 4.3-5.1 after.
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def read(self) -> dict[str, float]:
        # The process's own total keeps the CPU of threads that have ended (a pool shrinking when idle);
        # a sum over the threads alive would lose it, and went backwards over a quiet minute.
        jit = thread_cpu_seconds(self.pid)["jit"]
        return {"jit": jit, "other": cpu_seconds([self.pid]) - jit}

    def since(self, before: dict[str, float]) -> dict[str, float]:
        now = self.read()
        return {kind: now[kind] - before[kind] for kind in now}


class TreeSampler:
    """Samples the RSS of process trees every `interval` seconds in a thread; keeps every sample."""

    def __init__(self, roots: Iterable[int], interval: float = 0.5) -> None:
        self.roots = list(roots)
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        start = time.monotonic()
        while not self._stop.is_set():
            self.samples.append((time.monotonic() - start, rss_bytes(process_tree(self.roots))))
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak(self) -> int:
        return max((rss for _, rss in self.samples), default=0)
