// tf.stack, tf.unstack, tf.concat and tf.split: the ops that join tensors along an axis or
// cut one into several (their kernel: strided copies, kernels/copy.h).
#include "host/graph/array/array_builders.h"
#include "host/graph/scope_guards.h"
#include "varscope/array_ops.h"
#include "varscope/errors.h"

namespace varscope {
namespace detail {
namespace {

std::vector<TensorRef> outputs_of(int node, std::int64_t n) {
  std::vector<TensorRef> out;
  for (int i = 0; i < n; ++i)
    out.push_back({node, i});
  return out;
}

void check_same_dtype(const GraphImpl& g,
                      const std::vector<TensorRef>& values,
                      std::string_view op,
                      std::string_view input) {
  for (std::size_t i = 1; i < values.size(); ++i) {
    const DType a = spec(g, values[0]).dtype, b = spec(g, values[i]).dtype;
    if (a != b) {
      throw TypeError("Tensors in list passed to '" + std::string(input) + "' of '" +
                      std::string(op) + "' Op have types [" + std::string(dtype_name(a)) + ", " +
                      std::string(dtype_name(b)) + "] that don't all match.");
    }
  }
}

}  // namespace

TensorRef build_stack(GraphImpl& g,
                      const std::vector<ListItem>& values,
                      std::int64_t axis,
                      std::string_view name) {
  const std::string scope = wrapper_scope(g, name, "stack");
  std::vector<TensorRef> refs;
  {
    StackGuard in_scope(g, scope_stack(scope));
    for (std::size_t i = 0; i < values.size(); ++i) {
      refs.push_back(values[i].tensor.node >= 0
                         ? values[i].tensor
                         : build_int_constant(g, {values[i].literal}, true, std::to_string(i)));
    }
  }
  check_same_dtype(g, refs, "Pack", "values");
  const auto n = static_cast<std::int64_t>(refs.size());
  const DType dtype = spec(g, refs.at(0)).dtype;
  return {add_op(g, OpType::kPack, scope, std::move(refs),
                 {{attr_name::kN, n}, {attr_name::kT, dtype}, {attr_name::kAxis, axis}}),
          0};
}

std::vector<TensorRef> build_unstack(
    GraphImpl& g, TensorRef x, std::int64_t num, std::int64_t axis, std::string_view name) {
  const int node =
      add_op(g, OpType::kUnpack, wrapper_scope(g, name, "unstack"), {x},
             {{attr_name::kNum, num}, {attr_name::kT, spec(g, x).dtype}, {attr_name::kAxis, axis}});
  return outputs_of(node, num);
}

TensorRef build_concat_v2(GraphImpl& g,
                          std::vector<TensorRef> values,
                          TensorRef axis,
                          std::string_view name) {
  check_same_dtype(g, values, "ConcatV2", "values");
  const DType tidx = spec(g, axis).dtype;
  if (tidx != DType::kInt32 && tidx != DType::kInt64) {
    throw TypeError("Value passed to parameter 'axis' has DataType " +
                    std::string(dtype_name(tidx)) + " not in list of allowed values: int32, int64");
  }
  const auto n = static_cast<std::int64_t>(values.size());
  const DType dtype = spec(g, values.at(0)).dtype;
  values.push_back(axis);
  return {add_op(g, OpType::kConcatV2, wrapper_scope(g, name, "concat"), std::move(values),
                 {{attr_name::kN, n}, {attr_name::kT, dtype}, {attr_name::kTidx, tidx}}),
          0};
}

TensorRef build_concat(GraphImpl& g,
                       const std::vector<TensorRef>& values,
                       std::int64_t axis,
                       std::string_view name) {
  const std::string scope = wrapper_scope(g, name, "concat");
  StackGuard in_scope(g, scope_stack(scope));
  if (values.size() == 1) {  // TF: identity(values[0]) after checking the axis is a scalar
    build_int_constant(g, {axis}, true, "concat_dim");
    const TensorRef x = values[0];
    const OutputSpec out = spec(g, x);
    return {g.add_node(OpType::kIdentity, "concat", {x}, {out}, {{attr_name::kT, out.dtype}}), 0};
  }
  const TensorRef axis_ref = build_int_constant(g, {axis}, true, "axis");
  return build_concat_v2(g, values, axis_ref, scope);
}

}  // namespace detail

using detail::OpType;
using detail::TensorRef;
namespace attr_name = detail::attr_name;

namespace {

std::shared_ptr<detail::GraphImpl> graph_of_list(const std::vector<Tensor>& values,
                                                 std::string_view op) {
  if (values.empty()) throw ValueError(std::string(op) + " needs at least one tensor");
  return detail::Access::lock(values[0]);
}

std::vector<TensorRef> refs_of(detail::GraphImpl& g, const std::vector<Tensor>& values) {
  std::vector<TensorRef> refs;
  for (const Tensor& t : values)
    refs.push_back(g.ref_of(t));
  return refs;
}

std::vector<Tensor> tensors(detail::GraphImpl& g, const std::vector<TensorRef>& refs) {
  std::vector<Tensor> out;
  for (const TensorRef& r : refs)
    out.push_back(g.tensor(r));
  return out;
}

}  // namespace

Tensor stack(const std::vector<Tensor>& values, std::int64_t axis, std::string_view name) {
  auto g = graph_of_list(values, "stack");
  return g->mutate([&] {
    const std::vector<TensorRef> refs = refs_of(*g, values);
    const Shape& s = detail::spec(*g, refs[0]).shape;
    if (s.has_rank()) {  // Python's check, before any node
      const std::int64_t expanded = s.rank() + 1;
      if (axis < -expanded || axis >= expanded) {
        throw ValueError("axis = " + std::to_string(axis) + " not in [" +
                         std::to_string(-expanded) + ", " + std::to_string(expanded) + ")");
      }
    }
    std::vector<detail::ListItem> items;
    for (const TensorRef& r : refs)
      items.push_back(detail::ListItem::of(r));
    return g->tensor(detail::build_stack(*g, items, axis, name));
  });
}

std::vector<Tensor> unstack(const Input& value,
                            std::optional<std::int64_t> num,
                            std::int64_t axis,
                            std::string_view name) {
  auto g = detail::graph_of_input(value, "unstack");
  return g->mutate([&] {
    const TensorRef x = g->ref_of(value.tensor());
    const Shape& s = detail::spec(*g, x).shape;
    if (!num) {
      if (s.has_rank()) {
        if (axis < -s.rank() || axis >= s.rank()) {
          throw ValueError("axis = " + std::to_string(axis) + " not in [" +
                           std::to_string(-s.rank()) + ", " + std::to_string(s.rank()) + ")");
        }
        num = s.dim(static_cast<int>(axis < 0 ? axis + s.rank() : axis));
      }
      if (!num || *num < 0) throw ValueError("Cannot infer num from shape " + s.to_string());
    }
    if (*num < 0) throw ValueError("num must be >= 0, got " + std::to_string(*num));
    return tensors(*g, detail::build_unstack(*g, x, *num, axis, name));
  });
}

Tensor concat(const std::vector<Tensor>& values, std::int64_t axis, std::string_view name) {
  auto g = graph_of_list(values, "concat");
  return g->mutate(
      [&] { return g->tensor(detail::build_concat(*g, refs_of(*g, values), axis, name)); });
}

std::vector<Tensor> split(const Input& value,
                          std::int64_t num_split,
                          std::int64_t axis,
                          std::string_view name) {
  auto g = detail::graph_of_input(value, "split");
  return g->mutate([&] {
    const TensorRef x = g->ref_of(value.tensor());
    if (num_split < 1) {
      throw ValueError("Attr 'num_split' of 'Split' Op passed " + std::to_string(num_split) +
                       " less than minimum 1.");
    }
    // TF converts num_or_size_splits first: a stray root Const.
    detail::build_int_constant(*g, {num_split}, true, "Const");
    const std::string scope = detail::wrapper_scope(*g, name, "split");
    TensorRef dim;
    {
      detail::StackGuard in_scope(*g, detail::scope_stack(scope));
      dim = detail::build_int_constant(*g, {axis}, true, "split_dim");
    }
    const int node = detail::add_op(
        *g, OpType::kSplit, scope, {dim, x},
        {{attr_name::kNumSplit, num_split}, {attr_name::kT, detail::spec(*g, x).dtype}});
    std::vector<Tensor> out;
    for (int i = 0; i < num_split; ++i)
      out.push_back(g->tensor({node, i}));
    return out;
  });
}

std::vector<Tensor> split(const Input& value,
                          const std::vector<std::int64_t>& size_splits,
                          std::int64_t axis,
                          std::string_view name) {
  auto g = detail::graph_of_input(value, "split");
  return g->mutate([&] {
    const TensorRef x = g->ref_of(value.tensor());
    const TensorRef sizes = detail::build_int_constant(*g, size_splits, false, "Const");
    const auto n = static_cast<std::int64_t>(size_splits.size());
    if (n < 1) throw ValueError("Attr 'num_split' of 'SplitV' Op passed 0 less than minimum 1.");
    const std::string scope = detail::wrapper_scope(*g, name, "split");
    TensorRef dim;
    {
      detail::StackGuard in_scope(*g, detail::scope_stack(scope));
      dim = detail::build_int_constant(*g, {axis}, true, "split_dim");
    }
    const int node = detail::add_op(*g, OpType::kSplitV, scope, {x, sizes, dim},
                                    {{attr_name::kNumSplit, n},
                                     {attr_name::kT, detail::spec(*g, x).dtype},
                                     {attr_name::kTlen, detail::spec(*g, sizes).dtype}});
    std::vector<Tensor> out;
    for (int i = 0; i < n; ++i)
      out.push_back(g->tensor({node, i}));
    return out;
  });
}

}  // namespace varscope
