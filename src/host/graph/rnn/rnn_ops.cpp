// The op recipes and checks the RNN cells share (rnn_internal.h).
#include <string>

#include "host/graph/array/array_builders.h"
#include "host/graph/builders.h"
#include "host/graph/layers/layer_scope.h"
#include "host/graph/rnn/rnn_internal.h"
#include "varscope/errors.h"

namespace varscope::nn::detail {

using varscope::detail::Access;
using varscope::detail::TensorRef;
namespace attr_name = varscope::detail::attr_name;

std::string python_shape(const Shape& shape) {
  if (!shape.has_rank()) return "None";
  std::string out = "(";
  for (int i = 0; i < shape.rank(); ++i) {
    if (i > 0) out += ", ";
    out += shape.dim(i) < 0 ? "None" : std::to_string(shape.dim(i));
  }
  return out + (shape.rank() == 1 ? ",)" : ")");
}

void expect_cell_inputs(const Tensor& inputs, const VariableScope& scope) {
  layers::detail::expect_rank(inputs.shape(), 2, scope);
  const DType dtype = inputs.dtype();
  if (!is_floating(dtype) && dtype != DType::kComplex64) {
    throw ValueError("RNN cell only supports floating point inputs, but saw dtype: <dtype: '" +
                     std::string(dtype_name(dtype)) + "'>");
  }
}

Tensor fill_named(const Tensor& dims, const Tensor& value, const std::string& scope) {
  auto g = Access::lock(dims);
  return g->mutate([&] {
    const TensorRef v = g->ref_of(value);
    return g->tensor(
        {varscope::detail::add_op(*g, varscope::detail::OpType::kFill, scope, {g->ref_of(dims), v},
                                  {{attr_name::kT, varscope::detail::spec(*g, v).dtype}}),
         0});
  });
}

Tensor int32_scalar(Graph& g, std::int32_t value) {
  return constant(g, HostTensor(value), {.name = "Const"});
}

std::vector<Tensor> split_on(const Tensor& value, std::int64_t num, const Tensor& axis) {
  auto g = Access::lock(value);
  return g->mutate([&] {
    const TensorRef x = g->ref_of(value);
    varscope::detail::build_int_constant(*g, {num}, true, "Const");
    const int node = varscope::detail::add_op(
        *g, varscope::detail::OpType::kSplit, "split", {g->ref_of(axis), x},
        {{attr_name::kNumSplit, num}, {attr_name::kT, varscope::detail::spec(*g, x).dtype}});
    std::vector<Tensor> out;
    for (int i = 0; i < num; ++i)
      out.push_back(g->tensor({node, i}));
    return out;
  });
}

Tensor activate(rnn_cell::Activation activation, const Tensor& x) {
  return activation == nullptr ? tanh(x) : activation(x, {});
}

std::int64_t checked_units(const char* cell, std::int64_t units) {
  if (units <= 0) {
    throw ValueError(std::string(cell) + ": num_units must be positive, got " +
                     std::to_string(units));
  }
  return units;
}

}  // namespace varscope::nn::detail
