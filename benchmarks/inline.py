"""`python -m benchmarks.inline PAGES.json WARMUP`: the parse task's own code on each page, in this process.

What a worker runs for a page (`tasks.worker.pipeline.parse`: every stage, the Redis bookkeeping, the
index buffer and its bulk flushes) with Celery and kombu left out: no broker message taken, decoded,
handed to a pool or acknowledged. The benchmark runs it against the same Redis and Elasticsearch
(settings from the environment, as a worker reads them) to tell the orchestration's cost from the
work's. Prints JSON.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    from tasks.worker.flush import flush_index
    from tasks.worker.pipeline import parse, resources, settings

    pages = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    warmup = int(argv[1])

    def run(batch: list[dict]) -> None:
        for number, page in enumerate(batch, 1):
            parse.run(page)
            if number % settings.index_batch_size == 0:
                flush_index.run()
        while resources.index_buffer.pending():
            flush_index.run()

    run(pages[:warmup])  # models loaded, clients opened, as in a worker that has taken a few tasks
    wall, cpu = time.perf_counter(), time.process_time()
    run(pages[warmup:])
    measured = len(pages) - warmup
    print(
        json.dumps(
            {"pages": measured, "seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
