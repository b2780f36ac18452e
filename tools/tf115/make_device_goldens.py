"""Records TensorFlow 1.15's tf.device: canonical specs, nesting, errors, and which ops take
the device, for tests/placement_test.cpp (issue 27).

Run by hand, never in CI or tests, with TF 1.15 from PyPI:

    python3.7 -m venv /work/venv-tf115
    /work/venv-tf115/bin/pip install tensorflow-cpu==1.15.0 'protobuf<3.21' 'numpy<1.19'
    /work/venv-tf115/bin/python tools/tf115/make_device_goldens.py

It writes tests/golden/devices_tf115.json.
"""
import json
import os

import tensorflow as tf

assert tf.__version__.startswith("1.15"), tf.__version__

# Nested tf.device specs (None: tf.device(None)) -> a Const's device, or the error.
STACKS = [["/gpu:1"], ["/cpu:0"], ["/device:GPU:2"], ["/job:worker/task:1"],
          ["/job:worker/task:1", "/gpu:0"], ["/gpu:0", "/cpu:1"], ["/gpu:0", ""], ["/gpu:0", None],
          ["/job:ps", "/job:worker"], ["gpu:1"], ["/GPU:1"], ["/device:gpu:3"], ["/device:Gpu:3"],
          ["/job:w/replica:2/task:3/device:CPU:4"], ["/gpu:*"], ["/gpu"], ["/cpu:1", "/device:GPU:*"],
          ["/device:XLA_GPU:0"], ["/foo:1"], ["/gpu:0/cpu:1"], ["/task:x"], ["/gpu:x"],
          ["/device:GPU"], ["/job:a:b"], [""]]


def stack(specs):
    g = tf.Graph()
    with g.as_default():
        entered = []
        try:
            for s in specs:
                c = tf.device(s)
                c.__enter__()
                entered.append(c)
            return {"device": tf.constant(1.0).op.device}
        except ValueError as e:
            return {"error": str(e)}


def model_devices():
    """Which ops take the device: get_variable's initializer ops take none."""
    g = tf.Graph()
    with g.as_default():
        with tf.device("/gpu:0"):
            w = tf.get_variable("w", [2], initializer=tf.random_normal_initializer())
            v = tf.Variable(tf.zeros([2]), name="v")
            with tf.name_scope("s"):
                tf.add(w * 2.0, v)
        tf.get_variable("u", [2])
        return [[op.name, op.device] for op in g.get_operations()]


def matmul_on_gpu(op):
    """tf.device's docstring example (the C++ test writes the same function)."""
    return "/device:GPU:0" if op.type == "MatMul" else "/cpu:0"


def function_devices():
    """tf.device(function): order, nesting with strings and None, strings kept as returned."""
    g = tf.Graph()
    seen = []

    def record(op):
        seen.append([op.name, op.device])
        return "/gpu:1" if op.type == "MatMul" else "cpu:0"

    with g.as_default():
        with tf.device(matmul_on_gpu):
            a = tf.constant([[1.0]], name="a")
            tf.matmul(a, a)
        with tf.device("/job:w"):
            with tf.device(record):
                with tf.device("/cpu:3"):
                    tf.matmul(a, a, name="c")
                tf.constant(2.0, name="d")
        with tf.device(matmul_on_gpu):
            with tf.device(None):
                tf.constant(1.0, name="e")
        with tf.device(lambda op: "/gpu:0"):
            with tf.device(lambda op: op.device + "/task:7"):
                tf.constant(1.0, name="f")
        with tf.device("/job:a/cpu:0"):
            with tf.device(lambda op: "/job:b"):
                tf.constant(1.0, name="h")
        with tf.device(lambda op: "/foo:1"):
            tf.constant(1.0, name="i")
    error = None
    with tf.Graph().as_default():
        try:
            with tf.device("/job:w"):
                with tf.device(lambda op: "/foo:1"):
                    tf.constant(1.0, name="j")
        except ValueError as e:
            error = str(e)
    return {"ops": [[op.name, op.device] for op in g.get_operations()], "seen": seen,
            "merge_error": error}


def replica_device_setter_model():
    """The distributed-TF1 device function: variables round-robin over the ps tasks."""
    g = tf.Graph()
    setter = tf.train.replica_device_setter(ps_tasks=2, worker_device="/job:worker/task:0")
    with g.as_default(), tf.device(setter):
        x = tf.constant([[1.0, 2.0]], name="x")
        w = tf.get_variable("w", [2, 3], initializer=tf.ones_initializer())
        b = tf.get_variable("b", [3], initializer=tf.zeros_initializer())
        loss = tf.reduce_sum(tf.matmul(x, w) + b)
        tf.train.AdamOptimizer(0.1).minimize(loss)
    return [[op.name, op.type, op.device] for op in g.get_operations()]


def main():
    out = {"tf_version": tf.__version__,
           "stacks": [[s, stack(s)] for s in STACKS],
           "model": model_devices(),
           "functions": function_devices(),
           "replica_device_setter": replica_device_setter_model()}
    path = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden", "devices_tf115.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
