// tf.strided_slice, Python's x[...] indexing (vs::index) and tf.math.unsorted_segment_sum.
#include "host/graph/array/array_builders.h"
#include "host/graph/array/strided_slice_spec.h"
#include "host/graph/scope_guards.h"
#include "varscope/array_ops.h"
#include "varscope/errors.h"

namespace varscope {
namespace detail {
namespace {

void check_index_dtype(const GraphImpl& g, TensorRef t, std::string_view parameter) {
  const DType d = spec(g, t).dtype;
  if (d != DType::kInt32 && d != DType::kInt64) {
    throw TypeError("Value passed to parameter '" + std::string(parameter) + "' has DataType " +
                    std::string(dtype_name(d)) + " not in list of allowed values: int32, int64");
  }
}

Attrs mask_attrs(const StridedSliceMasks& m) {
  return {{attr_name::kBeginMask, m.begin},
          {attr_name::kEndMask, m.end},
          {attr_name::kEllipsisMask, m.ellipsis},
          {attr_name::kNewAxisMask, m.new_axis},
          {attr_name::kShrinkAxisMask, m.shrink_axis}};
}

StridedSliceMasks masks_of(const StridedSliceOptions& o) {
  return {o.begin_mask, o.end_mask, o.ellipsis_mask, o.new_axis_mask, o.shrink_axis_mask};
}

}  // namespace

TensorRef build_strided_slice(GraphImpl& g,
                              TensorRef x,
                              TensorRef begin,
                              TensorRef end,
                              TensorRef strides,
                              const StridedSliceMasks& masks,
                              std::string_view name_or_scope) {
  check_index_dtype(g, begin, "begin");
  const DType index = spec(g, begin).dtype;
  const std::pair<TensorRef, const char*> others[] = {{end, "end"}, {strides, "strides"}};
  for (const auto& [t, input] : others) {
    if (spec(g, t).dtype != index) {
      throw TypeError("Input '" + std::string(input) + "' of 'StridedSlice' Op has type " +
                      std::string(dtype_name(spec(g, t).dtype)) + " that does not match type " +
                      std::string(dtype_name(index)) + " of argument 'begin'.");
    }
  }
  Attrs attrs{{attr_name::kT, spec(g, x).dtype}, {attr_name::kIndex, index}};
  for (auto& a : mask_attrs(masks))
    attrs.push_back(std::move(a));
  const std::string_view name = name_or_scope.empty() ? "StridedSlice" : name_or_scope;
  return {add_op(g, OpType::kStridedSlice, name, {x, begin, end, strides}, std::move(attrs)), 0};
}

TensorRef build_index_slice(GraphImpl& g,
                            TensorRef x,
                            const std::vector<std::int64_t>& begin,
                            const std::vector<std::int64_t>& end,
                            const std::vector<std::int64_t>& strides,
                            const StridedSliceMasks& masks,
                            std::string_view name) {
  const std::string scope = wrapper_scope(g, name, "strided_slice");
  TensorRef packed[3];
  {
    StackGuard in_scope(g, scope_stack(scope));
    if (begin.empty()) {  // x[()]: one empty int32 Const for all three
      packed[0] = packed[1] = packed[2] = build_constant(
          g, HostTensor(std::vector<std::int32_t>{}, Shape{0}), {}, {}, false, "Const");
    } else {
      packed[0] = build_int_constant(g, begin, false, "stack");
      packed[1] = build_int_constant(g, end, false, "stack");
      packed[2] = build_int_constant(g, strides, false, "stack");
      bool wide = false;
      for (const TensorRef& p : packed)
        wide = wide || spec(g, p).dtype == DType::kInt64;
      for (TensorRef& p : packed) {
        if (!wide || spec(g, p).dtype == DType::kInt64) continue;
        p = {add_op(g, OpType::kCast, "Cast", {p},
                    {{attr_name::kSrcT, DType::kInt32}, {attr_name::kDstT, DType::kInt64}}),
             0};
      }
    }
  }
  return build_strided_slice(g, x, packed[0], packed[1], packed[2], masks, scope);
}

}  // namespace detail

using detail::OpType;
using detail::TensorRef;
namespace attr_name = detail::attr_name;

Tensor strided_slice(const Input& input,
                     const std::vector<std::int64_t>& begin,
                     const std::vector<std::int64_t>& end,
                     const std::vector<std::int64_t>& strides,
                     const StridedSliceOptions& options) {
  auto g = detail::graph_of_input(input, "strided_slice");
  return g->mutate([&] {
    const TensorRef x = g->ref_of(input.tensor());
    const std::string scope = detail::wrapper_scope(*g, options.name, "StridedSlice");
    TensorRef b, e, s;
    {
      detail::StackGuard in_scope(*g, detail::scope_stack(scope));
      b = detail::build_int_constant(*g, begin, false, "begin");
      e = detail::build_int_constant(*g, end, false, "end");
      s = detail::build_int_constant(*g, strides, false, "strides");
    }
    return g->tensor(detail::build_strided_slice(*g, x, b, e, s, detail::masks_of(options), scope));
  });
}

Tensor strided_slice(const Input& input,
                     const Tensor& begin,
                     const Tensor& end,
                     const Tensor& strides,
                     const StridedSliceOptions& options) {
  auto g = detail::graph_of_input(input, "strided_slice");
  return g->mutate([&] {
    return g->tensor(detail::build_strided_slice(*g, g->ref_of(input.tensor()), g->ref_of(begin),
                                                 g->ref_of(end), g->ref_of(strides),
                                                 detail::masks_of(options), options.name));
  });
}

Tensor index(const Input& x, std::initializer_list<IndexItem> items, std::string_view name) {
  auto g = detail::graph_of_input(x, "index");
  // array_ops._slice_helper: one (begin, end, stride) and mask bit per item.
  std::vector<std::int64_t> begin, end, strides;
  detail::StridedSliceMasks masks;
  std::int64_t bit = 1;
  for (const IndexItem& item : items) {
    const auto& v = item.item();
    if (const auto* i = std::get_if<std::int64_t>(&v)) {
      begin.push_back(*i);
      end.push_back(*i + 1);
      strides.push_back(1);
      masks.shrink_axis |= bit;
    } else if (const auto* s = std::get_if<SliceIndex>(&v)) {
      begin.push_back(s->start.value_or(0));
      end.push_back(s->stop.value_or(0));
      strides.push_back(s->step.value_or(1));
      if (!s->start) masks.begin |= bit;
      if (!s->stop) masks.end |= bit;
    } else {
      begin.push_back(0);
      end.push_back(0);
      strides.push_back(1);
      (std::holds_alternative<EllipsisIndex>(v) ? masks.ellipsis : masks.new_axis) |= bit;
    }
    bit <<= 1;
  }
  return g->mutate([&] {
    return g->tensor(
        detail::build_index_slice(*g, g->ref_of(x.tensor()), begin, end, strides, masks, name));
  });
}

Tensor unsorted_segment_sum(const Input& data,
                            const Tensor& segment_ids,
                            std::int64_t num_segments,
                            std::string_view name) {
  auto g = detail::graph_of_input(data, "unsorted_segment_sum");
  return g->mutate([&] {
    const TensorRef d = g->ref_of(data.tensor());
    const TensorRef ids = g->ref_of(segment_ids);
    detail::check_input_dtype(detail::op_def(OpType::kUnsortedSegmentSum), 0,
                              detail::spec(*g, d).dtype);
    detail::check_index_dtype(*g, ids, "segment_ids");
    const std::string scope = detail::wrapper_scope(*g, name, "UnsortedSegmentSum");
    TensorRef count;
    {
      detail::StackGuard in_scope(*g, detail::scope_stack(scope));
      count = detail::build_int_constant(*g, {num_segments}, true, "num_segments");
    }
    return g->tensor({detail::add_op(*g, OpType::kUnsortedSegmentSum, scope, {d, ids, count},
                                     {{attr_name::kT, detail::spec(*g, d).dtype},
                                      {attr_name::kTindices, detail::spec(*g, ids).dtype},
                                      {attr_name::kTnumsegments, detail::spec(*g, count).dtype}}),
                      0});
  });
}

}  // namespace varscope
