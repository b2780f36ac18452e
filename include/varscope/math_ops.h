// TF1's elementwise math beyond + - * / (tf.sqrt, tf.maximum, tf.equal, tf.floordiv, ...):
// each one node of TF's op type, named as TF 1.15 names it (the default name in the
// comment), with TF's dtypes and NumPy broadcasting for the binary ones.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <optional>
#include <string>
#include <string_view>

#include "varscope/ops.h"

namespace varscope {

// --- unary (the input's dtype and shape) ---
Tensor sqrt(const Input& x, std::string_view name = {});        // "Sqrt"
Tensor rsqrt(const Input& x, std::string_view name = {});       // "Rsqrt": 1 / sqrt(x)
Tensor abs(const Input& x, std::string_view name = {});         // "Abs"
Tensor sign(const Input& x, std::string_view name = {});        // "Sign": -1, 0 or 1
Tensor reciprocal(const Input& x, std::string_view name = {});  // "Reciprocal"
Tensor log1p(const Input& x, std::string_view name = {});       // "Log1p": log(1 + x)
Tensor floor(const Input& x, std::string_view name = {});       // "Floor"
Tensor ceil(const Input& x, std::string_view name = {});        // "Ceil"
// "Round": half to even (banker's, as TF); an integer tensor is returned itself.
Tensor round(const Input& x, std::string_view name = {});

// --- binary, broadcasting ---
Tensor maximum(const Input& x, const Input& y, std::string_view name = {});  // "Maximum"
Tensor minimum(const Input& x, const Input& y, std::string_view name = {});  // "Minimum"
Tensor pow(const Input& x, const Input& y, std::string_view name = {});      // "Pow"
// x / y, and 0 where y is 0 ("DivNoNan"; float types).
Tensor div_no_nan(const Input& x, const Input& y, std::string_view name = {});
// (x - y)^2 ("SquaredDifference").
Tensor squared_difference(const Input& x, const Input& y, std::string_view name = {});

// --- comparisons: a bool tensor of the broadcast shape; no gradient ---
Tensor equal(const Input& x, const Input& y, std::string_view name = {});          // "Equal"
Tensor not_equal(const Input& x, const Input& y, std::string_view name = {});      // "NotEqual"
Tensor greater(const Input& x, const Input& y, std::string_view name = {});        // "Greater"
Tensor greater_equal(const Input& x, const Input& y, std::string_view name = {});  // "GreaterEqual"
Tensor less(const Input& x, const Input& y, std::string_view name = {});           // "Less"
Tensor less_equal(const Input& x, const Input& y, std::string_view name = {});     // "LessEqual"

// --- logical, of bool tensors ---
Tensor logical_and(const Input& x, const Input& y, std::string_view name = {});  // "LogicalAnd"
Tensor logical_or(const Input& x, const Input& y, std::string_view name = {});   // "LogicalOr"
Tensor logical_not(const Input& x, std::string_view name = {});                  // "LogicalNot"

// --- selection ---
// TF1's three-argument tf.where ("Select"): x where condition, else y; x and y of one shape,
// condition of that shape, a scalar, or a vector over the first dimension.
Tensor where(const Input& condition, const Input& x, const Input& y, std::string_view name = {});
// tf.where_v2 ("SelectV2"): the three broadcast (NumPy rules).
Tensor where_v2(const Input& condition, const Input& x, const Input& y, std::string_view name = {});
// min(max(t, clip_value_min), clip_value_max) as TF 1.15 builds it: "clip_by_value/Minimum",
// then "clip_by_value" (a Maximum); vs::ValueError when the bounds would broadcast t wider.
Tensor clip_by_value(const Input& t,
                     const Input& clip_value_min,
                     const Input& clip_value_max,
                     std::string_view name = {});

// --- along one axis (negative axes count from the end) ---
// tf.argmax / tf.argmin: the index of the largest (smallest) element along `axis` (unset: 0,
// as TF1), the first one on ties, NaN never chosen; int64 by default, or int32. The axis is
// a Const "<name>/dimension". Not differentiable (gradients() gives no gradient through it).
struct ArgReduceOptions {
  std::optional<int> axis{};
  DType output_type = DType::kInt64;
  std::string name{};
};
Tensor argmax(const Input& input, const ArgReduceOptions& options = {});  // "ArgMax"
Tensor argmin(const Input& input, const ArgReduceOptions& options = {});  // "ArgMin"
// tf.cumsum / tf.cumprod: running sums or products along `axis` (a Const "Cumsum/axis");
// `exclusive` leaves each element out of its own sum, `reverse` runs from the end. Cumprod's
// gradient divides by x (TF's): not defined where x is 0.
struct ScanOptions {
  int axis = 0;
  bool exclusive = false;
  bool reverse = false;
  std::string name{};
};
Tensor cumsum(const Input& x, const ScanOptions& options = {});   // "Cumsum"
Tensor cumprod(const Input& x, const ScanOptions& options = {});  // "Cumprod"

// --- integer quotients (docs/kernels.md, "Integer division"); y == 0 for integers is
// vs::InvalidArgumentError "Integer division by zero" ---
// Toward zero, as C; INT_MIN / -1 wraps to INT_MIN (TF's CPU kernel). "TruncateDiv".
Tensor truncatediv(const Input& x, const Input& y, std::string_view name = {});
// Toward negative infinity; floats: floor(x / y). "floordiv" (op FloorDiv).
Tensor floordiv(const Input& x, const Input& y, std::string_view name = {});
// x - floordiv(x, y) * y, of y's sign. "FloorMod".
Tensor floormod(const Input& x, const Input& y, std::string_view name = {});

}  // namespace varscope

#pragma GCC visibility pop
