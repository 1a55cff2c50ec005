#!/usr/bin/env python3
"""Replays the tutorial's Python client script against two real beastchain nodes, started as the
tutorial starts them: from one folder, with only `-p`.

The helper functions below are the tutorial's, unchanged (they use `requests`); the script then
checks that the JSON shapes and the synced chain are what the tutorial shows, and that each node
kept its own data directory across a restart.
Usage: tutorial_client.py PATH/TO/beastchain-node
"""
import json
import shutil
import subprocess
import sys
import tempfile

import requests

import os

from node_launch import free_port, start_tutorial_node




# ---- the tutorial's helpers, verbatim -------------------------------------------------------
def register_node(node_addr, parent_server):
    requests.post(parent_server + '/register-node', json={'address': node_addr})
    print("\nOn Server {}: Node-{} has been registered successfully!\n".format(parent_server, node_addr))

def create_transaction(server, data):
    requests.post(server + '/create-transaction', json=data).json()
    print("On Server {}: Transaction has been processed!\n".format(server))

def mine_block(server):
    requests.get(server + '/mine').json()
    print("On Server {}: Block has been mined successfully!\n".format(server))

def get_server_chain(server):
    resp = requests.get(server + '/chain').json()
    print("On Server {}: Chain is-\n{}\n".format(server, resp))
    return resp

def sync_chain(server):
    print("On Server {}: Started Syncing Chain . . .".format(server))
    resp = requests.get(server + '/sync-chain')
    print("On Server {}: Chain synced!\n".format(server))
# ----------------------------------------------------------------------------------------------


def curl(*args):
    """One of the tutorial's curl commands, run with the real curl; its reply parsed as JSON."""
    out = subprocess.run(["curl", "-s", "--max-time", "30", *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def curl_session(server1, server2):
    """The tutorial's curl session, its commands as printed, against the same two nodes."""
    chain = curl(server1 + "/chain")
    assert chain["chain"][0]["index"] == 0 and chain["chain"][0]["previous_hash"] == 0, chain
    resp = curl("-X", "POST", "-H", "Content-Type: application/json", "-d",
                '{"sender": "addr1", "recipient": "addr2", "amount": 3}', server1 + "/create-transaction")
    assert resp["message"] == "Transaction has been submitted successfully", resp
    mined = curl(server1 + "/mine")
    assert mined["message"] == "Successfully Mined the new Block", mined
    assert [(t["sender"], t["recipient"], t["amount"]) for t in mined["block_data"]["transactions"]][0] == \
        ("addr1", "addr2", 3), mined
    after = curl(server1 + "/chain")
    assert after["chain"][-1]["index"] == mined["block_data"]["index"], after
    resp = curl("-X", "POST", "-H", "Content-Type: application/json", "-d",
                json.dumps({"address": server2}), server1 + "/register-node")
    assert "message" in resp, resp
    synced = curl(server2 + "/sync-chain")
    assert synced["message"] in ("Chain is already up to date", "Chain was replaced"), synced
    assert synced["chain"] == after["chain"], "server2 does not hold server1's chain after the curl session"
    print(json.dumps({"curl_session": "ok", "blocks": len(after["chain"])}))


def main():
    binary = sys.argv[1]
    folder = tempfile.mkdtemp(prefix="beastchain-tutorial-")
    ports = [free_port(), free_port()]
    while ports[1] == ports[0]:
        ports[1] = free_port()
    p1, server1 = start_tutorial_node(binary, folder, ports[0])
    p2, server2 = start_tutorial_node(binary, folder, ports[1])
    procs = [p1, p2]
    try:
        register_node(server2, server1)
        create_transaction(server2, {'sender': 'I', 'recipient': 'you', 'amount': 3})
        mine_block(server2)
        before = get_server_chain(server1)
        chain2 = get_server_chain(server2)
        sync_chain(server1)
        after = get_server_chain(server1)

        # The tutorial's server1 saw the block only after sync_chain; beastchain pushes it, so it
        # may already be there.
        assert len(before['chain']) in (1, 2), before
        assert len(chain2['chain']) == 2, chain2
        assert after['chain'] == chain2['chain'], "server1 did not adopt server2's chain"
        block = after['chain'][1]
        for key in ('index', 'previous_hash', 'proof', 'timestamp', 'transactions'):
            assert key in block, key
        tx, reward = block['transactions']
        assert (tx['sender'], tx['recipient'], tx['amount']) == ('I', 'you', 3), tx
        assert reward['sender'] == '0' and reward['amount'] == 1, reward
        assert isinstance(block['timestamp'], float)
        assert block['previous_hash'] == after['chain'][0]['hash']

        # The tutorial's sync-chain reply, read the way its client would.
        resp = requests.get(server1 + '/sync-chain').json()
        assert resp['message'] == 'Chain is already up to date', resp
        assert resp['chain'] == chain2['chain']

        # The tutorial's curl session, on the same two nodes.
        curl_session(server1, server2)
        chain2 = get_server_chain(server2)

        # One folder, two nodes, two data directories; each keeps its chain across a restart.
        for p in procs:
            p.terminate()
            assert p.wait(timeout=10) == 0
        expected = sorted("beastchain-data-%d" % port for port in ports)
        found = sorted(d for d in os.listdir(folder) if d.startswith("beastchain-data"))
        assert found == expected, found
        procs = [start_tutorial_node(binary, folder, port)[0] for port in ports]
        for server in (server1, server2):
            assert get_server_chain(server)['chain'] == chain2['chain'], server
        print(json.dumps({"tutorial_client": "ok", "blocks": len(after['chain']), "data_dirs": found}))
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
