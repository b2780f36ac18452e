// The matrix products: MatMul and BatchMatMulV2, the plan's shared B layouts
// (shared_b_layouts.cpp) and sums of products (product_sums.cpp).
#include <algorithm>
#include <cstdint>

#include "host/core/byte_size.h"
#include "host/core/shape_rules.h"
#include "host/graph/op_defs.h"
#include "host/runtime/cpu/gemm_layout.h"
#include "host/runtime/session_impl.h"
#include "varscope/errors.h"

namespace varscope::detail {
namespace {

// A rows × cols matrix: element (r, c) read at r · src_row + c · src_col, written at
// r · dst_row + c (elements).
struct MatrixCopy {
  std::int64_t rows = 0, cols = 0;
  std::int64_t src_row = 0, src_col = 1, dst_row = 0;
  std::size_t element_size = 0;
};

void copy_matrix(runtime::Backend& backend, const MatrixCopy& m, const void* src, void* dst) {
  if (m.rows == 0 || m.cols == 0) return;
  kernels::StridedCopyArgs copy;
  copy.rank = 2;
  copy.dims[0] = m.rows;
  copy.dims[1] = m.cols;
  copy.src_strides[0] = m.src_row;
  copy.src_strides[1] = m.src_col;
  copy.dst_strides[0] = m.dst_row;
  copy.dst_strides[1] = 1;
  copy.element_size = m.element_size;
  copy.src = src;
  copy.dst = dst;
  copy.count = m.rows * m.cols;
  backend.strided_copy(copy);
}

}  // namespace

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
  // op(W)'s shape, walked with W's strides (swapped for Wᵀ).
  copy_matrix(*backend,
              {.rows = out_rows,
               .cols = out_cols,
               .src_row = transposed ? 1 : cols,
               .src_col = transposed ? cols : 1,
               .dst_row = stride,
               .element_size = dtype_size(w.dtype)},
              static_cast<const char*>(w.data.get()) + first_row * cols * dtype_size(w.dtype),
              t.data.get());
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
      copy_matrix(*backend,
                  {.rows = s.m,
                   .cols = static_cast<std::int64_t>(k),
                   .src_row = 1,
                   .src_col = s.m,
                   .dst_row = s.k,
                   .element_size = size},
                  xi.data.get(), static_cast<char*>(x.get()) + rows_before * size);
    } else {
      backend->copy(static_cast<char*>(x.get()) + x_bytes, xi.data.get(), k * s.m * size);
    }
    if (s.ldb == 0) {
      backend->copy(static_cast<char*>(dy.get()) + dy_bytes, dyi.data.get(), k * s.n * size);
    } else {  // dy_i's rows into rows of s.ldb elements
      copy_matrix(*backend,
                  {.rows = static_cast<std::int64_t>(k),
                   .cols = s.n,
                   .src_row = s.n,
                   .src_col = 1,
                   .dst_row = s.ldb,
                   .element_size = size},
                  dyi.data.get(), static_cast<char*>(dy.get()) + dy_bytes);
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

}  // namespace varscope::detail
