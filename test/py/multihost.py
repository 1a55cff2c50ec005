#!/usr/bin/python3
"""Five nodes on five hosts: each node runs in its own network namespace with its own address on a
bridge (veth pairs), so peers reach each other by address, not by loopback port. In a line
1-2-3-4-5: transactions to random nodes and blocks from several nodes converge; then node 3's
link is cut (two partitions and an island), both sides mine, the link comes back and everyone
ends on the most-work chain with every acknowledged transaction exactly once.

Needs root and network namespaces (ip netns); exits 77 (ctest: skipped) where the machine does
not allow them. Usage: multihost.py PATH/TO/beastchain-node
"""
import json
import os
import random
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

SKIP = 77
TAG = "bc%d" % (os.getpid() % 100000)
SUBNET = "10.%d.%d" % (100 + os.getpid() % 100, (os.getpid() // 100) % 250)
BRIDGE = TAG + "br"


def sh(*args, check=True):
    return subprocess.run(list(args), check=check, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def ns(i):
    return "%sn%d" % (TAG, i)


def veth(i):
    return "%sv%d" % (TAG, i)


def ip_of(i):
    return "%s.%d" % (SUBNET, i + 1)


def setup(count):
    sh("ip", "link", "add", BRIDGE, "type", "bridge")
    sh("ip", "addr", "add", SUBNET + ".254/24", "dev", BRIDGE)
    sh("ip", "link", "set", BRIDGE, "up")
    for i in range(count):
        sh("ip", "netns", "add", ns(i))
        sh("ip", "link", "add", veth(i), "type", "veth", "peer", "name", veth(i) + "p")
        sh("ip", "link", "set", veth(i) + "p", "netns", ns(i))
        sh("ip", "link", "set", veth(i), "master", BRIDGE)
        sh("ip", "link", "set", veth(i), "up")
        sh("ip", "-n", ns(i), "addr", "add", ip_of(i) + "/24", "dev", veth(i) + "p")
        sh("ip", "-n", ns(i), "link", "set", veth(i) + "p", "up")
        sh("ip", "-n", ns(i), "link", "set", "lo", "up")


def teardown(count):
    for i in range(count):
        sh("ip", "netns", "del", ns(i), check=False)
        sh("ip", "link", "del", veth(i), check=False)
    sh("ip", "link", "del", BRIDGE, check=False)


TOKEN = "multihost-operator-token-%d" % os.getpid()


def call(url, body=None, timeout=30):
    # The test drives the nodes from the host, another address: operator routes need the token.
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": "Bearer " + TOKEN}
    if data:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read())


def wait_for(what, predicate, seconds=30, urls=()):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if predicate():
                return
        except OSError:
            pass
        time.sleep(0.05)
    for u in urls:  # what each node holds, so a failure in CI says which rule kept them apart
        try:
            st = call(u + "/status")
            print(u, "height", st["height"], "work", st["cumulative_work"], "tip", st["tip_hash"][:16],
                  "peers", [(p["address"], p["state"], p["last_error"]) for p in call(u + "/nodes")["nodes"]])
        except (OSError, KeyError, ValueError) as e:
            print(u, "status failed:", e)
    raise AssertionError("timed out waiting for " + what)


def main():
    binary = sys.argv[1]
    if os.geteuid() != 0 or shutil.which("ip") is None:
        print("SKIP: needs root and iproute2")
        return SKIP
    count = 5
    try:
        setup(count)
    except subprocess.CalledProcessError as e:
        teardown(count)
        print("SKIP: network namespaces unavailable: " + (e.stderr or "").strip())
        return SKIP
    procs = []
    token_file = "/tmp/%s.token" % TAG
    with open(token_file, "w") as f:
        f.write(TOKEN + "\n")
    try:
        # Anonymous calls from another host are refused on operator routes, and open elsewhere.
        urls = []
        for i in range(count):
            procs.append(subprocess.Popen(
                ["ip", "netns", "exec", ns(i), binary, "-H", ip_of(i), "-p", "5000", "--in-memory",
                 "--difficulty", "12", "--miner-threads", "1", "--sync-interval", "1",
                 "--peer-connect-timeout-ms", "500", "--peer-response-timeout-ms", "2000", "--log-level", "warning",
                 "--auth-token-file", token_file],
                stdout=subprocess.DEVNULL))
            urls.append("http://%s:5000" % ip_of(i))
        for u in urls:
            wait_for(u + " to serve", lambda u=u: call(u + "/health")["status"] == "ok")
        try:
            urllib.request.urlopen(urls[0] + "/nodes", timeout=10)
            raise AssertionError("/nodes answered without the token")
        except urllib.error.HTTPError as e:
            assert e.code == 401 and "Bearer" in e.headers["WWW-Authenticate"], e
        for i in range(count - 1):
            call(urls[i] + "/register-node", {"address": urls[i + 1]})
        # Each node was told its neighbour's address and announced its own (a non-loopback one).
        # Announcements are sent in the background (and retried by the background sync), so a
        # node may hear of its left neighbour a moment after the registrations return.
        wait_for("node 3 to know both neighbours", lambda: call(urls[2] + "/nodes")["node_count"] == 2)
        assert call(urls[0] + "/status")["advertise_url"] == urls[0]

        rng = random.Random(7)
        acked = []
        for round_ in range(4):
            for k in range(5):
                r = call(urls[rng.randrange(count)] + "/create-transaction",
                         {"sender": "s%d" % round_, "recipient": "r%d" % k, "amount": k + 1})
                acked.append(r["transaction_id"])
            call(urls[[0, 4, 2, 1][round_]] + "/mine")
        # The last block may have been mined before its miner heard its neighbour's block of the
        # same height: two tips of equal work, each node keeping the one it saw first, as in any
        # most-work chain. Once every node holds a tip of the top height, the next block breaks
        # the tie (the line must then agree); the test mines it rather than fail on a real race.
        status = lambda u: call(u + "/status")
        tip = lambda u: status(u)["tip_hash"]
        wait_for("every node to reach the top height",
                 lambda: len({status(u)["cumulative_work"] for u in urls}) == 1, urls=urls)
        if len({tip(u) for u in urls}) > 1:
            print("equal-work tips after the last round; mining one block to break the tie")
            call(urls[0] + "/mine")
        wait_for("the line to converge", lambda: len({tip(u) for u in urls}) == 1, urls=urls)

        # Cut node 3 off: {1,2} and {4,5} mine apart; {1,2} mines more.
        sh("ip", "link", "set", veth(2), "down")
        # Each left block reaches the other left node before the next is mined: two blocks of one
        # height mined on either side of the link would be the equal-work tie above.
        for u in (urls[0], urls[1], urls[0]):
            acked.append(call(u + "/create-transaction", {"sender": "left", "recipient": "x", "amount": 1})["transaction_id"])
            call(u + "/mine")
            wait_for("the left side to agree", lambda: tip(urls[0]) == tip(urls[1]), urls=urls[:2])
        acked.append(call(urls[4] + "/create-transaction", {"sender": "right", "recipient": "y", "amount": 1})["transaction_id"])
        call(urls[4] + "/mine")
        left_tip = tip(urls[0])
        assert tip(urls[4]) != left_tip
        sh("ip", "link", "set", veth(2), "up")
        wait_for("the partition to heal", lambda: all(tip(u) == left_tip for u in urls), seconds=60, urls=urls)

        # Drain every pool, then count.
        for _ in range(20):
            pending = [u for u in urls if call(u + "/status")["pending_transactions"] > 0]
            if not pending:
                break
            call(pending[0] + "/mine")
            wait_for("convergence after draining", lambda: len({tip(u) for u in urls}) == 1)
        chains = [call(u + "/chain")["chain"] for u in urls]
        assert all(c == chains[0] for c in chains), "chains differ"
        seen = {}
        for b in chains[0]:
            for tx in b["transactions"]:
                seen[tx["transaction_id"]] = seen.get(tx["transaction_id"], 0) + 1
        missing = [t for t in acked if seen.get(t, 0) == 0]
        doubled = [t for t in acked if seen.get(t, 0) > 1]
        print(json.dumps({"multihost": "ok" if not missing and not doubled else "FAILED",
                          "acknowledged": len(acked), "missing": len(missing), "duplicated": len(doubled),
                          "height": len(chains[0]) - 1}))
        return 0 if not missing and not doubled else 1
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        teardown(count)
        os.unlink(token_file)


if __name__ == "__main__":
    sys.exit(main())
