"""Records TensorFlow 1.15's summaries and event file for tests/summary_test.cpp (issue 26).

Run by hand, never in CI or tests, with TF 1.15 from PyPI:

    python3.7 -m venv /work/venv-tf115
    /work/venv-tf115/bin/pip install tensorflow-cpu==1.15.0 'protobuf<3.21' 'numpy<1.19'
    /work/venv-tf115/bin/python tools/tf115/make_summary_goldens.py

It writes tests/golden/summary/summaries_tf115.json (the serialized Summary that TF's
tf.summary.scalar and tf.summary.histogram ops compute for fixed values, in hex),
tests/golden/summary/tf115.tfevents (an event file TF's FileWriter wrote: the version record,
then scalar "loss" = 0.25 at step 3) and tests/golden/summary/summary_ops_tf115.json (the
graph tf.compat.v1.summary's scalar, histogram, merge and merge_all build, node for node, the
bytes each op fetches, and TF's error texts for bad input).

With a log directory as its argument it instead reads varscope's event files there with TF's
own reader (tf.train.summary_iterator) and TensorBoard's EventAccumulator, and prints what
they see: tools/tf115/make_summary_goldens.py /tmp/logdir
"""
import binascii
import glob
import json
import os
import shutil
import sys
import tempfile

import numpy as np
import tensorflow as tf

assert tf.__version__.startswith("1.15"), tf.__version__

HERE = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden", "summary")
VALUES = [-3.5, -1e-13, 0.0, 0.0, 0.5, 1.0, 1.0, 2.25, 1e5, 7.0]


def record():
    g = tf.Graph()
    with g.as_default():
        scalar = tf.summary.scalar("loss", tf.constant(0.25))
        histogram = tf.summary.histogram("weights", tf.constant(VALUES, dtype=tf.float64))
        with tf.Session() as sess:
            s, h = sess.run([scalar, histogram])
    out = {"tf_version": tf.__version__, "values": VALUES,
           "scalar_loss_0.25": binascii.hexlify(s).decode(),
           "histogram_weights": binascii.hexlify(h).decode()}
    with open(os.path.join(HERE, "summaries_tf115.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    logdir = tempfile.mkdtemp()
    writer = tf.summary.FileWriter(logdir)
    writer.add_summary(s, 3)
    writer.close()
    (path,) = glob.glob(os.path.join(logdir, "events.out.tfevents.*"))
    shutil.copy(path, os.path.join(HERE, "tf115.tfevents"))
    shutil.rmtree(logdir)


def node_json(n):
    attrs = {}
    for k, v in sorted(n.attr.items()):
        which = v.WhichOneof("value")
        if which == "type":
            attrs[k] = tf.as_dtype(v.type).name
        elif which == "i":
            attrs[k] = v.i
        elif which == "tensor":
            t = tf.make_ndarray(v.tensor)
            attrs[k] = [x.decode() for x in t.reshape(-1)] if t.dtype == object else t.tolist()
    return {"name": n.name, "op": n.op, "inputs": list(n.input), "attrs": attrs}


def error_text(fn):
    try:
        fn()
    except Exception as e:  # the text varscope must match
        msg = getattr(e, "message", None) or str(e)
        return {"class": type(e).__name__, "message": msg.split("\n")[0]}
    raise AssertionError("no error")


def record_ops():
    """The graph and bytes of tests/summary_ops_test.cpp's cases."""
    g = tf.Graph()
    with g.as_default():
        x = tf.constant(0.25, name="x")
        w = tf.constant(VALUES, dtype=tf.float64, name="w")
        ints = tf.constant([3, 1, 4, 1, 5], dtype=tf.int32, name="ints")
        loss = tf.compat.v1.summary.scalar("loss", x)
        loss_1 = tf.compat.v1.summary.scalar("loss", x)
        with tf.name_scope("train"):
            acc = tf.compat.v1.summary.scalar("a b:c", x)
        fam = tf.compat.v1.summary.scalar("lr", x, family="opt")
        weights = tf.compat.v1.summary.histogram("weights", w)
        counts = tf.compat.v1.summary.histogram("/counts", ints)
        mine = tf.compat.v1.summary.scalar("mine", x, collections=["mine"])
        merged = tf.compat.v1.summary.merge([loss, weights])
        named = tf.compat.v1.summary.merge([loss, counts], name="named")
        merged_all = tf.compat.v1.summary.merge_all()
        merged_mine = tf.compat.v1.summary.merge_all("mine")
        assert tf.compat.v1.summary.merge_all("empty") is None
        summaries = [t.name for t in g.get_collection(tf.compat.v1.GraphKeys.SUMMARIES)]
        fetch = {"loss": loss, "loss_1": loss_1, "train/a_b_c": acc, "opt/lr": fam,
                 "weights": weights, "counts": counts, "mine": mine, "Merge/MergeSummary": merged,
                 "named/named": named, "Merge_1/MergeSummary": merged_all,
                 "Merge_2/MergeSummary": merged_mine}
        with tf.compat.v1.Session() as sess:
            values = sess.run(fetch)
    out = {"tf_version": tf.__version__, "values": VALUES, "ints": [3, 1, 4, 1, 5],
           "nodes": [node_json(n) for n in g.as_graph_def().node],
           "summaries_collection": summaries,
           "fetched": {k: binascii.hexlify(v).decode() for k, v in sorted(values.items())}}

    errors = {}
    g = tf.Graph()
    with g.as_default():
        s = tf.constant("text")
        errors["scalar_of_string"] = error_text(lambda: tf.compat.v1.summary.scalar("s", s))
        errors["merge_of_float"] = error_text(
            lambda: tf.compat.v1.summary.merge([tf.constant(1.0)]))
        errors["merge_of_none"] = error_text(lambda: tf.compat.v1.summary.merge([]))
        vec = tf.compat.v1.summary.scalar("vec", tf.constant([1.0, 2.0]))
        nan = tf.compat.v1.summary.histogram("nan", tf.constant([1.0, float("nan")]))
        inf = tf.compat.v1.summary.histogram("inf", tf.constant([float("inf")]))
        a = tf.compat.v1.summary.scalar("dup", tf.constant(1.0))
        feed = tf.compat.v1.placeholder(tf.string, shape=[], name="feed")
        dup = tf.compat.v1.summary.merge([a, feed])
        with tf.compat.v1.Session() as sess:
            errors["scalar_of_vector"] = error_text(lambda: sess.run(vec))
            errors["histogram_nan"] = error_text(lambda: sess.run(nan))
            errors["histogram_inf"] = error_text(lambda: sess.run(inf))
            errors["merge_duplicate"] = error_text(
                lambda: sess.run(dup, {feed: sess.run(a)}))
            errors["merge_garbage"] = error_text(lambda: sess.run(dup, {feed: b"\xff\xff"}))
    out["errors"] = errors
    with open(os.path.join(HERE, "summary_ops_tf115.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


def check(logdir):
    from tensorboard.backend.event_processing import event_accumulator
    for path in sorted(glob.glob(os.path.join(logdir, "events.out.tfevents.*"))):
        kinds = {}
        for e in tf.train.summary_iterator(path):
            kind = e.WhichOneof("what")
            kinds[kind] = kinds.get(kind, 0) + 1
        print(path, kinds)
    acc = event_accumulator.EventAccumulator(logdir, size_guidance={"scalars": 0, "histograms": 0})
    acc.Reload()
    tags = acc.Tags()
    print("scalars:", tags["scalars"], "histograms:", tags["histograms"], "graph:", tags["graph"])
    for tag in tags["scalars"]:
        events = acc.Scalars(tag)
        print(" ", tag, len(events), "points; first", events[0].step, events[0].value,
              "last", events[-1].step, events[-1].value)
    if tags["graph"]:
        print("  graph nodes:", len(acc.Graph().node))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        check(sys.argv[1])
    else:
        record()
        record_ops()
