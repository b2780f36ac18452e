// TF1's dropout (varscope/nn_ops.h): tf.nn.dropout(x, keep_prob) and the rate form
// (nn_ops.dropout_v2), building TF 1.15's ops under "dropout/": rate, Shape,
// random_uniform/..., sub, truediv, GreaterEqual, mul, Cast, mul_1. The uniform draw is
// random_uniform's (Philox, the graph and op seed rules), so both backends keep the same
// elements, and TF 1.15's for the same seeds.
#include <cstdio>
#include <string>

#include "host/graph/array/array_builders.h"
#include "host/graph/builders.h"
#include "host/graph/scope_guards.h"
#include "varscope/math_ops.h"
#include "varscope/nn_ops.h"

namespace varscope {

using detail::OpType;
using detail::StackGuard;
using detail::TensorRef;
namespace attr_name = detail::attr_name;

namespace {

// Python's "%g".
std::string python_g(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

double scalar_literal(const HostTensor& t, std::string_view what) {
  if (t.num_elements() != 1 || t.shape().rank() != 0) {
    throw ValueError(std::string(what) + " must be a floating point number or Tensor (got " +
                     t.shape().to_string() + "-shaped value)");
  }
  return t.element_as_double(0);
}

// nn_ops._get_noise_shape with a static noise shape: unknown dims take x's.
Shape noise_shape_of(const Shape& x, const Shape& noise) {
  if (!x.has_rank() || !noise.has_rank() || x.rank() != noise.rank()) return noise;
  std::vector<std::int64_t> dims = noise.dims();
  for (int d = 0; d < x.rank(); ++d) {
    auto& dim = dims[static_cast<std::size_t>(d)];
    if (dim == kUnknownDim) dim = x.dim(d);
  }
  return Shape(std::move(dims));
}

// nn_ops.dropout_v2 of a rate that is a number (`rate_literal`) or a Tensor.
Tensor build_dropout(detail::GraphImpl& g,
                     const Input& x_in,
                     std::optional<double> rate_literal,
                     const Tensor& rate_tensor,
                     const DropoutOptions& o) {
  g.check_scope_name(o.name);
  const std::string stack = g.resolve_name_scope(o.name.empty() ? "dropout" : o.name);
  StackGuard in_scope(g, stack);
  const Tensor x = x_in.tensor();
  const TensorRef xr = g.ref_of(x);
  const detail::OutputSpec xs = detail::spec(g, xr);
  if (!is_floating(xs.dtype)) {
    throw ValueError(
        "x has to be a floating point tensor since it's going to be scaled. Got a <dtype: '" +
        std::string(dtype_name(xs.dtype)) + "'> tensor instead.");
  }
  Tensor rate;
  if (rate_literal) {
    const double r = *rate_literal;
    if (!(r >= 0 && r < 1)) {
      throw ValueError("rate must be a scalar tensor or a float in the range [0, 1), got " +
                       python_g(r));
    }
    if (r == 0) return x;  // the scope "dropout" stays taken, as in TF
    rate = g.tensor(detail::build_constant(g, HostTensor::scalar(r), xs.dtype, {}, false, "rate"));
  } else {
    const TensorRef rr = g.ref_of(rate_tensor);
    const detail::OutputSpec rs = detail::spec(g, rr);
    if (rs.dtype != xs.dtype) {
      throw ValueError("Tensor conversion requested dtype " + std::string(dtype_name(xs.dtype)) +
                       " for Tensor with dtype " + std::string(dtype_name(rs.dtype)) +
                       ": 'Tensor(\"" + rate_tensor.name() + "\", shape=" + rs.shape.to_string() +
                       ", dtype=" + std::string(dtype_name(rs.dtype)) + ")'");
    }
    if (rs.shape.has_rank() && rs.shape.rank() != 0) {
      throw ValueError("Shape " + rs.shape.to_string() + " must have rank 0");
    }
    // tensor_util.constant_value(rate) == 0: a Const zero returns x.
    const detail::Node& rn = g.node(rr.node);
    if (rn.op == OpType::kConst &&
        detail::attr<HostTensor>(rn, attr_name::kValue).element_as_double(0) == 0) {
      return x;
    }
    rate = rate_tensor;
  }
  TensorRef random;
  if (o.noise_shape) {
    const Shape noise = noise_shape_of(xs.shape, *o.noise_shape);
    if (!noise.is_fully_defined()) {
      throw ValueError("Cannot convert a partially known TensorShape to a Tensor: " +
                       noise.to_string());
    }
    random = detail::build_random_uniform(g, noise, 0.0, 1.0, xs.dtype, o.seed, "random_uniform");
  } else {
    const TensorRef shape = detail::build_shape(g, xr, DType::kInt32, "Shape");
    random = detail::build_random_uniform(g, shape, xs.dtype, o.seed, "random_uniform");
  }
  const Tensor keep_prob = 1.0 - rate;
  const Tensor scale = 1.0 / keep_prob;
  const Tensor keep_mask = greater_equal(g.tensor(random), rate);
  const Tensor scaled = x * scale;
  const TensorRef mask = g.ref_of(keep_mask);
  const int cast = detail::add_op(g, OpType::kCast, "Cast", {mask},
                                  {{attr_name::kSrcT, DType::kBool}, {attr_name::kDstT, xs.dtype}});
  return scaled * g.tensor({cast, 0});
}

}  // namespace

Tensor dropout(const Input& x, const Input& keep_prob, const DropoutOptions& options) {
  auto g = detail::graph_of_input(x, "dropout");
  return g->mutate([&] {
    // nn_ops.dropout: rate = 1 - keep_prob, a Python number or a "sub" op before the scope.
    if (keep_prob.is_literal()) {
      const double keep = scalar_literal(keep_prob.literal(), "keep_prob");
      return build_dropout(*g, x, 1.0 - keep, Tensor(), options);
    }
    return build_dropout(*g, x, std::nullopt, 1.0 - keep_prob, options);
  });
}

Tensor dropout_v2(const Input& x, const Input& rate, const DropoutOptions& options) {
  auto g = detail::graph_of_input(x, "dropout");
  return g->mutate([&] {
    if (rate.is_literal()) {
      return build_dropout(*g, x, scalar_literal(rate.literal(), "rate"), Tensor(), options);
    }
    return build_dropout(*g, x, std::nullopt, rate.tensor(), options);
  });
}

}  // namespace varscope
