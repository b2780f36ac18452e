// The math and loss op builders added for training: Square, Exp, Log, Neg, AddN, OnesLike,
// ZerosLike and the softmax cross-entropy losses.
#include <string>

#include "host/graph/builders.h"
#include "host/graph/op_defs.h"
#include "varscope/errors.h"
#include "varscope/ops.h"

namespace varscope {

using detail::Access;
using detail::GraphImpl;
using detail::OpType;
using detail::StackGuard;
using detail::TensorRef;
namespace attr_name = detail::attr_name;

namespace {

using detail::graph_of_input;
using detail::spec;
using detail::wrapper_scope;

Tensor build_elementwise(OpType op, const Input& x, std::string_view name) {
  const std::string type(detail::op_def(op).name);
  auto g = graph_of_input(x, type);
  return g->mutate([&] {
    const TensorRef in = g->ref_of(x.tensor());
    const detail::OutputSpec out = spec(*g, in);
    detail::check_input_dtype(detail::op_def(op), 0, out.dtype);
    const int node =
        g->add_node(op, wrapper_scope(*g, name, type), {in}, {out}, {{attr_name::kT, out.dtype}});
    return g->tensor({node, 0});
  });
}

// TF's SoftmaxCrossEntropyWithLogits and its sparse form: outputs loss [batch] and backprop.
Tensor build_xent(bool sparse, const Input& labels, const Input& logits, std::string_view name) {
  const OpType op = sparse ? OpType::kSparseSoftmaxXent : OpType::kSoftmaxXent;
  const std::string type(detail::op_def(op).name);
  auto g = graph_of_input(logits, type);
  return g->mutate([&] {
    const TensorRef x = g->ref_of(logits.tensor());
    const detail::OutputSpec xs = spec(*g, x);
    detail::check_input_dtype(detail::op_def(op), 0, xs.dtype);
    if (xs.shape.has_rank() && xs.shape.rank() != 2) {
      throw ValueError("Shape must be rank 2 but is rank " + std::to_string(xs.shape.rank()) +
                       " for logits of '" + type + "'");
    }
    const std::int64_t batch = xs.shape.has_rank() ? xs.shape.dim(0) : kUnknownDim;
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
    if (!ys.shape.is_compatible_with(sparse ? Shape({batch}) : xs.shape) && xs.shape.has_rank()) {
      throw ValueError("labels of shape " + ys.shape.to_list_string() +
                       " do not fit logits of shape " + xs.shape.to_list_string());
    }
    detail::Attrs attrs{{attr_name::kT, xs.dtype}};
    if (sparse) attrs.emplace_back(attr_name::kTlabels, ys.dtype);
    const Shape loss_shape = xs.shape.has_rank() ? Shape({batch}) : Shape::unknown_rank();
    const int node =
        g->add_node(op, sparse ? std::string_view(type) : std::string_view(scope), {x, y},
                    {{xs.dtype, loss_shape}, {xs.dtype, xs.shape}}, std::move(attrs));
    return g->tensor({node, 0});
  });
}

}  // namespace

Tensor square(const Input& x, std::string_view name) {
  return build_elementwise(OpType::kSquare, x, name);
}
Tensor exp(const Input& x, std::string_view name) {
  return build_elementwise(OpType::kExp, x, name);
}
Tensor log(const Input& x, std::string_view name) {
  return build_elementwise(OpType::kLog, x, name);
}
Tensor negative(const Input& x, std::string_view name) {
  return build_elementwise(OpType::kNeg, x, name);
}
Tensor ones_like(const Input& x, std::string_view name) {
  return build_elementwise(OpType::kOnesLike, x, name);
}
Tensor zeros_like(const Input& x, std::string_view name) {
  return build_elementwise(OpType::kZerosLike, x, name);
}

Tensor add_n(const std::vector<Tensor>& inputs, std::string_view name) {
  if (inputs.empty()) throw ValueError("inputs must be a list of at least one Tensor");
  auto g = Access::lock(inputs.front());
  return g->mutate([&] {
    std::vector<TensorRef> refs;
    for (const Tensor& t : inputs)
      refs.push_back(g->ref_of(t));
    const detail::OutputSpec first = spec(*g, refs.front());
    Shape shape = first.shape;
    for (const TensorRef& r : refs) {
      const detail::OutputSpec& s = spec(*g, r);
      if (s.dtype != first.dtype) {
        throw TypeError("AddN: inputs of " + std::string(dtype_name(first.dtype)) + " and " +
                        std::string(dtype_name(s.dtype)));
      }
      if (!s.shape.is_compatible_with(shape)) {
        throw ValueError("Shapes must be equal: " + shape.to_list_string() + " and " +
                         s.shape.to_list_string() + " (AddN)");
      }
      if (!shape.is_fully_defined()) shape = s.shape;
    }
    if (refs.size() == 1) return inputs.front();
    const int node = g->add_node(
        OpType::kAddN, wrapper_scope(*g, name, "AddN"), refs, {{first.dtype, shape}},
        {{attr_name::kN, static_cast<std::int64_t>(refs.size())}, {attr_name::kT, first.dtype}});
    return g->tensor({node, 0});
  });
}

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
