// The steps that hold or change state: constants (uploaded once), variables, Identity, the
// assignments and the optimizers' fused updates.
#include <algorithm>
#include <utility>

#include "host/core/byte_size.h"
#include "host/graph/op_defs.h"
#include "host/runtime/session_impl.h"
#include "varscope/errors.h"

namespace varscope::detail {

void SessionImpl::execute_state(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  const Node& n = graph->node(step.node);
  Value& out = slots[static_cast<std::size_t>(step.output)];
  switch (step.kind) {
    case OpKind::kConst: {
      std::lock_guard<std::mutex> lock(run_state_mu_);  // devices may run in parallel
      auto it = constants_.find(step.node);
      if (it == constants_.end()) {
        // Uploaded by the plain first run; an upload waits for the stream: not while recording.
        if (ctx.recording()) throw InternalError("A constant uploaded while recording");
        const HostTensor& value = attr<HostTensor>(n, attr_name::kValue);
        Value v{nullptr, value.dtype(), value.shape(), -1};
        if (value.dtype() == DType::kString) {  // strings stay on the host
          v.host = std::make_shared<HostTensor>(value);
        } else {
          v.data = allocate(ctx.backend(), value.nbytes());
          ctx.backend().copy_from_host(v.data.get(), value.raw_data(), value.nbytes());
        }
        it = constants_.emplace(step.node, std::move(v)).first;
      }
      out = it->second;
      return;
    }
    case OpKind::kVariable: {
      const VariableRecord& rec = graph->variables.at(static_cast<std::size_t>(n.variable));
      out = Value{storage(n.variable, &ctx).data, rec.dtype, rec.shape, n.variable};
      return;
    }
    case OpKind::kIdentity: {
      const Value& in = read(step, 0, slots, ctx);
      out = Value{in.data, in.dtype, in.shape, -1, in.host};
      return;
    }
    case OpKind::kAssign: {
      const Value& ref = slots[static_cast<std::size_t>(step.inputs[0])];
      const Value& value = read(step, 1, slots, ctx);
      if (ref.variable < 0) throw InternalError("Assign to a non-variable in node " + n.name);
      // The kernel's check (TF's AssignOp), not the shape function's: its text has no node.
      if (value.shape != ref.shape || value.dtype != ref.dtype) {
        throw InvalidArgumentError("Assign requires shapes of both tensors to match. lhs shape= " +
                                   ref.shape.to_list_string() +
                                   " rhs shape= " + value.shape.to_list_string());
      }
      if (!step.assign_in_place) {
        ctx.backend().copy(ref.data.get(), value.data.get(),
                           byte_size(value.shape.num_elements(), value.dtype));
      }
      variables[static_cast<std::size_t>(ref.variable)].initialized = true;
      ctx.note({GraphCheck::kAssign, ref.variable, step.node});
      out = ref;
      return;
    }
    case OpKind::kAssignAdd:
    case OpKind::kAssignSub: {
      const Value& ref = read(step, 0, slots, ctx);  // adding to an uninitialized value is a read
      const Value& value = read(step, 1, slots, ctx);
      // TF's DenseUpdateOp compares sizes, not shapes.
      if (value.shape.num_elements() != ref.shape.num_elements() || value.dtype != ref.dtype) {
        throw InvalidArgumentError("Parameters and update must be the same size\n\t [[{{node " +
                                   n.name + "}}]]");
      }
      ctx.backend().binary(
          {.op =
               step.kind == OpKind::kAssignAdd ? kernels::BinaryOp::kAdd : kernels::BinaryOp::kSub,
           .dtype = ref.dtype,
           .broadcast = {.rank = 1,
                         .out_dims = {std::max<std::int64_t>(1, ref.shape.num_elements())},
                         .x_strides = {1},
                         .y_strides = {1}},
           .x = ref.data.get(),
           .y = value.data.get(),
           .out = ref.data.get(),
           .count = ref.shape.num_elements()});
      out = ref;
      return;
    }
    case OpKind::kIsVariableInitialized: {
      const Value& ref = slots[static_cast<std::size_t>(step.inputs[0])];
      const bool initialized = variables[static_cast<std::size_t>(ref.variable)].initialized;
      const std::uint8_t byte = initialized ? 1 : 0;
      out = Value{ctx.temporary(1), DType::kBool, Shape(), -1};
      ctx.backend().copy_from_host(out.data.get(), &byte, 1);
      return;
    }
    case OpKind::kApplyUpdate:
      return apply_update(step, slots, ctx);
    case OpKind::kScatter:
      return scatter(step, slots, ctx);
    default:
      throw InternalError("execute_state: not a state step (node " + n.name + ")");
  }
}

// The optimizers' fused updates: the variable, its slots and the gradient in one pass; the
// hyperparameters read on the host.
void SessionImpl::apply_update(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  const Node& n = graph->node(step.node);
  const Value& var = read(step, 0, slots, ctx);
  auto host_scalar = [&](std::size_t i) {
    return to_host(read(step, i, slots, ctx), ctx).element_as_double(0);
  };
  kernels::UpdateScalars s;
  void* slot1 = nullptr;
  void* slot2 = nullptr;
  std::size_t grad_input = 2;
  switch (step.update) {
    case kernels::UpdateRule::kGradientDescent:
      s.lr = host_scalar(1);
      break;
    case kernels::UpdateRule::kMomentum:
      slot1 = read(step, 1, slots, ctx).data.get();
      s.lr = host_scalar(2);
      s.momentum = host_scalar(n.op == OpType::kSparseApplyMomentum ? 5 : 4);
      s.use_nesterov = attr<bool>(n, attr_name::kUseNesterov);
      grad_input = 3;
      break;
    case kernels::UpdateRule::kAdam:
      slot1 = read(step, 1, slots, ctx).data.get();
      slot2 = read(step, 2, slots, ctx).data.get();
      s.beta1_power = host_scalar(3);
      s.beta2_power = host_scalar(4);
      s.lr = host_scalar(5);
      s.beta1 = host_scalar(6);
      s.beta2 = host_scalar(7);
      s.epsilon = host_scalar(8);
      s.use_nesterov = attr<bool>(n, attr_name::kUseNesterov);
      grad_input = 9;
      break;
  }
  const Value& grad = read(step, grad_input, slots, ctx);
  // SparseApplyMomentum: var, accum, lr, grad, indices, momentum.
  const Value* indices =
      n.op == OpType::kSparseApplyMomentum ? &read(step, 4, slots, ctx) : nullptr;
  std::int64_t inner = 0;
  if (indices != nullptr) check_sparse_apply(step, var, grad, *indices, ctx, inner);
  if (step.check_shapes &&
      indices == nullptr) {  // the shape function's check, for a gradient of unknown shape
    std::vector<const Value*> in(step.inputs.size(), &var);
    in[grad_input] = &grad;
    run_outputs(step, in);
  }
  ctx.backend().apply_update(
      {.rule = step.update,
       .dtype = var.dtype,
       .scalars = s,
       .var = var.data.get(),
       .slot1 = slot1,
       .slot2 = slot2,
       .grad = grad.data.get(),
       .count = indices != nullptr ? grad.shape.num_elements() : var.shape.num_elements(),
       .indices = indices != nullptr ? indices->data.get() : nullptr,
       .indices_int64 = indices != nullptr && indices->dtype == DType::kInt64,
       .inner = inner});
  slots[static_cast<std::size_t>(step.output)] = var;
}

}  // namespace varscope::detail
