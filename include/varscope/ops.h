// Graph-building ops with TF1's names, default op names and shape inference.
// Op functions taking only Inputs build into the graph of their first Tensor input;
// the ones that make values from nothing take the Graph explicitly.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "varscope/graph.h"
#include "varscope/tensor.h"
#include "varscope/variable.h"

namespace varscope {

// An op argument: a Tensor, a Variable (its snapshot "<v>/read:0") or a literal that
// becomes a Const inside the op's name scope, named after the argument ("add/y").
class Input {
 public:
  Input(const Tensor& t) : tensor_(t) {}
  Input(const Variable& v) : tensor_(v.value()) {}
  Input(HostTensor value) : literal_(std::move(value)), is_literal_(true) {}
  Input(float v) : Input(HostTensor(v)) {}
  Input(double v) : Input(HostTensor(v)) {}
  Input(int v) : Input(HostTensor(v)) {}
  Input(std::int64_t v) : Input(HostTensor(v)) {}

  bool is_literal() const { return is_literal_; }
  const Tensor& tensor() const { return tensor_; }
  const HostTensor& literal() const { return literal_; }

 private:
  Tensor tensor_;
  HostTensor literal_;
  bool is_literal_ = false;
};

// --- sources ---
struct ConstantOptions {
  std::string name{};            // default "Const"
  std::optional<DType> dtype{};  // convert the value
  std::optional<Shape> shape{};  // broadcast a scalar / fill with the last value, as TF
  bool verify_shape = false;
};
Tensor constant(Graph& g, const HostTensor& value, const ConstantOptions& options = {});

// shape unset = unknown rank; a kUnknownDim dim is fed at run time.
Tensor placeholder(Graph& g,
                   DType dtype,
                   std::optional<Shape> shape = std::nullopt,
                   std::string_view name = {});

// --- random ops (random_ops.py). Seeds follow tf.set_random_seed's rules. ---
struct RandomOptions {
  double mean = 0.0;    // random_normal / truncated_normal
  double stddev = 1.0;  // random_normal / truncated_normal
  DType dtype = DType::kFloat32;
  std::optional<std::int64_t> seed{};
  std::string name{};
};
struct RandomUniformOpOptions {
  double minval = 0.0;
  std::optional<double> maxval{};  // 1 for floats; required for integer dtypes
  DType dtype = DType::kFloat32;
  std::optional<std::int64_t> seed{};
  std::string name{};
};
Tensor random_normal(Graph& g, const Shape& shape, const RandomOptions& options = {});
Tensor truncated_normal(Graph& g, const Shape& shape, const RandomOptions& options = {});
Tensor random_uniform(Graph& g, const Shape& shape, const RandomUniformOpOptions& options = {});

// --- elementwise (NumPy broadcasting) ---
Tensor identity(const Input& x, std::string_view name = {});
Tensor add(const Input& x, const Input& y, std::string_view name = {});       // "Add"
Tensor subtract(const Input& x, const Input& y, std::string_view name = {});  // "Sub"
Tensor multiply(const Input& x, const Input& y, std::string_view name = {});  // "Mul"
Tensor divide(const Input& x, const Input& y, std::string_view name = {});    // "truediv"

// Python's operators: scopes "add", "sub", "mul", "truediv" (lower case, as TF).
Tensor operator+(const Input& x, const Input& y);
Tensor operator-(const Input& x, const Input& y);
Tensor operator*(const Input& x, const Input& y);
Tensor operator/(const Input& x, const Input& y);

// --- activations (tf.nn) ---
Tensor relu(const Input& features, std::string_view name = {});   // "Relu"
Tensor sigmoid(const Input& x, std::string_view name = {});       // "Sigmoid"
Tensor tanh(const Input& x, std::string_view name = {});          // "Tanh"
Tensor softmax(const Input& logits, std::string_view name = {});  // "Softmax", last axis
// value [..., C] + bias [C] ("BiasAdd").
Tensor bias_add(const Input& value, const Input& bias, std::string_view name = {});

// --- math and losses (math_ops.cpp) ---
Tensor square(const Input& x, std::string_view name = {});    // "Square"
Tensor exp(const Input& x, std::string_view name = {});       // "Exp"
Tensor log(const Input& x, std::string_view name = {});       // "Log"
Tensor negative(const Input& x, std::string_view name = {});  // "Neg"
// The elementwise sum of tensors of one dtype and shape ("AddN"; the input itself for one).
// tf.add_n: "AddN" of two or more; one tensor is itself, or its Identity `name` when named.
Tensor add_n(const std::vector<Tensor>& inputs, std::string_view name = {});
Tensor ones_like(const Input& x, std::string_view name = {});   // "OnesLike"
Tensor zeros_like(const Input& x, std::string_view name = {});  // "ZerosLike"
// Per-example softmax cross-entropy of [batch, classes] logits against labels of the same
// shape (a distribution per row; no gradient flows into them, as TF1's wrapper) -> [batch].
Tensor softmax_cross_entropy_with_logits(const Input& labels,
                                         const Input& logits,
                                         std::string_view name = {});
// The same against int32/int64 class ids [batch] in [0, classes).
Tensor sparse_softmax_cross_entropy_with_logits(const Input& labels,
                                                const Input& logits,
                                                std::string_view name = {});

// --- reductions: axes unset = all; negative axes count from the end ---
struct ReduceOptions {
  std::optional<std::vector<int>> axes{};
  bool keepdims = false;
  std::string name{};
};
Tensor reduce_sum(const Input& x, const ReduceOptions& options = {});   // "Sum"
Tensor reduce_mean(const Input& x, const ReduceOptions& options = {});  // "Mean"
// Max and min skip NaN (TF 1.15's CPU kernels): of [1, NaN, 2] 2, of nothing or all NaN
// -inf / +inf (an integer type's lowest / highest). The product of nothing is 1; Prod's
// gradient needs an input of known shape (docs/differences.md).
Tensor reduce_max(const Input& x, const ReduceOptions& options = {});   // "Max"
Tensor reduce_min(const Input& x, const ReduceOptions& options = {});   // "Min"
Tensor reduce_prod(const Input& x, const ReduceOptions& options = {});  // "Prod"

// tf.cast between float32, float64, int32 and int64, and from bool to those ("Cast"; x itself
// when already dtype).
Tensor cast(const Input& x, DType dtype, std::string_view name = {});

// --- linear algebra ---
struct MatMulOptions {
  bool transpose_a = false;
  bool transpose_b = false;
  std::string name{};  // default "MatMul"
};
Tensor matmul(const Input& a, const Input& b, const MatMulOptions& options = {});

// --- state (tf.assign, tf.assign_add): write through the variable's storage, so every
// handle of the variable sees the new value; the result is that value. ---
Tensor assign(const Variable& ref, const Input& value, std::string_view name = {});
Tensor assign_add(const Variable& ref, const Input& value, std::string_view name = {});
// tf.assign_sub (use_locking=False, TF's default): ref -= value.
Tensor assign_sub(const Variable& ref, const Input& value, std::string_view name = {});

// tf.no_op: a NoOp named `name` (default "NoOp") in the current scope; it takes the open
// control_dependencies scopes' control inputs.
Operation no_op(Graph& g, std::string_view name = {});
// A NoOp that runs its control inputs (tf.group).
Operation group(const std::vector<Operation>& inputs, std::string_view name = {});

}  // namespace varscope

#pragma GCC visibility pop
