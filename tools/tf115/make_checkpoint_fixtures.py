#!/usr/bin/env python3
"""Writes the TensorFlow 1.15 checkpoints under tests/data/tf_checkpoints/ (run by hand, never
in CI; the output is committed).

How to run it (a TF 1.15 venv: `python3.7 -m venv venv-tf115 && venv-tf115/bin/pip install
tensorflow-cpu==1.15.0 'protobuf<3.21' 'numpy<1.19'`):

    venv-tf115/bin/python tools/tf115/make_checkpoint_fixtures.py [OUT_DIR]

OUT_DIR defaults to tests/data/tf_checkpoints (wiped and rewritten). Other modes:

    make_checkpoint_fixtures.py --bench [N_VARS] [TOTAL_MIB]   # times TF's Saver save/restore
    make_checkpoint_fixtures.py --strings [OUT_DIR]   # rewrites strings/ alone

What it writes (every tensor's name, dtype, shape and raw little-endian bytes go to
manifest.json, which the tests compare against exactly):
  adam/        a small model under variable_scopes trained 3 steps with Adam (slots, beta
               powers, global_step), saved at steps 2 and 3 with save_relative_paths=True:
               model.ckpt-2.*, model.ckpt-3.*, and the `checkpoint` state file.
  dtypes/      model.ckpt: one tensor of every dtype varscope has, plus scalars and empty
               tensors, written by the SaveV2 op itself with values from value() below (the
               C++ test writes the same tensors and compares the .index and .data bytes).
  partitioned/ model.ckpt: a [7, 2] variable with fixed_size_partitioner(3) (one full entry
               with slices + one entry per part) beside a plain variable.
  sharded/     model.ckpt: two variables on /cpu:0 and /cpu:1, Saver(sharded=True): two data
               files, model.ckpt.data-0000{0,1}-of-00002.
  v1/          model.ckpt: the pre-2017 V1 format (Saver(write_version=V1)).
  strings/     model.ckpt: string tensors (DT_STRING: varint lengths, their checksum, the
               bytes) written by SaveV2, and strings/manifest.json (each tensor's strings in hex).
"""
import json
import os
import shutil
import sys
import time

import numpy as np
import tensorflow as tf
from tensorflow.python.ops import io_ops

tf1 = tf.compat.v1

DTYPES = [
    ("float16", tf.float16, [2, 3]),
    ("bfloat16", tf.bfloat16, [3]),
    ("float32", tf.float32, [2, 2]),
    ("float64", tf.float64, [3, 1]),
    ("int8", tf.int8, [5]),
    ("int16", tf.int16, [2, 2]),
    ("int32", tf.int32, [4]),
    ("int64", tf.int64, [2]),
    ("uint8", tf.uint8, [6]),
    ("bool", tf.bool, [5]),
    ("complex64", tf.complex64, [3]),
]
SHAPES = [
    ("shapes/empty_f32", tf.float32, [0, 3]),
    ("shapes/empty_i64", tf.int64, [0]),
    ("shapes/scalar_bool", tf.bool, []),
    ("shapes/scalar_f32", tf.float32, []),
]


def value(name, shape):
    """The fixed values of the dtypes/ tensors; tests/tf_checkpoint_test.cpp has the same."""
    n = int(np.prod(shape)) if shape else 1
    i = np.arange(n, dtype=np.int64)
    if name in ("float16", "bfloat16", "float32", "float64") or name.endswith("_f32"):
        v = (i % 16) * 0.25 - 1.5
    elif name == "int8":
        v = (i * 7) % 200 - 100
    elif name == "int16":
        v = i * 300 - 1000
    elif name == "int32":
        v = i * 100003 - 7
    elif name.startswith("int64") or name.endswith("_i64"):
        v = i * 1000000000000 - 5
    elif name == "uint8":
        v = (i * 37) % 256
    elif name == "bool" or name.endswith("_bool"):
        v = (i % 3) == 0
    elif name == "complex64":
        v = (i * 0.5) - 0.25j * i
    return np.reshape(v, shape)


def raw_bytes(array, dtype):
    if dtype == tf.bfloat16:  # the top half of the float32 bits (values are exact)
        bits = np.asarray(array, dtype=np.float32).view(np.uint32) >> 16
        return bits.astype("<u2").tobytes()
    return np.ascontiguousarray(array, dtype=dtype.as_numpy_dtype).tobytes()


def manifest_of(prefix, graph_dtypes):
    """Every tensor of a checkpoint as TF's own reader returns it."""
    reader = tf1.train.NewCheckpointReader(prefix)
    out = {}
    dtypes = reader.get_variable_to_dtype_map()
    for name, shape in sorted(reader.get_variable_to_shape_map().items()):
        dtype = dtypes[name]
        if dtype == tf.bfloat16:
            array = graph_dtypes[name]
        else:
            array = reader.get_tensor(name)
        out[name] = {"dtype": dtype.name, "shape": list(shape),
                     "hex": raw_bytes(array, dtype).hex()}
    return out


def adam(out):
    g = tf.Graph()
    with g.as_default():
        tf1.set_random_seed(7)
        x = tf.constant(np.linspace(-1, 1, 15, dtype=np.float32).reshape(5, 3))
        y = tf.constant(np.linspace(0, 1, 10, dtype=np.float32).reshape(5, 2))
        with tf1.variable_scope("model"):
            with tf1.variable_scope("dense1"):
                k1 = tf1.get_variable("kernel", [3, 4])
                b1 = tf1.get_variable("bias", [4], initializer=tf1.zeros_initializer())
            with tf1.variable_scope("dense2"):
                k2 = tf1.get_variable("kernel", [4, 2])
                b2 = tf1.get_variable("bias", [2], initializer=tf1.zeros_initializer())
        h = tf.nn.relu(tf.matmul(x, k1) + b1)
        loss = tf.reduce_mean(tf.square(tf.matmul(h, k2) + b2 - y))
        step = tf1.train.get_or_create_global_step()
        train = tf1.train.AdamOptimizer(0.01).minimize(loss, global_step=step)
        saver = tf1.train.Saver(save_relative_paths=True)
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            for _ in range(3):
                sess.run(train)
                n = sess.run(step)
                if n >= 2:
                    saver.save(sess, os.path.join(out, "adam", "model.ckpt"), global_step=n,
                               write_meta_graph=False)
    return {p: manifest_of(os.path.join(out, "adam", p), {}) for p in
            ("model.ckpt-2", "model.ckpt-3")}


def dtypes(out):
    g = tf.Graph()
    names, tensors, arrays = [], [], {}
    for short, dtype, shape in DTYPES + SHAPES:
        name = short if short.startswith("shapes/") else "dt/" + short
        array = value(short.split("/")[-1] if short.startswith("shapes/") else short, shape)
        arrays[name] = array
        names.append(name)
        tensors.append((name, dtype, array))
    order = sorted(range(len(names)), key=lambda k: names[k])
    prefix = os.path.join(out, "dtypes", "model.ckpt")
    with g.as_default():
        consts = []
        for k in order:
            name, dtype, array = tensors[k]
            if dtype == tf.bfloat16:
                consts.append(tf.cast(tf.constant(array.astype(np.float32)), tf.bfloat16))
            else:
                consts.append(tf.constant(array, dtype=dtype))
        save = io_ops.save_v2(prefix, [names[k] for k in order], [""] * len(order), consts)
        with tf1.Session() as sess:
            sess.run(save)
    return {"model.ckpt": manifest_of(prefix, arrays)}


def partitioned(out):
    g = tf.Graph()
    with g.as_default():
        full = np.arange(14, dtype=np.float32).reshape(7, 2) * 0.5

        def init(shape, dtype=None, partition_info=None):
            row = partition_info.var_offset[0] if partition_info else 0
            return tf.constant(full[row:row + shape[0]])

        with tf1.variable_scope("emb"):
            tf1.get_variable("table", [7, 2], initializer=init,
                             partitioner=tf1.fixed_size_partitioner(3))
        tf1.get_variable("plain", [3], initializer=tf1.constant_initializer([1.0, 2.0, 3.0]))
        saver = tf1.train.Saver()
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            prefix = saver.save(sess, os.path.join(out, "partitioned", "model.ckpt"),
                                write_state=False, write_meta_graph=False)
    return {"model.ckpt": manifest_of(prefix, {})}


def sharded(out):
    g = tf.Graph()
    with g.as_default():
        with tf.device("/cpu:0"):
            tf1.get_variable("a", [2, 3], initializer=tf1.constant_initializer(1.5))
        with tf.device("/cpu:1"):
            tf1.get_variable("b", [4], dtype=tf.int64, initializer=tf1.constant_initializer(9))
        saver = tf1.train.Saver(sharded=True)
        config = tf1.ConfigProto(device_count={"CPU": 2})
        with tf1.Session(config=config) as sess:
            sess.run(tf1.global_variables_initializer())
            prefix = saver.save(sess, os.path.join(out, "sharded", "model.ckpt"),
                                write_state=False, write_meta_graph=False)
    return {"model.ckpt": manifest_of(prefix, {})}


def v1(out):
    g = tf.Graph()
    with g.as_default():
        tf1.get_variable("w", [2], initializer=tf1.constant_initializer(3.0))
        saver = tf1.train.Saver(write_version=tf1.train.SaverDef.V1)
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            saver.save(sess, os.path.join(out, "v1", "model.ckpt"), write_state=False,
                       write_meta_graph=False)


def bench(n_vars, total_mib):
    """TF's own Saver on n_vars float32 variables totalling total_mib MiB (in /tmp)."""
    per = total_mib * (1 << 20) // 4 // n_vars
    g = tf.Graph()
    with g.as_default():
        vs = [tf1.get_variable("v%04d" % i, [per], initializer=tf1.ones_initializer())
              for i in range(n_vars)]
        saver = tf1.train.Saver(vs)
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            d = "/tmp/tf115_saver_bench"
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d)
            for _ in range(3):
                t0 = time.time()
                saver.save(sess, d + "/model.ckpt", write_state=False)
                t1 = time.time()
                saver.restore(sess, d + "/model.ckpt")
                t2 = time.time()
                print("TF 1.15 Saver, %d variables, %d MiB: save %.3f s, restore %.3f s"
                      % (n_vars, total_mib, t1 - t0, t2 - t1))
            shutil.rmtree(d, ignore_errors=True)


STRINGS = [
    ("s/empty_vector", []),
    ("s/matrix", [[b"a", b""], [b"\x00\xffbytes", b"tf" * 40]]),
    ("s/scalar", b"loss"),
]


def strings(out):
    prefix = os.path.join(out, "strings", "model.ckpt")
    g = tf.Graph()
    with g.as_default():
        consts = [tf.constant(v, dtype=tf.string, shape=np.shape(v)) for _, v in STRINGS]
        save = io_ops.save_v2(prefix, [n for n, _ in STRINGS], [""] * len(STRINGS), consts)
        with tf1.Session() as sess:
            sess.run(save)
    reader = tf1.train.NewCheckpointReader(prefix)
    manifest = {}
    for name, _ in STRINGS:
        value = np.asarray(reader.get_tensor(name), dtype=object)
        manifest[name] = {"shape": list(value.shape),
                          "hex": [bytes(x).hex() for x in value.reshape(-1)]}
    with open(os.path.join(out, "strings", "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--strings":
        here = os.path.dirname(os.path.abspath(__file__))
        out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
            here, "..", "..", "tests", "data", "tf_checkpoints")
        shutil.rmtree(os.path.join(out, "strings"), ignore_errors=True)
        os.makedirs(os.path.join(out, "strings"))
        strings(out)
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--bench":
        n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
        mib = int(sys.argv[3]) if len(sys.argv) > 3 else 1024
        bench(n, mib)
        return
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        here, "..", "..", "tests", "data", "tf_checkpoints")
    out = os.path.normpath(out)
    shutil.rmtree(out, ignore_errors=True)
    for d in ("adam", "dtypes", "partitioned", "sharded", "v1", "strings"):
        os.makedirs(os.path.join(out, d))
    strings(out)
    manifest = {"tensorflow": tf.__version__,
                "adam": adam(out), "dtypes": dtypes(out), "partitioned": partitioned(out),
                "sharded": sharded(out)}
    v1(out)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
