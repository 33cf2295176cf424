#!/usr/bin/env python3
"""Compare hourbook's min-cost max-flow solver with OR-Tools' SimpleMinCostFlow.

Usage:
    python3 crates/matching/benches/compare_ortools.py INSTANCE.dimacs
    python3 crates/matching/benches/compare_ortools.py --generate VOLUNTEERS SHIFTS SEED [--keep PATH]

The instance is a DIMACS min-cost-flow file as written by `FlowNetwork::write_dimacs`
(see `crates/matching/src/flow/mod.rs`): `p min NODES ARCS`, arcs `a FROM TO LOW CAP COST`
(1-based, LOW = 0), the source and sink marked by `c source N` / `c sink N` comment lines
(supply lines `n N V` with V > 0 / V < 0 are accepted as markers too). The task is a maximum
flow from source to sink of minimum cost among maximum flows.

`--generate` first writes such an instance with the `roster_instance` example (to a
temporary file, or to PATH with `--keep`).

OR-Tools: the arcs are added in bulk, the source gets a supply and the sink a demand of the
total capacity leaving the source, and `solve_max_flow_with_min_cost()` is timed (only the
solve). Hourbook: `cargo run --release -q -p hourbook-matching --example solve_dimacs --
INSTANCE` (CARGO_TARGET_DIR is honoured, being inherited), whose JSON line reports its own
solve time (HOURBOOK_SOLVE_DIMACS=PATH runs an already built solve_dimacs binary
instead). Both costs, flows and times are printed with the ratio; the exit status is 1 if
the costs or flows differ, 2 on a usage, input or build error.

Needs `pip install ortools` (numpy comes with it).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from ortools.graph.python import min_cost_flow

ROOT = Path(__file__).resolve().parents[3]


def read_dimacs(path: Path):
    """Returns (nodes, tails, heads, capacities, costs, source, sink), nodes 0-based."""
    nodes = None
    source = sink = None
    tails, heads, caps, costs = [], [], [], []
    with path.open() as f:
        for line_no, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            kind = fields[0]
            if kind == "a":
                _, u, v, low, cap, cost = fields
                if int(low) != 0:
                    raise ValueError(f"{path}:{line_no}: lower bound {low} not supported")
                tails.append(int(u) - 1)
                heads.append(int(v) - 1)
                caps.append(int(cap))
                costs.append(int(cost))
            elif kind == "c":
                if len(fields) >= 3 and fields[1] == "source":
                    source = int(fields[2]) - 1
                elif len(fields) >= 3 and fields[1] == "sink":
                    sink = int(fields[2]) - 1
            elif kind == "p":
                if len(fields) != 4 or fields[1] != "min":
                    raise ValueError(f"{path}:{line_no}: expected `p min NODES ARCS`")
                nodes = int(fields[2])
            elif kind == "n":
                node, supply = int(fields[1]) - 1, int(fields[2])
                if supply > 0:
                    source = node
                elif supply < 0:
                    sink = node
            else:
                raise ValueError(f"{path}:{line_no}: unknown line type {kind!r}")
    if nodes is None or source is None or sink is None:
        raise ValueError(f"{path}: needs a problem line, a source and a sink")
    as_array = lambda xs: np.array(xs, dtype=np.int64)  # noqa: E731
    return nodes, as_array(tails), as_array(heads), as_array(caps), as_array(costs), source, sink


def solve_ortools(instance: Path):
    nodes, tails, heads, caps, costs, source, sink = read_dimacs(instance)
    mcf = min_cost_flow.SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    if nodes > 0 and mcf.num_nodes() < nodes:
        # Make sure isolated trailing nodes exist (supplies need the node to exist).
        mcf.set_node_supply(nodes - 1, 0)
    if source != sink:
        # An upper bound on the flow; OR-Tools lowers supplies to what can be routed.
        bound = int(caps[tails == source].sum())
        mcf.set_node_supply(source, bound)
        mcf.set_node_supply(sink, -bound)
    start = time.perf_counter()
    status = mcf.solve_max_flow_with_min_cost()
    seconds = time.perf_counter() - start
    if status != mcf.OPTIMAL:
        raise RuntimeError(f"OR-Tools status {status}")
    return mcf.maximum_flow(), mcf.optimal_cost(), seconds


def solve_hourbook(instance: Path):
    binary = os.environ.get("HOURBOOK_SOLVE_DIMACS")
    if binary:
        cmd = [binary, str(instance)]
    else:
        cmd = [
            "cargo", "run", "--release", "-q", "-p", "hourbook-matching",
            "--example", "solve_dimacs", "--", str(instance),
        ]
    out = subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return result["flow"], result["cost"], result["seconds"]


def generate(volunteers: int, shifts: int, seed: int, path: Path):
    cmd = [
        "cargo", "run", "--release", "-q", "-p", "hourbook-matching",
        "--example", "roster_instance", "--", str(volunteers), str(shifts), str(seed),
    ]
    with path.open("w") as out:
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("instance", nargs="?", type=Path, help="DIMACS instance")
    parser.add_argument(
        "--generate", nargs=3, type=int, metavar=("VOLUNTEERS", "SHIFTS", "SEED"),
        help="generate a roster instance with the roster_instance example first",
    )
    parser.add_argument("--keep", type=Path, help="with --generate: write the instance here")
    args = parser.parse_args()
    if (args.instance is None) == (args.generate is None):
        parser.print_usage(sys.stderr)
        print("give an INSTANCE or --generate VOLUNTEERS SHIFTS SEED", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory() as tmp:
        instance = args.instance
        if args.generate:
            instance = args.keep or Path(tmp) / "roster.dimacs"
            try:
                generate(*args.generate, instance)
            except subprocess.CalledProcessError as e:
                print(f"error: generating the instance failed: {e}", file=sys.stderr)
                return 2
            print(f"instance: roster {' '.join(map(str, args.generate))} -> {instance}")
        try:
            or_flow, or_cost, or_seconds = solve_ortools(instance)
        except (OSError, ValueError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        try:
            hb_flow, hb_cost, hb_seconds = solve_hourbook(instance)
        except (subprocess.CalledProcessError, ValueError, KeyError, IndexError) as e:
            print(f"error: running the hourbook solver failed: {e}", file=sys.stderr)
            return 2

    print(f"{'':10} {'flow':>12} {'cost':>16} {'seconds':>10}")
    print(f"{'OR-Tools':10} {or_flow:>12} {or_cost:>16} {or_seconds:>10.4f}")
    print(f"{'hourbook':10} {hb_flow:>12} {hb_cost:>16} {hb_seconds:>10.4f}")
    ratio = hb_seconds / or_seconds if or_seconds > 0 else float("inf")
    print(f"time ratio hourbook / OR-Tools: {ratio:.3f}")
    if (or_flow, or_cost) != (hb_flow, hb_cost):
        print("MISMATCH: flows or costs differ", file=sys.stderr)
        return 1
    print("flows and costs equal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
