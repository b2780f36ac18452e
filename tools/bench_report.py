#!/usr/bin/env python3
"""Merges Google Benchmark JSON files into one and writes a Markdown table of each figure
beside its baseline, the ratio, and the physical floor where one is known.

Names follow BM_<Cpu|Gpu>_<Family>_Ours[_<Variant>][/args] and
BM_<Cpu|Gpu>_<Family>_Baseline_<What>[/args]; a figure is paired with every baseline of the
same device, family and arguments. A variant of ours (e.g. _Ours_CudaGraph) is also paired
with the plain _Ours figure, shown as the baseline "Ours".
Usage: bench_report.py OUT_JSON OUT_MD INPUT.json...
"""
import json
import re
import sys

NAME = re.compile(r"^BM_(Cpu|Gpu)_([A-Za-z0-9]+)_(Ours(?:_[A-Za-z0-9]+)?|Baseline_[A-Za-z0-9]+)((?:/[^/]+)*?)(?:/(?:real|manual)_time)?$")

# Peaks to compute a floor from (bytes/s, FLOP/s); docs/performance-floors.md says where from.
GPU_PEAKS = {"H100": (3.35e12, 66.9e12), "H200": (4.8e12, 66.9e12)}
CPU_PEAKS = (27.9e9, 207e9)  # this VM kind: 2-thread fill bandwidth, 2-thread sgemm (oneDNN)
# FLOP/s peak of a matmul family relative to FP32 SIMT (H100/H200 dense datasheet figures).
GPU_MATMUL_PEAK = {"MatMul": 66.9e12, "MatMulTF32": 494.7e12, "MatMulF64": 66.9e12}
MEMORY_BOUND = ("Fill", "RandomNormal", "Uniform", "TruncatedNormal", "BroadcastAdd", "Add", "BiasAdd",
                "ReduceSumAxis0", "ReduceSumAxis1", "ReduceSumAll")


def seconds(b):
    unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b.get("time_unit", "ns")]
    return b["real_time"] * unit


def floor(dev, family, args, b, device_name):
    if dev == "Gpu":
        peaks = next((v for k, v in GPU_PEAKS.items() if k in device_name), None)
    else:
        peaks = CPU_PEAKS
    if peaks is None:
        return None
    bandwidth, flops = peaks
    if family.startswith("MatMul") and args:
        n = int(args.strip("/").split("/")[0])
        peak = GPU_MATMUL_PEAK.get(family, flops) if dev == "Gpu" else flops
        return 2.0 * n ** 3 / peak
    if family in MEMORY_BOUND and "bytes_per_second" in b:
        return b["bytes_per_second"] * seconds(b) / bandwidth
    return None


def fmt(t):
    if t is None:
        return "—"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if t >= scale:
            return f"{t / scale:.3g} {unit}"
    return f"{t / 1e-9:.3g} ns"


def main():
    out_json, out_md, inputs = sys.argv[1], sys.argv[2], sys.argv[3:]
    merged = {"context": None, "benchmarks": []}
    for path in inputs:
        with open(path) as f:
            data = json.load(f)
        if merged["context"] is None:
            merged["context"] = data["context"]
        binary = data["context"].get("executable", path).split("/")[-1]
        for b in data["benchmarks"]:
            b["binary"] = binary
            merged["benchmarks"].append(b)
    with open(out_json, "w") as f:
        json.dump(merged, f, indent=1)

    ctx = merged["context"] or {}
    device = ctx.get("device", "unknown")
    groups = {}
    for b in merged["benchmarks"]:
        m = NAME.match(b["name"])
        if not m or b.get("run_type") == "aggregate":
            continue
        dev, family, role, args = m.groups()
        groups.setdefault((dev, family, args), {"ours": {}, "baselines": []})
        g = groups[(dev, family, args)]
        if role.startswith("Ours"):
            g["ours"][role[len("Ours_"):]] = b  # "" for the plain figure
        else:
            g["baselines"].append(b)

    lines = [
        f"# Benchmarks on {ctx.get('host_name', '?')}",
        "",
        f"- date: {ctx.get('date', '?')}",
        f"- device: {device}",
        f"- CUDA runtime {ctx.get('cuda_runtime', '?')}, driver {ctx.get('cuda_driver', '?')}",
        f"- CPUs: {ctx.get('num_cpus', '?')} x {ctx.get('mhz_per_cpu', '?')} MHz",
        "",
        "Ratio = baseline time / our time (1.0 = as fast as the baseline, above 1 = faster).",
        "",
        "| figure | ours | baseline | baseline time | ratio | physical floor |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    def order(item):
        (dev, family, args), _ = item
        return dev, family, [int(a) if a.isdigit() else a for a in args.strip("/").split("/") if a]

    for (dev, family, args), g in sorted(groups.items(), key=order):
        for variant, ours in sorted(g["ours"].items()):  # the plain figure ("") first
            figure = f"{dev} {family}{args}" + (f" ({variant})" if variant else "")
            if ours.get("error_occurred"):
                lines.append(f"| {figure} | skipped: {ours.get('error_message', '')} | | | | |")
                continue
            t = seconds(ours)
            fl = fmt(floor(dev, family, args, ours, device))
            baselines = [(base["name"].split("_Baseline_")[1].split("/")[0], base)
                         for base in g["baselines"]]
            if variant and "" in g["ours"]:
                baselines.append(("Ours", g["ours"][""]))
            if not baselines:
                lines.append(f"| {figure} | {fmt(t)} | — | — | — | {fl} |")
            for what, base in baselines:
                if base.get("error_occurred"):
                    lines.append(f"| {figure} | {fmt(t)} | {what} | skipped | — | {fl} |")
                    continue
                bt = seconds(base)
                lines.append(f"| {figure} | {fmt(t)} | {what} | {fmt(bt)} | {bt / t:.2f} | {fl} |")
    with open(out_md, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
