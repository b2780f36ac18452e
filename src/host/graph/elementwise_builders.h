// The recipes of issue 24's elementwise builders (elementwise_math_ops.cpp), shared with the
// activations (activation_ops.cpp): nodes made through the op table's row (add_op: TF's
// type check, the row's shape function, TF's errors).
#pragma once

#include <string_view>

#include "host/graph/builders.h"

namespace varscope::detail {

// A binary op as TF's generated wrappers and name-scoped wrappers make it: the name scope
// `scope_name` entered first, literals converted to the dtype of the tensor beside them as
// Consts "x" and "y" inside it, TF's type checks (the row's dtypes; "Input 'y' of 'Maximum'
// Op has type ... that does not match ..."), then the node named as the scope.
Tensor build_elementwise(OpType op, std::string_view scope_name, const Input& x, const Input& y);

// tf.divide and operator/ (math_ops._truediv_python3): RealDiv named as the scope; integer
// operands are first cast in the scope ("truediv/Cast", "truediv/Cast_1"): int8, int16 and
// uint8 to float32, int32 and int64 to float64 (TF's _TRUEDIV_TABLE).
Tensor build_truediv(std::string_view scope_name, const Input& x, const Input& y);

// A one-input op of bool (LogicalNot): TF's "Input 'x' of 'LogicalNot' Op has type int32 that
// does not match expected type of bool."
void check_bool_input(OpType op, std::string_view input, DType dtype);

}  // namespace varscope::detail
