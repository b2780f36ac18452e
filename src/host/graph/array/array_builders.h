// The recipes of the shape and data-movement ops, shared by their public builders
// (include/varscope/array_ops.h) and the gradient functions. Each builds in the current
// name scope and throws before anything is added when the call is invalid (the public
// builders' GraphImpl::mutate undoes what an error after the first node leaves).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "host/graph/builders.h"

namespace varscope::detail {

// An int32 Const of `values` named `name` (int64 when a value does not fit int32, as TF's
// conversion of a Python list); rank 1 unless `scalar`.
TensorRef build_int_constant(GraphImpl& g,
                             const std::vector<std::int64_t>& values,
                             bool scalar,
                             std::string_view name);

// The same as a [rows, cols] matrix (tf.pad's paddings).
TensorRef build_int_matrix(GraphImpl& g,
                           const std::vector<std::int64_t>& values,
                           std::int64_t rows,
                           std::int64_t cols,
                           std::string_view name);

// gen_array_ops.reshape(x, shape, name=None): a Reshape node named `op_name` (made unique
// in the current scope) with the given shape tensor.
TensorRef build_reshape(GraphImpl& g, TensorRef x, TensorRef shape, std::string_view op_name);

// array_ops.shape(x, out_type) as TF 1.15 builds it (optimize=True): a Const named `name`
// when x's shape is fully defined, else a Shape op.
TensorRef build_shape(GraphImpl& g, TensorRef x, DType out_type, std::string_view name);

// gen_array_ops.transpose(x, perm, name=None): a Transpose node named `op_name`.
TensorRef build_transpose(GraphImpl& g, TensorRef x, TensorRef perm, std::string_view op_name);

// An element of a list TF converts op by op (tf.stack's values, tf.range's bounds): a
// tensor, or an integer literal that becomes an int32 Const named after its place.
struct ListItem {
  TensorRef tensor{};  // node < 0: the literal
  std::int64_t literal = 0;
  static ListItem of(TensorRef t) { return {t, 0}; }
  static ListItem of(std::int64_t v) { return {{}, v}; }
};

// tf.stack(values, axis, name): a Pack named `name` (default "stack"); literals become
// Consts "<stack>/<i>" (TF's autopacking).
TensorRef build_stack(GraphImpl& g,
                      const std::vector<ListItem>& values,
                      std::int64_t axis,
                      std::string_view name);
// tf.unstack(x, num, axis, name): an Unpack named `name` (default "unstack").
std::vector<TensorRef> build_unstack(
    GraphImpl& g, TensorRef x, std::int64_t num, std::int64_t axis, std::string_view name);
// gen_array_ops.concat_v2(values, axis): a ConcatV2 named `name` (default "concat").
TensorRef build_concat_v2(GraphImpl& g,
                          std::vector<TensorRef> values,
                          TensorRef axis,
                          std::string_view name);
// tf.concat(values, axis): the axis a Const "concat/axis".
TensorRef build_concat(GraphImpl& g,
                       const std::vector<TensorRef>& values,
                       std::int64_t axis,
                       std::string_view name);
// gen_array_ops.slice / pad with tensor arguments: a Slice ("Slice") / Pad ("Pad") node.
TensorRef build_slice(
    GraphImpl& g, TensorRef x, TensorRef begin, TensorRef size, std::string_view name);
TensorRef build_pad(GraphImpl& g, TensorRef x, TensorRef paddings, std::string_view name);
// tf.slice with literal begin and size: Consts "Slice/begin", "Slice/size".
TensorRef build_slice_literal(GraphImpl& g,
                              TensorRef x,
                              const std::vector<std::int64_t>& begin,
                              const std::vector<std::int64_t>& size,
                              std::string_view name);
// gen_array_ops.gather_v2 in scope `scope` ("GatherV2/"): the axis a Const "<scope>/axis";
// vs::TypeError for indices neither int32 nor int64.
TensorRef build_gather(
    GraphImpl& g, TensorRef params, TensorRef indices, std::int64_t axis, const std::string& scope);
// data_flow_ops.dynamic_partition / parallel_dynamic_stitch in scope `scope`
// ("DynamicPartition/", "ParallelDynamicStitch/" or a wrapper's name).
std::vector<TensorRef> build_dynamic_partition(GraphImpl& g,
                                               TensorRef data,
                                               TensorRef partitions,
                                               std::int64_t num_partitions,
                                               const std::string& scope);
TensorRef build_parallel_dynamic_stitch(GraphImpl& g,
                                        const std::vector<TensorRef>& indices,
                                        const std::vector<TensorRef>& data,
                                        const std::string& scope);
// tf.range(start, limit, delta, name="range"): literals become "range/start", ... Consts.
TensorRef build_range(
    GraphImpl& g, ListItem start, ListItem limit, ListItem delta, std::string_view name);
// gen_array_ops.strided_slice: a StridedSlice named `name_or_scope` (default
// "StridedSlice"), begin, end and strides int32 or int64 tensors of one dtype.
struct StridedSliceMasks;
TensorRef build_strided_slice(GraphImpl& g,
                              TensorRef x,
                              TensorRef begin,
                              TensorRef end,
                              TensorRef strides,
                              const StridedSliceMasks& masks,
                              std::string_view name_or_scope);
// Python's x[...] of integer bounds (array_ops._slice_helper): scope "strided_slice",
// Consts "stack", "stack_1", "stack_2" (each int32 unless a value needs int64; then the
// others are Cast), the StridedSlice named after the scope.
TensorRef build_index_slice(GraphImpl& g,
                            TensorRef x,
                            const std::vector<std::int64_t>& begin,
                            const std::vector<std::int64_t>& end,
                            const std::vector<std::int64_t>& strides,
                            const StridedSliceMasks& masks,
                            std::string_view name);
// A wrapper's scope without its trailing '/': the name stack to build its inputs in.
inline std::string scope_stack(const std::string& scope) {
  return scope.substr(0, scope.size() - 1);
}

}  // namespace varscope::detail
