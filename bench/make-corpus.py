#!/usr/bin/env python3
"""Writes synthetic benchmark inputs of about SIZE_MB each into DIR: plain lines, a filter-log-events JSON document,
a CRI node file, and a gzip of the plain lines. A handful of launch failures is spread through each."""
import gzip, json, os, random, sys

out = sys.argv[1]
size = int(sys.argv[2]) * 1024 * 1024 if len(sys.argv) > 2 else 1024 * 1024 * 1024
os.makedirs(out, exist_ok=True)
random.seed(7)
FAIL = ("fixed memory regions require 632382K which is greater than 616300K available for allocation: "
        "-XX:MaxDirectMemorySize=10M, -XX:MaxMetaspaceSize=120382K, -XX:ReservedCodeCacheSize=240M, -Xss1M * 250 threads")
WORDS = ("INFO DEBUG WARN o.s.b.w.embedded.tomcat.TomcatWebServer request completed status=200 path=/orders/4711 "
         "latency_ms=12 user=alice thread=http-nio-8080-exec-3 cache hit ratio pool active idle").split()
lines = [" ".join(random.choice(WORDS) for _ in range(random.randint(6, 22))) for _ in range(5000)]

def message(i):
    return FAIL if i % 400_000 == 7 else lines[i % len(lines)]

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
