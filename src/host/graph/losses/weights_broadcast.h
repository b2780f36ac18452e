// The pieces of TF 1.15's Python that the losses build from, node for node: ones_like and
// zeros_like as graph-mode TF builds them (Fill of a Shape, or a Const), and
// weights_broadcast_ops (assert_broadcastable, broadcast_weights).
#pragma once

#include <string>

#include "varscope/graph.h"
#include "varscope/ops.h"

namespace varscope::detail::losses {

// array_ops.ones_like(x): "ones_like/Shape" (a Const when x's shape is known, else Shape),
// "ones_like/Const" (1), and the Fill "ones_like".
Tensor ones_like(Graph& g, const Tensor& x);
// array_ops.zeros_like(x): a Const "zeros_like" when x's shape is known and small (under
// 1000 elements), a Fill of "zeros_like/shape_as_tensor" when known and larger, else the
// ZerosLike op.
Tensor zeros_like(Graph& g, const Tensor& x);

// A literal as TF converts a Python number or list: floats become float32.
HostTensor python_literal(const HostTensor& value);

// weights_broadcast_ops.assert_broadcastable(weights, values), under "assert_broadcastable":
// its "weights" (a literal becomes the float32 Const "assert_broadcastable/weights") and
// "values" shape and rank, then, with both shapes known, the NoOp
// "static_scalar_check_success" (scalar weights) or "static_dims_check_success", or TF's
// ValueError. TF checks a shape it cannot know while building with an Assert in a cond;
// varscope has no cond: it adds a NoOp named as TF's Assert ("assert_broadcastable") and the
// weights' broadcast is checked by the Mul that applies them (docs/differences.md).
Operation assert_broadcastable(Graph& g, const Input& weights, const Tensor& values);

// weights_broadcast_ops.broadcast_weights(weights, values): `weights` itself when both shapes
// are known and compatible, else weights * ones_like(values) after assert_broadcastable.
Tensor broadcast_weights(Graph& g, const Tensor& weights, const Tensor& values);

// nn.softmax_cross_entropy_with_logits_v2(labels, logits, name) as TF 1.15 builds it, node for
// node (softmax_xent_v2.cpp): the per-example loss, of the logits' outer shape.
Tensor softmax_cross_entropy_v2(Graph& g,
                                const Tensor& labels,
                                const Tensor& logits,
                                const std::string& name);

}  // namespace varscope::detail::losses
