#!/usr/bin/env python3
"""Writes deterministic synthetic benchmark inputs (seeded) of about SIZE_MB each into DIR: plain lines, a
filter-log-events JSON document, a CRI node file, and a gzip of the plain lines. The noise imitates Spring Boot,
ECS agent and Kubernetes lines; about 1 line in 100,000 is a launch-memory line."""
import gzip, json, os, random, sys

out = sys.argv[1]
size = int(sys.argv[2]) * 1024 * 1024 if len(sys.argv) > 2 else 1024 * 1024 * 1024
os.makedirs(out, exist_ok=True)
random.seed(7)
FAIL = ("fixed memory regions require 632382K which is greater than 616300K available for allocation: "
        "-XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=120382K, -XX:ReservedCodeCacheSize=240M, -Xss1M * 250 threads")
TEMPLATES = [
    "INFO 1 --- [nio-8080-exec-{n}] o.s.web.servlet.DispatcherServlet : Completed initialization in {ms} ms",
    "INFO 1 --- [nio-8080-exec-{n}] c.e.orders.OrderController : GET /orders/{id} -> 200 in {ms} ms user={user}",
    "DEBUG 1 --- [   scheduling-1] o.h.engine.transaction.internal.TransactionImpl : committing, cache hit ratio 0.{n}",
    "WARN 1 --- [nio-8080-exec-{n}] o.h.engine.jdbc.spi.SqlExceptionHelper : SQL Warning Code: 0, SQLState: 00000",
    "INFO 1 --- [           main] o.s.b.w.embedded.tomcat.TomcatWebServer : Tomcat started on port(s): 8080 (http)",
    "level=info time=2023-06-13T15:51:{ss}Z msg=\"Task engine: container app state RUNNING\" task={id}",
    "I0613 15:51:{ss}.{ms}       1 kubelet.go:2163] \"SyncLoop UPDATE\" source=\"api\" pods=[\"default/orders-{id}\"]",
    "ERROR 1 --- [nio-8080-exec-{n}] c.e.orders.PaymentClient : Payment declined for order {id}: card expired",
    "\tat com.example.orders.PaymentClient.charge(PaymentClient.java:{n})",
]
USERS = ["alice", "bob", "carol", "dave"]
lines = [random.choice(TEMPLATES).format(n=random.randint(1, 200), ms=random.randint(1, 999), id=random.randint(1000, 99999),
                                          user=random.choice(USERS), ss="%02d" % random.randint(0, 59)) for _ in range(5000)]

def message(i):
    return FAIL if i % 100_000 == 7 else lines[i % len(lines)]

with open(os.path.join(out, "plain.log"), "w") as f:
    i = written = 0
    while written < size:
        s = "2023-06-13T15:51:44.%03dZ %s\n" % (i % 1000, message(i))
        f.write(s); written += len(s); i += 1

with open(os.path.join(out, "filter-log-events.json"), "w") as f:
    f.write('{\n    "events": [\n')
    i = written = 0
    while written < size:
        e = json.dumps({"logStreamName": "ecs/app/%032x" % (i % 7), "timestamp": 1686671504000 + i, "message": message(i),
                        "ingestionTime": 1686671504100 + i, "eventId": str(10**55 + i)}, indent=4)
        s = ("        ,\n" if i else "") + e.replace("\n", "\n        ")
        f.write(s); written += len(s); i += 1
    f.write('\n    ],\n    "searchedLogStreams": []\n}\n')

with open(os.path.join(out, "cri-0.log"), "w") as f:
    i = written = 0
    while written < size:
        m = message(i)
        if i % 1000 == 3:  # a long line split into partial records
            s = "2023-06-13T15:51:44.%09dZ stdout P %s\n2023-06-13T15:51:44.%09dZ stdout F %s\n" % (i, m[:20], i, m[20:])
        else:
            s = "2023-06-13T15:51:44.%09dZ %s F %s\n" % (i, "stdout" if i % 3 else "stderr", m)
        f.write(s); written += len(s); i += 1

with open(os.path.join(out, "plain.log"), "rb") as src, gzip.open(os.path.join(out, "plain.log.gz"), "wb", compresslevel=6) as dst:
    while True:
        block = src.read(1 << 20)
        if not block: break
        dst.write(block)
