"""A broker consumer that dies the moment it has taken a message, before kombu records it as unacknowledged:
where SIGKILL, the OOM killer or a lost machine can strike any worker. Run as a script by the broker tests:
`python consumer_dies_while_taking.py URL TRANSPORT OPTIONS_JSON QUEUE`."""

import json
import os
import sys

import kombu
from kombu.transport import redis as kombu_redis

kombu_redis.QoS.append = lambda *args, **kwargs: os._exit(9)
url, transport, options, queue = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
with (
    kombu.Connection(url, transport=transport, transport_options=options) as connection,
    connection.Consumer(kombu.Queue(queue), callbacks=[lambda body, message: None], accept=["json"]),
):
    connection.drain_events(timeout=20)
