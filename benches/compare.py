#!/usr/bin/env python3
"""Side-by-side benchmark of podctl against curl fetching the same bytes (issues 7 and 15), and
against the original DC/OS CLI when scripts/install-dcos-cli.sh has put it under target/dcos-cli.

Usage: python3 benches/compare.py [--quick]      (from the repository root; builds the release binary)
       scripts/install-dcos-cli.sh first, for the DC/OS CLI rows.

Every pair runs alternately (A, B, A, B, ...) so that both see the same machine state; the
script reports medians, the ratio of the medians, and each command's peak RSS (from wait4).
Traffic stays on 127.0.0.1: each scenario starts its own `podctl sim --port 0`.
"""
import glob
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "podctl")
QUICK = "--quick" in sys.argv


def run(cmd):
    """Runs cmd with stdout to /dev/null; returns (seconds, peak RSS in KiB, exit code)."""
    # posix_spawn, not fork: a forked child's peak RSS would include this Python process.
    devnull = os.open(os.devnull, os.O_WRONLY)
    actions = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
    start = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    os.close(devnull)
    elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


def measure(commands, runs):
    """Runs the commands alternately; returns per command (median seconds, max RSS KiB)."""
    times = [[] for _ in commands]
    rss = [0 for _ in commands]
    for cmd in commands:  # warm-up
        run(cmd)
    for _ in range(runs):
        for i, cmd in enumerate(commands):
            t, m, code = run(cmd)
            if code != 0:
                sys.exit(f"failed ({code}): {' '.join(cmd)}")
            times[i].append(t)
            rss[i] = max(rss[i], m)
    return [(statistics.median(t), r) for t, r in zip(times, rss)]


class Sim:
    def __init__(self, *args):
        self.proc = subprocess.Popen(
            [BIN, "sim", "--port", "0", "--quiet-log", *args],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.url = self.proc.stdout.readline().strip()

    def close(self):
        self.proc.kill()
        self.proc.wait()


def curl_size(url):
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{size_download}", url],
                         capture_output=True, text=True, check=True)
    return int(out.stdout)


def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def mib(kib):
    return f"{kib / 1024:.1f} MiB"


def main():
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    rows = []

    for pods, runs in [(100, 31), (1000, 21), (10000, 7)]:
        if QUICK:
            runs = 3
        sim = Sim("--seed-pods", str(pods), "--instances", "3", "--containers", "3")
        status = f"{sim.url}/v2/pods/::status"
        size = curl_size(status)  # also fills the simulator's cache
        curl = ["curl", "-s", "-o", "/dev/null", status]
        (c, c_rss), (p, p_rss), (j, j_rss), (q, q_rss) = measure(
            [curl, [BIN, "--url", sim.url, "pod", "list"],
             [BIN, "--url", sim.url, "pod", "list", "--json"],
             [BIN, "--url", sim.url, "pod", "list", "-q"]], runs)
        rows.append((f"`pod list`, {pods:,} pods ({size / 1e6:.1f} MB)", ms(p), ms(c),
                     f"{p / c:.2f}", mib(p_rss), size))
        rows.append((f"`pod list --json`, {pods:,} pods", ms(j), ms(c), f"{j / c:.2f}",
                     mib(j_rss), size))
        rows.append((f"`pod list -q`, {pods:,} pods", ms(q), ms(c), f"{q / c:.2f}",
                     mib(q_rss), size))
        sim.close()

    # The original DC/OS CLI, if scripts/install-dcos-cli.sh put it under target/dcos-cli: the
    # alternative users would otherwise run. It reads the simulator's URL from
    # DCOS_MARATHON_URL and keeps its own configuration in a throw-away DCOS_DIR.
    dcos = os.path.join(ROOT, "target", "dcos-cli", "bin", "dcos")
    if os.path.exists(dcos):
        dcos_dir = tempfile.mkdtemp()
        os.environ["DCOS_DIR"] = dcos_dir  # run() passes os.environ on
        try:
            for pods in [10, 1000]:
                sim = Sim("--seed-pods", str(pods), "--instances", "3", "--containers", "3")
                status = f"{sim.url}/v2/pods/::status"
                size = curl_size(status)
                os.environ["DCOS_MARATHON_URL"] = sim.url
                (c, _), (p, p_rss), (d, d_rss) = measure(
                    [["curl", "-s", "-o", "/dev/null", status],
                     [BIN, "--url", sim.url, "pod", "list"],
                     [dcos, "marathon", "pod", "list"]],
                    3 if QUICK else 7)
                if pods != 1000:  # 1,000 pods are measured above with more runs
                    rows.append((f"`pod list`, {pods:,} pods ({size / 1e6:.2f} MB)", ms(p), ms(c),
                                 f"{p / c:.2f}", mib(p_rss), size))
                rows.append((f"DC/OS CLI 0.6.1 `dcos marathon pod list`, {pods:,} pods "
                             f"({d / p:.1f}x podctl's {ms(p)} in the same run)",
                             ms(d), ms(c), f"{d / c:.2f}", mib(d_rss), size))
                sim.close()
        finally:
            shutil.rmtree(dcos_dir)
    else:
        print("DC/OS CLI not installed (scripts/install-dcos-cli.sh): its rows are left out",
              file=sys.stderr)

    sim = Sim("--seed-pods", "1", "--instances", "500", "--containers", "3")
    pod_id = json.loads(subprocess.run(
        ["curl", "-s", f"{sim.url}/v2/pods"], capture_output=True, text=True,
        check=True).stdout)[0]["id"]
    one = f"{sim.url}/v2/pods{pod_id}::status"
    size = curl_size(one)
    (c, _), (p, p_rss) = measure(
        [["curl", "-s", "-o", "/dev/null", one], [BIN, "--url", sim.url, "pod", "show", pod_id]],
        3 if QUICK else 21)
    rows.append((f"`pod show`, 500 instances ({size / 1e6:.1f} MB)", ms(p), ms(c), f"{p / c:.2f}",
                 mib(p_rss), size))
    sim.close()

    work = tempfile.mkdtemp()
    try:
        sources = sorted(glob.glob(os.path.join(ROOT, "examples", "*.json")) +
                         glob.glob(os.path.join(ROOT, "tests", "fixtures", "pod-examples", "*.json")))
        pods = [json.load(open(p)) for p in sources]
        files = []
        for i in range(1000):
            pod = dict(pods[i % len(pods)])
            pod["id"] = f"/bench/pod-{i}"
            path = os.path.join(work, f"pod-{i:04}.json")
            with open(path, "w") as f:
                json.dump(pod, f, indent=2)
            files.append(path)
        [(v, v_rss)] = measure([[BIN, "pod", "validate", "-q", *files]], 3 if QUICK else 21)
        rows.append(("`pod validate`, 1,000 files", ms(v), "", "", mib(v_rss), None))
    finally:
        shutil.rmtree(work)

    [(s, s_rss)] = measure([[BIN, "--version"]], 5 if QUICK else 101)
    rows.append(("`podctl --version` (start-up)", ms(s), "", "", mib(s_rss), None))

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    print(f"commit {commit}{' (with uncommitted changes)' if dirty else ''}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"load average {os.getloadavg()[0]:.1f} at the end")
    print()
    print("| command | median | curl, same bytes (median) | ratio to curl | peak RSS |")
    print("|---|---:|---:|---:|---:|")
    for name, p, c, ratio, rss, _ in rows:
        print(f"| {name} | {p} | {c} | {ratio} | {rss} |")
    print()
    print(f"Release binary: {os.path.getsize(BIN) / 1e6:.2f} MB ({os.path.getsize(BIN):,} bytes)")
    big = [r for r in rows if r[0].startswith("`pod list`, 10,000")][0]
    print(f"RSS target at 10,000 pods: 3 x {big[5] / 2**20:.1f} MiB + 10 MiB = "
          f"{(3 * big[5] / 2**20) + 10:.1f} MiB")


if __name__ == "__main__":
    main()
