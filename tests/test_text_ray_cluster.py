"""`bifocals analyze --engine ray` on a real two-node cluster started with `ray start`.

The cluster is what a user runs: a head node and a second node process, each started by the
`ray start` command with its own ports, in a temporary folder of its own, with token
authentication on (RAY_AUTH_MODE=token and a token only these processes know, so nothing in
~/.ray is read or written). The CLI runs as a separate process with RAY_ADDRESS and must write
exactly the local engine's rows. The teardown stops only the processes this cluster started:
those whose command line names its folder, and their children.
"""

from __future__ import annotations

import contextlib
import csv
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from bifocals.cli import app

pytest.importorskip("ray")

BIN = Path(sys.executable).parent


def _free_ports(n: int) -> list[int]:
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def _processes_of(folder: str) -> list[int]:
    """Processes whose command line names `folder`, and all their descendants."""
    parents: dict[int, int] = {}
    marked: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().decode(errors="replace")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(stat.rsplit(")", 1)[1].split()[1])
        if folder in cmd:
            marked.add(pid)
    grew = True
    while grew:
        kids = {p for p, pp in parents.items() if pp in marked and p not in marked}
        grew = bool(kids)
        marked |= kids
    marked.discard(os.getpid())
    return sorted(marked)


def _stop(folder: str) -> None:
    for sig, wait in ((signal.SIGTERM, 4.0), (signal.SIGKILL, 3.0)):
        pids = _processes_of(folder)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and _alive(pids):
            time.sleep(0.2)


def _alive(pids: list[int]) -> bool:
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            return True
    return False


def _node_args(folder: str, ports: list[int]) -> list[str]:
    manager, objects, agent, agent_grpc, metrics, runtime_env, low = ports
    return [
        "--num-cpus=1",
        "--node-ip-address=127.0.0.1",
        f"--temp-dir={folder}",
        f"--node-manager-port={manager}",
        f"--object-manager-port={objects}",
        f"--dashboard-agent-listen-port={agent}",
        f"--dashboard-agent-grpc-port={agent_grpc}",
        f"--metrics-export-port={metrics}",
        f"--runtime-env-agent-port={runtime_env}",
        f"--min-worker-port={low}",
        f"--max-worker-port={low + 40}",
        "--disable-usage-stats",
    ]


@pytest.fixture(scope="module")
def cluster() -> Iterator[dict[str, str]]:
    # A short folder: Ray's socket paths under it must stay under 108 characters.
    folder = tempfile.mkdtemp(prefix="bfray", dir="/tmp")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
    env |= {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    gcs, *ports = _free_ports(15)
    # Worker port ranges well away from the ports just picked (which the OS hands out high).
    head_ports, node_ports = [*ports[:6], 20100], [*ports[6:12], 20200]
    address = f"127.0.0.1:{gcs}"
    try:
        for args in (
            [
                "--head",
                f"--port={gcs}",
                "--include-dashboard=false",
                *_node_args(folder, head_ports),
            ],
            [f"--address={address}", *_node_args(folder, node_ports)],
        ):
            done = subprocess.run(
                [str(BIN / "ray"), "start", *args], env=env, capture_output=True, text=True,
                timeout=60, check=False,
            )  # fmt: skip
            assert done.returncode == 0, done.stdout + done.stderr
        yield env | {"RAY_ADDRESS": address}
    finally:
        _stop(folder)
        subprocess.run(["rm", "-rf", folder], check=False)


def test_ray_start_cluster_equals_local(tmp_path: Path, cluster: dict[str, str]) -> None:
    """Two inputs (CSV then Parquet, given as relative paths) read by the workers of a
    two-node `ray start` cluster: the output folder holds the local engine's rows, in order."""
    texts = [
        "Track spending against the budget every month, item {i}.",
        "She explains why change {i} matters. Then she asks what the team thinks.",
        "",
        "Il faut réduire les coûts {i} avec une équipe pour le client.",
        "Five years from now we will sell through partners in market {i}.",
    ]
    rows = [texts[i % len(texts)].format(i=i) for i in range(600)]
    with (tmp_path / "a.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["key", "text"])
        w.writerows([[f"a{i}", t] for i, t in enumerate(rows)])
    pq.write_table(
        pa.table({"key": [f"b{i}" for i in range(600)], "text": rows[::-1]}),
        tmp_path / "b.parquet",
        row_group_size=100,
    )
    common = ["a.csv", "b.parquet", "--column", "text", "--id-column", "key", "--fast"]
    here = Path.cwd()
    os.chdir(tmp_path)
    try:
        res = CliRunner().invoke(app, ["analyze", *common, "--parquet", "local.parquet"])
    finally:
        os.chdir(here)
    assert res.exit_code == 0, res.output
    ray_args = ["--engine", "ray", "--workers", "2", "--parquet", "coded"]
    done = subprocess.run(
        [str(BIN / "bifocals"), "analyze", *common, *ray_args], cwd=tmp_path, env=cluster,
        capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    expected = pq.read_table(tmp_path / "local.parquet")
    remote = pq.read_table(tmp_path / "coded")
    assert remote.schema == expected.schema
    assert remote.num_rows == expected.num_rows > 600
    assert remote.to_pylist() == expected.to_pylist()
    assert "240 unit(s) skipped: empty" in done.stderr
    assert f"wrote {expected.num_rows} units to coded" in done.stderr
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".coded")]


def test_ray_start_cluster_refuses_a_client_without_its_token(
    tmp_path: Path, cluster: dict[str, str]
) -> None:
    """The cluster has token authentication on: a client without RAY_AUTH_MODE=token and the
    token (and no ~/.ray/auth_token: HOME is an empty folder) is refused, and told what to set."""
    src = tmp_path / "c.csv"
    src.write_text("id,comment\n1,Plan the budget.\n", "utf-8")
    env = {k: v for k, v in cluster.items() if k not in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN")}
    env["HOME"] = str(tmp_path)
    args = [str(src), "--column", "comment", "--engine", "ray", "--parquet", str(tmp_path / "o")]
    done = subprocess.run(
        [str(BIN / "bifocals"), "analyze", *args], env=env, capture_output=True, text=True,
        timeout=90, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    flat = " ".join(done.stderr.split())
    assert "RAY_AUTH_MODE=token" in flat and "Traceback" not in flat
    assert not (tmp_path / "o").exists()
