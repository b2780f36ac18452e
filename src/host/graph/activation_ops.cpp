// TF's tf.nn activations of issue 24 (varscope/nn_ops.h): one node each through its
// op-table row.
#include <string>

#include "host/graph/elementwise_builders.h"
#include "host/graph/scope_guards.h"
#include "varscope/nn_ops.h"

namespace varscope {

using detail::OpType;
using detail::TensorRef;
namespace attr_name = detail::attr_name;

Tensor leaky_relu(const Input& features, double alpha, std::string_view name) {
  const detail::OpDef& def = detail::op_def(OpType::kLeakyRelu);
  auto g = detail::graph_of_input(features, def.name);
  return g->mutate([&] {
    // nn_ops.leaky_relu: with ops.name_scope(name, "LeakyRelu"), integers cast to float32.
    g->check_scope_name(name);
    const std::string stack = g->resolve_name_scope(name.empty() ? "LeakyRelu" : name);
    detail::StackGuard in_scope(*g, stack);
    TensorRef in = g->ref_of(features.tensor());
    DType dtype = detail::spec(*g, in).dtype;
    if (is_integer(dtype)) {
      in = {
          g->add_node(OpType::kCast, "Cast", {in}, {{DType::kFloat32, detail::spec(*g, in).shape}},
                      {{attr_name::kSrcT, dtype}, {attr_name::kDstT, DType::kFloat32}}),
          0};
      dtype = DType::kFloat32;
    }
    detail::check_input_dtype(def, 0, dtype);
    // TF's attribute is a float: alpha as float32 holds it.
    const double alpha32 = static_cast<double>(static_cast<float>(alpha));
    const int node = detail::add_op(*g, OpType::kLeakyRelu, detail::scope_string(stack), {in},
                                    {{attr_name::kAlpha, alpha32}, {attr_name::kT, dtype}});
    return g->tensor({node, 0});
  });
}

Tensor elu(const Input& features, std::string_view name) {
  return detail::build_unary(OpType::kElu, features, name);
}

Tensor softplus(const Input& features, std::string_view name) {
  return detail::build_unary(OpType::kSoftplus, features, name);
}

Tensor relu6(const Input& features, std::string_view name) {
  // nn_ops.relu6: with ops.name_scope(name, "Relu6"), then the op takes the scope's name.
  return detail::build_unary(OpType::kRelu6, features, name);
}

}  // namespace varscope
