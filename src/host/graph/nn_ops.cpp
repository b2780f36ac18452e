// TF's nn_ops wrappers: relu, softmax, log_softmax, l2_loss, bias_add and the softmax
// cross-entropy losses.
#include "varscope/nn_ops.h"

#include <string>

#include "host/graph/builders.h"
#include "host/graph/scope_guards.h"
#include "varscope/array_ops.h"
#include "varscope/errors.h"
#include "varscope/ops.h"

namespace varscope {

using detail::Access;
using detail::OpType;
using detail::StackGuard;
using detail::TensorRef;
namespace attr_name = detail::attr_name;

namespace {

using detail::graph_of_input;
using detail::spec;
using detail::wrapper_scope;

}  // namespace

Tensor relu(const Input& features, std::string_view name) {
  return detail::build_unary(OpType::kRelu, features, name);
}

Tensor softmax(const Input& logits, std::string_view name) {
  return detail::build_unary(OpType::kSoftmax, logits, name);
}

Tensor log_softmax(const Input& logits, std::string_view name) {
  return detail::build_unary(OpType::kLogSoftmax, logits, name);
}

Tensor l2_loss(const Input& t, std::string_view name) {
  return detail::build_unary(OpType::kL2Loss, t, name);
}

Tensor bias_add(const Input& value, const Input& bias, std::string_view name) {
  auto g = graph_of_input(value, "bias_add");
  return g->mutate([&] {
    const TensorRef v = g->ref_of(value.tensor());
    const detail::OutputSpec vs = spec(*g, v);
    const HostTensor literal = bias.is_literal() ? bias.literal().cast(vs.dtype) : HostTensor();
    const TensorRef b = bias.is_literal() ? TensorRef{} : g->ref_of(bias.tensor());
    const Shape bshape = bias.is_literal() ? literal.shape() : spec(*g, b).shape;
    const DType bdtype = bias.is_literal() ? literal.dtype() : spec(*g, b).dtype;
    g->check_scope_name(name);
    if (bdtype != vs.dtype) {
      // TF converts the bias to the value's dtype first; a Tensor of another dtype fails there.
      throw ValueError("Tensor conversion requested dtype " + std::string(dtype_name(vs.dtype)) +
                       " for Tensor with dtype " + std::string(dtype_name(bdtype)) +
                       ": 'Tensor(\"" + bias.tensor().name() + "\", shape=" + bshape.to_string() +
                       ", dtype=" + std::string(dtype_name(bdtype)) + ")'");
    }
    const std::string scope = wrapper_scope(*g, name, "BiasAdd");
    StackGuard in_scope(*g, scope.substr(0, scope.size() - 1));
    const TensorRef bi =
        bias.is_literal() ? detail::build_constant(*g, literal, {}, {}, false, "bias") : b;
    const int node =
        detail::add_op(*g, OpType::kBiasAdd, scope, {v, bi}, {{attr_name::kT, vs.dtype}});
    return g->tensor({node, 0});
  });
}

namespace {

// TF's SoftmaxCrossEntropyWithLogits and its sparse form: outputs loss [batch] and backprop.
Tensor build_xent(bool sparse, const Input& labels, const Input& logits, std::string_view name) {
  const OpType op = sparse ? OpType::kSparseSoftmaxXent : OpType::kSoftmaxXent;
  const std::string type(detail::op_def(op).name);
  auto g = graph_of_input(logits, type);
  return g->mutate([&] {
    const TensorRef x = g->ref_of(logits.tensor());
    const detail::OutputSpec xs = spec(*g, x);
    detail::check_input_dtype(detail::op_def(op), 0, xs.dtype);
    const std::string scope =
        wrapper_scope(*g, name, sparse ? type : std::string("softmax_cross_entropy_with_logits"));
    StackGuard in_scope(*g, scope.substr(0, scope.size() - 1));
    TensorRef y;
    if (labels.is_literal()) {
      const HostTensor value = sparse ? labels.literal() : labels.literal().cast(xs.dtype);
      y = detail::build_constant(*g, value, {}, {}, false, "labels");
    } else {
      y = g->ref_of(labels.tensor());
    }
    const detail::OutputSpec ys = spec(*g, y);
    if (sparse && ys.dtype != DType::kInt32 && ys.dtype != DType::kInt64) {
      throw TypeError("Sparse labels must be int32 or int64, got " +
                      std::string(dtype_name(ys.dtype)));
    }
    if (!sparse && ys.dtype != xs.dtype) {
      throw TypeError("labels of " + std::string(dtype_name(ys.dtype)) +
                      " do not match logits of " + std::string(dtype_name(xs.dtype)));
    }
    detail::Attrs attrs{{attr_name::kT, xs.dtype}};
    if (sparse) attrs.emplace_back(attr_name::kTlabels, ys.dtype);
    // The sparse wrapper keeps the labels' shape ("Shape": a Const when known) to restore a
    // rank > 2 result; the op takes the wrapper's `name` ("xentropy/xentropy"), else its type.
    if (sparse) varscope::shape(g->tensor(y), "Shape");
    const std::string_view op_name = !sparse        ? std::string_view(scope)
                                     : name.empty() ? std::string_view(type)
                                                    : name;
    const int node = detail::add_op(*g, op, op_name, {x, y}, std::move(attrs));
    return g->tensor({node, 0});
  });
}

}  // namespace

Tensor softmax_cross_entropy_with_logits(const Input& labels,
                                         const Input& logits,
                                         std::string_view name) {
  return build_xent(false, labels, logits, name);
}

Tensor sparse_softmax_cross_entropy_with_logits(const Input& labels,
                                                const Input& logits,
                                                std::string_view name) {
  return build_xent(true, labels, logits, name);
}

}  // namespace varscope
