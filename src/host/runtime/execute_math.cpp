// The math steps: elementwise unary and binary ops (broadcasting), Cast, the reductions, AddN
// and the gradient helpers that sum or spread a gradient to a shape (the matrix products:
// execute_matmul.cpp).
// Shape errors are the shape functions' (run_outputs); what is checked here is what the
// kernels cannot do.
#include <algorithm>
#include <utility>

#include "host/core/byte_size.h"
#include "host/core/shape_rules.h"
#include "host/graph/op_defs.h"
#include "host/runtime/scalar_bytes.h"
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

// Row-major strides of `shape`.
std::vector<std::int64_t> strides_of(const Shape& shape) {
  std::vector<std::int64_t> strides(static_cast<std::size_t>(shape.rank()));
  std::int64_t stride = 1;
  for (int d = shape.rank() - 1; d >= 0; --d) {
    strides[static_cast<std::size_t>(d)] = stride;
    stride *= shape.dim(d);
  }
  return strides;
}

// An elementwise op's float attribute (LeakyRelu's alpha); 0 where the op has none.
double float_attr_or_zero(const Node& n, std::string_view name) {
  const AttrValue* v = n.find_attr(name);
  const double* d = v == nullptr ? nullptr : std::get_if<double>(v);
  return d == nullptr ? 0.0 : *d;
}

}  // namespace

void SessionImpl::execute_math(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  runtime::Backend* const backend = &ctx.backend();  // the step's device's
  const Node& n = graph->node(step.node);
  Value& out = slots[static_cast<std::size_t>(step.output)];
  auto fresh = [&](DType dtype, const Shape& shape) {
    return Value{ctx.temporary(byte_size(shape.num_elements(), dtype)), dtype, shape, -1};
  };
  switch (step.kind) {
    case OpKind::kUnary: {
      const Value& x = read(step, 0, slots, ctx);
      out = fresh(x.dtype, x.shape);
      backend->unary({.op = step.unary,
                      .dtype = x.dtype,
                      .x = x.data.get(),
                      .out = out.data.get(),
                      .count = x.shape.num_elements(),
                      .alpha = float_attr_or_zero(n, attr_name::kAlpha)});
      return;
    }
    case OpKind::kCast: {
      const Value& x = read(step, 0, slots, ctx);
      const DType to = n.outputs[0].dtype;
      out = fresh(to, x.shape);
      backend->cast({.from = x.dtype,
                     .to = to,
                     .x = x.data.get(),
                     .out = out.data.get(),
                     .count = x.shape.num_elements()});
      return;
    }
    case OpKind::kBinary:
      return binary(step, slots, ctx);
    case OpKind::kMatMul:
      return matmul(step, slots, ctx);
    case OpKind::kReduce:
      return reduce(step, slots, ctx);
    case OpKind::kAddN: {
      if (step.sum_of_products) return sum_of_products(step, slots, ctx);
      const Value& first = read(step, 0, slots, ctx);
      if (step.inputs.size() == 1) {
        out = Value{first.data, first.dtype, first.shape, -1};
        return;
      }
      std::vector<const Value*> in;
      for (std::size_t i = 0; i < step.inputs.size(); ++i)
        in.push_back(&read(step, i, slots, ctx));
      run_outputs(step, in);
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
      for (std::size_t i = 1; i < in.size(); ++i) {
        args.y = in[i]->data.get();
        backend->binary(args);
        args.x = out.data.get();
      }
      return;
    }
    case OpKind::kSumToShape: {  // and BiasAddGrad: the sum to the last dimension
      const Value& g = read(step, 0, slots, ctx);
      Shape target;
      if (n.op == OpType::kBiasAddGrad) {
        const Value* in[] = {&g};
        target = run_outputs(step, in, nullptr).at(0).shape;
      } else {
        target = read(step, 1, slots, ctx).shape;
      }
      if (g.shape == target) {
        out = Value{g.data, g.dtype, g.shape, -1};
        return;
      }
      const int rank = g.shape.rank();
      const int lead = rank - target.rank();
      auto refuse = [&] {
        return InvalidArgumentError("Cannot sum a gradient of shape " + g.shape.to_list_string() +
                                    " to shape " + target.to_list_string() + where(n));
      };
      if (lead < 0 || rank > kernels::kMaxRank) throw refuse();
      kernels::ReduceArgs args;  // built in place: no copy of its reduction
      kernels::Reduction& red = args.reduction;
      const std::vector<std::int64_t> strides = strides_of(g.shape);
      for (int d = 0; d < rank; ++d) {
        const std::int64_t gd = g.shape.dim(d);
        const std::int64_t td = d < lead ? 1 : target.dim(d - lead);
        if (td != gd && td != 1) throw refuse();
        if (td == 1) {
          red.reduced_dims[red.reduced_rank] = gd;
          red.reduced_strides[red.reduced_rank++] = strides[static_cast<std::size_t>(d)];
          red.reduced_count *= gd;
        } else {
          red.kept_dims[red.kept_rank] = gd;
          red.kept_strides[red.kept_rank++] = strides[static_cast<std::size_t>(d)];
        }
      }
      out = fresh(g.dtype, target);
      args.op = kernels::ReduceOp::kSum;
      args.dtype = g.dtype;
      args.x = g.data.get();
      args.out = out.data.get();
      args.out_count = target.num_elements();
      backend->reduce(args);
      return;
    }
    case OpKind::kBroadcastToShape: {
      const Value& g = read(step, 0, slots, ctx);
      const Value& like = read(step, 1, slots, ctx);
      const HostTensor axes = to_host(read(step, 2, slots, ctx), ctx);
      const int rank = like.shape.rank();
      if (rank > kernels::kMaxRank) throw UnimplementedError("rank > 8" + where(n));
      std::vector<std::int64_t> kept_shape = like.shape.dims();
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
      const ScalarBytes s = scalar_bytes(g.dtype, mean ? static_cast<double>(reduced) : 0.0);
      const std::shared_ptr<void> y = ctx.temporary(s.size);
      backend->fill({.dst = y.get(), .pattern = s.bytes, .element_size = s.size, .count = 1});
      backend->binary({.op = mean ? kernels::BinaryOp::kDiv : kernels::BinaryOp::kAdd,
                       .dtype = g.dtype,
                       .broadcast = broadcast_scalar(kept, like.shape),
                       .x = g.data.get(),
                       .y = y.get(),
                       .out = out.data.get(),
                       .count = like.shape.num_elements()});
      return;
    }
    default:
      throw InternalError("execute_math: not a math step (node " + n.name + ")");
  }
}

void SessionImpl::binary(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  runtime::Backend* const backend = &ctx.backend();  // the step's device's
  const Node& n = graph->node(step.node);
  const Value& x = read(step, 0, slots, ctx);
  const Value& y = read(step, 1, slots, ctx);
  // Broadcasting, or BiasAdd's rules (its output is the value's shape).
  const Value* in[] = {&x, &y};
  const Shape& shape = run_outputs(step, in)[0].shape;
  if (shape.rank() > kernels::kMaxRank) {
    throw UnimplementedError("elementwise ops on rank > 8 (node " + n.name + ")");
  }
  kernels::BinaryArgs args;  // built in place: no copy of its broadcast per run
  kernels::Broadcast& bc = args.broadcast;
  bc.rank = shape.rank();
  for (int d = 0; d < bc.rank; ++d)
    bc.out_dims[d] = shape.dim(d);
  auto strides = [&](const Shape& s, std::int64_t* out_strides) {
    std::int64_t stride = 1;
    for (int d = bc.rank - 1, sd = s.rank() - 1; d >= 0; --d, --sd) {
      const std::int64_t dim = sd >= 0 ? s.dim(sd) : 1;
      out_strides[d] = dim == 1 ? 0 : stride;
      stride *= dim;
    }
  };
  strides(x.shape, bc.x_strides);
  strides(y.shape, bc.y_strides);
  const std::int64_t count = shape.num_elements();
  Value& out = slots[static_cast<std::size_t>(step.output)];
  const DType out_dtype = n.outputs[0].dtype;  // bool for comparisons
  out = Value{ctx.temporary(byte_size(count, out_dtype)), out_dtype, shape, -1};
  args.op = step.binary;
  args.alpha = float_attr_or_zero(n, attr_name::kAlpha);
  args.dtype = x.dtype;
  args.x = x.data.get();
  args.y = y.data.get();
  args.out = out.data.get();
  args.count = count;
  backend->binary(args);
}

void SessionImpl::reduce(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  runtime::Backend* const backend = &ctx.backend();  // the step's device's
  const Node& n = graph->node(step.node);
  const Value& x = read(step, 0, slots, ctx);
  // Constant axes come from the graph, with no round trip through the device.
  const Value* axes_input = step.host_axes >= 0 ? nullptr : &read(step, 1, slots, ctx);
  const HostTensor axes_value =
      step.host_axes >= 0 ? attr<HostTensor>(graph->node(step.host_axes), attr_name::kValue)
                          : to_host(*axes_input, ctx);
  const int rank = x.shape.rank();
  if (rank > kernels::kMaxRank)
    throw UnimplementedError("reductions of rank > 8 (node " + n.name + ")");
  // The axes' dtype and shape as the graph has them: the shape function reads their value.
  const Value axes{nullptr, axes_value.dtype(), axes_value.shape(), -1};
  const Value* in[] = {&x, &axes};
  Shape out_shape = run_outputs(step, in, &axes_value)[0].shape;
  std::vector<std::int64_t> given;
  for (std::int64_t i = 0; i < axes_value.num_elements(); ++i)
    given.push_back(static_cast<std::int64_t>(axes_value.element_as_double(i)));
  const std::vector<bool> reduced = reduction_axes(rank, given, /*allow_duplicates=*/false).reduced;
  kernels::ReduceArgs args;  // built in place: no copy of its reduction
  kernels::Reduction& red = args.reduction;
  const std::vector<std::int64_t> strides = strides_of(x.shape);
  for (int d = 0; d < rank; ++d) {
    const auto i = static_cast<std::size_t>(d);
    if (reduced[i]) {
      red.reduced_dims[red.reduced_rank] = x.shape.dim(d);
      red.reduced_strides[red.reduced_rank++] = strides[i];
      red.reduced_count *= x.shape.dim(d);
    } else {
      red.kept_dims[red.kept_rank] = x.shape.dim(d);
      red.kept_strides[red.kept_rank++] = strides[i];
    }
  }
  const std::int64_t count = out_shape.num_elements();
  Value& out = slots[static_cast<std::size_t>(step.output)];
  out = Value{ctx.temporary(byte_size(count, x.dtype)), x.dtype, std::move(out_shape), -1};
  args.op = step.reduce;
  args.dtype = x.dtype;
  args.x = x.data.get();
  args.out = out.data.get();
  args.out_count = count;
  backend->reduce(args);
}

}  // namespace varscope::detail
