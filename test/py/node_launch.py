"""Starts a real beastchain-node for the Python integration scripts: a free port, its URL read from
the "Running on" line the node prints (as Flask does) once it listens."""
import re
import socket
import subprocess


def start_node(binary, data_dir, *extra):
    """Returns (process, "http://host:port"); exits the script if the node does not come up."""
    proc = subprocess.Popen([binary, "-p", "0", "--difficulty", "12", "--log-level", "warning",
                             "--data-dir", data_dir, *extra], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    match = re.search(r"Running on (http://[^/]+)/", line)
    if not match:
        proc.kill()
        raise SystemExit("node did not start: %r" % line)
    return proc, match.group(1)


def free_port():
    """A loopback port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_tutorial_node(binary, folder, port):
    """Starts a node exactly as the tutorial starts its nodes: from `folder`, with only `-p PORT`."""
    proc = subprocess.Popen([binary, "-p", str(port)], cwd=folder, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    match = re.search(r"Running on (http://[^/]+)/", line)
    if not match:
        proc.kill()
        raise SystemExit("node on port %d did not start: %r" % (port, line))
    return proc, match.group(1)
