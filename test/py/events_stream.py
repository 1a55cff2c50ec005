"""GET /events against real nodes: the events that blocks, transactions and a chain switch
publish; resuming with Last-Event-ID; a reader that stops reading is dropped (and counted in
/metrics) while the node keeps answering; and a shutdown with many open streams is prompt.

Usage: events_stream.py NODE_BINARY"""
import json
import os
import signal
import socket
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from node_launch import start_node  # noqa: E402

NODE = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="beastchain-events-")
procs = []


def node(*extra):
    proc, url = start_node(NODE, tempfile.mkdtemp(dir=TMP), "--in-memory", *extra)
    procs.append(proc)
    return proc, url


def call(url, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


class Stream:
    """A raw /events connection, read event by event."""

    def __init__(self, url, last_id=None, rcvbuf=None):
        host, port = url.split("//")[1].split(":")
        self.sock = socket.socket()
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.connect((host, int(port)))
        extra = "Last-Event-ID: %s\r\n" % last_id if last_id is not None else ""
        self.sock.sendall(("GET /events HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n%s\r\n"
                           % (host, extra)).encode())
        self.buf = b""

    def head(self, timeout=5):
        self.sock.settimeout(timeout)
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            assert chunk, "closed before the header"
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        return head.decode()

    def event(self, timeout=5):
        """The next event as (id, type, data), skipping comments and the retry hint."""
        self.sock.settimeout(timeout)
        while True:
            while b"\n\n" not in self.buf:
                chunk = self.sock.recv(4096)
                if not chunk:
                    return None
                self.buf += chunk
            frame, self.buf = self.buf.split(b"\n\n", 1)
            fields = {}
            for line in frame.decode().split("\n"):
                if line.startswith(":") or ":" not in line:
                    continue
                k, v = line.split(":", 1)
                fields[k] = v.strip()
            if "event" in fields:
                return fields.get("id"), fields["event"], json.loads(fields["data"])

    def until(self, kind, timeout=5):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            e = self.event(max(0.1, deadline - time.monotonic()))
            assert e is not None, "stream closed waiting for %s" % kind
            if e[1] == kind:
                return e
        raise AssertionError("no %s event in %.1f s" % (kind, timeout))


def metric(url, name):
    status, text = call(url + "/metrics")
    assert status == 200, status
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError("no metric " + name)


def events_follow_blocks_transactions_and_resume():
    _, url = node()
    s = Stream(url)
    head = s.head()
    assert head.startswith("HTTP/1.1 200"), head
    assert "text/event-stream" in head, head
    assert call(url + "/mine")[0] == 200
    ident, _, block = s.until("block")
    assert block["height"] == 1 and block["local"] is True, block
    status, body = call(url + "/create-transaction", {"sender": "a", "recipient": "b", "amount": 2})
    assert status == 201, body
    _, _, tx = s.until("transaction")
    assert tx["transaction"]["transaction_id"] == json.loads(body)["transaction_id"], tx
    assert tx["pending"] == 1, tx
    # A client that comes back with the last id it saw gets what it missed, in order.
    again = Stream(url, last_id=ident)
    again.head()
    _, kind, missed = again.event()
    assert kind == "transaction" and missed == tx, (kind, missed)
    assert metric(url, "beastchain_event_streams") == 2
    # An id from before a restart (another epoch) cannot be placed: the client is told to reset.
    other = Stream(url, last_id="0000000000000000-1")
    other.head()
    assert other.event()[1] == "reset"
    print(json.dumps({"events": "ok"}))


def a_switch_is_one_event():
    _, a = node()
    _, b = node()
    assert call(a + "/mine")[0] == 200
    for _ in range(3):
        assert call(b + "/mine")[0] == 200
    s = Stream(a)
    s.head()
    assert call(a + "/register-node", {"address": b})[0] == 201
    call(a + "/sync-chain")
    _, _, switch = s.until("switch", timeout=10)
    assert switch["fork_height"] == 1 and switch["height"] == 3, switch
    assert switch["hash"] == json.loads(call(b + "/status")[1])["tip_hash"], switch
    print(json.dumps({"switch": "ok"}))


def a_reader_that_stops_reading_is_dropped():
    _, url = node()
    stalled = Stream(url, rcvbuf=4096)  # reads its header, then nothing more
    stalled.head()
    reader = Stream(url)
    reader.head()
    heights = []

    def read_all():
        while True:
            try:
                e = reader.event(timeout=60)
            except OSError:
                return
            if e is None:
                return
            if e[1] == "block":
                heights.append(e[2]["height"])

    t = threading.Thread(target=read_all, daemon=True)
    t.start()
    started = time.monotonic()
    mined = 0
    # Blocks publish ~250-byte events: the stalled socket fills, its write stalls past the
    # node's 10 s write deadline, and the node closes it rather than queue for it.
    while metric(url, "beastchain_event_streams_dropped_total") < 1:
        assert time.monotonic() - started < 60, "the stalled reader was never dropped"
        for _ in range(20):
            assert call(url + "/mine")[0] == 200
            mined += 1
        time.sleep(0.2)
    took = time.monotonic() - started
    assert metric(url, "beastchain_event_streams") == 1  # the reader that reads is still there
    # It got every block, in order, while the stalled one was being dropped.
    deadline = time.monotonic() + 10
    while len(heights) < mined and time.monotonic() < deadline:
        time.sleep(0.05)
    assert heights == list(range(1, mined + 1)), (len(heights), mined)
    # The stalled socket was closed by the node: once its backlog is read, the stream ends.
    stalled.sock.settimeout(10)
    while stalled.sock.recv(65536):
        pass
    print(json.dumps({"stalled_reader_dropped_after_s": round(took, 1), "blocks_published": mined}))


def shutdown_with_open_streams_is_prompt():
    proc, url = node()
    streams = [Stream(url) for _ in range(50)]
    for s in streams:
        s.head()
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=20)
    took = time.monotonic() - started
    assert code == 0, code
    assert took < 5, took
    for s in streams:
        s.sock.settimeout(5)
        while s.sock.recv(65536):
            pass
    print(json.dumps({"shutdown_with_50_streams_s": round(took, 3)}))


try:
    events_follow_blocks_transactions_and_resume()
    a_switch_is_one_event()
    a_reader_that_stops_reading_is_dropped()
    shutdown_with_open_streams_is_prompt()
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
