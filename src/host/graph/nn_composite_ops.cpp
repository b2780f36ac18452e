// TF1's tf.nn functions that build a sub-graph of existing ops (varscope/nn_ops.h):
// l2_normalize, sigmoid_cross_entropy_with_logits and moments, with TF 1.15's scopes and
// op names. Each runs as one building call: a failure leaves the graph as it was.
#include <string>

#include "host/graph/builders.h"
#include "host/graph/scope_guards.h"
#include "varscope/array_ops.h"
#include "varscope/math_ops.h"
#include "varscope/nn_ops.h"

namespace varscope {

using detail::StackGuard;
using detail::TensorRef;

namespace {

std::optional<std::vector<int>> int_axes(const std::vector<std::int64_t>& axes) {
  return std::vector<int>(axes.begin(), axes.end());
}

}  // namespace

Tensor l2_normalize(const Input& x,
                    const std::vector<std::int64_t>& axis,
                    double epsilon,
                    std::string_view name) {
  auto g = detail::graph_of_input(x, "l2_normalize");
  return g->mutate([&] {
    // nn_impl.l2_normalize_v2: with ops.name_scope(name, "l2_normalize") as name.
    g->check_scope_name(name);
    const std::string stack = g->resolve_name_scope(name.empty() ? "l2_normalize" : name);
    StackGuard in_scope(*g, stack);
    const Tensor square_sum = reduce_sum(square(x), {.axes = int_axes(axis), .keepdims = true});
    const Tensor inv_norm = rsqrt(maximum(square_sum, epsilon));
    return multiply(x, inv_norm, detail::scope_string(stack));
  });
}

Tensor l2_normalize(const Input& x, std::int64_t axis, double epsilon, std::string_view name) {
  return l2_normalize(x, std::vector<std::int64_t>{axis}, epsilon, name);
}

Tensor sigmoid_cross_entropy_with_logits(const Input& labels,
                                         const Input& logits,
                                         std::string_view name) {
  auto g = detail::graph_of_input(logits, "sigmoid_cross_entropy_with_logits");
  return g->mutate([&] {
    // nn_impl.sigmoid_cross_entropy_with_logits, under "logistic_loss".
    g->check_scope_name(name);
    const std::string stack = g->resolve_name_scope(name.empty() ? "logistic_loss" : name);
    StackGuard in_scope(*g, stack);
    const Tensor x = logits.tensor();
    const detail::OutputSpec xs = detail::spec(*g, g->ref_of(x));
    const Tensor z = labels.is_literal()
                         ? g->tensor(detail::build_constant(*g, labels.literal().cast(xs.dtype), {},
                                                            {}, false, "labels"))
                         : labels.tensor();
    const Shape& zs = detail::spec(*g, g->ref_of(z)).shape;
    if (!zs.is_compatible_with(xs.shape)) {
      throw ValueError("logits and labels must have the same shape (" + xs.shape.to_string() +
                       " vs " + zs.to_string() + ")");
    }
    // array_ops.zeros_like: a Const (or a Fill) where the shape is known, as TF 1.15.
    const Tensor zeros =
        xs.shape.is_fully_defined()
            ? g->tensor(detail::build_fill(*g, xs.shape, xs.dtype, 0.0, "zeros_like"))
            : zeros_like(x, "zeros_like");
    const Tensor cond = greater_equal(x, zeros);
    const Tensor relu_logits = where(cond, x, zeros);
    const Tensor neg_abs_logits = where(cond, negative(x), x);
    const Tensor linear = relu_logits - x * z;
    return add(linear, log1p(exp(neg_abs_logits)), detail::scope_string(stack));
  });
}

Moments moments(const Input& x,
                const std::vector<std::int64_t>& axes,
                bool keep_dims,
                std::string_view name) {
  auto g = detail::graph_of_input(x, "moments");
  return g->mutate([&] {
    // nn_impl.moments: with ops.name_scope(name, "moments"); float16 is not cast (varscope's
    // kernels do not compute it).
    g->check_scope_name(name);
    const std::string stack = g->resolve_name_scope(name.empty() ? "moments" : name);
    StackGuard in_scope(*g, stack);
    Moments m;
    m.mean = reduce_mean(x, {.axes = int_axes(axes), .keepdims = true, .name = "mean"});
    m.variance = reduce_mean(squared_difference(x, stop_gradient(m.mean)),
                             {.axes = int_axes(axes), .keepdims = true, .name = "variance"});
    if (!keep_dims) {
      m.mean = squeeze(m.mean, axes);
      m.variance = squeeze(m.variance, axes);
    }
    return m;
  });
}

}  // namespace varscope
