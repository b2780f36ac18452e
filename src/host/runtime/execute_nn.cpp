// The neural-network steps: softmax and log-softmax, L2Loss, the activations' gradients and
// the softmax cross-entropy losses. Shape errors are the shape functions' (run_outputs); the sparse
// labels' range is the kernel's check.
#include <string>

#include "host/core/byte_size.h"
#include "host/graph/op_defs.h"
#include "host/runtime/session_impl.h"
#include "varscope/errors.h"

namespace varscope::detail {

void SessionImpl::execute_nn(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  const Node& n = graph->node(step.node);
  Value& out = slots[static_cast<std::size_t>(step.output)];
  auto fresh = [&](DType dtype, const Shape& shape) {
    return Value{ctx.temporary(byte_size(shape.num_elements(), dtype)), dtype, shape, -1};
  };
  switch (step.kind) {
    case OpKind::kSoftmax: {
      const Value& x = read(step, 0, slots, ctx);
      const Value* in[] = {&x};
      run_outputs(step, in);  // a placeholder of unknown rank fed a scalar
      const std::int64_t cols = x.shape.dim(x.shape.rank() - 1);
      const std::int64_t rows = cols == 0 ? 0 : x.shape.num_elements() / cols;
      out = fresh(x.dtype, x.shape);
      ctx.backend().softmax({.dtype = x.dtype,
                             .x = x.data.get(),
                             .out = out.data.get(),
                             .rows = rows,
                             .cols = cols,
                             .log = n.op == OpType::kLogSoftmax});
      return;
    }
    case OpKind::kL2Loss: {
      // TF's kernels square in the input's dtype, then sum; the sum is halved.
      const Value& x = read(step, 0, slots, ctx);
      const std::int64_t count = x.shape.num_elements();
      const Value squares = fresh(x.dtype, x.shape);
      ctx.backend().unary({.op = kernels::UnaryOp::kSquare,
                           .dtype = x.dtype,
                           .x = x.data.get(),
                           .out = squares.data.get(),
                           .count = count});
      out = fresh(x.dtype, Shape({}));
      kernels::ReduceArgs args;
      args.reduction.reduced_rank = 1;
      args.reduction.reduced_dims[0] = count;
      args.reduction.reduced_strides[0] = 1;
      args.reduction.reduced_count = count;
      args.op = kernels::ReduceOp::kHalfSum;
      args.dtype = x.dtype;
      args.x = squares.data.get();
      args.out = out.data.get();
      args.out_count = 1;
      ctx.backend().reduce(args);
      return;
    }
    case OpKind::kActivationGrad: {
      const Value& a = read(step, 0, slots, ctx);
      const Value& b = read(step, 1, slots, ctx);
      const Value* in[] = {&a, &b};
      run_outputs(step, in);
      out = fresh(a.dtype, a.shape);
      ctx.backend().activation_grad({.op = step.activation_grad,
                                     .dtype = a.dtype,
                                     .a = a.data.get(),
                                     .b = b.data.get(),
                                     .out = out.data.get(),
                                     .count = a.shape.num_elements()});
      return;
    }
    case OpKind::kXent: {
      const Value& logits = read(step, 0, slots, ctx);
      const Value& labels = read(step, 1, slots, ctx);
      const Value* in[] = {&logits, &labels};
      run_outputs(step, in);
      const bool sparse = n.op == OpType::kSparseSoftmaxXent;
      const std::int64_t rows = logits.shape.dim(0), cols = logits.shape.dim(1);
      if (sparse) {
        const HostTensor host_labels = to_host(labels, ctx);
        for (std::int64_t i = 0; i < rows; ++i) {
          const auto label = static_cast<std::int64_t>(host_labels.element_as_double(i));
          if (label < 0 || label >= cols) {
            throw InvalidArgumentError("Received a label value of " + std::to_string(label) +
                                       " which is outside the valid range of [0, " +
                                       std::to_string(cols) +
                                       ").  Label values: ...\n\t [[{{node " + n.name + "}}]]");
          }
        }
      }
      out = fresh(logits.dtype, Shape({rows}));
      Value& backprop = slots[static_cast<std::size_t>(step.output + 1)];
      backprop = fresh(logits.dtype, logits.shape);
      ctx.backend().softmax_xent({.dtype = logits.dtype,
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
    default:
      throw InternalError("execute_nn: not a neural-network step (node " + n.name + ")");
  }
}

}  // namespace varscope::detail
