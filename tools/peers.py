#!/usr/bin/env python3
"""The CPU workloads of issue 14 in PyTorch (eager) and TensorFlow (tf.compat.v1 graph mode,
a Session), beside varscope's figures from Google Benchmark JSON: one table.

  peers.py measure torch|tf [--threads N] [--repetitions R]   (one framework, JSON out)
  peers.py table ROUND_DIR... [--threads N]                   (what bench.sh --peers runs)

A shared machine's speed drifts by tens of percent over a minute, so bench.sh --peers runs
rounds: each round measures varscope, then PyTorch, then TF, back to back, into one
directory (varscope's Google Benchmark JSON files, torch.json, tf.json). The table gives each
framework's median over all rounds and, as the ratio, the median of the per-round ratios
(min-max across rounds): a ratio compares figures taken seconds apart, not minutes.

Each framework runs in its own process (their OpenMP/Eigen pools would fight). Inputs are
held in framework state (tensors / variables); the op runs without copying its result back
(TF: session.run of the op as a target). Times are seconds per call: the median of R
repetitions, each the mean over >= 0.2 s of calls, and the min-max range.
ratio = the faster peer's time / varscope's time (>= 1: varscope is at least as fast).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

# workload key -> (label, varscope benchmark name)
WORKLOADS = [
    ("matmul", "matmul 1024³ float32", "BM_Cpu_MatMul_Ours/1024/real_time"),
    ("add", "add 1024×1024", "BM_Cpu_Add_Ours/1024/real_time"),
    ("bias_add", "bias_add 1024×1024", "BM_Cpu_BiasAdd_Ours/1024/real_time"),
    ("softmax", "softmax 1024×1024 (last axis)", "BM_Cpu_Softmax_Ours/1024/real_time"),
    ("tanh", "tanh 1024×1024", "BM_Cpu_Tanh_Ours/1024/real_time"),
    ("sigmoid", "sigmoid 1024×1024", "BM_Cpu_Sigmoid_Ours/1024/real_time"),
    ("sum0", "reduce_sum axis 0 of 1024×1024", "BM_Cpu_ReduceSumAxis0_Ours/1024/real_time"),
    ("sum1", "reduce_sum axis 1 of 1024×1024", "BM_Cpu_ReduceSumAxis1_Ours/1024/real_time"),
    ("sum_all", "reduce_sum of 16M elements", "BM_Cpu_ReduceSumAll_Ours/16777216/real_time"),
    ("glorot200", "200 get_variable 256×256 glorot + init", "BM_Cpu_GlorotVariables200_Ours/real_time"),
    ("randn4096", "random_normal 4096×4096 init", "BM_Cpu_RandomNormal4096_Ours/real_time"),
    ("randn64", "random_normal 64 init", "BM_Cpu_RandomNormal64_Ours/real_time"),
    # Issue 24: the ops real TF1 models use.
    ("conv_fwd", "conv2d 3×3 64→64 56×56 b8 forward", "BM_Cpu_Conv2D_Ours/0/real_time"),
    ("conv_fwdbwd", "conv2d 3×3 64→64 56×56 b8 fwd+bwd", "BM_Cpu_Conv2D_Ours/1/real_time"),
    ("cnn_step", "small CNN Adam step, b64 28×28×1", "BM_Cpu_CnnTrainStep_Ours/real_time"),
    ("transpose", "transpose 4096×4096", "BM_Cpu_Transpose4096_Ours/real_time"),
    ("gather", "gather 4096 rows of 100000×128", "BM_Cpu_Gather4096Rows_Ours/real_time"),
    # Issue 25: a 2-layer LSTM's Adam step, and building its graph (TF only: eager PyTorch
    # builds none).
    ("lstm_step", "2-layer LSTM 256, b32, 20 steps, Adam step", "BM_Cpu_LstmTrainStep_Ours/real_time"),
    ("lstm_build", "building that LSTM graph + Adam", "BM_Cpu_LstmBuildGraph_Ours/real_time"),
]

# Issue 24's models, the same in both peers (and in bench/conv_bench.cpp).
CONV_SHAPE = (8, 56, 56, 64)  # NHWC
CNN_BATCH = 64
# Issue 25's LSTM (bench/rnn_bench.cpp): inputs of LSTM_UNITS features, 10 classes.
LSTM_UNITS, LSTM_BATCH, LSTM_STEPS, LSTM_CLASSES = 256, 32, 20, 10


def time_calls(fn, repetitions):
    fn()
    fn()
    reps = []
    for _ in range(repetitions):
        calls, start = 0, time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= 0.2 and calls >= 3:
                break
        reps.append(elapsed / calls)
    return reps


def torch_workloads(threads):
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x = torch.rand(1024, 1024) * 2 - 1
    y = torch.rand(1024, 1024) * 2 - 1
    b = torch.rand(1024) * 2 - 1
    long = torch.rand(1 << 24)
    big = torch.empty(4096, 4096)
    small = torch.empty(64)

    def glorot():
        vs = [torch.empty(256, 256) for _ in range(200)]
        for v in vs:
            torch.nn.init.xavier_uniform_(v)

    def run(fn):
        def call():
            with torch.no_grad():
                fn()
        return call

    out = {
        "matmul": run(lambda: torch.matmul(x, y)),
        "add": run(lambda: x + y),
        "bias_add": run(lambda: x + b),
        "softmax": run(lambda: torch.softmax(x, dim=-1)),
        "tanh": run(lambda: torch.tanh(x)),
        "sigmoid": run(lambda: torch.sigmoid(x)),
        "sum0": run(lambda: x.sum(dim=0)),
        "sum1": run(lambda: x.sum(dim=1)),
        "sum_all": run(lambda: long.sum()),
        "glorot200": run(glorot),
        "randn4096": run(lambda: torch.nn.init.normal_(big)),
        "randn64": run(lambda: torch.nn.init.normal_(small)),
    }
    out.update(torch_model_workloads(torch, run))
    return out


def torch_model_workloads(torch, run):
    import torch.nn.functional as F

    n, h, w, c = CONV_SHAPE
    image = torch.rand(n, c, h, w) * 2 - 1  # NCHW: PyTorch's own fast layout
    kernel = torch.rand(c, c, 3, 3) * 2 - 1
    image_g = image.clone().requires_grad_()
    kernel_g = kernel.clone().requires_grad_()

    def conv_fwdbwd():
        y = F.conv2d(image_g, kernel_g, padding=1)
        torch.autograd.grad(y, [image_g, kernel_g], grad_outputs=torch.ones_like(y))

    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))
    adam = torch.optim.Adam(model.parameters(), lr=0.001)
    images = torch.rand(CNN_BATCH, 1, 28, 28)
    labels = torch.randint(0, 10, (CNN_BATCH,))

    def cnn_step():
        adam.zero_grad()
        F.cross_entropy(model(images), labels).backward()
        adam.step()

    lstm = nn.LSTM(LSTM_UNITS, LSTM_UNITS, num_layers=2)
    head = nn.Linear(LSTM_UNITS, LSTM_CLASSES)
    lstm_adam = torch.optim.Adam(list(lstm.parameters()) + list(head.parameters()), lr=0.001)
    sequence = torch.rand(LSTM_STEPS, LSTM_BATCH, LSTM_UNITS)
    classes = torch.randint(0, LSTM_CLASSES, (LSTM_BATCH,))

    def lstm_step():
        lstm_adam.zero_grad()
        outputs, _ = lstm(sequence)
        F.cross_entropy(head(outputs[-1]), classes).backward()
        lstm_adam.step()

    square = torch.rand(4096, 4096)
    table = torch.rand(100000, 128)
    ids = torch.randint(0, 100000, (4096,))
    return {
        "conv_fwd": run(lambda: F.conv2d(image, kernel, padding=1)),
        "conv_fwdbwd": conv_fwdbwd,
        "cnn_step": cnn_step,
        "transpose": run(lambda: square.t().contiguous()),
        "gather": run(lambda: torch.index_select(table, 0, ids)),
        "lstm_step": lstm_step,
    }


def tf_workloads(threads):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # tf.compat.v1.layers and rnn_cell live in tf_keras under TF 2.x.
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    import numpy as np
    import tensorflow as tf

    v1 = tf.compat.v1
    v1.disable_eager_execution()
    rng = np.random.default_rng(0)

    def uniform(*shape):
        return rng.uniform(-1, 1, shape).astype(np.float32)

    config = v1.ConfigProto(intra_op_parallelism_threads=threads, inter_op_parallelism_threads=threads)
    out = {}

    def session_for(build):
        g = tf.Graph()
        with g.as_default():
            target, init = build()
            sess = v1.Session(graph=g, config=config)
            if init is not None:
                sess.run(init)
        return lambda feeds=None: sess.run(target, feed_dict=feeds)

    def op_on(*shapes, f):
        def build():
            vs = [v1.get_variable(f"v{i}", initializer=uniform(*s)) for i, s in enumerate(shapes)]
            return f(*vs).op, v1.global_variables_initializer()
        return build

    out["matmul"] = session_for(op_on((1024, 1024), (1024, 1024), f=tf.matmul))
    out["add"] = session_for(op_on((1024, 1024), (1024, 1024), f=tf.add))
    out["bias_add"] = session_for(op_on((1024, 1024), (1024,), f=tf.nn.bias_add))
    out["softmax"] = session_for(op_on((1024, 1024), f=tf.nn.softmax))
    out["tanh"] = session_for(op_on((1024, 1024), f=tf.tanh))
    out["sigmoid"] = session_for(op_on((1024, 1024), f=tf.sigmoid))
    out["sum0"] = session_for(op_on((1024, 1024), f=lambda a: tf.reduce_sum(a, axis=0)))
    out["sum1"] = session_for(op_on((1024, 1024), f=lambda a: tf.reduce_sum(a, axis=1)))
    out["sum_all"] = session_for(op_on((1 << 24,), f=tf.reduce_sum))

    def glorot():
        for i in range(200):
            v1.get_variable(f"w{i}", shape=[256, 256])  # default: glorot_uniform
        return v1.global_variables_initializer(), None

    out["glorot200"] = session_for(glorot)

    def normal(shape):
        def build():
            v = v1.get_variable("x", shape=shape, initializer=v1.random_normal_initializer())
            return v.initializer, None
        return build

    out["randn4096"] = session_for(normal([4096, 4096]))
    out["randn64"] = session_for(normal([64]))
    out.update(tf_model_workloads(tf, v1, uniform, session_for, op_on))
    return out


def tf_model_workloads(tf, v1, uniform, session_for, op_on):
    import numpy as np

    n, h, w, c = CONV_SHAPE
    conv = lambda x, k: tf.nn.conv2d(x, k, strides=[1, 1, 1, 1], padding="SAME")

    def conv_grads():
        x = v1.get_variable("x", initializer=uniform(n, h, w, c))
        k = v1.get_variable("k", initializer=uniform(3, 3, c, c))
        y = conv(x, k)
        # Each op a target of its own: TF 2.x's graph optimizer drops the stateless inputs of
        # a tf.group that is fetched alone (0.3 ms for this "step").
        return [t.op for t in [y] + tf.gradients(y, [x, k])], v1.global_variables_initializer()

    feeds = {}

    def cnn():
        images = v1.placeholder(tf.float32, [CNN_BATCH, 28, 28, 1])
        labels = v1.placeholder(tf.int32, [CNN_BATCH])
        # tf.compat.v1.layers needs tf_keras under TF 2.x: the same layers from their ops.
        def conv_relu(x, filters, name):
            k = v1.get_variable(name + "/kernel", [3, 3, x.shape[-1], filters])
            b = v1.get_variable(name + "/bias", [filters], initializer=v1.zeros_initializer())
            return tf.nn.relu(tf.nn.bias_add(conv(x, k), b))

        def pool(x):
            return tf.nn.max_pool2d(x, 2, 2, "VALID")

        def dense(x, units, name):
            k = v1.get_variable(name + "/kernel", [x.shape[-1], units])
            b = v1.get_variable(name + "/bias", [units], initializer=v1.zeros_initializer())
            return tf.nn.bias_add(tf.matmul(x, k), b)

        net = pool(conv_relu(images, 32, "conv2d"))
        net = pool(conv_relu(net, 64, "conv2d_1"))
        net = tf.nn.relu(dense(tf.reshape(net, [CNN_BATCH, 7 * 7 * 64]), 128, "dense"))
        logits = dense(net, 10, "dense_1")
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
        train = v1.train.AdamOptimizer(0.001).minimize(loss)
        rng = np.random.default_rng(1)
        feeds[images] = rng.uniform(0, 1, (CNN_BATCH, 28, 28, 1)).astype(np.float32)
        feeds[labels] = rng.integers(0, 10, CNN_BATCH).astype(np.int32)
        return train, v1.global_variables_initializer()

    def with_feeds(build):
        run = session_for(build)
        return lambda: run(feeds)

    lstm_feeds = {}

    def lstm():
        rng = np.random.default_rng(3)
        inputs = [v1.placeholder(tf.float32, [LSTM_BATCH, LSTM_UNITS]) for _ in range(LSTM_STEPS)]
        labels = v1.placeholder(tf.int32, [LSTM_BATCH])
        cell = v1.nn.rnn_cell.MultiRNNCell(
            [v1.nn.rnn_cell.BasicLSTMCell(LSTM_UNITS) for _ in range(2)])
        outputs, _ = v1.nn.static_rnn(cell, inputs, dtype=tf.float32)
        logits = v1.layers.dense(outputs[-1], LSTM_CLASSES)
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
        train = v1.train.AdamOptimizer(0.001).minimize(loss)
        for x in inputs:
            lstm_feeds[x] = rng.uniform(0, 1, (LSTM_BATCH, LSTM_UNITS)).astype(np.float32)
        lstm_feeds[labels] = rng.integers(0, LSTM_CLASSES, LSTM_BATCH).astype(np.int32)
        return train, v1.global_variables_initializer()

    def build_lstm_graph():
        with tf.Graph().as_default():
            lstm()

    lstm_run = session_for(lstm)
    ids = np.random.default_rng(2).integers(0, 100000, 4096).astype(np.int32)
    return {
        "lstm_step": lambda: lstm_run(lstm_feeds),
        "lstm_build": build_lstm_graph,
        "conv_fwd": session_for(op_on((n, h, w, c), (3, 3, c, c), f=conv)),
        "conv_fwdbwd": session_for(conv_grads),
        "cnn_step": with_feeds(cnn),
        "transpose": session_for(op_on((4096, 4096), f=tf.transpose)),
        "gather": session_for(op_on((100000, 128), f=lambda t: tf.gather(t, ids))),
    }


def measure(framework, threads, repetitions):
    workloads = torch_workloads(threads) if framework == "torch" else tf_workloads(threads)
    result = {"framework": framework, "version": None, "times": {}}
    if framework == "torch":
        import torch
        result["version"] = torch.__version__
    else:
        import tensorflow as tf
        result["version"] = tf.__version__
    for key, fn in workloads.items():
        result["times"][key] = time_calls(fn, repetitions)
    json.dump(result, sys.stdout)


def varscope_times(paths):
    times = {}
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        runs = {}
        for b in data["benchmarks"]:
            if b.get("run_type") == "aggregate" or b.get("error_occurred"):
                continue
            unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b.get("time_unit", "ns")]
            runs.setdefault(b["run_name"], []).append(b["real_time"] * unit)
        times.update(runs)
    return times


def fmt(reps):
    if not reps:
        return "not built"
    lo, hi = min(reps) * 1e3, max(reps) * 1e3
    med = statistics.median(reps) * 1e3
    digits = lambda v: f"{v:.3g}"
    return f"{digits(med)} ({digits(lo)}–{digits(hi)})"


def load_round(directory):
    """varscope's times and each peer's {version, times} from one round's directory."""
    paths = [os.path.join(directory, f) for f in sorted(os.listdir(directory))
             if f.endswith(".json") and f not in ("torch.json", "tf.json")]
    peers = {}
    for framework in ("torch", "tf"):
        path = os.path.join(directory, framework + ".json")
        try:
            with open(path) as f:
                peers[framework] = json.load(f)
        except (OSError, ValueError):
            peers[framework] = {"version": "failed", "times": {}}
    return varscope_times(paths), peers


def table(directories, threads):
    rounds = [load_round(d) for d in directories]
    versions = {fw: next((p[fw]["version"] for _, p in rounds if p[fw]["version"] != "failed"),
                         "failed") for fw in ("torch", "tf")}
    print(f"ms per call, median (min–max) over {len(rounds)} rounds, each round varscope then "
          f"PyTorch then TF back to back; {threads} threads; PyTorch {versions['torch']} eager, "
          f"TensorFlow {versions['tf']} tf.compat.v1 Session. ratio: the faster peer's time / "
          "varscope's, per round, median (min–max)")
    print()
    print("| workload | varscope | PyTorch | TF | ratio |")
    print("| --- | --- | --- | --- | --- |")
    for key, label, name in WORKLOADS:
        mine, pt, tf, ratios = [], [], [], []
        for ours, peers in rounds:
            m = ours.get(name, [])
            p = peers["torch"]["times"].get(key, [])
            t = peers["tf"]["times"].get(key, [])
            mine += m
            pt += p
            tf += t
            if m and (p or t):
                best = min(statistics.median(x) for x in (p, t) if x)
                ratios.append(best / statistics.median(m))
        ratio = "—"
        if ratios:
            ratio = f"{statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f})"
        print(f"| {label} | {fmt(mine)} | {fmt(pt)} | {fmt(tf)} | {ratio} |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["table", "measure"])
    parser.add_argument("args", nargs="*")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repetitions", type=int, default=3)
    a = parser.parse_args()
    if a.mode == "measure":
        measure(a.args[0], a.threads, a.repetitions)
    else:
        table(a.args, a.threads)


if __name__ == "__main__":
    main()
