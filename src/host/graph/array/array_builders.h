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

// gen_array_ops.reshape(x, shape, name=None): a Reshape node named `op_name` (made unique
// in the current scope) with the given shape tensor.
TensorRef build_reshape(GraphImpl& g, TensorRef x, TensorRef shape, std::string_view op_name);

// array_ops.shape(x, out_type) as TF 1.15 builds it (optimize=True): a Const named `name`
// when x's shape is fully defined, else a Shape op.
TensorRef build_shape(GraphImpl& g, TensorRef x, DType out_type, std::string_view name);

// gen_array_ops.transpose(x, perm, name=None): a Transpose node named `op_name`.
TensorRef build_transpose(GraphImpl& g, TensorRef x, TensorRef perm, std::string_view op_name);

}  // namespace varscope::detail
