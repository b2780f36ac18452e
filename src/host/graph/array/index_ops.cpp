// tf.one_hot and tf.placeholder_with_default.
#include "host/graph/array/array_builders.h"
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
