// The gradient functions, after TF's math_grad.py, nn_grad.py and array_grad.py. The op
// table (op_defs.cpp) names each op type's; tf.gradients (gradients.cpp) calls them.
#pragma once

#include <string_view>
#include <vector>

#include "host/graph/graph_impl.h"
#include "host/graph/op_defs.h"
#include "varscope/indexed_slices.h"

namespace varscope::detail {

namespace grad {
std::vector<TensorRef> not_differentiable(const GradInputs& in);
// PreventGradient's: TF's LookupError "Gradient explicitly disabled. Reason: <message>".
std::vector<TensorRef> prevent_gradient(const GradInputs& in);
std::vector<TensorRef> identity(const GradInputs& in);  // Identity, and AddN to every input
std::vector<TensorRef> matmul(const GradInputs& in);    // MatMul, BatchMatMulV2
std::vector<TensorRef> add(const GradInputs& in);       // Add, AddV2
std::vector<TensorRef> bias_add(const GradInputs& in);
std::vector<TensorRef> sub(const GradInputs& in);
std::vector<TensorRef> mul(const GradInputs& in);
std::vector<TensorRef> real_div(const GradInputs& in);
std::vector<TensorRef> div_no_nan(const GradInputs& in);
std::vector<TensorRef> activation(const GradInputs& in);  // Relu, Sigmoid, Tanh
std::vector<TensorRef> softmax(const GradInputs& in);
std::vector<TensorRef> reduction(const GradInputs& in);   // Sum, Mean
std::vector<TensorRef> min_or_max(const GradInputs& in);  // Max, Min (reduction_grads.cpp)
std::vector<TensorRef> cumsum(const GradInputs& in);      // (reduction_grads.cpp)
std::vector<TensorRef> prod(const GradInputs& in);        // (reduction_grads.cpp)
std::vector<TensorRef> cumprod(const GradInputs& in);     // (reduction_grads.cpp)
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
// Issue 24's elementwise math and activations (math_grad_fns.cpp).
std::vector<TensorRef> sqrt(const GradInputs& in);
std::vector<TensorRef> rsqrt(const GradInputs& in);
std::vector<TensorRef> abs(const GradInputs& in);
std::vector<TensorRef> reciprocal(const GradInputs& in);
std::vector<TensorRef> leaky_relu(const GradInputs& in);
std::vector<TensorRef> elu(const GradInputs& in);
std::vector<TensorRef> softplus(const GradInputs& in);
std::vector<TensorRef> relu6(const GradInputs& in);
std::vector<TensorRef> squared_difference(const GradInputs& in);
std::vector<TensorRef> maximum(const GradInputs& in);
std::vector<TensorRef> minimum(const GradInputs& in);
std::vector<TensorRef> pow(const GradInputs& in);
std::vector<TensorRef> select(const GradInputs& in);
std::vector<TensorRef> select_v2(const GradInputs& in);
// Issue 24's nn ops and Log1p (nn_grad_fns.cpp).
std::vector<TensorRef> log_softmax(const GradInputs& in);
std::vector<TensorRef> l2_loss(const GradInputs& in);
std::vector<TensorRef> log1p(const GradInputs& in);
// DynamicPartition and ParallelDynamicStitch (data_flow_grads.cpp).
std::vector<TensorRef> dynamic_partition(const GradInputs& in);
std::vector<TensorRef> parallel_dynamic_stitch(const GradInputs& in);
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
// Convolution and pooling (conv_grads.cpp, after TF's nn_grad.py).
std::vector<TensorRef> conv2d(const GradInputs& in);
std::vector<TensorRef> max_pool(const GradInputs& in);
std::vector<TensorRef> avg_pool(const GradInputs& in);
std::vector<TensorRef> fused_batch_norm(const GradInputs& in);
std::vector<TensorRef> strided_slice(const GradInputs& in);
std::vector<TensorRef> strided_slice_grad(const GradInputs& in);
// indexed_slices.cpp: GatherV2's gradient, an IndexedSlices (axis 0).
std::vector<TensorRef> gather_v2(const GradInputs& in);
// Whether tf.gradients gives the op zeros ("gradients/zeros_like") for the outputs no
// gradient reaches, as TF does for every op (varscope: the array ops of several outputs).
bool fills_missing_output_grads(OpType op);
}  // namespace grad

// TF's IndexedSlices made dense (ops._indexed_slices_to_tensor): unsorted_segment_sum(values,
// indices, dense_shape[0], name) in the current name scope ("strided_slice",
// "UnsortedSegmentSum" unless `name` is given), of the slices' static dense shape.
TensorRef densify(GraphImpl& g,
                  TensorRef values,
                  const IndexedSlicesRef& slices,
                  std::string_view name = {});
// tf.gradients' sum of one output's gradients (_AggregatedGrads) in the current name scope:
// AddN of dense ones; with IndexedSlices among them, TF's aggregate_indexed_slices_gradients
// (all IndexedSlices: their values and indices concatenated, "concat", "concat_1"; else
// add_n, converting each IndexedSlices as its input "AddN/inputs_<i>").
TensorRef aggregate_gradients(GraphImpl& g, std::vector<TensorRef>& grads, IndexedSlicesMap& map);

// tf.gradients of `loss` with respect to `vars` as the optimizers take them (TF's
// compute_gradients): an IndexedSlices stays one; gate_op: TF's gate_gradients; gate_graph:
// every gradient through one tuple (GATE_GRAPH).
std::vector<Gradient> optimizer_gradients(GraphImpl& g,
                                          const Tensor& loss,
                                          const std::vector<Variable>& vars,
                                          bool gate_op,
                                          bool gate_graph);

// Builders shared by the gradient functions: a one-output node named `name` in the current
// name scope, its outputs from its shape function; attribute T of input 0's dtype unless
// `attrs` are given.
TensorRef grad_node(GraphImpl& g,
                    OpType op,
                    std::string_view name,
                    std::vector<TensorRef> inputs,
                    Attrs attrs = {});
const OutputSpec& spec_of(const GraphImpl& g, TensorRef r);

// control_flow_ops.tuple in the current name scope: under "tuple/", a NoOp "group_deps"
// waiting for the tensors' ops (each once, in creation order), then each tensor passed on
// by an Identity "control_dependency[_N]" that waits for the NoOp, so none of them is used
// before all are computed. An invalid ref (TF's None) stays invalid. Gradient gating
// (gate_gradients) is built from it.
std::vector<TensorRef> gate_tuple(GraphImpl& g, const std::vector<TensorRef>& tensors);

}  // namespace varscope::detail
