#!/usr/bin/python3
"""beastchain-bench --verify end to end: no loss against real nodes (one, and two peered nodes
taking load together), and a verdict of loss against fake nodes that drop or duplicate what they
acknowledged. Usage: bench_verify.py PATH/TO/beastchain-bench PATH/TO/beastchain-node
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from node_launch import start_node


# One miner thread and no access log: two nodes share two cores with the load tool.
QUIET = ("--miner-threads", "1", "--access-log", "false")


def bench(binary, out_json, *args):
    r = subprocess.run([binary, "--progress", "false", "--json", out_json, *args], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=300)
    print(r.stdout)
    with open(out_json) as f:
        return r.returncode, json.load(f)


class FakeNode(BaseHTTPRequestHandler):
    """Acknowledges every transaction with a fresh id; its chain then drops or doubles them, or
    (reorg) holds each exactly once but switches chains between two pages of the tool's read."""
    mode = "drop"
    acked = []
    switched = False
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        tx = uuid.uuid4().hex
        with FakeNode.lock:
            FakeNode.acked.append(tx)
        self.reply(201, {"block_index": 1, "message": "Transaction has been submitted successfully",
                         "transaction_id": tx})

    def do_GET(self):
        if self.path.startswith("/status"):
            self.reply(200, {"pending_transactions": 0})
        elif self.path.startswith("/blocks"):
            start = int(re.search(r"from=(\d+)", self.path).group(1))
            with FakeNode.lock:
                ids = list(FakeNode.acked)
            if FakeNode.mode == "reorg":
                self.reply(200, {"blocks": self.reorg_page(start, ids), "from": start, "height": 2})
                return
            if FakeNode.mode == "drop":
                ids = ids[: len(ids) // 2]  # half of what it acknowledged never lands
            else:
                ids = ids + ids[:3]  # three land twice
            txs = [{"transaction_id": i, "sender": "a", "recipient": "b", "amount": 1} for i in ids]
            block = {"index": 1, "hash": "x1", "previous_hash": "g", "transactions": txs}
            blocks = [block] if start == 0 else []
            self.reply(200, {"blocks": blocks, "from": start, "height": 1})
        else:
            self.reply(404, {"error": "not_found"})

    @staticmethod
    def reorg_page(start, ids):
        """One block per page. The old chain holds every id in block 1; once that page is served,
        the node has switched to a longer chain that holds them in block 2 instead."""
        txs = [{"transaction_id": i, "sender": "a", "recipient": "b", "amount": 1} for i in ids]
        genesis = {"index": 0, "hash": "g", "previous_hash": 0, "transactions": []}
        old = [genesis, {"index": 1, "hash": "a1", "previous_hash": "g", "transactions": txs}]
        new = [genesis, {"index": 1, "hash": "b1", "previous_hash": "g", "transactions": []},
               {"index": 2, "hash": "b2", "previous_hash": "b1", "transactions": txs}]
        with FakeNode.lock:
            chain = new if FakeNode.switched else old
            if start == 1:
                FakeNode.switched = True
        return chain[start:start + 1]


def fake_run(bench_bin, tmp, mode):
    FakeNode.mode, FakeNode.acked, FakeNode.switched = mode, [], False
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNode)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = "http://127.0.0.1:%d" % server.server_address[1]
        return bench(bench_bin, os.path.join(tmp, mode + ".json"), "--target", url, "-c", "4", "--count", "200",
                     "--verify")
    finally:
        server.shutdown()


def main():
    bench_bin, node_bin = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="beastchain-bench-verify-")
    procs = []
    try:
        # One durable node, a few thousand transactions over 16 connections.
        p, url = start_node(node_bin, os.path.join(tmp, "a"), *QUIET)
        procs.append(p)
        rc, res = bench(bench_bin, os.path.join(tmp, "one.json"), "--target", url, "-c", "16", "--count", "3000",
                        "--verify")
        v = res["verify"]
        assert rc == 0, rc
        assert v["passed"] and v["missing"] == 0 and v["duplicated"] == 0, v
        assert v["acknowledged"] == 3000 == res["routes"]["POST /create-transaction"]["ok"], (v, res["routes"])

        # Two peered nodes sharing the load: each one's acknowledgements must be in its chain, with
        # blocks mined on either spreading to the other. The mixed scenario mines while posting.
        p2, url2 = start_node(node_bin, os.path.join(tmp, "b"), *QUIET, "--peer", url)
        procs.append(p2)
        rc, res = bench(bench_bin, os.path.join(tmp, "two.json"), "--target", url, "--target", url2,
                        "-c", "8", "--duration", "2", "--scenario", "mixed", "--verify")
        assert rc == 0, rc
        assert res["verify"]["passed"] and res["verify"]["acknowledged"] > 0, res["verify"]

        # The tool must notice loss and duplication, and say so in its exit code.
        rc, res = fake_run(bench_bin, tmp, "drop")
        assert rc == 1, rc
        assert res["verify"]["missing"] == 100 and not res["verify"]["passed"], res["verify"]
        rc, res = fake_run(bench_bin, tmp, "duplicate")
        assert rc == 1, rc
        assert res["verify"]["duplicated"] == 3 and res["verify"]["missing"] == 0, res["verify"]
        # A chain switch between pages of the read is not a duplicate: the tool reads again.
        rc, res = fake_run(bench_bin, tmp, "reorg")
        assert rc == 0, rc
        assert res["verify"]["exactly_once"] == 200 and res["verify"]["duplicated"] == 0, res["verify"]
        print(json.dumps({"bench_verify": "ok"}))
        return 0
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
