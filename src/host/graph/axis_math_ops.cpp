// TF's math_ops along one axis (varscope/math_ops.h): tf.argmax, tf.argmin, tf.cumsum and
// tf.cumprod,
// each one node with its axis a Const inside the op's name scope ("ArgMax/dimension",
// "Cumsum/axis"), as TF's generated wrappers convert it.
#include <string>

#include "host/graph/builders.h"
#include "host/graph/scope_guards.h"
#include "varscope/errors.h"
#include "varscope/math_ops.h"

namespace varscope {

using detail::OpType;
using detail::StackGuard;
using detail::TensorRef;
namespace attr_name = detail::attr_name;

namespace {

// The op named `name` (default: its TF type) of `x` and a Const `axis_name` of `axis`
// converted in the op's scope.
Tensor build_along_axis(OpType op,
                        const Input& x,
                        int axis,
                        const char* axis_name,
                        std::string_view name,
                        detail::Attrs attrs) {
  const detail::OpDef& def = detail::op_def(op);
  auto g = detail::graph_of_input(x, def.name);
  return g->mutate([&] {
    const TensorRef in = g->ref_of(x.tensor());
    const DType dtype = detail::spec(*g, in).dtype;
    detail::check_input_dtype(def, 0, dtype);
    g->check_scope_name(name);
    const std::string scope = detail::wrapper_scope(*g, name, def.name);
    StackGuard in_scope(*g, scope.substr(0, scope.size() - 1));
    const TensorRef axis_ref =
        detail::build_constant(*g, HostTensor(axis), {}, {}, false, axis_name);
    attrs.emplace_back(attr_name::kT, dtype);
    return g->tensor({detail::add_op(*g, op, scope, {in, axis_ref}, std::move(attrs)), 0});
  });
}

Tensor build_arg(OpType op, const Input& input, const ArgReduceOptions& o) {
  if (o.output_type != DType::kInt32 && o.output_type != DType::kInt64) {
    throw TypeError("Value passed to parameter 'output_type' has DataType " +
                    std::string(dtype_name(o.output_type)) +
                    " not in list of allowed values: int32, int64");
  }
  // TF1's argmax: axis None is 0.
  return build_along_axis(op, input, o.axis.value_or(0), "dimension", o.name,
                          {{attr_name::kOutputType, o.output_type}});
}

}  // namespace

Tensor argmax(const Input& input, const ArgReduceOptions& options) {
  return build_arg(OpType::kArgMax, input, options);
}

Tensor argmin(const Input& input, const ArgReduceOptions& options) {
  return build_arg(OpType::kArgMin, input, options);
}

Tensor cumsum(const Input& x, const ScanOptions& options) {
  return build_along_axis(
      OpType::kCumsum, x, options.axis, "axis", options.name,
      {{attr_name::kExclusive, options.exclusive}, {attr_name::kReverse, options.reverse}});
}

Tensor cumprod(const Input& x, const ScanOptions& options) {
  return build_along_axis(
      OpType::kCumprod, x, options.axis, "axis", options.name,
      {{attr_name::kExclusive, options.exclusive}, {attr_name::kReverse, options.reverse}});
}

}  // namespace varscope
