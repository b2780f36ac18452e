// One step of a plan on the backend: its inputs read (an uninitialized variable refused),
// the run's shapes checked by the node's shape function where the graph could not check
// them, and the step handed to its concept's executor: execute_state.cpp, execute_array.cpp,
// execute_math.cpp, execute_matmul.cpp, execute_nn.cpp.
#include <algorithm>

#include "host/graph/op_defs.h"
#include "host/graph/shape_fn.h"
#include "host/runtime/session_impl.h"
#include "varscope/errors.h"

namespace varscope::detail {

HostTensor SessionImpl::host_input(const Step& step,
                                   std::size_t input,
                                   std::vector<Value>& slots,
                                   RunContext& ctx) {
  const int node = step.host_consts[input];
  if (node >= 0) return attr<HostTensor>(graph->node(node), attr_name::kValue);
  return to_host(read(step, input, slots, ctx), ctx);
}

const Value& SessionImpl::read(const Step& step,
                               std::size_t input,
                               std::vector<Value>& slots,
                               RunContext& ctx) const {
  const Value& v = slots[static_cast<std::size_t>(step.inputs[input])];
  if (v.variable >= 0) {
    ctx.note({GraphCheck::kRead, v.variable, step.node});
    if (!variables[static_cast<std::size_t>(v.variable)].initialized) {
      throw_uninitialized(v.variable, step.node);
    }
  }
  return v;
}

const std::vector<OutputSpec>& SessionImpl::run_outputs(const Step& step,
                                                        std::span<const Value* const> inputs,
                                                        const HostTensor* input1) const {
  const Node& n = graph->node(step.node);
  // Shapes known when the node was built are the run's too (feeds must match them), and
  // the graph checked them: no call on the way through.
  if (!step.check_shapes) return n.outputs;
  // The shapes the function last passed; not where it reads a value that may change (a
  // reduction's axes not from a Const).
  const bool cacheable = input1 == nullptr || step.host_axes >= 0;
  if (cacheable && step.checked_inputs.size() == inputs.size() &&
      std::equal(inputs.begin(), inputs.end(), step.checked_inputs.begin(),
                 [](const Value* v, const Shape& s) { return v->shape == s; })) {
    return step.checked_outputs;
  }
  step.checked_inputs.clear();
  std::vector<ShapeInput> in(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i)
    in[i] = {inputs[i]->dtype, &inputs[i]->shape, i == 1 ? input1 : nullptr};
  step.checked_outputs = run_time_outputs(n, in);
  if (cacheable) {
    for (const Value* v : inputs)
      step.checked_inputs.push_back(v->shape);
  }
  return step.checked_outputs;
}

void SessionImpl::execute(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  // Several GPUs: the step's work and temporaries on its device's backend; a value crossing
  // backends really copied (device_backends.cpp). One backend: never changed.
  if (several_backends()) {
    ctx.use(backend_of(step.device));
    if (step.device_copy) return execute_device_copy(step, slots, ctx);
  }
  switch (step.kind) {
    case OpKind::kNoOp:
    case OpKind::kPlaceholder:
      // No output slot; a Placeholder is always fed (a plan with an unfed one is never built).
      return;
    case OpKind::kConst:
    case OpKind::kVariable:
    case OpKind::kIdentity:
    case OpKind::kAssign:
    case OpKind::kAssignAdd:
    case OpKind::kAssignSub:
    case OpKind::kIsVariableInitialized:
    case OpKind::kApplyUpdate:
    case OpKind::kScatter:
      return execute_state(step, slots, ctx);
    case OpKind::kFill:
    case OpKind::kFillLike:
    case OpKind::kRandomUniform:
    case OpKind::kRandomNormal:
    case OpKind::kTruncatedNormal:
    case OpKind::kRandomUniformInt:
    case OpKind::kFusedRandom:
      return execute_array(step, slots, ctx);
    case OpKind::kUnary:
    case OpKind::kBinary:
    case OpKind::kCast:
    case OpKind::kMatMul:
    case OpKind::kReduce:
    case OpKind::kAddN:
    case OpKind::kSumToShape:
    case OpKind::kBroadcastToShape:
      return execute_math(step, slots, ctx);
    case OpKind::kSelect:
      return select(step, slots, ctx);
    case OpKind::kArgReduce:
    case OpKind::kScan:
      return axis_op(step, slots, ctx);
    case OpKind::kSoftmax:
    case OpKind::kActivationGrad:
    case OpKind::kXent:
    case OpKind::kL2Loss:
      return execute_nn(step, slots, ctx);
    case OpKind::kAlias:
    case OpKind::kShapeOf:
    case OpKind::kHostArray:
    case OpKind::kCopy:
      return execute_copy(step, slots, ctx);
    case OpKind::kConv:
    case OpKind::kPool:
    case OpKind::kBatchNorm:
      return execute_conv(step, slots, ctx);
    case OpKind::kCollective:
      return execute_collective(step, slots, ctx);
    case OpKind::kSummary:
      return execute_summary(step, slots, ctx);
  }
}

}  // namespace varscope::detail
