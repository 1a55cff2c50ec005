#!/usr/bin/python3
"""Peer-network measurements for docs/performance.md: catching up N blocks from a peer (time, bytes,
requests) next to the tutorial's full-chain download of the same chain, the cost of a sync that
finds nothing new, and how long a block takes to reach the far end of a line of five nodes.

Usage: bench/network.py BUILD_DIR [--blocks 1000,10000] [--propagation-runs 15]
Real processes on loopback; nothing is mocked. Prints one table per measurement.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def http(url, data=None):
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"} if data else {})
    with urllib.request.urlopen(req, timeout=600) as r:
        return r.status, r.read()


def get_json(url):
    return json.loads(http(url)[1])


def metric(base, name):
    text = http(base + "/metrics")[1].decode()
    m = re.search(r"^" + name + r" (\S+)$", text, re.M)
    return float(m.group(1)) if m else 0.0


class Node:
    def __init__(self, binary, *args):
        self.proc = subprocess.Popen([binary, "-p", "0", "--log-level", "warning", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for line in self.proc.stdout:
            m = re.search(r"Running on (http://\S+?)/", line)
            if m:
                self.url = m.group(1)
                return
        raise RuntimeError("node did not start: " + " ".join(args))

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def catch_up(build, tmp, blocks):
    src = os.path.join(tmp, "src-%d" % blocks)
    subprocess.run([os.path.join(build, "beastchain-gen-chain"), "--data-dir", src, "--blocks", str(blocks),
                    "--transactions-per-block", "1", "--difficulty", "8"], check=True, stdout=subprocess.DEVNULL)
    flags = ["--difficulty", "8", "--sync-interval", "0"]
    a = Node(os.path.join(build, "beastchain-node"), "--data-dir", src, *flags)
    b = Node(os.path.join(build, "beastchain-node"), "--in-memory", *flags)
    try:
        # The tutorial's sync: every call downloads every peer's whole chain.
        full = []
        for _ in range(3):
            t0 = time.perf_counter()
            _, body = http(a.url + "/chain")
            full.append((time.perf_counter() - t0, len(body)))
        # A new link syncs by itself: the catch-up runs from the registration until B's height is
        # A's (polled every millisecond; /sync-chain is no longer needed for it).
        t0 = time.perf_counter()
        http(b.url + "/register-node", json.dumps({"address": a.url}).encode())
        while get_json(b.url + "/status")["height"] < blocks:
            time.sleep(0.001)
        took = time.perf_counter() - t0
        caught_bytes = metric(b.url, "beastchain_sync_received_bytes_total")
        caught_reqs = metric(b.url, "beastchain_sync_requests_total")
        idle = []
        for _ in range(5):
            before_b = metric(b.url, "beastchain_sync_received_bytes_total")
            before_r = metric(b.url, "beastchain_sync_requests_total")
            t0 = time.perf_counter()
            reply = json.loads(http(b.url + "/sync-chain")[1])
            idle.append((time.perf_counter() - t0,
                         metric(b.url, "beastchain_sync_received_bytes_total") - before_b,
                         metric(b.url, "beastchain_sync_requests_total") - before_r))
            assert reply["message"] == "Chain is already up to date", reply["message"]
        return {
            "blocks": blocks,
            "catch_up_s": took, "catch_up_bytes": caught_bytes, "catch_up_requests": caught_reqs,
            "full_chain_s": statistics.median(t for t, _ in full), "full_chain_bytes": full[0][1],
            "idle_s": statistics.median(t for t, _, _ in idle), "idle_bytes": statistics.median(b for _, b, _ in idle),
            "idle_requests": statistics.median(r for _, _, r in idle),
        }
    finally:
        a.stop()
        b.stop()


def seed_sync(seed, blocks):
    """The tutorial's sync on its own node (seed_node.py): every call downloads the whole chain."""
    procs, urls = [], []
    try:
        for port in (5901, 5902):
            procs.append(subprocess.Popen(["/usr/bin/python3", seed, "-p", str(port)],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            urls.append("http://127.0.0.1:%d" % port)
        for u in urls:
            for _ in range(100):
                try:
                    http(u + "/chain")
                    break
                except OSError:
                    time.sleep(0.05)
        for i in range(blocks):
            if i % 10 == 0:  # the tutorial's blocks carry transactions too
                http(urls[0] + "/create-transaction",
                     json.dumps({"sender": "a", "recipient": "b", "amount": 1}).encode())
            http(urls[0] + "/mine")
        http(urls[1] + "/register-node", json.dumps({"address": urls[0]}).encode())
        size = len(http(urls[0] + "/chain")[1])
        t0 = time.perf_counter()
        first = json.loads(http(urls[1] + "/sync-chain")[1])
        catch = time.perf_counter() - t0
        assert first["message"] == "Chain was replaced", first["message"]
        idle = []
        for _ in range(3):
            t0 = time.perf_counter()
            reply = json.loads(http(urls[1] + "/sync-chain")[1])
            idle.append(time.perf_counter() - t0)
            assert reply["message"] == "Chain is already up to date"
        return catch, size, statistics.median(idle)
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=10)


def propagation(build, runs):
    nodes = [Node(os.path.join(build, "beastchain-node"), "--in-memory", "--difficulty", "12",
                  "--miner-threads", "1", "--sync-interval", "0") for _ in range(5)]
    try:
        for i in range(4):
            http(nodes[i].url + "/register-node", json.dumps({"address": nodes[i + 1].url}).encode())
        times = []
        for _ in range(runs):
            mined = json.loads(http(nodes[0].url + "/mine")[1])["block_data"]["hash"]
            t0 = time.perf_counter()
            while any(get_json(n.url + "/status")["tip_hash"] != mined for n in nodes[1:]):
                if time.perf_counter() - t0 > 10:
                    raise RuntimeError("block did not reach every node")
            times.append((time.perf_counter() - t0) * 1000)
        return times
    finally:
        for n in nodes:
            n.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--blocks", default="1000,10000")
    ap.add_argument("--propagation-runs", type=int, default=15)
    ap.add_argument("--seed", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                   "..", "..", "shared", "anchors", "seed_node.py"),
                    help="the tutorial's node, for the same-run reference (skipped if missing)")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="beastchain-network-bench-")
    try:
        print("| chain | incremental catch-up | requests | bytes | tutorial full /chain (per peer, per sync) | "
              "up-to-date sync: bytes, requests, time |")
        print("|---|---|---|---|---|---|")
        for n in [int(x) for x in args.blocks.split(",")]:
            r = catch_up(args.build, tmp, n)
            print("| %d blocks | %.2f s | %d | %s | %.3f s, %s | %d B, %d, %.1f ms |" % (
                r["blocks"], r["catch_up_s"], r["catch_up_requests"], "{:,}".format(int(r["catch_up_bytes"])),
                r["full_chain_s"], "{:,} B".format(r["full_chain_bytes"]), r["idle_bytes"], r["idle_requests"],
                r["idle_s"] * 1000))
        if os.path.exists(args.seed):
            print("\nThe tutorial's node (seed_node.py), same chain lengths, 2 nodes:\n")
            print("| chain | first /sync-chain (downloads everything) | bytes per sync | up-to-date /sync-chain |")
            print("|---|---|---|---|")
            for n in [int(x) for x in args.blocks.split(",")]:
                catch, size, idle = seed_sync(args.seed, n)
                print("| %d blocks | %.2f s | %s | %.0f ms, %s B again |" % (n, catch, "{:,}".format(size), idle * 1000,
                                                                        "{:,}".format(size)))
        t = propagation(args.build, args.propagation_runs)
        print("\nblock from node 1 to all of nodes 2-5 (line of five, %d blocks): median %.1f ms, max %.1f ms"
              % (len(t), statistics.median(t), max(t)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
