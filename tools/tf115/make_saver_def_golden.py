"""TF 1.15's Saver graph and SaverDef for the model of tests/graph_def_test_util.h (Mlp with
Adam), the golden that tests/saver_def_test.cpp compares export_meta_graph's saver with.

Run by hand, never in CI or tests, with TF 1.15 from PyPI (see check_graph_def.py):

    /work/venv-tf115/bin/python tools/tf115/make_saver_def_golden.py

It builds check_graph_def.py's tf_model(), Adam(0.1).minimize of its loss and a
tf.train.Saver(), and writes the Saver's nodes (the "save/" scope: Const and
PlaceholderWithDefault of the file name, SaveV2, control_dependency, RestoreV2, one Assign per
variable, restore_all) and its SaverDef as a MetaGraphDef in text form to
tests/golden/graph_def/saver_tf115.pbtxt. A second Saver with other options over two
variables (the "save_1/" scope, saver_options_tf115.pbtxt) shows TF's scope uniquification
and the options' fields.
Then saver_devices_tf115.pbtxt: a Saver over variables on two devices and none
(restore_all's per-device NoOps, the Assigns' devices) and of int32 and float64.
Then saver_partitioned_tf115.pbtxt: a Saver over a variable partitioned in three and a plain
one (each part saved under the whole's name with its slice spec).
"""
import os
import sys

import tensorflow as tf
from tensorflow.core.protobuf import meta_graph_pb2
from google.protobuf import text_format

sys.path.insert(0, os.path.dirname(__file__))
from check_graph_def import HERE, tf_model  # noqa: E402

assert tf.__version__.startswith("1.15"), tf.__version__


def main():
    meta = meta_graph_pb2.MetaGraphDef()
    with tf.Graph().as_default() as g:
        tf_model()
        loss = [op for op in g.get_operations() if op.type == "Mean"][0].outputs[0]
        tf.train.AdamOptimizer(0.1).minimize(loss)
        saver = tf.train.Saver()
        variables = {v.op.name: v for v in tf.global_variables()}
        other = tf.train.Saver([variables["layer1/b"], variables["extra"]], max_to_keep=2,
                               keep_checkpoint_every_n_hours=0.5)
        for node in g.as_graph_def().node:
            if node.name.startswith("save/"):
                meta.graph_def.node.add().CopyFrom(node)
        meta.saver_def.CopyFrom(saver.saver_def)
        options = meta_graph_pb2.MetaGraphDef()
        for node in g.as_graph_def().node:
            if node.name.startswith("save_1/"):
                options.graph_def.node.add().CopyFrom(node)
        options.saver_def.CopyFrom(other.saver_def)
    write(meta, "saver_tf115.pbtxt")
    write(options, "saver_options_tf115.pbtxt")

    meta = meta_graph_pb2.MetaGraphDef()
    with tf.Graph().as_default() as g:
        with tf.device("/gpu:0"):
            tf.get_variable("on_gpu", [2])
        with tf.device("/cpu:0"):
            tf.get_variable("on_cpu", [3], dtype=tf.float64)
        tf.get_variable("counts", [2, 2], dtype=tf.int32)
        saver = tf.train.Saver()
        for node in g.as_graph_def().node:
            if node.name.startswith("save/"):
                meta.graph_def.node.add().CopyFrom(node)
        meta.saver_def.CopyFrom(saver.saver_def)
    write(meta, "saver_devices_tf115.pbtxt")

    meta = meta_graph_pb2.MetaGraphDef()
    with tf.Graph().as_default() as g:
        tf.get_variable("emb", [7, 2], partitioner=tf.fixed_size_partitioner(3))
        tf.get_variable("w", [2])
        saver = tf.train.Saver()
        for node in g.as_graph_def().node:
            if node.name.startswith("save/"):
                meta.graph_def.node.add().CopyFrom(node)
        meta.saver_def.CopyFrom(saver.saver_def)
    write(meta, "saver_partitioned_tf115.pbtxt")


def write(meta, name):
    path = os.path.join(HERE, name)
    with open(path, "w") as f:
        f.write(text_format.MessageToString(meta))
    print("wrote", path, len(meta.graph_def.node), "nodes")


if __name__ == "__main__":
    main()
