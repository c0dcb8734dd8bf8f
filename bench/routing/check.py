#!/usr/bin/env python3
"""Independent checker for CVRPLIB-format solutions (shares no code with the solver).

usage: check.py INSTANCE SOLUTION [--vehicles N]

INSTANCE is a VRPLIB CVRP file (EUC_2D; costs with TSPLIB nint rounding, unlimited fleet) or a
Solomon VRPTW file (exact Euclidean distances, travel time = distance, fleet and capacity from
the file). SOLUTION has lines "Route #k: c1 c2 ..." (customers 1..n as in the file) and an
optional "Cost C" line, which is ignored: the cost is recomputed here.
Prints one line: "instance=NAME feasible=yes|no cost=C routes=R" and, when infeasible, one
"violation: ..." line per problem. Exit status 0 when feasible, 1 when not, 2 on bad input.
"""
import math
import sys


class BadInput(Exception):
    pass


def read_instance(path):
    with open(path) as f:
        lines = f.read().splitlines()
    text = "\n".join(lines)
    if "NODE_COORD_SECTION" in text:
        return read_vrplib(path, lines)
    if "VEHICLE" in text and "CUSTOMER" in text:
        return read_solomon(path, lines)
    raise BadInput(f"{path}: unknown format")


def read_vrplib(path, lines):
    inst = {"kind": "cvrp", "name": "", "coords": {}, "demand": {}}
    dim = cap = None
    i = 0
    while i < len(lines):
        s = lines[i].strip()
        i += 1
        if not s or s == "EOF":
            continue
        if s.startswith("NODE_COORD_SECTION") or s.startswith("DEMAND_SECTION"):
            coord = s.startswith("NODE")
            for _ in range(dim):
                parts = lines[i].split()
                i += 1
                if coord:
                    inst["coords"][int(parts[0])] = (float(parts[1]), float(parts[2]))
                else:
                    inst["demand"][int(parts[0])] = float(parts[1])
            continue
        if s.startswith("DEPOT_SECTION"):
            depot = int(lines[i].split()[0])
            if depot != 1:
                raise BadInput(f"{path}: depot {depot} is not node 1")
            i += 2
            continue
        if ":" in s:
            k, v = [t.strip() for t in s.split(":", 1)]
            if k == "NAME":
                inst["name"] = v
            elif k == "DIMENSION":
                dim = int(v)
            elif k == "CAPACITY":
                cap = float(v)
            elif k == "EDGE_WEIGHT_TYPE" and v != "EUC_2D":
                raise BadInput(f"{path}: EDGE_WEIGHT_TYPE {v}")
    inst["n"] = dim - 1
    inst["capacity"] = cap
    inst["vehicles"] = None  # unlimited
    pts = [inst["coords"][k] for k in range(1, dim + 1)]
    inst["xy"] = pts
    inst["dem"] = [inst["demand"][k] for k in range(1, dim + 1)]

    def dist(a, b):
        (xa, ya), (xb, yb) = pts[a], pts[b]
        return float(int(math.sqrt((xa - xb) ** 2 + (ya - yb) ** 2) + 0.5))

    inst["dist"] = dist
    inst["tw"] = None
    return inst


def read_solomon(path, lines):
    rows = []
    nveh = cap = None
    name = ""
    state = 0
    for raw in lines:
        s = raw.strip()
        if not s:
            continue
        if state == 0:
            name = s
            state = 1
        elif s.upper() == "VEHICLE" or s.upper().startswith("NUMBER"):
            continue
        elif s.upper() == "CUSTOMER" or s.upper().startswith("CUST"):
            state = 3
        elif state == 1:
            nveh, cap = [float(t) for t in s.split()]
            state = 2
        elif state == 3:
            rows.append([float(t) for t in s.split()])
    pts = [(r[1], r[2]) for r in rows]

    def dist(a, b):
        (xa, ya), (xb, yb) = pts[a], pts[b]
        return math.sqrt((xa - xb) ** 2 + (ya - yb) ** 2)

    return {"kind": "vrptw", "name": name, "n": len(rows) - 1, "capacity": cap,
            "vehicles": int(nveh), "xy": pts, "dem": [r[3] for r in rows],
            "tw": [(r[4], r[5]) for r in rows], "service": [r[6] for r in rows], "dist": dist}


def read_solution(path):
    routes = []
    with open(path) as f:
        for ln, line in enumerate(f, 1):
            s = line.strip()
            if s.startswith("Route #"):
                body = s.split(":", 1)[1] if ":" in s else ""
                try:
                    routes.append([int(t) for t in body.split()])
                except ValueError:
                    raise BadInput(f"{path}:{ln}: bad route line")
    return routes


def check(inst, routes, eps=1e-6):
    viol = []
    n = inst["n"]
    seen = [0] * (n + 1)
    cost = 0.0
    used = 0
    for k, r in enumerate(routes, 1):
        if not r:
            continue
        used += 1
        load = 0.0
        prev = 0
        t = inst["tw"][0][0] if inst["tw"] else 0.0
        for c in r:
            if c < 1 or c > n:
                viol.append(f"route {k}: customer {c} out of range")
                continue
            seen[c] += 1
            load += inst["dem"][c]
            d = inst["dist"](prev, c)
            cost += d
            if inst["tw"]:
                t = max(t + d, inst["tw"][c][0])
                if t > inst["tw"][c][1] + eps:
                    viol.append(f"route {k}: customer {c} served at {t:.4f} after due "
                                f"{inst['tw'][c][1]}")
                t += inst["service"][c]
            prev = c
        d = inst["dist"](prev, 0)
        cost += d
        if inst["tw"]:
            t += d
            if t > inst["tw"][0][1] + eps:
                viol.append(f"route {k}: back at the depot at {t:.4f} after {inst['tw'][0][1]}")
        if load > inst["capacity"] + eps:
            viol.append(f"route {k}: load {load} above capacity {inst['capacity']}")
    for c in range(1, n + 1):
        if seen[c] != 1:
            viol.append(f"customer {c} visited {seen[c]} times")
    if inst["vehicles"] is not None and used > inst["vehicles"]:
        viol.append(f"{used} routes, only {inst['vehicles']} vehicles")
    return cost, used, viol


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        inst = read_instance(argv[1])
        routes = read_solution(argv[2])
    except (OSError, BadInput, ValueError, IndexError, KeyError) as e:
        print(f"check.py: {e}", file=sys.stderr)
        return 2
    cost, used, viol = check(inst, routes)
    print(f"instance={inst['name']} feasible={'no' if viol else 'yes'} cost={cost:.4f} "
          f"routes={used}")
    for v in viol:
        print(f"violation: {v}")
    return 1 if viol else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
