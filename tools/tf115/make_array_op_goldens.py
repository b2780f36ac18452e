"""TF 1.15's node names, static shapes and error texts of the shape and data-movement ops
(tests/array_ops_test.cpp compares against its output). Run by hand:
  /work/venv-tf115/bin/python tools/tf115/make_array_op_goldens.py > tests/golden/array_ops_tf115.json
"""
import json
import numpy as np
import tensorflow as tf
from tensorflow.python.ops import gen_array_ops
out = {}
def graph_case(key, fn):
    g = tf.Graph()
    with g.as_default():
        fn()
    out[key] = [[n.name, n.op] for n in g.as_graph_def().node]
def err_case(key, fn):
    g = tf.Graph()
    with g.as_default():
        try:
            fn(); out[key] = None
        except Exception as e:
            out[key] = type(e).__name__ + ": " + str(e)
def ph(shape=None, name="x"): return tf.placeholder(tf.float32, shape, name=name)
def reshape_grad():
    x = ph([2,3]); y = tf.reshape(x, [3, 2]); tf.gradients(y, x)
graph_case("reshape", lambda: tf.reshape(ph([2,3]), [-1]))
graph_case("reshape_grad", reshape_grad)
def ed(): x = ph([2,3]); y = tf.expand_dims(x, 1); tf.gradients(y, x)
graph_case("expand_dims_grad", ed)
def sq(): x = ph([2,1,3]); y = tf.squeeze(x); z = tf.squeeze(x, [1]); tf.gradients(y, x)
graph_case("squeeze_grad", sq)
def shp(): x = ph([2,3]); tf.shape(x); tf.size(x); tf.rank(x); u = ph(None, "u"); tf.shape(u); tf.size(u); tf.rank(u)
graph_case("shape_size_rank", shp)
def sg(): x = ph([2,3]); y = tf.stop_gradient(x); tf.gradients(tf.identity(y), x)
graph_case("stop_gradient", sg)
def tr(): x = ph([2,3,4]); y = tf.transpose(x, [2,0,1]); z = tf.transpose(x); tf.gradients(y, x)
graph_case("transpose_grad", tr)
err_case("reshape_bad", lambda: tf.reshape(ph([2,3]), [4]))
err_case("reshape_two_minus1", lambda: tf.reshape(ph([2,3]), [-1, -1]))
err_case("reshape_indivisible", lambda: tf.reshape(ph([2,3]), [-1, 4]))
err_case("reshape_negative", lambda: tf.reshape(ph([2,3]), [-2, 3]))
err_case("reshape_shape_rank", lambda: tf.reshape(ph([2,3]), [[6]]))
err_case("expand_dims_axis", lambda: tf.expand_dims(ph([2,3]), 3))
err_case("expand_dims_axis_neg", lambda: tf.expand_dims(ph([2,3]), -4))
err_case("squeeze_not_one", lambda: tf.squeeze(ph([2,1,3]), [0]))
err_case("squeeze_axis_range", lambda: tf.squeeze(ph([2,1,3]), [3]))
err_case("transpose_perm_size", lambda: tf.transpose(ph([2,3]), [0]))
err_case("transpose_perm_dup", lambda: tf.transpose(ph([2,3]), [0, 0]))
err_case("transpose_perm_range", lambda: tf.transpose(ph([2,3]), [0, 2]))
# run-time errors
def run_err(key, build, feed):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, None, name="x")
        with tf.Session() as s:
            try:
                y = build(x)
                s.run(y, {x: feed}); out[key] = None
            except Exception as e:
                out[key] = type(e).__name__ + ": " + getattr(e, "message", str(e))
run_err("run_reshape_bad", lambda x: tf.reshape(x, [4]), np.zeros([2,3]))
run_err("run_reshape_indivisible", lambda x: tf.reshape(x, [-1, 4]), np.zeros([2,3]))
run_err("run_expand_dims_axis", lambda x: tf.expand_dims(x, 3), np.zeros([2,3]))
run_err("run_squeeze_not_one", lambda x: tf.squeeze(x, [0]), np.zeros([2,1,3]))
run_err("run_squeeze_axis_range", lambda x: tf.squeeze(x, [3]), np.zeros([2,1,3]))
run_err("run_transpose_perm_size", lambda x: tf.transpose(x, [0]), np.zeros([2,3]))
run_err("run_transpose_perm_dup", lambda x: tf.transpose(x, [0, 0]), np.zeros([2,3]))
run_err("run_transpose_perm_range", lambda x: tf.transpose(x, [0, 2]), np.zeros([2,3]))
run_err("run_reshape_two_minus1", lambda x: tf.reshape(x, [-1, -1]), np.zeros([2,3]))
run_err("run_reshape_empty_infer", lambda x: tf.reshape(x, [-1, 0]), np.zeros([0,3]))
def run_err_perm(key, feed):
    g = tf.Graph()
    with g.as_default():
        p = tf.placeholder(tf.int32, None, name="p")
        y = tf.invert_permutation(p)
        with tf.Session() as s:
            try:
                s.run(y, {p: feed}); out[key] = None
            except Exception as e:
                out[key] = type(e).__name__ + ": " + getattr(e, "message", str(e))
run_err_perm("run_invert_permutation_range", [0, 3, 1])
run_err_perm("run_invert_permutation_dup", [0, 1, 1])
run_err_perm("run_invert_permutation_rank", [[0]])
run_err("run_transpose_negative", lambda x: tf.transpose(x, [-1, 0]), np.zeros([2,3]))
# Stack, unstack, concat, split, slice, pad, tile.
def c1(): x = ph([2,3]); y = ph([2,3], "y"); s = tf.stack([x, y], axis=1); tf.gradients(s, [x, y])
graph_case("stack_grad", c1)
def c2(): x = ph([2,3]); a, b = tf.unstack(x, axis=0); tf.gradients(a, x)
graph_case("unstack_grad", c2)
def c3(): x = ph([3,4]); y = tf.slice(x, [1, 0], [2, -1]); tf.gradients(y, x)
graph_case("slice_grad", c3)
def c4(): x = ph([2,3]); y = tf.pad(x, [[1, 0], [0, 2]]); tf.gradients(y, x)
graph_case("pad_grad", c4)
def c5(): x = ph([2,3]); y = ph([2,1], "y"); z = tf.concat([x, y], 1); tf.concat([x], 0); tf.gradients(z, [x, y])
graph_case("concat_grad", c5)
def c6(): x = ph([4,6]); a, b = tf.split(x, 2, axis=1); c, d, e = tf.split(x, [1, 2, -1], 0); tf.gradients(a, x); tf.gradients(d, x)
graph_case("split_grad", c6)
def c7(): x = ph([2,3]); y = tf.tile(x, [2, 1]); tf.gradients(y, x)
graph_case("tile_grad", c7)
err_case("concat_rank", lambda: tf.concat([ph([2,3]), ph([2], "y")], 0))
err_case("concat_dim", lambda: tf.concat([ph([2,3]), ph([3,3], "y")], 1))
err_case("concat_axis", lambda: tf.concat([ph([2,3]), ph([2,3], "y")], 2))
err_case("stack_shapes", lambda: tf.stack([ph([2,3]), ph([3,3], "y")]))
err_case("stack_axis", lambda: tf.stack([ph([2,3]), ph([2,3], "y")], axis=3))
err_case("unstack_axis", lambda: tf.unstack(ph([2,3]), axis=2))
err_case("unstack_num", lambda: tf.unstack(ph([None,3])))
err_case("slice_size", lambda: tf.slice(ph([3,4]), [1, 0], [3, 4]))
err_case("slice_begin_rank", lambda: tf.slice(ph([3,4]), [1], [3]))
err_case("pad_shape", lambda: tf.pad(ph([2,3]), [[1, 0]]))
err_case("pad_negative", lambda: tf.pad(ph([2,3]), [[-1, 0], [0, 0]]))
err_case("split_count", lambda: tf.split(ph([4,6]), 4, axis=1))
err_case("split_sizes", lambda: tf.split(ph([4,6]), [1, 2], axis=1))
err_case("tile_len", lambda: tf.tile(ph([2,3]), [2]))
def run_err2(key, build, feeds):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, None, name="x")
        y = tf.placeholder(tf.float32, None, name="y")
        with tf.Session() as s:
            try:
                r = build(x, y)
                s.run(r, {x: feeds[0], y: feeds[1]}); out[key] = None
            except Exception as e:
                out[key] = type(e).__name__ + ": " + getattr(e, "message", str(e))
z = np.zeros
run_err2("run_concat_dim", lambda x, y: tf.concat([x, y], 1), [z([2,3]), z([3,3])])
run_err2("run_concat_rank", lambda x, y: tf.concat([x, y], 0), [z([2,3]), z([2])])
run_err2("run_concat_axis", lambda x, y: tf.concat([x, y], 2), [z([2,3]), z([2,3])])
run_err2("run_stack_shapes", lambda x, y: tf.stack([x, y]), [z([2,3]), z([3,3])])
run_err2("run_unstack_axis", lambda x, y: tf.unstack(x, num=2, axis=2)[0], [z([2,3]), 0])
run_err2("run_unstack_num", lambda x, y: tf.unstack(x, num=3)[0], [z([2,3]), 0])
run_err2("run_slice_size", lambda x, y: tf.slice(x, [1, 0], [3, 4]), [z([3,4]), 0])
run_err2("run_slice_rank", lambda x, y: tf.slice(x, [1], [3]), [z([3,4]), 0])
run_err2("run_pad_shape", lambda x, y: tf.pad(x, [[1, 0]]), [z([2,3]), 0])
run_err2("run_pad_negative", lambda x, y: tf.pad(x, [[-1, 0], [0, 0]]), [z([2,3]), 0])
run_err2("run_split_count", lambda x, y: tf.split(x, 4, axis=1)[0], [z([4,6]), 0])
run_err2("run_split_sizes", lambda x, y: tf.split(x, [1, 2], axis=1)[0], [z([4,6]), 0])
run_err2("run_tile_len", lambda x, y: tf.tile(x, [2]), [z([2,3]), 0])
run_err2("run_tile_negative", lambda x, y: tf.tile(x, [2, -1]), [z([2,3]), 0])

# one_hot, placeholder_with_default, gather, embedding_lookup, fill.
def graph_case3(key, fn):
    g = tf.Graph()
    with g.as_default():
        fn()
    out[key] = [[n.name, n.op] for n in g.as_graph_def().node]
def ph3(shape=None, name="x", dt=tf.float32): return tf.placeholder(dt, shape, name=name)
def c1(): i = ph3([3], "i", tf.int32); tf.one_hot(i, 4); tf.one_hot(i, 5, on_value=2.0, off_value=-1.0, axis=0)
graph_case3("one_hot", c1)
def c2(): d = tf.placeholder_with_default(tf.constant([1.0, 2.0]), [None]); tf.gradients(d * 2.0, d)
graph_case3("placeholder_with_default", c2)
def c3(): p = ph3([5, 3]); i = ph3([2], "i", tf.int32); tf.gather(p, i); tf.gather(p, i, axis=1); tf.nn.embedding_lookup(p, i)
graph_case3("gather", c3)
def c4(): tf.fill([2, 3], 1.5)
graph_case3("fill", c4)
g = tf.Graph()
with g.as_default():
    r = {}
    p = ph3([5, 3]); i = ph3([2, 4], "i", tf.int32); u = ph3(None, "u")
    r["gather0"] = tf.gather(p, i).shape
    r["gather1"] = tf.gather(p, i, axis=1).shape
    r["gather_unknown"] = tf.gather(u, i).shape
    r["one_hot"] = tf.one_hot(i, 6).shape
    r["one_hot_axis0"] = tf.one_hot(i, 6, axis=0).shape
    r["pwd"] = tf.placeholder_with_default(tf.constant([1.0, 2.0]), [None]).shape
    r["fill"] = tf.fill([2, 3], 1.5).shape
    out["shapes2"] = {k: str(v) for k, v in r.items()}
def err_case3(key, fn):
    g = tf.Graph()
    with g.as_default():
        try:
            fn(); out[key] = None
        except Exception as e:
            out[key] = type(e).__name__ + ": " + str(e)
err_case3("gather_axis", lambda: tf.gather(ph3([5, 3]), ph3([2], "i", tf.int32), axis=2))
err_case3("one_hot_axis", lambda: tf.one_hot(ph3([3], "i", tf.int32), 4, axis=3))
err_case3("pwd_shape", lambda: tf.placeholder_with_default(tf.constant([1.0, 2.0]), [3]))
def run_err3(key, build, feed):
    g = tf.Graph()
    with g.as_default():
        p = ph3(None, "p"); i = ph3(None, "i", tf.int32)
        with tf.Session() as s:
            try:
                r = build(p, i)
                s.run(r, {p: feed[0], i: feed[1]}); out[key] = None
            except Exception as e:
                out[key] = type(e).__name__ + ": " + getattr(e, "message", str(e))
run_err3("run_gather_index", lambda p, i: tf.gather(p, i), [np.zeros([5, 3]), [1, 7]])
run_err3("run_gather_negative", lambda p, i: tf.gather(p, i), [np.zeros([5, 3]), [[0, -1]]])
run_err3("run_gather_axis", lambda p, i: tf.gather(p, i, axis=2), [np.zeros([5, 3]), [0]])
run_err3("run_embedding_index", lambda p, i: tf.nn.embedding_lookup(p, i), [np.zeros([5, 3]), [5]])
g = tf.Graph()
with g.as_default(), tf.Session() as s:
    i = ph3(None, "i", tf.int32)
    out["one_hot_out_of_range"] = s.run(tf.one_hot(i, 3), {i: [0, 5, -1, 2]}).tolist()

def shapes():
    r = {}
    x = ph([2, 3]); u = ph([None, 3], "u"); w = ph([2, None, 4], "w")
    r["reshape_minus1"] = tf.reshape(x, [-1]).shape
    r["reshape_infer"] = tf.reshape(x, [3, -1]).shape
    r["reshape_unknown_in"] = tf.reshape(u, [-1, 6]).shape
    r["reshape_unknown_both"] = tf.reshape(u, [-1, 3]).shape
    r["reshape_two_minus1"] = tf.reshape(x, [-1, -1]).shape
    r["reshape_fed_shape"] = tf.reshape(x, tf.placeholder(tf.int32, [2])).shape
    r["expand_dims_neg"] = tf.expand_dims(x, -1).shape
    r["expand_dims_0"] = tf.expand_dims(x, 0).shape
    r["squeeze_all_unknown"] = tf.squeeze(w).shape
    r["squeeze_unknown_axis"] = tf.squeeze(w, [1]).shape
    r["shape_unknown"] = tf.shape(u).shape
    r["transpose_perm"] = tf.transpose(w, [2, 0, 1]).shape
    r["transpose_default"] = tf.transpose(w).shape
    r["transpose_fed_perm"] = tf.transpose(x, tf.placeholder(tf.int32, [2])).shape
    r["transpose_negative_perm"] = tf.transpose(x, [-1, 0]).shape
    r["concat_unknown_axis_dim"] = tf.concat([u, x], 0).shape
    r["slice_minus1"] = tf.slice(w, [1, 0, 1], [-1, 2, -1]).shape
    r["pad_unknown"] = tf.pad(w, [[1, 1], [0, 2], [3, 0]]).shape
    r["tile_unknown"] = tf.tile(w, [2, 3, 1]).shape
    r["split_v_minus1"] = tf.split(x, [1, -1], 1)[1].shape
    r["range"] = tf.range(2, 11, 3).shape
    return {k: str(v) for k, v in r.items()}
g = tf.Graph()
with g.as_default():
    out["shapes"] = shapes()
# strided_slice, Python indexing, gather's gradient (IndexedSlices), unsorted_segment_sum.
def detail_case(key, fn):
    """[name, op, inputs, masks or a Const's value and dtype] per node."""
    g = tf.Graph()
    with g.as_default():
        fn()
    rows = []
    for n in g.as_graph_def().node:
        extra = {k: n.attr[k].i for k in sorted(n.attr) if k.endswith("_mask")}
        if n.op == "Const":
            v = tf.make_ndarray(n.attr["value"].tensor)
            extra = {"value": v.tolist(), "dtype": tf.as_dtype(v.dtype).name}
        rows.append([n.name, n.op, list(n.input), extra])
    out[key] = rows
def idx(key, spec, shape=(3, 4, 5)):
    detail_case(key, lambda: ph(list(shape)).__getitem__(spec))
idx("index_all_1", (slice(None), 1))
idx("index_ellipsis_to2", (Ellipsis, slice(None, 2)))
idx("index_new_axis", (None,))
idx("index_minus1", (-1,))
idx("index_reverse", (slice(1, None), slice(None, None, -1)))
idx("index_mixed", (slice(None, None, 2), None, Ellipsis, -2))
idx("index_int64", (slice(0, 2**40),))
detail_case("index_empty", lambda: ph([3, 4])[()])
detail_case("strided_slice_lists", lambda: tf.strided_slice(ph([3, 4]), [1, 0], [3, 4], [1, 2], end_mask=2))
def shape0():
    x = ph([None, 3, 4]); b = tf.shape(x)[0]; tf.reshape(x, tf.stack([b, -1]))
detail_case("shape_batch", shape0)
def ss_grad():
    x = ph([3, 4, 5]); y = x[:, 1, ::-2]; tf.gradients(y, x)
detail_case("strided_slice_grad", ss_grad)
def ss_grad_unknown():
    x = ph([None, 4]); y = x[1:, None, 2]; tf.gradients(y, x)
detail_case("strided_slice_grad_unknown", ss_grad_unknown)
def gg_convert():
    p = ph([5, 3]); i = ph3([4], "i", tf.int32)
    tf.convert_to_tensor(tf.gradients(tf.gather(p, i), p)[0])
detail_case("gather_grad_dense", gg_convert)
def gg_mixed():
    p = ph([5, 3]); i = ph3([4], "i", tf.int32)
    tf.gradients([tf.gather(p, i), tf.identity(p)], p)
detail_case("gather_grad_mixed", gg_mixed)
def gg_two():
    p = ph([5, 3]); i = ph3([4], "i", tf.int32)
    tf.convert_to_tensor(tf.gradients([tf.gather(p, i), tf.gather(p, i)], p)[0])
detail_case("gather_grad_two", gg_two)
def emb_sgd():
    p = tf.get_variable("emb", [5, 3]); i = ph3([4], "i", tf.int32)
    y = tf.reduce_sum(tf.nn.embedding_lookup(p, i)); tf.train.GradientDescentOptimizer(0.1).minimize(y)
detail_case("embedding_sgd", emb_sgd)
detail_case("unsorted_segment_sum", lambda: tf.math.unsorted_segment_sum(ph([4, 3]), ph3([4], "i", tf.int32), 5))
g = tf.Graph()
with g.as_default():
    r = {}
    x = ph([3, 4, 5]); u = ph([None, 4], "u"); v = ph(None, "v")
    r["all_1"] = x[:, 1].shape
    r["ellipsis_to2"] = x[..., :2].shape
    r["new_axis"] = x[None].shape
    r["minus1"] = x[-1].shape
    r["reverse"] = x[1:, ::-1].shape
    r["mixed"] = x[::2, None, ..., -2].shape
    r["clamp"] = x[1:100, -100:2].shape
    r["empty_range"] = x[2:1].shape
    r["neg_stride_range"] = x[2:0:-1, ::-3].shape
    r["unknown_dim"] = u[1:, 2].shape
    r["unknown_rank"] = v[1:, 2].shape
    r["fed_begin"] = tf.strided_slice(x, tf.placeholder(tf.int32, [3]), [1, 2, 3], [1, 1, 1]).shape
    r["fed_begin_masked"] = tf.strided_slice(x, tf.placeholder(tf.int32, [3]), [1, 2, 3], [1, 1, 1], begin_mask=7, end_mask=7, shrink_axis_mask=2).shape
    r["shape0"] = tf.shape(u)[0].shape
    r["segment_sum"] = tf.math.unsorted_segment_sum(ph([4, 3]), ph3([4], "i", tf.int32), 5).shape
    out["strided_slice_shapes"] = {k: str(v) for k, v in r.items()}
x345 = lambda: ph([3, 4, 5])
err_case("ss_out_of_bounds", lambda: x345()[5])
err_case("ss_out_of_bounds_neg", lambda: x345()[:, -5])
err_case("ss_multiple_ellipses", lambda: tf.strided_slice(x345(), [0, 0], [0, 0], [1, 1], ellipsis_mask=3))
err_case("ss_zero_stride", lambda: x345()[::0])
err_case("ss_too_many", lambda: x345()[1, 1, 1, 1])
err_case("ss_shrink_stride", lambda: tf.strided_slice(x345(), [1], [2], [-1], shrink_axis_mask=1))
err_case("ss_lengths", lambda: tf.strided_slice(x345(), [1, 2], [2], [1]))
err_case("ss_index_dtype", lambda: tf.strided_slice(x345(), tf.constant([1]), tf.constant([2], tf.int64), tf.constant([1])))
err_case("segment_sum_type", lambda: tf.math.unsorted_segment_sum(ph3([4, 3], "b", tf.bool), ph3([4], "i", tf.int32), 5))
def run_ss(key, build, feed, dt=tf.float32):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(dt, None, name="x")
        with tf.Session() as s:
            try:
                r = s.run(build(x), {x: feed}); out[key] = r.tolist()
            except Exception as e:
                out[key] = type(e).__name__ + ": " + getattr(e, "message", str(e))
a = np.arange(60, dtype=np.float32).reshape(3, 4, 5)
run_ss("run_ss_out_of_bounds", lambda x: x[5], a)
run_ss("run_ss_zero_stride", lambda x: x[::0], a)
run_ss("run_ss_too_many", lambda x: x[1, 1, 1, 1], a)
run_ss("run_ss_values", lambda x: x[1:, ::-2, -1], a)
run_ss("run_ss_grad_dy", lambda x: gen_array_ops.strided_slice_grad([3, 4], [0, 1], [3, 2], [1, 1], x, shrink_axis_mask=2), np.zeros([2], np.float32))
run_ss("run_segment_sum_values", lambda x: tf.math.unsorted_segment_sum(x, [0, 2, 0, -1], 3), np.arange(8, dtype=np.float32).reshape(4, 2))
run_ss("run_segment_sum_range", lambda x: tf.math.unsorted_segment_sum(x, [0, 3, 0, 1], 3), np.zeros([4, 2], np.float32))
run_ss("run_segment_sum_prefix", lambda x: tf.math.unsorted_segment_sum(x, [0, 1, 0], 3), np.zeros([4, 2], np.float32))
print(json.dumps(out, indent=1, sort_keys=True))
