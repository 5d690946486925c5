"""Pure helpers for benchmark results: rows with targets, the printed table, the machine, the JSON file."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RESULT_SCHEMA = 1
RESULT_KEYS = ("schema", "started_at", "finished_at", "machine", "options", "rows", "details")
ROW_KEYS = ("section", "measure", "value", "unit", "target", "met", "note")
# A worker's RSS counts as flat when the last fifth of the samples is at most this much above the first.
FLAT_RSS_TOLERANCE = 0.10


@dataclass(frozen=True)
class Target:
    """A goal printed beside a figure (never asserted): `value <op> threshold`, described in words."""

    op: str  # "ge" or "le"
    threshold: float
    text: str

    def met(self, value: float | None) -> bool | None:
        if value is None:
            return None
        if self.op == "ge":
            return value >= self.threshold
        if self.op == "le":
            return value <= self.threshold
        raise ValueError(f"unknown target operator {self.op!r}")


@dataclass(frozen=True)
class Row:
    """One figure of the table; `value` None means not measured, and `note` says why."""

    section: str
    measure: str
    value: float | None
    unit: str = ""
    target: Target | None = None
    note: str = ""
    met: bool | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "met", self.target.met(self.value) if self.target else None)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["target"] = asdict(self.target) if self.target else None
        return data


def format_value(value: float | None) -> str:
    """Three significant figures for small numbers, thousands separators for large ones, n/a for None."""
    if value is None:
        return "n/a"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def _verdict(row: Row) -> str:
    if row.target is None:
        return ""
    mark = {True: "met", False: "NOT met", None: "-"}[row.met]
    return f"{row.target.text} ({mark})"


def format_table(rows: Sequence[Row]) -> str:
    """The rows as an aligned text table, grouped by section, with each target beside its figure."""
    header = ("measure", "value", "unit", "target", "note")
    body = [(row.measure, format_value(row.value), row.unit, _verdict(row), row.note) for row in rows]
    widths = [max(len(str(cells[i])) for cells in [header, *body]) for i in range(4)]

    def line(cells: Sequence[str]) -> str:
        left = f"{cells[0]:<{widths[0]}}  {cells[1]:>{widths[1]}}  {cells[2]:<{widths[2]}}"
        return f"{left}  {cells[3]:<{widths[3]}}  {cells[4]}".rstrip()

    out = [line(header), line(["-" * w for w in widths] + ["----"])]
    section = None
    for row, cells in zip(rows, body, strict=True):
        if row.section != section:
            section = row.section
            out.append(f"[{section}]")
        out.append(line(cells))
    return "\n".join(out)


def rss_growth(samples: Sequence[float], warmup: float = 0.2) -> float | None:
    """Relative growth of RSS over a run, after warm-up (model loads, connections): the median of the last
    fifth of the samples over the median of the fifth that follows the first `warmup` share."""
    if len(samples) < 10:
        return None
    fifth = max(1, len(samples) // 5)
    start = int(len(samples) * warmup)
    early = sorted(samples[start : start + fifth])
    late = sorted(samples[-fifth:])
    first, last = early[len(early) // 2], late[len(late) // 2]
    return (last - first) / first if first else None


def _first_line(path: Path, prefix: str) -> str | None:
    try:
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def machine_description() -> dict[str, Any]:
    """Cores, memory, CPU model and the load average at the start: what makes two runs comparable."""
    memory = _first_line(Path("/proc/meminfo"), "MemTotal")
    return {
        "hostname": platform.node(),
        "cores": os.cpu_count(),
        "memory_bytes": int(memory.split()[0]) * 1024 if memory else None,
        "cpu_model": _first_line(Path("/proc/cpuinfo"), "model name"),
        "load_average_at_start": list(os.getloadavg()),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def build_result(
    started_at: dt.datetime,
    machine: dict[str, Any],
    options: dict[str, Any],
    rows: Sequence[Row],
    details: dict[str, Any],
) -> dict[str, Any]:
    return {
        "schema": RESULT_SCHEMA,
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "options": options,
        "rows": [row.to_dict() for row in rows],
        "details": details,
    }


def check_result(result: dict[str, Any]) -> list[str]:
    """Problems with a result document's shape (empty when it can be compared with other runs)."""
    problems = [f"missing key {key!r}" for key in RESULT_KEYS if key not in result]
    if result.get("schema") != RESULT_SCHEMA:
        problems.append(f"schema {result.get('schema')!r}, expected {RESULT_SCHEMA}")
    for i, row in enumerate(result.get("rows", [])):
        problems += [f"row {i}: missing {key!r}" for key in ROW_KEYS if key not in row]
        value = row.get("value")
        if value is not None and not isinstance(value, int | float):
            problems.append(f"row {i}: value {value!r} is not a number")
        if value is None and not row.get("note"):
            problems.append(f"row {i}: no value and no note saying why")
    for key in ("cores", "cpu_model", "memory_bytes", "load_average_at_start"):
        if key not in result.get("machine", {}):
            problems.append(f"machine: missing {key!r}")
    return problems


def write_result(result: dict[str, Any], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = result["started_at"].replace(":", "").replace("-", "").split("+")[0]
    path = directory / f"{stamp}.json"
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return path
