// tf.reshape, tf.expand_dims, tf.squeeze, tf.shape / size / rank and tf.stop_gradient: the
// ops that change a tensor's shape but not its elements (their kernel shares the input's
// buffer), and the ones that read its shape.
#include <limits>

#include "host/graph/array/array_builders.h"
#include "host/graph/scope_guards.h"
#include "varscope/array_ops.h"
#include "varscope/errors.h"

namespace varscope {
namespace detail {
namespace {

bool fits_int32(std::int64_t v) {
  return v >= std::numeric_limits<std::int32_t>::min() &&
         v <= std::numeric_limits<std::int32_t>::max();
}

// The one-output node's tensor.
Tensor out(GraphImpl& g, int node) {
  return g.tensor({node, 0});
}

// TF enters the wrapper's scope ("Reshape/") and converts list inputs to Consts in it.
std::string scope_no_slash(const std::string& scope) {
  return scope.substr(0, scope.size() - 1);
}

}  // namespace

TensorRef build_int_constant(GraphImpl& g,
                             const std::vector<std::int64_t>& values,
                             bool scalar,
                             std::string_view name) {
  bool int32 = true;
  for (std::int64_t v : values)
    int32 = int32 && fits_int32(v);
  const Shape shape = scalar ? Shape() : Shape{static_cast<std::int64_t>(values.size())};
  HostTensor value =
      int32 ? HostTensor(std::vector<std::int32_t>(values.begin(), values.end()), shape)
            : HostTensor(values, shape);
  return build_constant(g, value, {}, {}, false, name);
}

TensorRef build_reshape(GraphImpl& g, TensorRef x, TensorRef shape, std::string_view op_name) {
  const DType tshape = spec(g, shape).dtype;
  if (tshape != DType::kInt32 && tshape != DType::kInt64) {
    throw TypeError("Value passed to parameter 'shape' has DataType " +
                    std::string(dtype_name(tshape)) +
                    " not in list of allowed values: int32, int64");
  }
  return {add_op(g, OpType::kReshape, wrapper_scope(g, op_name, "Reshape"), {x, shape},
                 {{attr_name::kT, spec(g, x).dtype}, {attr_name::kTshape, tshape}}),
          0};
}

TensorRef build_shape(GraphImpl& g, TensorRef x, DType out_type, std::string_view name) {
  if (out_type != DType::kInt32 && out_type != DType::kInt64) {
    throw TypeError("Value passed to parameter 'out_type' has DataType " +
                    std::string(dtype_name(out_type)) +
                    " not in list of allowed values: int32, int64");
  }
  const std::string scope = wrapper_scope(g, name, "Shape");
  const Shape& s = spec(g, x).shape;
  if (s.is_fully_defined()) {
    if (out_type == DType::kInt32) {
      for (std::int64_t d : s.dims()) {
        if (!fits_int32(d)) {
          throw ValueError("Shape output type is 32-bit but dim " + std::to_string(d) +
                           " does not fit");
        }
      }
    }
    return build_constant(g, HostTensor(s.dims(), Shape{s.rank()}), out_type, {}, false, scope);
  }
  return {add_op(g, OpType::kShape, scope, {x},
                 {{attr_name::kT, spec(g, x).dtype}, {attr_name::kOutType, out_type}}),
          0};
}

}  // namespace detail

using detail::Access;
using detail::GraphImpl;
using detail::OpType;
using detail::TensorRef;
namespace attr_name = detail::attr_name;

Tensor reshape(const Input& tensor, const std::vector<std::int64_t>& shape, std::string_view name) {
  auto g = detail::graph_of_input(tensor, "reshape");
  return g->mutate([&] {
    const TensorRef x = g->ref_of(tensor.tensor());
    const std::string scope = detail::wrapper_scope(*g, name, "Reshape");
    TensorRef shape_ref;
    {
      detail::StackGuard in_scope(*g, detail::scope_no_slash(scope));
      shape_ref = detail::build_int_constant(*g, shape, /*scalar=*/false, "shape");
    }
    return detail::out(*g, detail::build_reshape(*g, x, shape_ref, scope).node);
  });
}

Tensor reshape(const Input& tensor, const Tensor& shape, std::string_view name) {
  auto g = detail::graph_of_input(tensor, "reshape");
  return g->mutate([&] {
    const TensorRef x = g->ref_of(tensor.tensor());
    const TensorRef s = g->ref_of(shape);
    return detail::out(*g, detail::build_reshape(*g, x, s, name).node);
  });
}

Tensor expand_dims(const Input& input, std::int64_t axis, std::string_view name) {
  auto g = detail::graph_of_input(input, "expand_dims");
  return g->mutate([&] {
    const TensorRef x = g->ref_of(input.tensor());
    const std::string scope = detail::wrapper_scope(*g, name, "ExpandDims");
    TensorRef dim;
    {
      detail::StackGuard in_scope(*g, detail::scope_no_slash(scope));
      dim = detail::build_int_constant(*g, {axis}, /*scalar=*/true, "dim");
    }
    const DType tdim = detail::spec(*g, dim).dtype;
    return detail::out(
        *g, detail::add_op(*g, OpType::kExpandDims, scope, {x, dim},
                           {{attr_name::kT, detail::spec(*g, x).dtype}, {attr_name::kTdim, tdim}}));
  });
}

Tensor squeeze(const Input& input, const std::vector<std::int64_t>& axis, std::string_view name) {
  auto g = detail::graph_of_input(input, "squeeze");
  return g->mutate([&] {
    const TensorRef x = g->ref_of(input.tensor());
    const std::int64_t n = static_cast<std::int64_t>(axis.size());
    detail::Attrs attrs;
    attrs.emplace_back(attr_name::kT, detail::spec(*g, x).dtype);
    attrs.emplace_back(attr_name::kSqueezeDims, HostTensor(axis, Shape{n}));
    return detail::out(
        *g, detail::add_op(*g, OpType::kSqueeze, detail::wrapper_scope(*g, name, "Squeeze"), {x},
                           std::move(attrs)));
  });
}

Tensor shape(const Input& input, std::string_view name, DType out_type) {
  auto g = detail::graph_of_input(input, "shape");
  return g->mutate([&] {
    return detail::out(*g, detail::build_shape(*g, g->ref_of(input.tensor()), out_type, name).node);
  });
}

Tensor size(const Input& input, std::string_view name, DType out_type) {
  auto g = detail::graph_of_input(input, "size");
  return g->mutate([&] {
    if (out_type != DType::kInt32 && out_type != DType::kInt64) {
      throw TypeError("Value passed to parameter 'out_type' has DataType " +
                      std::string(dtype_name(out_type)) +
                      " not in list of allowed values: int32, int64");
    }
    const TensorRef x = g->ref_of(input.tensor());
    const std::string scope = detail::wrapper_scope(*g, name, "Size");
    const Shape& s = detail::spec(*g, x).shape;
    if (s.is_fully_defined()) {
      std::int64_t n = 1;
      for (std::int64_t d : s.dims())
        n *= d;  // a shape's elements fit int64 (Shape checks it)
      if (out_type == DType::kInt32 && !detail::fits_int32(n)) {
        throw ValueError("Number of elements was larger than representable by 32-bit output type");
      }
      const HostTensor v =
          out_type == DType::kInt32 ? HostTensor(static_cast<int>(n)) : HostTensor(n);
      return detail::out(*g, detail::build_constant(*g, v, {}, {}, false, scope).node);
    }
    return detail::out(*g, detail::add_op(*g, OpType::kSize, scope, {x},
                                          {{attr_name::kT, detail::spec(*g, x).dtype},
                                           {attr_name::kOutType, out_type}}));
  });
}

Tensor rank(const Input& input, std::string_view name) {
  auto g = detail::graph_of_input(input, "rank");
  return g->mutate([&] {
    const TensorRef x = g->ref_of(input.tensor());
    const std::string scope = detail::wrapper_scope(*g, name, "Rank");
    const Shape& s = detail::spec(*g, x).shape;
    if (s.has_rank()) {
      return detail::out(
          *g, detail::build_constant(*g, HostTensor(s.rank()), {}, {}, false, scope).node);
    }
    return detail::out(*g, detail::add_op(*g, OpType::kRank, scope, {x},
                                          {{attr_name::kT, detail::spec(*g, x).dtype}}));
  });
}

Tensor stop_gradient(const Input& input, std::string_view name) {
  auto g = detail::graph_of_input(input, "stop_gradient");
  return g->mutate([&] {
    const TensorRef x = g->ref_of(input.tensor());
    return detail::out(*g, detail::add_op(*g, OpType::kStopGradient,
                                          detail::wrapper_scope(*g, name, "StopGradient"), {x},
                                          {{attr_name::kT, detail::spec(*g, x).dtype}}));
  });
}

}  // namespace varscope
