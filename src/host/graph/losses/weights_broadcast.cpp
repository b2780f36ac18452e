// TF 1.15's ones_like, zeros_like and weights_broadcast_ops, node for node
// (weights_broadcast.h).
#include "host/graph/losses/weights_broadcast.h"

#include <string>

#include "host/graph/builders.h"
#include "host/graph/graph_impl.h"
#include "varscope/array_ops.h"
#include "varscope/errors.h"

namespace varscope::detail::losses {
namespace {

constexpr const char* kAssertPrefix = "weights can not be broadcast to values.";

// NumPy's print of an int vector: "[4 3]".
std::string numpy_vector(const Shape& s) {
  std::string out = "[";
  for (std::size_t i = 0; i < s.dims().size(); ++i) {
    if (i > 0) out += ' ';
    out += std::to_string(s.dims()[i]);
  }
  out += ']';
  return out;
}

// A node of `op` with attribute T = `dtype`, named `name` verbatim ("a/b/").
Tensor add_verbatim(
    Graph& g, OpType op, const std::string& name, const std::vector<Tensor>& inputs, DType dtype) {
  GraphImpl& impl = *Access::impl(g);
  std::vector<TensorRef> refs;
  for (const Tensor& t : inputs)
    refs.push_back(impl.ref_of(t));
  const int node = add_op(impl, op, name, std::move(refs), {{attr_name::kT, dtype}});
  return impl.tensor({node, 0});
}

}  // namespace

Tensor ones_like(Graph& g, const Tensor& x) {
  // array_ops.ones_like_impl: ones(shape_internal(x)) -> fill(shape, constant(1)).
  const NameScope scope = g.name_scope(std::nullopt, "ones_like");
  const Tensor shape = varscope::shape(x, "Shape");
  const Tensor one = constant(g, HostTensor(1.0).cast(x.dtype()), {.name = "Const"});
  return add_verbatim(g, OpType::kFill, scope.name(), {shape, one}, x.dtype());
}

Tensor zeros_like(Graph& g, const Tensor& x) {
  const NameScope scope = g.name_scope(std::nullopt, "zeros_like");
  const Shape& s = x.shape();
  if (!s.is_fully_defined())
    return add_verbatim(g, OpType::kZerosLike, scope.name(), {x}, x.dtype());
  const HostTensor zero = HostTensor(0.0).cast(x.dtype());
  // array_ops._constant_if_small: a Const below 1000 elements, else a Fill.
  if (s.num_elements() < 1000) return constant(g, zero, {.name = scope.name(), .shape = s});
  std::vector<std::int64_t> dims = s.dims();
  const Tensor shape =
      constant(g, HostTensor(dims).cast(DType::kInt32), {.name = "shape_as_tensor"});
  const Tensor value = constant(g, zero, {.name = "Const"});
  return add_verbatim(g, OpType::kFill, scope.name(), {shape, value}, x.dtype());
}

HostTensor python_literal(const HostTensor& value) {
  return value.dtype() == DType::kFloat64 ? value.cast(DType::kFloat32) : value;
}

Operation assert_broadcastable(Graph& g, const Input& weights, const Tensor& values) {
  const NameScope scope = g.name_scope(std::nullopt, "assert_broadcastable");
  Tensor w;
  {
    const NameScope ws = g.name_scope(std::nullopt, "weights");
    w = weights.is_literal() ? constant(g, python_literal(weights.literal()), {.name = ws.name()})
                             : weights.tensor();
    varscope::shape(w, "shape");
    varscope::rank(w, "rank");
  }
  {
    const NameScope vs = g.name_scope(std::nullopt, "values");
    varscope::shape(values, "shape");
    varscope::rank(values, "rank");
  }
  const Shape& ws = w.shape();
  const Shape& vs = values.shape();
  if (ws.has_rank() && vs.has_rank()) {
    if (ws.rank() == 0) return no_op(g, "static_scalar_check_success");
    if (ws.rank() != vs.rank()) {
      throw ValueError(std::string(kAssertPrefix) + " values.rank=" + std::to_string(vs.rank()) +
                       ". weights.rank=" + std::to_string(ws.rank()) + ". values.shape=" +
                       vs.to_string() + ". weights.shape=" + ws.to_string() + ".");
    }
    if (ws.is_fully_defined() && vs.is_fully_defined()) {
      for (int i = 0; i < vs.rank(); ++i) {
        const std::int64_t d = ws.dims()[static_cast<std::size_t>(i)];
        if (d != 1 && d != vs.dims()[static_cast<std::size_t>(i)]) {
          throw ValueError(std::string(kAssertPrefix) + " Mismatch at dim " + std::to_string(i) +
                           ". values.shape=" + numpy_vector(vs) +
                           " weights.shape=" + numpy_vector(ws) + ".");
        }
      }
      return no_op(g, "static_dims_check_success");
    }
  }
  return no_op(g, scope.name());  // TF's Assert op takes the scope's name
}

Tensor broadcast_weights(Graph& g, const Tensor& weights, const Tensor& values) {
  const NameScope scope = g.name_scope(std::nullopt, "broadcast_weights");
  const Shape& ws = weights.shape();
  const Shape& vs = values.shape();
  if (ws.is_fully_defined() && vs.is_fully_defined() && ws.is_compatible_with(vs)) return weights;
  const Operation check = assert_broadcastable(g, weights, values);
  const ControlDependencies after_check = g.control_dependencies(std::vector<Operation>{check});
  return multiply(weights, ones_like(g, values), scope.name());
}

}  // namespace varscope::detail::losses
