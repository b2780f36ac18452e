// tf.transpose and tf.invert_permutation (the transpose's gradient inverts its perm).
#include <numeric>

#include "host/graph/array/array_builders.h"
#include "host/graph/scope_guards.h"
#include "varscope/array_ops.h"
#include "varscope/errors.h"

namespace varscope {
namespace detail {

TensorRef build_transpose(GraphImpl& g, TensorRef x, TensorRef perm, std::string_view op_name) {
  const DType tperm = spec(g, perm).dtype;
  if (tperm != DType::kInt32 && tperm != DType::kInt64) {
    throw TypeError("Value passed to parameter 'perm' has DataType " +
                    std::string(dtype_name(tperm)) +
                    " not in list of allowed values: int32, int64");
  }
  return {add_op(g, OpType::kTranspose, wrapper_scope(g, op_name, "Transpose"), {x, perm},
                 {{attr_name::kT, spec(g, x).dtype}, {attr_name::kTperm, tperm}}),
          0};
}

}  // namespace detail

using detail::OpType;
using detail::TensorRef;
namespace attr_name = detail::attr_name;

Tensor transpose(const Input& a, const std::vector<std::int64_t>& perm, std::string_view name) {
  auto g = detail::graph_of_input(a, "transpose");
  return g->mutate([&] {
    const TensorRef x = g->ref_of(a.tensor());
    std::vector<std::int64_t> p = perm;
    if (p.empty()) {
      const Shape& s = detail::spec(*g, x).shape;
      // TF builds Rank, Range and Sub ops for these (docs/differences.md).
      if (!s.has_rank() || s.rank() == 0) {
        throw ValueError("transpose without perm needs an input of known rank >= 1, got " +
                         s.to_string());
      }
      p.resize(static_cast<std::size_t>(s.rank()));
      std::iota(p.rbegin(), p.rend(), std::int64_t{0});
    }
    // `with ops.name_scope(name, "transpose")`: the perm is converted inside it.
    const std::string scope = detail::wrapper_scope(*g, name, "transpose");
    TensorRef perm_ref;
    {
      detail::StackGuard in_scope(*g, scope.substr(0, scope.size() - 1));
      perm_ref = detail::build_int_constant(*g, p, /*scalar=*/false, "perm");
    }
    return g->tensor(detail::build_transpose(*g, x, perm_ref, scope));
  });
}

Tensor transpose(const Input& a, const Tensor& perm, std::string_view name) {
  auto g = detail::graph_of_input(a, "transpose");
  return g->mutate([&] {
    const TensorRef x = g->ref_of(a.tensor());
    const std::string scope = detail::wrapper_scope(*g, name, "transpose");
    return g->tensor(detail::build_transpose(*g, x, g->ref_of(perm), scope));
  });
}

Tensor invert_permutation(const Input& x, std::string_view name) {
  auto g = detail::graph_of_input(x, "invert_permutation");
  return g->mutate([&] {
    const TensorRef in = g->ref_of(x.tensor());
    const DType dtype = detail::spec(*g, in).dtype;
    detail::check_input_dtype(detail::op_def(OpType::kInvertPermutation), 0, dtype);
    return g->tensor({detail::add_op(*g, OpType::kInvertPermutation,
                                     detail::wrapper_scope(*g, name, "InvertPermutation"), {in},
                                     {{attr_name::kT, dtype}}),
                      0});
  });
}

}  // namespace varscope
