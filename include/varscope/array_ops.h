// TF1's shape and data-movement ops (tf.reshape, tf.transpose, ...): the same names, node
// names (auxiliary Consts included, e.g. "Reshape/shape") and defaults as TF 1.15's Python
// functions. Each takes a Tensor (or Variable); a literal input is refused (vs::ValueError)
// since it names no graph.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "varscope/dtype.h"
#include "varscope/ops.h"
#include "varscope/tensor.h"

namespace varscope {

// tf.reshape(tensor, shape): one size may be -1 (inferred). The list form becomes a Const
// "Reshape/shape" (int32, or int64 when a size does not fit); the Tensor form is used as is.
Tensor reshape(const Input& tensor,
               const std::vector<std::int64_t>& shape,
               std::string_view name = {});
Tensor reshape(const Input& tensor, const Tensor& shape, std::string_view name = {});

// tf.expand_dims(input, axis): a dimension of 1 inserted at `axis` (negative: from the end,
// -1 appends). The axis is a Const "ExpandDims/dim".
Tensor expand_dims(const Input& input, std::int64_t axis, std::string_view name = {});

// tf.squeeze(input, axis): removes the given dimensions of size 1; no axis: all of them.
Tensor squeeze(const Input& input,
               const std::vector<std::int64_t>& axis = {},
               std::string_view name = {});

// tf.shape / tf.size / tf.rank: out_type int32 or int64. As TF 1.15 in graph mode, a
// statically known shape (rank) gives a Const named "Shape" ("Size", "Rank") rather than
// the op.
Tensor shape(const Input& input, std::string_view name = {}, DType out_type = DType::kInt32);
Tensor size(const Input& input, std::string_view name = {}, DType out_type = DType::kInt32);
Tensor rank(const Input& input, std::string_view name = {});

// tf.stop_gradient: the input, through which no gradient flows.
Tensor stop_gradient(const Input& input, std::string_view name = {});

// tf.transpose(a, perm, name="transpose"): output dim i is input dim perm[i]; an empty perm
// reverses the dimensions (TF's default, a Const "transpose/perm"). The input's rank must be
// known (at least 1) for the default.
Tensor transpose(const Input& a,
                 const std::vector<std::int64_t>& perm = {},
                 std::string_view name = {});
Tensor transpose(const Input& a, const Tensor& perm, std::string_view name = {});

// tf.invert_permutation(x): y[x[i]] = i for an int32 or int64 permutation vector.
Tensor invert_permutation(const Input& x, std::string_view name = {});

}  // namespace varscope
