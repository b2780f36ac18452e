// Convolution, pooling and batch normalization steps: the window geometry from the node's
// attributes and the run's shapes (kernels/conv.h), TF's kernel checks, then one backend call.
// Each step keeps the backend's prepared primitive (Step::prepared) from run to run.
#include <limits>
#include <string>

#include "host/core/byte_size.h"
#include "host/graph/op_defs.h"
#include "host/graph/window_attrs.h"
#include "host/runtime/session_impl.h"
#include "varscope/errors.h"

namespace varscope::detail {
namespace {

std::string where(const Node& n) {
  return "\n\t [[{{node " + n.name + "}}]]";
}

std::string str(std::int64_t v) {
  return std::to_string(v);
}

// TF's ConvBackpropComputeDimensionsV2 check: the given gradient is the shape the forward
// pass would have made.
void check_backprop(const Node& n,
                    const char* label,
                    const kernels::WindowGeometry& g,
                    const Shape& dy,
                    bool pool) {
  if (dy.rank() != 4) {
    throw InvalidArgumentError(std::string(label) + ": out_backprop must be 4-dimensional" +
                               where(n));
  }
  if (dy.dim(0) != g.n) {
    throw InvalidArgumentError(std::string(label) +
                               ": input and out_backprop must have the same batch size" + where(n));
  }
  const std::int64_t computed[2] = {g.out_h, g.out_w};
  const std::int64_t in[2] = {g.h, g.w}, filter[2] = {g.kh, g.kw};
  const std::int64_t stride[2] = {g.stride_h, g.stride_w},
                     dilation[2] = {g.dilation_h, g.dilation_w};
  for (int d = 0; d < 2; ++d) {
    if (dy.dim(d + 1) != computed[d]) {
      throw InvalidArgumentError(
          std::string(label) + ": Size of out_backprop doesn't match computed: actual = " +
          str(dy.dim(d + 1)) + ", computed = " + str(computed[d]) + " spatial_dim: " + str(d + 1) +
          " input: " + str(in[d]) + " filter: " + str(filter[d]) +
          " output: " + str(dy.dim(d + 1)) + " stride: " + str(stride[d]) +
          " dilation: " + str(dilation[d]) + where(n));
    }
  }
  if (dy.dim(3) != g.out_c) {
    throw InvalidArgumentError(std::string(label) + ": " +
                               (pool ? "input and out_backprop must have the same depth: "
                                     : "Filter and out_backprop must have the same out_depth: ") +
                               str(g.out_c) + " vs " + str(dy.dim(3)) + where(n));
  }
}

}  // namespace

// FusedBatchNormV3 and FusedBatchNormGradV3 (float32; the op rows' shape functions checked
// the ranks and channel counts).
void SessionImpl::execute_batch_norm(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  const Node& n = graph->node(step.node);
  const bool forward = n.op == OpType::kFusedBatchNormV3;
  const Value* in[6] = {};
  for (std::size_t i = 0; i < n.inputs.size(); ++i)
    in[i] = &read(step, i, slots, ctx);
  run_outputs(step, std::span<const Value* const>(in, n.inputs.size()));
  const Value& x = *in[forward ? 0 : 1];
  if (x.shape.rank() != 4) {
    throw InvalidArgumentError("input must be 4-dimensional" + x.shape.to_list_string() + where(n));
  }
  if (!forward && in[0]->shape != x.shape) {
    throw InvalidArgumentError("x and y_backprop must have same shape, but x has shape " +
                               x.shape.to_list_string() + " and y_backprop has shape " +
                               in[0]->shape.to_list_string() + where(n));
  }
  const bool training = attr<bool>(n, attr_name::kIsTraining);
  const std::int64_t channels = x.shape.dim(3);
  const std::int64_t rows = x.shape.dim(0) * x.shape.dim(1) * x.shape.dim(2);
  auto output = [&](std::size_t i, Shape shape) -> Value& {
    Value& o = slots[static_cast<std::size_t>(step.output) + i];
    o = Value{ctx.temporary(byte_size(shape.num_elements(), DType::kFloat32)), DType::kFloat32,
              std::move(shape), -1};
    return o;
  };
  auto fill = [&](const Value& v, float value) {
    if (v.shape.num_elements() == 0) return;
    ctx.backend().fill({.dst = v.data.get(),
                        .pattern = &value,
                        .element_size = sizeof(float),
                        .count = v.shape.num_elements()});
  };
  kernels::BatchNormArgs args{
      .pass = forward ? kernels::BatchNormPass::kForward : kernels::BatchNormPass::kBackward,
      .training = training,
      .rows = rows,
      .channels = channels,
      .epsilon = static_cast<float>(attr<double>(n, attr_name::kEpsilon)),
      .x = x.data.get(),
      .scale = in[forward ? 1 : 2]->data.get(),
      .prepared = &step.prepared};
  const Shape vec{channels};
  if (forward) {
    args.y = output(0, x.shape).data.get();
    Value* stats[4];
    for (std::size_t i = 0; i < 4; ++i)
      stats[i] = &output(i + 1, vec);
    output(5, Shape{0});  // reserve_space_3: nothing kept
    args.offset = in[2]->data.get();
    args.mean = in[3]->data.get();
    args.variance = in[4]->data.get();
    args.batch_mean = stats[0]->data.get();
    args.batch_variance = stats[1]->data.get();
    args.saved_mean = stats[2]->data.get();
    args.saved_variance = stats[3]->data.get();
    if (rows == 0 || channels == 0) {  // no batch: statistics of nothing
      for (const Value* v : stats)
        fill(*v, std::numeric_limits<float>::quiet_NaN());
      return;
    }
  } else {
    args.dy = in[0]->data.get();
    args.mean = in[3]->data.get();
    args.variance = in[4]->data.get();
    args.y = output(0, x.shape).data.get();
    const Value& dscale = output(1, vec);
    const Value& doffset = output(2, vec);
    args.dscale = dscale.data.get();
    args.doffset = doffset.data.get();
    for (std::size_t i = 3; i < 5; ++i)
      fill(output(i, training ? Shape{0} : vec), 0.0F);
    if (rows == 0 || channels == 0) {  // sums over nothing
      fill(dscale, 0.0F);
      fill(doffset, 0.0F);
      return;
    }
  }
  ctx.backend().batch_norm(args);
}

void SessionImpl::execute_conv(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  if (step.kind == OpKind::kBatchNorm) return execute_batch_norm(step, slots, ctx);
  const Node& n = graph->node(step.node);
  const WindowAttrs w = window_attrs(n.attrs);
  const bool pool = step.kind == OpKind::kPool;
  w.check_kernel(n, pool);
  Value& out = slots[static_cast<std::size_t>(step.output)];
  auto fresh = [&](DType dtype, Shape shape) {
    return Value{ctx.temporary(byte_size(shape.num_elements(), dtype)), dtype, std::move(shape),
                 -1};
  };
  // A sizes input (Conv2DBackpropInput's, Conv2DBackpropFilter's, AvgPoolGrad's): the graph's
  // output shape where it was known, else the value, read on the host.
  auto sizes = [&](std::size_t i) {
    const Shape& known = n.outputs[0].shape;
    if (known.is_fully_defined()) return known;
    const HostTensor v = to_host(read(step, i, slots, ctx), ctx);
    if (v.num_elements() != 4) {
      throw InvalidArgumentError("input_sizes must hold 4 sizes, got " + str(v.num_elements()) +
                                 where(n));
    }
    std::vector<std::int64_t> dims;
    for (std::int64_t k = 0; k < 4; ++k) {
      const auto d = static_cast<std::int64_t>(v.element_as_double(k));
      if (d < 0) throw InvalidArgumentError("Dimension " + str(d) + " must be >= 0" + where(n));
      dims.push_back(d);
    }
    return Shape(std::move(dims));
  };
  auto check_depth = [&](const Shape& x, const Shape& f) {
    if (x.dim(3) != f.dim(2)) {
      throw UnimplementedError(
          "The Conv2D op currently does not support grouped convolutions on the CPU. A grouped "
          "convolution was attempted to be run because the input depth of " +
          str(x.dim(3)) + " does not match the filter input depth of " + str(f.dim(2)) + where(n));
    }
  };
  switch (n.op) {
    case OpType::kConv2D: {
      const Value& x = read(step, 0, slots, ctx);
      const Value& f = read(step, 1, slots, ctx);
      const Value* in[] = {&x, &f};
      run_outputs(step, in);
      check_depth(x.shape, f.shape);
      const kernels::WindowGeometry g = window_geometry(w, x.shape, &f.shape);
      out = fresh(x.dtype, Shape({g.n, g.out_h, g.out_w, g.out_c}));
      if (g.output_count() == 0) return;
      ctx.backend().conv2d({.pass = kernels::ConvPass::kForward,
                            .dtype = x.dtype,
                            .geometry = g,
                            .x = x.data.get(),
                            .filter = f.data.get(),
                            .out = out.data.get(),
                            .prepared = &step.prepared});
      return;
    }
    case OpType::kConv2DBackpropInput: {
      const Value& f = read(step, 1, slots, ctx);
      const Value& dy = read(step, 2, slots, ctx);
      const Shape x = sizes(0);
      if (f.shape.rank() != 4) {
        throw InvalidArgumentError("Conv2DBackpropInput: filter must be 4-dimensional" + where(n));
      }
      check_depth(x, f.shape);
      const kernels::WindowGeometry g = window_geometry(w, x, &f.shape);
      check_backprop(n, "Conv2DCustomBackpropInput", g, dy.shape, false);
      out = fresh(f.dtype, x);
      if (g.input_count() == 0) return;
      ctx.backend().conv2d({.pass = kernels::ConvPass::kBackwardData,
                            .dtype = f.dtype,
                            .geometry = g,
                            .filter = f.data.get(),
                            .dy = dy.data.get(),
                            .out = out.data.get(),
                            .prepared = &step.prepared});
      return;
    }
    case OpType::kConv2DBackpropFilter: {
      const Value& x = read(step, 0, slots, ctx);
      const Value& dy = read(step, 2, slots, ctx);
      const Shape f = sizes(1);
      if (x.shape.rank() != 4) {
        throw InvalidArgumentError("Conv2DBackpropFilter: input must be 4-dimensional" + where(n));
      }
      check_depth(x.shape, f);
      const kernels::WindowGeometry g = window_geometry(w, x.shape, &f);
      check_backprop(n, "Conv2DCustomBackpropFilter", g, dy.shape, false);
      out = fresh(x.dtype, f);
      if (g.filter_count() == 0) return;
      ctx.backend().conv2d({.pass = kernels::ConvPass::kBackwardFilter,
                            .dtype = x.dtype,
                            .geometry = g,
                            .x = x.data.get(),
                            .dy = dy.data.get(),
                            .out = out.data.get(),
                            .prepared = &step.prepared});
      return;
    }
    case OpType::kMaxPool:
    case OpType::kAvgPool: {
      const Value& x = read(step, 0, slots, ctx);
      const Value* in[] = {&x};
      run_outputs(step, in);
      const kernels::WindowGeometry g = window_geometry(w, x.shape, nullptr);
      out = fresh(x.dtype, Shape({g.n, g.out_h, g.out_w, g.c}));
      if (g.output_count() == 0) return;
      ctx.backend().pool2d(
          {.op = n.op == OpType::kMaxPool ? kernels::PoolOp::kMax : kernels::PoolOp::kAvg,
           .dtype = x.dtype,
           .geometry = g,
           .x = x.data.get(),
           .out = out.data.get(),
           .prepared = &step.prepared});
      return;
    }
    case OpType::kMaxPoolGrad:
    case OpType::kAvgPoolGrad: {
      const bool max = n.op == OpType::kMaxPoolGrad;
      const Value& dy = read(step, max ? 2 : 1, slots, ctx);
      const Value* x = max ? &read(step, 0, slots, ctx) : nullptr;
      const Value* y = max ? &read(step, 1, slots, ctx) : nullptr;
      const Shape x_shape = max ? x->shape : sizes(0);
      if (x_shape.rank() != 4) {
        throw InvalidArgumentError("orig_input must be 4-dimensional" + where(n));
      }
      const kernels::WindowGeometry g = window_geometry(w, x_shape, nullptr);
      check_backprop(n, max ? "MaxPoolGrad" : "AvgPoolGrad", g, dy.shape, true);
      if (max && y->shape != dy.shape) {
        throw InvalidArgumentError(
            "MaxPoolGrad: orig_output and grad must have one shape: " + y->shape.to_list_string() +
            " vs " + dy.shape.to_list_string() + where(n));
      }
      out = fresh(dy.dtype, x_shape);
      if (g.input_count() == 0) return;
      ctx.backend().pool2d({.op = max ? kernels::PoolOp::kMax : kernels::PoolOp::kAvg,
                            .backward = true,
                            .dtype = dy.dtype,
                            .geometry = g,
                            .x = max ? x->data.get() : nullptr,
                            .y = max ? y->data.get() : nullptr,
                            .dy = dy.data.get(),
                            .out = out.data.get(),
                            .prepared = &step.prepared});
      return;
    }
    default:
      throw InternalError("execute_conv: not a convolution or pooling step (node " + n.name + ")");
  }
}

}  // namespace varscope::detail
