#!/usr/bin/python3
"""A/B of a 10,000-block catch-up between two builds, in one session, for docs/performance.md.

Usage: bench/sync_ab.py OLD_BUILD NEW_BUILD [--blocks N] [--runs 5] [--old-needs-sync]
Each build writes its own N-block chain with its beastchain-gen-chain and serves it from node A;
RUNS empty nodes B in turn register A, and the time runs until B's /status shows height N (polled
every millisecond). --old-needs-sync: the old build does not sync on a new link, so B also calls
/sync-chain (its reply, the whole chain, is inside the time). Real processes on loopback.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import network as nw  # noqa: E402


def run(build, blocks, runs, needs_sync):
    tmp = tempfile.mkdtemp()
    src = os.path.join(tmp, "src")
    subprocess.run([os.path.join(build, "beastchain-gen-chain"), "--data-dir", src, "--blocks", str(blocks),
                    "--transactions-per-block", "1", "--difficulty", "8"], check=True, stdout=subprocess.DEVNULL)
    flags = ["--difficulty", "8", "--sync-interval", "0"]
    a = nw.Node(os.path.join(build, "beastchain-node"), "--data-dir", src, *flags)
    out = []
    try:
        for _ in range(runs):
            b = nw.Node(os.path.join(build, "beastchain-node"), "--in-memory", *flags)
            try:
                t0 = time.perf_counter()
                nw.http(b.url + "/register-node", json.dumps({"address": a.url}).encode())
                if needs_sync:
                    nw.http(b.url + "/sync-chain")
                while nw.get_json(b.url + "/status")["height"] < blocks:
                    time.sleep(0.001)
                out.append((time.perf_counter() - t0, nw.metric(b.url, "beastchain_sync_requests_total"),
                            nw.metric(b.url, "beastchain_sync_received_bytes_total")))
            finally:
                b.stop()
    finally:
        a.stop()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--blocks", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--old-needs-sync", action="store_true")
    args = ap.parse_args()
    for name, build, needs_sync in (("old", args.old, args.old_needs_sync), ("new", args.new, False)):
        r = run(build, args.blocks, args.runs, needs_sync)
        print("%s (%s): first (cold caches) %.3f s; median of the rest %.3f s; %d requests; %d bytes" % (
            name, build, r[0][0], statistics.median(t for t, _, _ in r[1:]), r[0][1], r[0][2]))


if __name__ == "__main__":
    main()
