// tf.gradients: reverse-mode differentiation over a graph. Gradient ops are built under one
// name scope per call ("gradients", then "gradients_1", ...), each op's under
// "gradients/<op>_grad/"; a tensor used several times gets the AddN of its uses' gradients.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <string_view>
#include <vector>

#include "varscope/tensor.h"
#include "varscope/variable.h"

namespace varscope {

// d(sum of ys)/d(xs), each weighted by grad_ys (default: ones of each y's shape). An x the
// ys do not depend on gets an invalid Tensor (TF's None). When the path
// holds an op with no gradient (TF's LookupError) vs::NotFoundError; the graph is then unchanged.
// gate_gradients (TF's, default off): each op's input gradients pass through a tuple, so
// they come out as "gradients/<op>_grad/tuple/control_dependency_N" (the optimizers' default,
// Optimizer::Gate::kOp) rather than as the gradient op's own output.
std::vector<Tensor> gradients(const std::vector<Tensor>& ys,
                              const std::vector<Tensor>& xs,
                              const std::vector<Tensor>& grad_ys = {},
                              std::string_view name = "gradients",
                              bool gate_gradients = false);

// With respect to variables: through their reads (TF's ref variables), so the gradient of a
// variable read by several ops is the sum over those reads.
std::vector<Tensor> gradients(const std::vector<Tensor>& ys,
                              const std::vector<Variable>& xs,
                              const std::vector<Tensor>& grad_ys = {},
                              std::string_view name = "gradients",
                              bool gate_gradients = false);

}  // namespace varscope

#pragma GCC visibility pop
