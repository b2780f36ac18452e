"""Records TensorFlow 1.15's summaries and event file for tests/summary_test.cpp (issue 26).

Run by hand, never in CI or tests, with TF 1.15 from PyPI:

    python3.7 -m venv /work/venv-tf115
    /work/venv-tf115/bin/pip install tensorflow-cpu==1.15.0 'protobuf<3.21' 'numpy<1.19'
    /work/venv-tf115/bin/python tools/tf115/make_summary_goldens.py

It writes tests/golden/summary/summaries_tf115.json (the serialized Summary that TF's
tf.summary.scalar and tf.summary.histogram ops compute for fixed values, in hex) and
tests/golden/summary/tf115.tfevents (an event file TF's FileWriter wrote: the version record,
then scalar "loss" = 0.25 at step 3).

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
