// The math steps: elementwise unary and binary ops (broadcasting), Cast, the matrix products,
// the reductions, AddN and the gradient helpers that sum or spread a gradient to a shape.
// Shape errors are the shape functions' (run_outputs); what is checked here is what the
// kernels cannot do.
#include <algorithm>
#include <utility>

#include "host/core/byte_size.h"
#include "host/core/shape_rules.h"
#include "host/graph/op_defs.h"
#include "host/runtime/cpu/gemm_layout.h"
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

void SessionImpl::matmul(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  runtime::Backend* const backend = &ctx.backend();  // the step's device's
  const Node& n = graph->node(step.node);
  const Value& a = read(step, 0, slots, ctx);
  const Value& b = read(step, 1, slots, ctx);
  const Value* in[] = {&a, &b};
  Shape out_shape = run_outputs(step, in)[0].shape;
  const bool batched = n.op == OpType::kBatchMatMulV2;
  const bool ta = attr<bool>(n, batched ? attr_name::kAdjX : attr_name::kTransposeA);
  const bool tb = attr<bool>(n, batched ? attr_name::kAdjY : attr_name::kTransposeB);
  // The kernel's geometry; the shapes passed the shape function (any rank >= 2 runs).
  const MatMulShape rule = matmul_shape(a.shape, b.shape, ta, tb, /*batched=*/true);
  // Batch dims: the same on both sides, or one side with a single matrix for all.
  const std::int64_t na = rule.batch_a.num_elements(), nb = rule.batch_b.num_elements();
  const auto unsupported_batch = [&] {
    return UnimplementedError("BatchMatMul broadcasting of batch shapes " +
                              rule.batch_a.to_list_string() + " and " +
                              rule.batch_b.to_list_string());
  };
  if (na != nb && na != 1 && nb != 1) throw unsupported_batch();
  runtime::Backend::MatMulShape s;
  s.transpose_a = ta;
  s.transpose_b = tb;
  s.m = rule.m;
  s.k = rule.k_a;
  s.n = rule.n;
  // An empty batch on either side (a [0, m, k] against a matrix) is an empty product: no
  // GEMM reads the other side for batches that do not exist.
  s.batch = (na == 0 || nb == 0) ? 0 : std::max(na, nb);
  // Equal batch counts of different layouts ([1, 2] and [2, 1]) broadcast to more matrices
  // than either side holds: not one strided product.
  if (s.batch != 0 && out_shape.num_elements() != s.batch * s.m * s.n) throw unsupported_batch();
  s.stride_a = na == 1 ? 0 : s.m * s.k;
  s.stride_b = nb == 1 ? 0 : s.k * s.n;
  s.stride_c = s.m * s.n;
  // Cut to columns (column_slices.cpp: one matrix, x · Wᵀ): the same rows of W, contiguous.
  const void* b_data = b.data.get();
  if (step.columns >= 0) {
    b_data = static_cast<const char*>(b_data) + step.columns_begin * s.k * dtype_size(b.dtype);
    s.n = step.columns;
    s.stride_c = s.m * s.n;
    out_shape = Shape{s.m, s.n};
  }
  Value& out = slots[static_cast<std::size_t>(step.output)];
  out = Value{ctx.temporary(byte_size(out_shape.num_elements(), a.dtype)), a.dtype, out_shape, -1};
  if (out_shape.num_elements() == 0) return;
  if (s.k == 0) {  // an empty sum: zeros
    const std::uint64_t zero = 0;
    backend->fill({.dst = out.data.get(),
                   .pattern = &zero,
                   .element_size = dtype_size(a.dtype),
                   .count = s.batch * s.m * s.n});
    return;
  }
  if (step.shared_b >= 0 && backend->kind() == DeviceKind::kCpu) {
    b_data = shared_b_layout(step, b, slots, ctx);
    s.transpose_b = false;
    s.ldb = runtime::cpu::padded_b_row_stride(s.n, dtype_size(b.dtype));
  }
  backend->matmul(
      {.dtype = a.dtype, .shape = s, .a = a.data.get(), .b = b_data, .c = out.data.get()});
}

// op(W) for the plan's products of few rows that share W (shared_b_layouts.cpp), k rows of n
// columns, each row padded_b_row_stride(n) long: made by the first of them in a run, read by
// the others.
const void* SessionImpl::shared_b_layout(const Step& step,
                                         const Value& w,
                                         std::vector<Value>& slots,
                                         RunContext& ctx) {
  runtime::Backend* const backend = &ctx.backend();  // the step's device's
  Value& t = slots[static_cast<std::size_t>(step.shared_b)];
  if (t.data) return t.data.get();
  const bool transposed = attr<bool>(graph->node(step.node), attr_name::kTransposeB);
  // W [rows, cols]; op(W) has `cols` rows where it is Wᵀ. Only rows columns_begin.. of W where
  // the product x · Wᵀ is cut to those columns (column_slices.cpp).
  const std::int64_t cols = w.shape.dim(1);
  const std::int64_t rows = step.columns >= 0 ? step.columns : w.shape.dim(0);
  const std::int64_t first_row = step.columns >= 0 ? step.columns_begin : 0;
  const std::int64_t out_rows = transposed ? cols : rows, out_cols = transposed ? rows : cols;
  const std::int64_t stride = runtime::cpu::padded_b_row_stride(out_cols, dtype_size(w.dtype));
  t = Value{ctx.temporary(byte_size(out_rows * stride, w.dtype)), w.dtype, Shape{out_rows, stride},
            -1};
  kernels::StridedCopyArgs copy;
  copy.rank = 2;
  copy.dims[0] = out_rows;  // op(W)'s shape, walked with W's strides (swapped for Wᵀ)
  copy.dims[1] = out_cols;
  copy.src_strides[0] = transposed ? 1 : cols;
  copy.src_strides[1] = transposed ? cols : 1;
  copy.dst_strides[0] = stride;
  copy.dst_strides[1] = 1;
  copy.element_size = dtype_size(w.dtype);
  copy.src = static_cast<const char*>(w.data.get()) + first_row * cols * dtype_size(w.dtype);
  copy.dst = t.data.get();
  copy.count = rows * cols;
  backend->strided_copy(copy);
  return t.data.get();
}

// An AddN of x_i^T dy_i (planner.cpp): x_i [k_i, m] and dy_i [k_i, n] stacked along k, and one
// product x^T dy of the stacks. On the CPU the x_i are stacked transposed, as x^T [m, k]:
// oneDNN packs a transposed A again for every block of columns, and a [512, 640]^T product
// cut in two ran slower than whole on one thread (an LSTM's kernel gradient: 9.3 ms whole,
// 14 ms in halves; untransposed, 5 ms on two threads). There the dy_i are stacked with rows
// padded where cpu/gemm_layout.h asks (the same gradient: 7.5 ms, 3.6 ms padded).
void SessionImpl::sum_of_products(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  runtime::Backend* const backend = &ctx.backend();  // the step's device's
  const Node& n = graph->node(step.node);
  const Shape& out_shape = n.outputs[0].shape;  // [m, n]: the planner folds only known shapes
  const DType dtype = n.outputs[0].dtype;
  const std::size_t size = dtype_size(dtype);
  const bool stack_transposed = backend->kind() == DeviceKind::kCpu;
  runtime::Backend::MatMulShape s;
  s.transpose_a = !stack_transposed;
  s.m = out_shape.dim(0);
  s.n = out_shape.dim(1);
  s.stride_c = s.m * s.n;
  for (std::size_t i = 0; i < step.inputs.size(); i += 2)
    s.k += read(step, i, slots, ctx).shape.dim(0);
  const std::int64_t padded = runtime::cpu::padded_b_row_stride(s.n, size);
  if (stack_transposed && dtype == DType::kFloat32 && padded != s.n) s.ldb = padded;
  s.stride_a = s.k * s.m;
  s.stride_b = s.k * s.b_row_stride();
  Value& out = slots[static_cast<std::size_t>(step.output)];
  out = Value{ctx.temporary(byte_size(s.m * s.n, dtype)), dtype, out_shape, -1};
  const std::shared_ptr<void> x = ctx.temporary(byte_size(s.stride_a, dtype));
  const std::shared_ptr<void> dy = ctx.temporary(byte_size(s.stride_b, dtype));
  std::size_t x_bytes = 0, dy_bytes = 0, rows_before = 0;
  for (std::size_t i = 0; i < step.inputs.size(); i += 2) {
    const Value& xi = read(step, i, slots, ctx);
    const Value& dyi = read(step, i + 1, slots, ctx);
    const std::size_t k = static_cast<std::size_t>(xi.shape.dim(0));
    if (stack_transposed) {  // x_i^T into columns [rows_before, + k) of x^T [m, k]
      kernels::StridedCopyArgs copy;
      copy.rank = 2;
      copy.dims[0] = s.m;
      copy.dims[1] = static_cast<std::int64_t>(k);
      copy.src_strides[0] = 1;
      copy.src_strides[1] = s.m;
      copy.dst_strides[0] = s.k;
      copy.dst_strides[1] = 1;
      copy.element_size = size;
      copy.src = xi.data.get();
      copy.dst = static_cast<char*>(x.get()) + rows_before * size;
      copy.count = s.m * static_cast<std::int64_t>(k);
      if (copy.count > 0) backend->strided_copy(copy);
    } else {
      backend->copy(static_cast<char*>(x.get()) + x_bytes, xi.data.get(), k * s.m * size);
    }
    if (s.ldb == 0) {
      backend->copy(static_cast<char*>(dy.get()) + dy_bytes, dyi.data.get(), k * s.n * size);
    } else if (k > 0) {  // dy_i's rows into rows of s.ldb elements
      kernels::StridedCopyArgs copy;
      copy.rank = 2;
      copy.dims[0] = static_cast<std::int64_t>(k);
      copy.dims[1] = s.n;
      copy.src_strides[0] = s.n;
      copy.src_strides[1] = 1;
      copy.dst_strides[0] = s.ldb;
      copy.dst_strides[1] = 1;
      copy.element_size = size;
      copy.src = dyi.data.get();
      copy.dst = static_cast<char*>(dy.get()) + dy_bytes;
      copy.count = static_cast<std::int64_t>(k) * s.n;
      backend->strided_copy(copy);
    }
    x_bytes += k * s.m * size;
    dy_bytes += k * s.b_row_stride() * size;
    rows_before += k;
  }
  if (s.m * s.n == 0) return;
  if (s.k == 0) {  // an empty sum: zeros
    const std::uint64_t zero = 0;
    backend->fill(
        {.dst = out.data.get(), .pattern = &zero, .element_size = size, .count = s.m * s.n});
    return;
  }
  backend->matmul({.dtype = dtype, .shape = s, .a = x.get(), .b = dy.get(), .c = out.data.get()});
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
