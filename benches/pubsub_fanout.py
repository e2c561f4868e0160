"""PUBLISH fan-out: 1 publisher, SUBSCRIBERS subscribers, 64-byte messages.

    python3 benches/pubsub_fanout.py PORT [MESSAGES] [SUBSCRIBERS]

Subscribes SUBSCRIBERS raw sockets to one channel, runs redis-benchmark as the one
publisher (1 client, pipeline 16), and reads every subscriber socket until each has
received every message. Prints messages delivered per second (MESSAGES x SUBSCRIBERS
over the time from the first publish to the last delivery). benches/compare.sh runs it
against redis-server and DiskDB in the same run.
"""
import selectors
import socket
import subprocess
import sys
import time

port = int(sys.argv[1])
messages = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
subscribers = int(sys.argv[3]) if len(sys.argv) > 3 else 50
channel = b"bench:fanout"
payload = b"x" * 64

frame = b"*3\r\n$7\r\nmessage\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(channel), channel, len(payload), payload)
confirm = b"*3\r\n$9\r\nsubscribe\r\n$%d\r\n%s\r\n:1\r\n" % (len(channel), channel)
want = len(confirm) + len(frame) * messages

sel = selectors.DefaultSelector()
got = {}
for _ in range(subscribers):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$%d\r\n%s\r\n" % (len(channel), channel))
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
    got[s] = 0

# Every subscription is in place before the first publish.
deadline = time.time() + 10
while any(n < len(confirm) for n in got.values()) and time.time() < deadline:
    for key, _ in sel.select(timeout=0.1):
        got[key.fileobj] += len(key.fileobj.recv(1 << 20))

start = time.time()
publisher = subprocess.Popen(
    ["redis-benchmark", "-p", str(port), "-c", "1", "-P", "16", "-n", str(messages), "-q",
     "PUBLISH", channel.decode(), payload.decode()],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
pending = set(got)
deadline = time.time() + 300
while pending and time.time() < deadline:
    for key, _ in sel.select(timeout=0.5):
        s = key.fileobj
        data = s.recv(1 << 20)
        got[s] += len(data)
        if got[s] >= want or not data:
            sel.unregister(s)
            pending.discard(s)
elapsed = time.time() - start
publisher.wait()
delivered = sum(min(n, want) - len(confirm) for n in got.values()) // len(frame)
print(int(delivered / elapsed))
