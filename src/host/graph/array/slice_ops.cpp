// tf.slice, tf.pad (constant 0), tf.tile and tf.range.
#include "host/graph/array/array_builders.h"
#include "host/graph/scope_guards.h"
#include "varscope/array_ops.h"
#include "varscope/errors.h"

namespace varscope {
namespace detail {
namespace {

DType index_dtype(const GraphImpl& g, TensorRef t, std::string_view parameter) {
  const DType d = spec(g, t).dtype;
  if (d != DType::kInt32 && d != DType::kInt64) {
    throw TypeError("Value passed to parameter '" + std::string(parameter) + "' has DataType " +
                    std::string(dtype_name(d)) + " not in list of allowed values: int32, int64");
  }
  return d;
}

bool fits_int32(std::int64_t v) {
  return v >= INT32_MIN && v <= INT32_MAX;
}

// A literal bound as an int32 Const, or int64 when `wide` (a bound does not fit int32).
TensorRef item(GraphImpl& g, const ListItem& i, bool wide, std::string_view name) {
  if (i.tensor.node >= 0) return i.tensor;
  if (!wide) return build_int_constant(g, {i.literal}, true, name);
  return build_constant(g, HostTensor(i.literal), {}, {}, false, name);
}

}  // namespace

TensorRef build_int_matrix(GraphImpl& g,
                           const std::vector<std::int64_t>& values,
                           std::int64_t rows,
                           std::int64_t cols,
                           std::string_view name) {
  bool int32 = true;
  for (std::int64_t v : values)
    int32 = int32 && fits_int32(v);
  const Shape shape{rows, cols};
  const HostTensor value =
      int32 ? HostTensor(std::vector<std::int32_t>(values.begin(), values.end()), shape)
            : HostTensor(values, shape);
  return build_constant(g, value, {}, {}, false, name);
}

TensorRef build_slice(
    GraphImpl& g, TensorRef x, TensorRef begin, TensorRef size, std::string_view name) {
  const DType index = index_dtype(g, begin, "begin");
  if (spec(g, size).dtype != index) {
    throw TypeError("Input 'size' of 'Slice' Op has type " +
                    std::string(dtype_name(spec(g, size).dtype)) + " that does not match type " +
                    std::string(dtype_name(index)) + " of argument 'begin'.");
  }
  return {add_op(g, OpType::kSlice, wrapper_scope(g, name, "Slice"), {x, begin, size},
                 {{attr_name::kT, spec(g, x).dtype}, {attr_name::kIndex, index}}),
          0};
}

TensorRef build_slice_literal(GraphImpl& g,
                              TensorRef x,
                              const std::vector<std::int64_t>& begin,
                              const std::vector<std::int64_t>& size,
                              std::string_view name) {
  const std::string scope = wrapper_scope(g, name, "Slice");
  TensorRef b, s;
  {
    StackGuard in_scope(g, scope_stack(scope));
    b = build_int_constant(g, begin, false, "begin");
    s = build_int_constant(g, size, false, "size");
  }
  return build_slice(g, x, b, s, scope);
}

TensorRef build_pad(GraphImpl& g, TensorRef x, TensorRef paddings, std::string_view name) {
  const DType tp = index_dtype(g, paddings, "paddings");
  return {add_op(g, OpType::kPad, wrapper_scope(g, name, "Pad"), {x, paddings},
                 {{attr_name::kT, spec(g, x).dtype}, {attr_name::kTpaddings, tp}}),
          0};
}

TensorRef build_range(
    GraphImpl& g, ListItem start, ListItem limit, ListItem delta, std::string_view name) {
  const std::string scope = wrapper_scope(g, name, "range");
  TensorRef s, l, d;
  {
    StackGuard in_scope(g, scope_stack(scope));
    bool wide = false;
    for (const ListItem* i : {&start, &limit, &delta})
      wide = wide || (i->tensor.node < 0 && !fits_int32(i->literal));
    s = item(g, start, wide, "start");
    l = item(g, limit, wide, "limit");
    d = item(g, delta, wide, "delta");
  }
  const DType tidx = index_dtype(g, s, "start");
  for (TensorRef t : {l, d}) {
    if (spec(g, t).dtype != tidx) {
      throw TypeError("Input 'limit' of 'Range' Op has type " +
                      std::string(dtype_name(spec(g, t).dtype)) + " that does not match type " +
                      std::string(dtype_name(tidx)) + " of argument 'start'.");
    }
  }
  return {add_op(g, OpType::kRange, scope, {s, l, d}, {{attr_name::kTidx, tidx}}), 0};
}

}  // namespace detail

using detail::OpType;
using detail::TensorRef;
namespace attr_name = detail::attr_name;

Tensor slice(const Input& input,
             const std::vector<std::int64_t>& begin,
             const std::vector<std::int64_t>& size,
             std::string_view name) {
  auto g = detail::graph_of_input(input, "slice");
  return g->mutate([&] {
    return g->tensor(detail::build_slice_literal(*g, g->ref_of(input.tensor()), begin, size, name));
  });
}

Tensor slice(const Input& input, const Tensor& begin, const Tensor& size, std::string_view name) {
  auto g = detail::graph_of_input(input, "slice");
  return g->mutate([&] {
    return g->tensor(detail::build_slice(*g, g->ref_of(input.tensor()), g->ref_of(begin),
                                         g->ref_of(size), name));
  });
}

Tensor pad(const Input& tensor,
           const std::vector<std::array<std::int64_t, 2>>& paddings,
           std::string_view name) {
  auto g = detail::graph_of_input(tensor, "pad");
  return g->mutate([&] {
    const TensorRef x = g->ref_of(tensor.tensor());
    const std::string scope = detail::wrapper_scope(*g, name, "Pad");
    std::vector<std::int64_t> flat;
    for (const auto& p : paddings)
      flat.insert(flat.end(), p.begin(), p.end());
    TensorRef p;
    {
      detail::StackGuard in_scope(*g, detail::scope_stack(scope));
      p = detail::build_int_matrix(*g, flat, static_cast<std::int64_t>(paddings.size()), 2,
                                   "paddings");
    }
    return g->tensor(detail::build_pad(*g, x, p, scope));
  });
}

Tensor tile(const Input& input, const std::vector<std::int64_t>& multiples, std::string_view name) {
  auto g = detail::graph_of_input(input, "tile");
  return g->mutate([&] {
    const TensorRef x = g->ref_of(input.tensor());
    const std::string scope = detail::wrapper_scope(*g, name, "Tile");
    TensorRef m;
    {
      detail::StackGuard in_scope(*g, detail::scope_stack(scope));
      m = detail::build_int_constant(*g, multiples, false, "multiples");
    }
    const DType tm = detail::spec(*g, m).dtype;
    return g->tensor(
        {detail::add_op(*g, OpType::kTile, scope, {x, m},
                        {{attr_name::kT, detail::spec(*g, x).dtype}, {attr_name::kTmultiples, tm}}),
         0});
  });
}

Tensor range(
    Graph& g, std::int64_t start, std::int64_t limit, std::int64_t delta, std::string_view name) {
  detail::GraphImpl& impl = *detail::Access::impl(g);
  return impl.mutate([&] {
    return impl.tensor(detail::build_range(impl, detail::ListItem::of(start),
                                           detail::ListItem::of(limit), detail::ListItem::of(delta),
                                           name));
  });
}

}  // namespace varscope
