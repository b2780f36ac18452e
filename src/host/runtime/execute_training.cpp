// The training steps on the backend: activation gradients, AddN, OnesLike/ZerosLike, the
// broadcast-gradient reductions (SumToShape, BroadcastToShape), the softmax cross-entropy
// losses and the optimizers' fused updates.
#include <cstring>
#include <string>
#include <utility>

#include "host/core/byte_size.h"
#include "host/graph/op_defs.h"
#include "host/runtime/session_impl.h"
#include "varscope/errors.h"

namespace varscope::detail {
namespace {

std::string where(const Node& n) {
  return "\n\t [[{{node " + n.name + "}}]]";
}

// x (of shape `x_shape`, right-aligned against `out`) op a scalar y, broadcast to `out`.
kernels::Broadcast broadcast_scalar(const Shape& x_shape, const Shape& out) {
  kernels::Broadcast bc;
  bc.rank = out.rank();
  std::int64_t stride = 1;
  for (int d = bc.rank - 1, sd = x_shape.rank() - 1; d >= 0; --d, --sd) {
    bc.out_dims[d] = out.dim(d);
    const std::int64_t dim = sd >= 0 ? x_shape.dim(sd) : 1;
    bc.x_strides[d] = dim == 1 ? 0 : stride;
    bc.y_strides[d] = 0;
    stride *= dim;
  }
  return bc;
}

// One element of `dtype` holding `v`, as fill() takes it.
struct Scalar {
  unsigned char bytes[8] = {};
  std::size_t size = 0;
};
Scalar scalar_of(DType dtype, double v) {
  Scalar s;
  if (dtype == DType::kFloat32) {
    const float f = static_cast<float>(v);
    std::memcpy(s.bytes, &f, sizeof f);
    s.size = sizeof f;
  } else if (dtype == DType::kFloat64) {
    std::memcpy(s.bytes, &v, sizeof v);
    s.size = sizeof v;
  } else if (dtype == DType::kInt32) {
    const auto i = static_cast<std::int32_t>(v);
    std::memcpy(s.bytes, &i, sizeof i);
    s.size = sizeof i;
  } else if (dtype == DType::kInt64) {
    const auto i = static_cast<std::int64_t>(v);
    std::memcpy(s.bytes, &i, sizeof i);
    s.size = sizeof i;
  } else {
    throw UnimplementedError("training ops on " + std::string(dtype_name(dtype)));
  }
  return s;
}

}  // namespace

void SessionImpl::execute_training(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  const Node& n = graph->node(step.node);
  Value& out = slots[static_cast<std::size_t>(step.output)];
  auto fresh = [&](DType dtype, const Shape& shape) {
    return Value{ctx.temporary(byte_size(shape.num_elements(), dtype)), dtype, shape, -1};
  };
  auto device_scalar = [&](DType dtype, double v) {
    const Scalar s = scalar_of(dtype, v);
    std::shared_ptr<void> p = ctx.temporary(s.size);
    backend->fill({.dst = p.get(), .pattern = s.bytes, .element_size = s.size, .count = 1});
    return p;
  };
  switch (step.kind) {
    case OpKind::kActivationGrad: {
      const Value& a = read(step, 0, slots, ctx);
      const Value& b = read(step, 1, slots, ctx);
      if (a.shape != b.shape) {
        throw InvalidArgumentError(n.type +
                                   " requires inputs of one shape: " + a.shape.to_list_string() +
                                   " vs. " + b.shape.to_list_string() + where(n));
      }
      out = fresh(a.dtype, a.shape);
      backend->activation_grad({.op = step.activation_grad,
                                .dtype = a.dtype,
                                .a = a.data.get(),
                                .b = b.data.get(),
                                .out = out.data.get(),
                                .count = a.shape.num_elements()});
      return;
    }
    case OpKind::kAddN: {
      const Value& first = read(step, 0, slots, ctx);
      if (step.inputs.size() == 1) {
        out = Value{first.data, first.dtype, first.shape, -1};
        return;
      }
      const std::int64_t count = first.shape.num_elements();
      out = fresh(first.dtype, first.shape);
      kernels::BinaryArgs args{.op = kernels::BinaryOp::kAdd,
                               .dtype = first.dtype,
                               .broadcast = {.rank = 1,
                                             .out_dims = {std::max<std::int64_t>(1, count)},
                                             .x_strides = {1},
                                             .y_strides = {1}},
                               .x = first.data.get(),
                               .out = out.data.get(),
                               .count = count};
      for (std::size_t i = 1; i < step.inputs.size(); ++i) {
        const Value& next = read(step, i, slots, ctx);
        if (next.shape != first.shape) {
          throw InvalidArgumentError(
              "AddN: inputs must be of one shape: " + first.shape.to_list_string() + " vs. " +
              next.shape.to_list_string() + where(n));
        }
        args.y = next.data.get();
        backend->binary(args);
        args.x = out.data.get();
      }
      return;
    }
    case OpKind::kFillLike: {
      const Value& x = read(step, 0, slots, ctx);
      out = fresh(x.dtype, x.shape);
      const Scalar s = scalar_of(x.dtype, n.op == OpType::kOnesLike ? 1.0 : 0.0);
      backend->fill({.dst = out.data.get(),
                     .pattern = s.bytes,
                     .element_size = s.size,
                     .count = x.shape.num_elements()});
      return;
    }
    case OpKind::kSumToShape: {
      const Value& g = read(step, 0, slots, ctx);
      const Value& like = read(step, 1, slots, ctx);
      if (g.shape == like.shape) {
        out = Value{g.data, g.dtype, g.shape, -1};
        return;
      }
      const int rank = g.shape.rank();
      const int lead = rank - like.shape.rank();
      if (lead < 0 || rank > kernels::kMaxRank) {
        throw InvalidArgumentError("Cannot sum a gradient of shape " + g.shape.to_list_string() +
                                   " to shape " + like.shape.to_list_string() + where(n));
      }
      kernels::ReduceArgs args;  // built in place: no copy of its reduction
      kernels::Reduction& red = args.reduction;
      std::int64_t stride = 1;
      std::vector<std::int64_t> strides(static_cast<std::size_t>(rank));
      for (int d = rank - 1; d >= 0; --d) {
        strides[static_cast<std::size_t>(d)] = stride;
        stride *= g.shape.dim(d);
      }
      for (int d = 0; d < rank; ++d) {
        const std::int64_t gd = g.shape.dim(d);
        const std::int64_t td = d < lead ? 1 : like.shape.dim(d - lead);
        if (td != gd && td != 1) {
          throw InvalidArgumentError("Cannot sum a gradient of shape " + g.shape.to_list_string() +
                                     " to shape " + like.shape.to_list_string() + where(n));
        }
        if (td == 1) {
          red.reduced_dims[red.reduced_rank] = gd;
          red.reduced_strides[red.reduced_rank++] = strides[static_cast<std::size_t>(d)];
          red.reduced_count *= gd;
        } else {
          red.kept_dims[red.kept_rank] = gd;
          red.kept_strides[red.kept_rank++] = strides[static_cast<std::size_t>(d)];
        }
      }
      out = fresh(g.dtype, like.shape);
      args.op = kernels::ReduceOp::kSum;
      args.dtype = g.dtype;
      args.x = g.data.get();
      args.out = out.data.get();
      args.out_count = like.shape.num_elements();
      backend->reduce(args);
      return;
    }
    case OpKind::kBroadcastToShape: {
      const Value& g = read(step, 0, slots, ctx);
      const Value& like = read(step, 1, slots, ctx);
      const HostTensor axes = to_host(read(step, 2, slots, ctx));
      const int rank = like.shape.rank();
      if (rank > kernels::kMaxRank) throw UnimplementedError("rank > 8" + where(n));
      std::vector<std::int64_t> kept_shape(static_cast<std::size_t>(rank));
      for (int d = 0; d < rank; ++d)
        kept_shape[static_cast<std::size_t>(d)] = like.shape.dim(d);
      std::int64_t reduced = 1;
      for (std::int64_t i = 0; i < axes.num_elements(); ++i) {
        auto a = static_cast<std::int64_t>(axes.element_as_double(i));
        if (a < 0) a += rank;
        if (a < 0 || a >= rank) throw InvalidArgumentError("Invalid reduction axis" + where(n));
        std::int64_t& dim = kept_shape[static_cast<std::size_t>(a)];
        if (dim != 1) reduced *= dim;
        dim = 1;
      }
      const Shape kept(kept_shape);
      if (kept.num_elements() != g.shape.num_elements()) {
        throw InvalidArgumentError("A reduction's gradient of shape " + g.shape.to_list_string() +
                                   " does not fit shape " + like.shape.to_list_string() + where(n));
      }
      const bool mean = attr<bool>(n, attr_name::kMean);
      out = fresh(g.dtype, like.shape);
      const std::shared_ptr<void> y =
          device_scalar(g.dtype, mean ? static_cast<double>(reduced) : 0.0);
      backend->binary({.op = mean ? kernels::BinaryOp::kDiv : kernels::BinaryOp::kAdd,
                       .dtype = g.dtype,
                       .broadcast = broadcast_scalar(kept, like.shape),
                       .x = g.data.get(),
                       .y = y.get(),
                       .out = out.data.get(),
                       .count = like.shape.num_elements()});
      return;
    }
    case OpKind::kXent: {
      const Value& logits = read(step, 0, slots, ctx);
      const Value& labels = read(step, 1, slots, ctx);
      const bool sparse = n.op == OpType::kSparseSoftmaxXent;
      if (logits.shape.rank() != 2) {
        throw InvalidArgumentError("logits must be 2-dimensional, got shape " +
                                   logits.shape.to_list_string() + where(n));
      }
      const std::int64_t rows = logits.shape.dim(0), cols = logits.shape.dim(1);
      if (sparse) {
        if (labels.shape != Shape({rows})) {
          throw InvalidArgumentError("labels must be 1-D with the logits' batch size: " +
                                     labels.shape.to_list_string() + where(n));
        }
        const HostTensor host_labels = to_host(labels);
        for (std::int64_t i = 0; i < rows; ++i) {
          const auto label = static_cast<std::int64_t>(host_labels.element_as_double(i));
          if (label < 0 || label >= cols) {
            throw InvalidArgumentError("Received a label value of " + std::to_string(label) +
                                       " which is outside the valid range of [0, " +
                                       std::to_string(cols) + ").  Label values: ..." + where(n));
          }
        }
      } else if (labels.shape != logits.shape) {
        throw InvalidArgumentError("logits and labels must be broadcastable: logits_size=" +
                                   logits.shape.to_list_string() +
                                   " labels_size=" + labels.shape.to_list_string() + where(n));
      }
      out = fresh(logits.dtype, Shape({rows}));
      Value& backprop = slots[static_cast<std::size_t>(step.output + 1)];
      backprop = fresh(logits.dtype, logits.shape);
      backend->softmax_xent({.dtype = logits.dtype,
                             .label_dtype = labels.dtype,
                             .sparse = sparse,
                             .logits = logits.data.get(),
                             .labels = labels.data.get(),
                             .loss = out.data.get(),
                             .backprop = backprop.data.get(),
                             .rows = rows,
                             .cols = cols});
      return;
    }
    case OpKind::kApplyUpdate: {
      const Value& var = read(step, 0, slots, ctx);
      auto host_scalar = [&](std::size_t i) {
        return to_host(read(step, i, slots, ctx)).element_as_double(0);
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
          s.momentum = host_scalar(4);
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
      if (grad.shape != var.shape || grad.dtype != var.dtype) {
        throw InvalidArgumentError("var and grad do not have the same shape" +
                                   var.shape.to_list_string() + " " + grad.shape.to_list_string() +
                                   where(n));
      }
      backend->apply_update({.rule = step.update,
                             .dtype = var.dtype,
                             .scalars = s,
                             .var = var.data.get(),
                             .slot1 = slot1,
                             .slot2 = slot2,
                             .grad = grad.data.get(),
                             .count = var.shape.num_elements()});
      out = var;
      return;
    }
    default:
      throw InternalError("execute_training: not a training step (node " + n.name + ")");
  }
}

}  // namespace varscope::detail
