#!/usr/bin/env python3
"""Parses a live node's /metrics with prometheus_client's own parser (Debian's python3-prometheus-client).
Usage: metrics_parse.py PATH/TO/beastchain-node"""
import shutil
import sys
import tempfile
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from node_launch import start_node


def main():
    data = tempfile.mkdtemp(prefix="beastchain-metrics-")
    node, base = start_node(sys.argv[1], data)
    try:
        req = urllib.request.Request(base + "/create-transaction", method="POST",
                                     data=b'{"sender":"a","recipient":"b","amount":1}',
                                     headers={"Content-Type": "application/json"})
        assert urllib.request.urlopen(req).status == 201
        urllib.request.urlopen(base + "/mine").read()
        text = urllib.request.urlopen(base + "/metrics").read().decode()
        families = {f.name: f for f in text_string_to_metric_families(text)}
        for name, kind in [("beastchain_http_requests", "counter"),
                           ("beastchain_http_request_duration_seconds", "histogram"),
                           ("beastchain_chain_height", "gauge"), ("beastchain_pending_transactions", "gauge"),
                           ("beastchain_peers", "gauge"), ("beastchain_blocks_mined", "counter"),
                           ("beastchain_blocks_received", "counter"), ("beastchain_blocks_rejected", "counter"),
                           ("beastchain_sync_runs", "counter"), ("beastchain_sync_failures", "counter"),
                           ("beastchain_hash_rate", "gauge"), ("beastchain_storage_sync_seconds", "summary"),
                           ("beastchain_uptime_seconds", "gauge")]:
            assert name in families, "missing family %s" % name
            assert families[name].type == kind, "%s is %s, not %s" % (name, families[name].type, kind)
        height = [s.value for s in families["beastchain_chain_height"].samples]
        assert height == [1.0], height
        syncs = {s.name: s.value for s in families["beastchain_storage_sync_seconds"].samples}
        assert syncs["beastchain_storage_sync_seconds_count"] >= 2, syncs
        print("metrics parse: %d families OK" % len(families))
    finally:
        node.terminate()
        node.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
