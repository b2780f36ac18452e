// TF's array_ops and random_ops wrappers: constants, placeholders, identity, ones/zeros
// like a tensor, and the random ops (their recipes are in builders.cpp).
#include "host/graph/builders.h"
#include "varscope/errors.h"
#include "varscope/ops.h"

namespace varscope {

using detail::Access;
using detail::GraphImpl;
using detail::OpType;
using detail::TensorRef;
namespace attr_name = detail::attr_name;

namespace {

using detail::spec;
using detail::wrapper_scope;

}  // namespace

Tensor constant(Graph& g, const HostTensor& value, const ConstantOptions& options) {
  GraphImpl& impl = *Access::impl(g);
  return impl.mutate([&] {
    return impl.tensor(detail::build_constant(impl, value, options.dtype, options.shape,
                                              options.verify_shape, options.name));
  });
}

Tensor placeholder(Graph& g, DType dtype, std::optional<Shape> shape, std::string_view name) {
  GraphImpl& impl = *Access::impl(g);
  return impl.mutate([&] {
    Shape s = shape.value_or(Shape::unknown_rank());
    const int node =
        detail::add_op(impl, OpType::kPlaceholder, wrapper_scope(impl, name, "Placeholder"), {},
                       {{attr_name::kDType, dtype}, {attr_name::kShape, s}});
    return impl.tensor({node, 0});
  });
}

Tensor identity(const Input& x, std::string_view name) {
  if (x.is_literal()) throw ValueError("identity needs a Tensor input to know its graph");
  auto g = Access::lock(x.tensor());
  return g->mutate([&] {
    const TensorRef in = g->ref_of(x.tensor());
    const int node = detail::add_op(*g, OpType::kIdentity, wrapper_scope(*g, name, "Identity"),
                                    {in}, {{attr_name::kT, spec(*g, in).dtype}});
    return g->tensor({node, 0});
  });
}

Tensor ones_like(const Input& x, std::string_view name) {
  return detail::build_unary(OpType::kOnesLike, x, name);
}

Tensor zeros_like(const Input& x, std::string_view name) {
  return detail::build_unary(OpType::kZerosLike, x, name);
}

Tensor random_normal(Graph& g, const Shape& shape, const RandomOptions& o) {
  GraphImpl& impl = *Access::impl(g);
  return impl.mutate([&] {
    return impl.tensor(detail::build_random_normal(impl, shape, o.mean, o.stddev, o.dtype, o.seed,
                                                   /*truncated=*/false, o.name));
  });
}

Tensor truncated_normal(Graph& g, const Shape& shape, const RandomOptions& o) {
  GraphImpl& impl = *Access::impl(g);
  return impl.mutate([&] {
    return impl.tensor(detail::build_random_normal(impl, shape, o.mean, o.stddev, o.dtype, o.seed,
                                                   /*truncated=*/true, o.name));
  });
}

Tensor random_uniform(Graph& g, const Shape& shape, const RandomUniformOpOptions& o) {
  GraphImpl& impl = *Access::impl(g);
  return impl.mutate([&] {
    return impl.tensor(
        detail::build_random_uniform(impl, shape, o.minval, o.maxval, o.dtype, o.seed, o.name));
  });
}

}  // namespace varscope
