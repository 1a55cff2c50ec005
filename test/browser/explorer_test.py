"""The explorer in a real browser: Debian's headless chromium, driven by chromium-driver through
python3-selenium, against real beastchain-node processes on loopback.

Usage: explorer_test.py NODE_BINARY WALLET_BINARY ARTIFACT_DIR
Saves a screenshot of every page it visits in ARTIFACT_DIR. Exits 77 (skipped) when chromium or
chromedriver is missing, so a machine without them reports the suite as skipped, not passed."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "py"))
from node_launch import start_node  # noqa: E402

NODE, WALLET, ARTIFACTS = sys.argv[1:4] if len(sys.argv) >= 4 else (None, None, None)
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def call(url, body=None, method=None):
    """(status, parsed JSON) of one request."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def wait_for(predicate, timeout, what):
    """Polls `predicate` until it is truthy; fails naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as e:  # the page may be mid-redraw: an element went stale
            last = e
        time.sleep(0.05)
    raise AssertionError("timed out after %.1f s waiting for %s (last: %r)" % (timeout, what, last))


class Explorer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service

        cls.tmp = tempfile.mkdtemp(prefix="beastchain-browser-")
        cls.procs = []
        opts = Options()
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--window-size=1280,1000", "--no-first-run", "--disable-extensions"):
            opts.add_argument(arg)
        opts.binary_location = CHROMIUM
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        cls.browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
        cls.browser.set_page_load_timeout(30)
        os.makedirs(ARTIFACTS, exist_ok=True)

    @classmethod
    def tearDownClass(cls):
        cls.browser.quit()
        for p in cls.procs:
            p.terminate()
        for p in cls.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # ---- helpers -------------------------------------------------------------------------

    def node(self, *extra):
        proc, url = start_node(NODE, tempfile.mkdtemp(dir=self.tmp), *extra)
        self.procs.append(proc)
        return url

    def open(self, url):
        self.browser.get(url)
        # Each page load starts a fresh console; reading the log also clears it.
        return self.browser

    def text(self, css):
        from selenium.webdriver.common.by import By
        return self.browser.find_element(By.CSS_SELECTOR, css).text

    def present(self, css):
        from selenium.webdriver.common.by import By
        return len(self.browser.find_elements(By.CSS_SELECTOR, css)) > 0

    def shot(self, name):
        self.browser.save_screenshot(os.path.join(ARTIFACTS, name + ".png"))

    def console_errors(self, allow=()):
        """SEVERE console entries, except network ones matching a pattern in `allow`."""
        out = []
        for e in self.browser.get_log("browser"):
            if e["level"] != "SEVERE":
                continue
            if any(re.search(p, e["message"]) for p in allow):
                continue
            out.append(e["message"])
        return out

    def search(self, q):
        from selenium.webdriver.common.by import By
        box = self.browser.find_element(By.ID, "q")
        box.clear()
        box.send_keys(q)
        self.browser.find_element(By.CSS_SELECTOR, "#search button").click()

    # ---- tests ---------------------------------------------------------------------------

    def test_dashboard_shows_the_height_and_a_mined_block_appears_without_a_reload(self):
        url = self.node("--in-memory")
        for _ in range(2):
            self.assertEqual(call(url + "/mine")[0], 200)
        self.open(url + "/")  # the browser asks for HTML at /, the page it gets is the explorer
        wait_for(lambda: self.text("#height") == "2", 5, "the dashboard to show height 2")
        self.assertEqual(self.text("#chain-name"), "tutorial")
        wait_for(lambda: self.text("#live") == "live", 5, "the event stream to connect")
        self.shot("dashboard")
        self.browser.execute_script("window.__same_page = true;")
        self.assertEqual(call(url + "/mine")[0], 200)
        started = time.monotonic()
        wait_for(lambda: self.text("#height") == "3", 2, "block 3 on the open page within 2 s")
        print(json.dumps({"mined_block_shown_after_s": round(time.monotonic() - started, 3)}))
        self.assertTrue(self.browser.execute_script("return window.__same_page === true;"),
                        "the page reloaded instead of updating")
        wait_for(lambda: self.present('#latest-blocks tr[data-height="3"]'), 2, "block 3 in the list")
        # The charts are SVG drawn by the page itself.
        for chart in ("chart-interval", "chart-difficulty", "chart-transactions"):
            self.assertTrue(self.present("svg#" + chart), chart)
        # A transaction shows on the open dashboard as it is accepted.
        status, made = call(url + "/create-transaction", {"sender": "ann", "recipient": "ben", "amount": 4})
        self.assertEqual(status, 201)
        wait_for(lambda: self.present('#latest-transactions tr[data-id="%s"]' % made["transaction_id"]), 2,
                 "the new transaction on the dashboard")
        wait_for(lambda: self.text("#pending") == "1", 2, "the pending count")
        self.assertEqual(self.console_errors(), [])

    def test_search_finds_heights_hashes_transactions_and_addresses(self):
        url = self.node("--in-memory")
        status, made = call(url + "/create-transaction", {"sender": "Alice Smith", "recipient": "bob", "amount": 9})
        self.assertEqual(status, 201)
        self.assertEqual(call(url + "/mine")[0], 200)
        tx_id, block_hash = made["transaction_id"], call(url + "/blocks/1")[1]["hash"]
        self.open(url + "/explorer")
        wait_for(lambda: self.text("#height") == "1", 5, "the dashboard")

        self.search("1")
        wait_for(lambda: self.browser.current_url.endswith("/explorer/block/1"), 5, "the block page by height")
        wait_for(lambda: self.text("#block-hash") == block_hash, 5, "block 1's hash")
        self.shot("block")
        self.assertEqual(self.console_errors(), [])

        self.search(block_hash)
        wait_for(lambda: self.browser.current_url.endswith("/explorer/block/1"), 5, "the block page by hash")
        wait_for(lambda: self.text("#block-height") == "1", 5, "block 1 by its hash")

        self.search(tx_id)
        wait_for(lambda: self.browser.current_url.endswith("/explorer/tx/" + tx_id), 5, "the transaction page")
        wait_for(lambda: self.text("#tx-status") == "confirmed", 5, "the transaction's status")
        self.assertEqual(self.text("#tx-confirmations"), "1")
        self.shot("transaction")
        self.assertEqual(self.console_errors(), [])

        self.search("Alice Smith")
        wait_for(lambda: "/explorer/address/Alice%20Smith" in self.browser.current_url, 5, "the address page")
        wait_for(lambda: self.text("#address") == "Alice Smith", 5, "the address")
        self.assertEqual(self.text("#sent"), "9")
        self.assertEqual(self.text("#tx-count"), "1")
        # The open chain has no balances, and the page says so.
        self.assertIn("keeps no balances", self.text("#no-balances"))
        self.shot("address-open-chain")
        self.assertEqual(self.console_errors(), [])

        self.search("no-such-thing-anywhere")
        wait_for(lambda: self.present("#not-found"), 5, "nothing found")
        self.assertIn("Nothing found", self.text("#not-found"))
        self.assertEqual(self.console_errors(), [])

    def test_a_bad_id_shows_not_found(self):
        url = self.node("--in-memory")
        for path, what in (("/explorer/block/99", "Block not found"),
                           ("/explorer/block/" + "ab" * 32, "Block not found"),
                           ("/explorer/tx/" + "cd" * 32, "Transaction not found"),
                           ("/explorer/tx/nope", "Transaction not found")):
            self.open(url + path)
            wait_for(lambda: self.present("#not-found"), 5, "not found on " + path)
            self.assertIn(what, self.text("#not-found h1"))
            # The API's own 404 shows as a failed resource; nothing else may be in the console.
            self.assertEqual(self.console_errors(allow=(r"status of 40[04]",)), [], path)
        self.shot("not-found")

    def test_mempool_page_updates_live(self):
        url = self.node("--in-memory")
        self.open(url + "/explorer/mempool")
        wait_for(lambda: self.text("#mempool-count") == "0", 5, "an empty pool")
        wait_for(lambda: self.text("#live") == "live", 5, "the event stream")
        self.browser.execute_script("window.__same_page = true;")
        for i in range(3):
            self.assertEqual(call(url + "/create-transaction", {"sender": "s%d" % i, "recipient": "r", "amount": 1})[0], 201)
        wait_for(lambda: self.text("#mempool-count") == "3", 2, "three pending within a second or two")
        self.assertTrue(self.browser.execute_script("return window.__same_page === true;"))
        self.shot("mempool")
        call(url + "/mine")
        wait_for(lambda: self.text("#mempool-count") == "0", 2, "the pool emptied by a block")
        self.assertEqual(self.console_errors(), [])

    def test_peers_page_is_for_the_operator(self):
        a = self.node("--in-memory")
        b = self.node("--in-memory")
        self.assertEqual(call(a + "/register-node", {"address": b})[0], 201)
        self.open(a + "/explorer/peers")
        wait_for(lambda: self.present("#peers-table"), 5, "the peer table on loopback")
        self.assertIn(b.split("//")[1], self.text("#peers-table"))
        self.shot("peers")
        self.assertEqual(self.console_errors(), [])

    def test_a_chain_switch_updates_the_open_page(self):
        a = self.node("--in-memory")
        b = self.node("--in-memory")
        self.assertEqual(call(a + "/mine")[0], 200)
        for _ in range(3):
            self.assertEqual(call(b + "/mine")[0], 200)
        b_tip = call(b + "/status")[1]["tip_hash"]
        self.open(a + "/explorer")
        wait_for(lambda: self.text("#height") == "1", 5, "node A's chain")
        wait_for(lambda: self.text("#live") == "live", 5, "the event stream")
        self.browser.execute_script("window.__same_page = true;")
        self.assertEqual(call(a + "/register-node", {"address": b})[0], 201)
        call(a + "/sync-chain")
        wait_for(lambda: self.text("#height") == "3", 3, "the page to follow the switch to B's chain")
        tip_link = self.browser.find_element("css selector", "#tip a").get_attribute("href")
        self.assertTrue(tip_link.endswith(b_tip), tip_link)
        self.assertTrue(self.browser.execute_script("return window.__same_page === true;"))
        self.shot("after-switch")
        self.assertEqual(self.console_errors(), [])

    def test_a_signed_transfer_shows_on_both_addresses(self):
        spec = os.path.join(self.tmp, "signed.json")
        with open(spec, "w") as f:
            json.dump({"name": "signed-browser", "transactions": "signed", "block_reward": 1000,
                       "difficulty": {"rule": "minimum", "min_difficulty": 12},
                       "limits": {"max_block_transactions": 100, "max_future_seconds": 7200}}, f)
        alice_file, bob_file = os.path.join(self.tmp, "alice.json"), os.path.join(self.tmp, "bob.json")

        def wallet(*args):
            r = subprocess.run([WALLET, *args], capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            return r.stdout.strip()

        alice = wallet("--wallet", alice_file, "new").split()[-1]
        bob = wallet("--wallet", bob_file, "new").split()[-1]
        url = self.node("--chain", spec, "--mining-address", alice)
        self.assertEqual(call(url + "/mine")[0], 200)  # 1,000 to alice
        tx_id = wallet("--wallet", alice_file, "--node", url, "--fee", "2", "send", bob, "150").split()[-1]
        self.assertEqual(call(url + "/mine")[0], 200)
        self.assertEqual(call(url + "/transactions/" + tx_id)[1]["status"], "confirmed")

        for who, balance in ((alice, str(2000 - 152 + 2)), (bob, "150")):
            self.open(url + "/explorer/address/" + who)
            wait_for(lambda: self.present('#address-history tr[data-id="%s"]' % tx_id), 5,
                     "the transfer on %s's page" % who)
            self.assertEqual(self.text("#balance"), balance)
            self.assertFalse(self.present("#no-balances"))
            self.assertEqual(self.console_errors(), [])
        self.shot("address-signed")

    def test_page_weight_and_headers(self):
        url = self.node("--in-memory")
        total = 0
        for path in ("/explorer", "/explorer/assets/lib.js", "/explorer/assets/app.js", "/explorer/assets/app.css", "/explorer/assets/icon.svg"):
            with urllib.request.urlopen(url + path, timeout=10) as r:
                body = r.read()
                total += len(body)
                csp = r.headers["Content-Security-Policy"]
                self.assertIn("script-src 'self'", csp)
                self.assertNotIn("unsafe-inline", csp)
                self.assertEqual(r.headers["X-Content-Type-Options"], "nosniff")
        print(json.dumps({"page_weight_bytes": total}))
        self.assertLess(total, 150 * 1024)
        # Without Accept: text/html, / is the JSON 404 it always was, and says it varies.
        status, body = call(url + "/")
        self.assertEqual((status, body["error"]), (404, "not_found"))
        req = urllib.request.Request(url + "/", headers={"Accept": "text/html"})
        with urllib.request.urlopen(req, timeout=10) as r:
            self.assertEqual(r.headers["Vary"], "Accept")
        # Bytes that are not UTF-8 cannot come back in JSON: refused, not echoed.
        self.assertEqual(call(url + "/addresses/%FF%FE")[0], 400)
        self.assertEqual(call(url + "/search?q=%C0%80")[0], 400)
        self.assertEqual(call(url + "/addresses?address=%ED%A0%80")[0], 400)  # a surrogate
        # A dot-segment address is an address like any other, by path or by query.
        status, body = call(url + "/addresses/%2E%2E")
        self.assertEqual((status, body["address"]), (200, ".."))
        status, body = call(url + "/addresses?address=..")
        self.assertEqual((status, body["address"]), (200, ".."))
        self.assertEqual(call(url + "/addresses")[0], 400)

    def test_strings_from_the_chain_are_text_never_markup(self):
        url = self.node("--in-memory")
        evil = '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>'
        status, made = call(url + "/create-transaction", {"sender": evil, "recipient": "..", "amount": 1})
        self.assertEqual(status, 201)
        self.assertEqual(call(url + "/mine")[0], 200)
        self.open(url + "/explorer")
        wait_for(lambda: self.present('#latest-transactions tr[data-id="%s"]' % made["transaction_id"]), 5, "the tx")
        self.open(url + "/explorer/tx/" + made["transaction_id"])
        wait_for(lambda: self.text("#tx-status") == "confirmed", 5, "the transaction page")
        # Follow the sender link: the page shows the string itself, and nothing ran.
        self.browser.find_element("css selector", 'a[href^="/explorer/address/%3Cimg"]').click()
        wait_for(lambda: self.present("#address"), 5, "the sender's page")
        self.assertEqual(self.text("#address"), evil)
        self.assertNotIn("pwned", self.browser.title)
        self.assertEqual(self.browser.find_elements("css selector", "main img, main script"), [])
        # The recipient "..": its link stays on its own page instead of climbing the path.
        self.open(url + "/explorer/tx/" + made["transaction_id"])
        wait_for(lambda: self.text("#tx-status") == "confirmed", 5, "the transaction page")
        self.browser.find_element("css selector", 'a[href="/explorer/address?id=.."]').click()
        wait_for(lambda: self.present("#address"), 5, "the '..' address page")
        self.assertEqual(self.text("#address"), "..")
        self.assertEqual(self.text("#received"), "1")
        self.assertEqual(self.console_errors(), [])


if __name__ == "__main__":
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        print("chromium or chromedriver missing: skipped")
        sys.exit(77)
    try:
        import selenium  # noqa: F401
    except ImportError:
        print("python3-selenium missing: skipped")
        sys.exit(77)
    if not NODE:
        raise SystemExit(__doc__)
    unittest.main(argv=[sys.argv[0], "-v"], verbosity=2)
