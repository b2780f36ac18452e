// The gradient function of each op type (TF's @ops.RegisterGradient), in one table indexed
// by OpType like the op definitions. A gradient function builds, in the current name scope
// ("gradients/<op>_grad"), the gradient of each input of one node from the gradients of its
// outputs.
#pragma once

#include <vector>

#include "host/graph/graph_impl.h"
#include "host/graph/op_type.h"

namespace varscope::detail {

struct GradInputs {
  GraphImpl& g;
  int node;
  // The summed gradient of each output of the node; node -1 where none flows back.
  std::vector<TensorRef> dys;
};

// One TensorRef per input of the node; node -1 where no gradient flows into it.
using GradFn = std::vector<TensorRef> (*)(const GradInputs& in);

struct GradientDef {
  OpType op;
  // nullptr: no gradient is defined (TF's LookupError); kNotDifferentiable's result: none.
  GradFn fn;
};

const GradientDef& gradient_def(OpType op);

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
