// tf.one_hot and tf.placeholder_with_default.
#include <cstring>

#include "host/graph/array/array_builders.h"
#include "host/graph/scope_guards.h"
#include "varscope/array_ops.h"
#include "varscope/errors.h"

namespace varscope {

using detail::OpType;
using detail::TensorRef;
namespace attr_name = detail::attr_name;

Tensor placeholder_with_default(const Input& input, const Shape& shape, std::string_view name) {
  auto g = detail::graph_of_input(input, "placeholder_with_default");
  return g->mutate([&] {
    const TensorRef x = g->ref_of(input.tensor());
    const DType dtype = detail::spec(*g, x).dtype;
    return g->tensor({detail::add_op(*g, OpType::kPlaceholderWithDefault,
                                     detail::wrapper_scope(*g, name, "PlaceholderWithDefault"), {x},
                                     {{attr_name::kDType, dtype}, {attr_name::kShape, shape}}),
                      0});
  });
}

namespace detail {

TensorRef build_gather(detail::GraphImpl& g,
                       TensorRef params,
                       TensorRef indices,
                       std::int64_t axis,
                       const std::string& scope) {
  const DType tindices = detail::spec(g, indices).dtype;
  if (tindices != DType::kInt32 && tindices != DType::kInt64) {
    throw TypeError("Value passed to parameter 'indices' has DataType " +
                    std::string(dtype_name(tindices)) +
                    " not in list of allowed values: int32, int64");
  }
  TensorRef axis_ref;
  {
    detail::StackGuard in_scope(g, detail::scope_stack(scope));
    axis_ref = detail::build_int_constant(g, {axis}, true, "axis");
  }
  return {detail::add_op(g, OpType::kGatherV2, scope, {params, indices, axis_ref},
                         {{attr_name::kBatchDims, std::int64_t{0}},
                          {attr_name::kTparams, detail::spec(g, params).dtype},
                          {attr_name::kTindices, tindices},
                          {attr_name::kTaxis, detail::spec(g, axis_ref).dtype}}),
          0};
}

}  // namespace detail

using detail::build_gather;

Tensor gather(const Input& params,
              const Tensor& indices,
              std::int64_t axis,
              std::string_view name) {
  auto g = detail::graph_of_input(params, "gather");
  return g->mutate([&] {
    const TensorRef p = g->ref_of(params.tensor());
    const TensorRef i = g->ref_of(indices);
    return g->tensor(build_gather(*g, p, i, axis, detail::wrapper_scope(*g, name, "GatherV2")));
  });
}

Tensor embedding_lookup(const Input& params, const Tensor& ids, std::string_view name) {
  auto g = detail::graph_of_input(params, "embedding_lookup");
  return g->mutate([&] {
    const TensorRef p = g->ref_of(params.tensor());
    const TensorRef i = g->ref_of(ids);
    // `with ops.name_scope(name, "embedding_lookup")`: the gather takes the scope's name,
    // then array_ops.identity inside it.
    const std::string scope = detail::wrapper_scope(*g, name, "embedding_lookup");
    const TensorRef gathered = build_gather(*g, p, i, 0, scope);
    detail::StackGuard in_scope(*g, detail::scope_stack(scope));
    const detail::OutputSpec out = detail::spec(*g, gathered);
    return g->tensor({g->add_node(OpType::kIdentity, "Identity", {gathered}, {out},
                                  {{attr_name::kT, out.dtype}}),
                      0});
  });
}

Tensor fill(Graph& graph,
            const std::vector<std::int64_t>& dims,
            const HostTensor& value,
            std::string_view name) {
  detail::GraphImpl& g = *detail::Access::impl(graph);
  return g.mutate([&] {
    if (value.num_elements() != 1) {
      throw ValueError("value must be a scalar, got shape " + value.shape().to_string());
    }
    std::int64_t count = 1;
    for (std::int64_t d : dims) {
      if (d < 0) throw ValueError("Fill dimensions must be >= 0, got " + std::to_string(d));
      if (__builtin_mul_overflow(count, d, &count)) {
        throw ValueError("Fill of " + Shape(dims).to_string() +
                         " has more than 2**63 - 1 elements");
      }
    }
    Shape shape(dims);
    HostTensor scalar(value.dtype(), Shape());
    std::memcpy(scalar.raw_data(), value.raw_data(), value.nbytes());
    // gen_array_ops.fill(dims, value, name): "Fill/dims", "Fill/value", "Fill".
    const std::string scope = detail::wrapper_scope(g, name, "Fill");
    TensorRef dims_ref, value_ref;
    {
      detail::StackGuard in_scope(g, detail::scope_stack(scope));
      dims_ref = detail::build_int_constant(g, dims, false, "dims");
      value_ref = detail::build_constant(g, scalar, {}, {}, false, "value");
    }
    const DType dtype = value.dtype();
    return g.tensor({g.add_node(OpType::kFill, scope, {dims_ref, value_ref},
                                {{dtype, std::move(shape)}}, {{attr_name::kT, dtype}}),
                     0});
  });
}

Tensor fill(const Tensor& dims, const HostTensor& value, std::string_view name) {
  auto g = detail::Access::lock(dims);
  return g->mutate([&] {
    if (value.num_elements() != 1) {
      throw ValueError("value must be a scalar, got shape " + value.shape().to_string());
    }
    const TensorRef d = g->ref_of(dims);
    const DType index = detail::spec(*g, d).dtype;
    if (index != DType::kInt32 && index != DType::kInt64) {
      throw TypeError("Value passed to parameter 'dims' has DataType " +
                      std::string(dtype_name(index)) +
                      " not in list of allowed values: int32, int64");
    }
    HostTensor scalar(value.dtype(), Shape());
    std::memcpy(scalar.raw_data(), value.raw_data(), value.nbytes());
    // gen_array_ops.fill(dims, value, name): "Fill/value", "Fill".
    const std::string scope = detail::wrapper_scope(*g, name, "Fill");
    TensorRef value_ref;
    {
      detail::StackGuard in_scope(*g, detail::scope_stack(scope));
      value_ref = detail::build_constant(*g, scalar, {}, {}, false, "value");
    }
    return g->tensor(
        {detail::add_op(*g, OpType::kFill, scope, {d, value_ref}, {{attr_name::kT, value.dtype()}}),
         0});
  });
}

Tensor one_hot(const Input& indices, std::int64_t depth, const OneHotOptions& o) {
  auto g = detail::graph_of_input(indices, "one_hot");
  return g->mutate([&] {
    const TensorRef i = g->ref_of(indices.tensor());
    const DType ti = detail::spec(*g, i).dtype;
    if (ti != DType::kInt32 && ti != DType::kInt64) {
      throw TypeError("Value passed to parameter 'indices' has DataType " +
                      std::string(dtype_name(ti)) +
                      " not in list of allowed values: uint8, int32, int64");
    }
    const std::string scope = detail::wrapper_scope(*g, o.name, "one_hot");
    TensorRef depth_ref, on, off;
    {
      detail::StackGuard in_scope(*g, detail::scope_stack(scope));
      auto value = [&](double v, std::string_view name) {
        return detail::build_constant(*g, HostTensor(v).cast(o.dtype), o.dtype, {}, false, name);
      };
      if (!o.on_value && !o.off_value) {  // TF converts the defaults itself, before depth
        on = value(1, "on_value");
        off = value(0, "off_value");
        depth_ref = detail::build_int_constant(*g, {depth}, true, "depth");
      } else {
        // TF probes the given values' dtypes ("Const", "Const_1"), then the op converts its
        // inputs in order.
        if (o.on_value) value(*o.on_value, "Const");
        if (o.off_value) value(*o.off_value, "Const");
        depth_ref = detail::build_int_constant(*g, {depth}, true, "depth");
        on = value(o.on_value.value_or(1), "on_value");
        off = value(o.off_value.value_or(0), "off_value");
      }
    }
    return g->tensor(
        {detail::add_op(
             *g, OpType::kOneHot, scope, {i, depth_ref, on, off},
             {{attr_name::kAxis, o.axis}, {attr_name::kT, o.dtype}, {attr_name::kTI, ti}}),
         0});
  });
}

}  // namespace varscope
