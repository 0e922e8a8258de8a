#!/usr/bin/env python3
"""Throughput of `podctl sim`: requests per second from many clients at once (issue 13).

Usage: python3 benches/sim.py [--quick] [BINARY]   (from the repository root; without BINARY,
                                                   builds and uses the release binary)

Two scenarios, each against its own `podctl sim --port 0 --quiet-log --seed-pods 20`:
  keep-alive   50 clients, each on one kept-alive connection, alternating a pod's status and the
               deployment list
  connect      50 clients, each opening a new connection per request (`GET /v2/deployments`)
and one big answer: the median time for curl to fetch `/v2/pods/::status` of 3,000 pods.
The clients are Python threads (http.client), so at high rates they may be the bottleneck: compare
two binaries with this same script on the same machine, not with other tools' figures.
"""
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUICK = "--quick" in sys.argv
ARGS = [a for a in sys.argv[1:] if a != "--quick"]
SECONDS = 3 if QUICK else 10
CLIENTS = 50


def binary():
    if ARGS:
        return os.path.abspath(ARGS[0])
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    return os.path.join(ROOT, "target", "release", "podctl")


class Sim:
    def __init__(self, bin_, *args):
        self.proc = subprocess.Popen(
            [bin_, "sim", "--port", "0", "--quiet-log", "--deploy-time", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.url = self.proc.stdout.readline().decode().strip()
        host, port = self.url.split("//")[1].split(":")
        self.host, self.port = host, int(port)

    def close(self):
        self.proc.terminate()
        self.proc.wait()


def load(sim, keep_alive):
    """Requests per second answered with 200 by CLIENTS threads, and the number of errors."""
    done = [0] * CLIENTS
    errors = [0] * CLIENTS
    stop = time.time() + SECONDS

    def client(i):
        conn = http.client.HTTPConnection(sim.host, sim.port, timeout=30)
        status = "/v2/pods/seed/group-000/pod-0000::status"
        paths = [status, "/v2/deployments"] if keep_alive else ["/v2/deployments"]
        n = 0
        while time.time() < stop:
            try:
                conn.request("GET", paths[n % len(paths)])
                answer = conn.getresponse()
                answer.read()
                if answer.status == 200:
                    done[i] += 1
                else:
                    errors[i] += 1
            except (OSError, http.client.HTTPException):
                errors[i] += 1
                conn.close()
            n += 1
            if not keep_alive:
                conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / SECONDS, sum(errors)


def big_answer(bin_):
    sim = Sim(bin_, "--seed-pods", "3000", "--instances", "3", "--containers", "3")
    url = f"{sim.url}/v2/pods/::status"
    fetch = ["curl", "-s", "-o", "/dev/null", url]
    subprocess.run(fetch, check=True)  # warm-up
    times = []
    for _ in range(3 if QUICK else 11):
        start = time.perf_counter()
        subprocess.run(fetch, check=True)
        times.append(time.perf_counter() - start)
    sim.close()
    return statistics.median(times)


def main():
    bin_ = binary()
    print(f"{bin_}: {CLIENTS} clients, {SECONDS} s per scenario")
    for name, keep_alive in [("keep-alive", True), ("connect", False)]:
        sim = Sim(bin_, "--seed-pods", "20")
        rate, errors = load(sim, keep_alive)
        sim.close()
        print(f"  {name:<11} {rate:8.0f} requests/s  ({errors} errors)")
    print(f"  big answer  {big_answer(bin_) * 1000:8.1f} ms  (curl, ::status of 3,000 pods)")


if __name__ == "__main__":
    main()
