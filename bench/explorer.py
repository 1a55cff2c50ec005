"""The explorer's figures (docs/performance.md, "The explorer"), all from one run:

1. page weight: the page and its assets, as served;
2. first render: navigation start to a drawn dashboard in headless chromium, over a chain of
   BLOCKS blocks of TXS transactions (the median of RENDERS loads);
3. /chain p99 with beastchain-bench (8 connections, DURATION s) while blocks are mined (one per
   MINE_EVERY s) and transactions posted (POST_RATE/s), first with no event stream open, then
   with STREAMS open and read, in the same run (ROUNDS rounds of each, alternated; medians);
4. events delivered per second to those streams meanwhile.

Usage: python3 bench/explorer.py BUILD_DIR   (env: BLOCKS=1000 TXS=10 STREAMS=100 ROUNDS=5 MINE_EVERY=0.5 POST_RATE=100
DURATION=10 RENDERS=10 PORT=5901)"""
import json
import os
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
BLOCKS, TXS = int(os.environ.get("BLOCKS", 1000)), int(os.environ.get("TXS", 10))
STREAMS, ROUNDS = int(os.environ.get("STREAMS", 100)), int(os.environ.get("ROUNDS", 5))
DURATION, RENDERS = int(os.environ.get("DURATION", 10)), int(os.environ.get("RENDERS", 10))
PORT = int(os.environ.get("PORT", 5901))
URL = "http://127.0.0.1:%d" % PORT


def get(path):
    with urllib.request.urlopen(URL + path, timeout=30) as r:
        return r.read()


class Readers:
    """STREAMS /events connections read by one thread with a selector; counts events."""

    def __init__(self, n):
        self.events = 0
        self.closed = 0
        self.stop = False
        self.sel = selectors.DefaultSelector()
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", PORT))
            s.sendall(b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            s.setblocking(False)
            self.sel.register(s, selectors.EVENT_READ)
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            for key, _ in self.sel.select(timeout=0.2):
                try:
                    data = key.fileobj.recv(262144)
                except BlockingIOError:
                    continue
                if not data:
                    self.sel.unregister(key.fileobj)
                    self.closed += 1
                    continue
                self.events += data.count(b"\nevent: ")

    def close(self):
        self.stop = True
        self.thread.join()
        for key in list(self.sel.get_map().values()):
            key.fileobj.close()


class Miner:
    """Calls /mine every `every` seconds from a thread: blocks at a steady, modest rate."""

    def __init__(self, every):
        self.every, self.blocks, self.done = every, 0, False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.done:
            get("/mine")
            self.blocks += 1
            time.sleep(self.every)

    def stop(self):
        self.done = True
        self.thread.join()


def chain_p99(scratch, name):
    out = os.path.join(scratch, name + ".json")
    subprocess.run([os.path.join(BUILD, "beastchain-bench"), "--target", URL, "--scenario", "chain",
                    "-c", "8", "-d", str(DURATION), "--json", out, "--progress", "false"],
                   check=True, stdout=subprocess.DEVNULL)
    with open(out) as f:
        r = json.load(f)
    route = r["routes"]["GET /chain"] if "GET /chain" in r["routes"] else next(iter(r["routes"].values()))
    return route["latency_ms"]["p99"]


def first_render():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    opts = Options()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        opts.add_argument(a)
    opts.binary_location = "/usr/bin/chromium"
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    times = []
    try:
        for _ in range(RENDERS + 1):  # the first load warms the browser's own caches: not counted
            d.get(URL + "/explorer")
            t = None
            for _ in range(200):
                t = d.execute_script(
                    "const e = performance.getEntriesByName('beastchain:dashboard'); return e.length ? e[0].startTime : null;")
                if t is not None:
                    break
                time.sleep(0.025)
            times.append(t)
    finally:
        d.quit()
    return times[1:]


def main():
    scratch = tempfile.mkdtemp(prefix="beastchain-explorer-bench-")
    data = os.path.join(scratch, "data")
    subprocess.run([os.path.join(BUILD, "beastchain-gen-chain"), "--data-dir", data, "--blocks", str(BLOCKS),
                    "--transactions-per-block", str(TXS), "--difficulty", "16"], check=True, stdout=subprocess.DEVNULL)
    node = subprocess.Popen([os.path.join(BUILD, "beastchain-node"), "-p", str(PORT), "--data-dir", data,
                             "--difficulty", "16", "--log-level", "warning", "--access-log", "false",
                             "--max-pending", "5000000"], stdout=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                get("/health")
                break
            except OSError:
                time.sleep(0.05)
        result = {"blocks": BLOCKS, "transactions_per_block": TXS, "streams": STREAMS}
        weight = sum(len(get(p)) for p in ("/explorer", "/explorer/assets/lib.js", "/explorer/assets/app.js",
                                           "/explorer/assets/app.css", "/explorer/assets/icon.svg"))
        result["page_weight_bytes"] = weight
        renders = first_render()
        result["first_render_ms"] = {"median": round(statistics.median(renders), 1),
                                     "runs": [round(t, 1) for t in renders]}
        # From here on a block is mined every MINE_EVERY s and transactions are posted at POST_RATE/s
        # in both halves, so the only difference between them is the open streams.
        miner = Miner(float(os.environ.get("MINE_EVERY", 0.5)))
        poster = subprocess.Popen([os.path.join(BUILD, "beastchain-bench"), "--target", URL, "--scenario", "transactions",
                                   "-c", "4", "-r", os.environ.get("POST_RATE", "100"), "-d", "100000",
                                   "--progress", "false"], stdout=subprocess.DEVNULL)
        without, with_streams, rates = [], [], []
        try:
            for _ in range(ROUNDS):
                without.append(chain_p99(scratch, "without"))
                readers = Readers(STREAMS)
                time.sleep(1)
                start, first = time.monotonic(), readers.events
                with_streams.append(chain_p99(scratch, "with"))
                rates.append((readers.events - first) / (time.monotonic() - start))
                assert readers.closed == 0, "%d streams were closed" % readers.closed
                readers.close()
        finally:
            poster.terminate()
            poster.wait()
            miner.stop()
        result["mined_blocks"] = miner.blocks
        result["chain_p99_ms_without_streams"] = {"median": statistics.median(without), "runs": without}
        result["chain_p99_ms_with_streams"] = {"median": statistics.median(with_streams), "runs": with_streams}
        result["chain_p99_ratio"] = round(statistics.median(with_streams) / statistics.median(without), 2)
        result["chain_p99_ratio_per_round"] = [round(w / o, 2) for w, o in zip(with_streams, without)]
        result["events_delivered_per_s"] = {"median": round(statistics.median(rates)),
                                            "runs": [round(r) for r in rates]}
        print(json.dumps(result, indent=1))
    finally:
        node.terminate()
        node.wait()
        subprocess.run(["rm", "-rf", scratch])


main()
