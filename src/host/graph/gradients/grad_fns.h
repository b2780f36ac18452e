// The gradient functions, after TF's math_grad.py, nn_grad.py and array_grad.py. The op
// table (op_defs.cpp) names each op type's; tf.gradients (gradients.cpp) calls them.
#pragma once

#include <string_view>
#include <vector>

#include "host/graph/graph_impl.h"
#include "host/graph/op_defs.h"

namespace varscope::detail {

namespace grad {
std::vector<TensorRef> not_differentiable(const GradInputs& in);
std::vector<TensorRef> identity(const GradInputs& in);  // Identity, and AddN to every input
std::vector<TensorRef> matmul(const GradInputs& in);    // MatMul, BatchMatMulV2
std::vector<TensorRef> add(const GradInputs& in);       // Add, AddV2
std::vector<TensorRef> bias_add(const GradInputs& in);
std::vector<TensorRef> sub(const GradInputs& in);
std::vector<TensorRef> mul(const GradInputs& in);
std::vector<TensorRef> real_div(const GradInputs& in);
std::vector<TensorRef> activation(const GradInputs& in);  // Relu, Sigmoid, Tanh
std::vector<TensorRef> softmax(const GradInputs& in);
std::vector<TensorRef> reduction(const GradInputs& in);  // Sum, Mean
std::vector<TensorRef> cast(const GradInputs& in);
std::vector<TensorRef> square(const GradInputs& in);
std::vector<TensorRef> exp(const GradInputs& in);
std::vector<TensorRef> log(const GradInputs& in);
std::vector<TensorRef> neg(const GradInputs& in);
std::vector<TensorRef> softmax_xent(const GradInputs& in);  // and its sparse form
// The gradient ops' own (second order: gradient penalties, Hessian-vector products).
std::vector<TensorRef> relu_grad(const GradInputs& in);
std::vector<TensorRef> sigmoid_grad(const GradInputs& in);
std::vector<TensorRef> tanh_grad(const GradInputs& in);
std::vector<TensorRef> sum_to_shape(const GradInputs& in);
std::vector<TensorRef> broadcast_to_shape(const GradInputs& in);
// Shapes and data movement (array_grads.cpp, after TF's array_grad.py).
std::vector<TensorRef> reshape_to_input(const GradInputs& in);  // Reshape, ExpandDims, Squeeze
std::vector<TensorRef> transpose(const GradInputs& in);
std::vector<TensorRef> pack(const GradInputs& in);
std::vector<TensorRef> unpack(const GradInputs& in);
std::vector<TensorRef> concat_v2(const GradInputs& in);
std::vector<TensorRef> split(const GradInputs& in);
std::vector<TensorRef> split_v(const GradInputs& in);
std::vector<TensorRef> slice(const GradInputs& in);
std::vector<TensorRef> pad(const GradInputs& in);
std::vector<TensorRef> tile(const GradInputs& in);
// Whether tf.gradients gives the op zeros ("gradients/zeros_like") for the outputs no
// gradient reaches, as TF does for every op (varscope: the array ops of several outputs).
bool fills_missing_output_grads(OpType op);
}  // namespace grad

// Builders shared by the gradient functions: a one-output node named `name` in the current
// name scope, with attribute T of `dtype`.
TensorRef grad_node(GraphImpl& g,
                    OpType op,
                    std::string_view name,
                    std::vector<TensorRef> inputs,
                    OutputSpec out,
                    Attrs attrs = {});
const OutputSpec& spec_of(const GraphImpl& g, TensorRef r);

}  // namespace varscope::detail
