// DynamicPartition and ParallelDynamicStitch: the partitions / indices are read on the host
// (their shape functions have checked them and sized the outputs), then the rows move with
// the backends' gather kernel (kernels/copy.h), the same on the CPU and the GPU.
#include <cstddef>
#include <vector>

#include "host/core/byte_size.h"
#include "host/graph/op_defs.h"
#include "host/runtime/session_impl.h"

namespace varscope::detail {
namespace {

// The elements of one row: a shape's dims from `from` on.
std::int64_t row_elements(const Shape& shape, int from) {
  std::int64_t n = 1;
  for (int d = from; d < shape.rank(); ++d)
    n *= shape.dim(d);
  return n;
}

}  // namespace

// Rows `rows` of `src` (a [num_rows, row] array of `element_size` bytes) into `dst`.
void SessionImpl::gather_rows(RunContext& ctx,
                              const void* src,
                              std::int64_t num_rows,
                              std::int64_t row,
                              std::size_t element_size,
                              const std::vector<std::int64_t>& rows,
                              void* dst) {
  if (rows.empty() || row == 0) return;
  const std::size_t bytes = rows.size() * sizeof(std::int64_t);
  const std::shared_ptr<void> indices = ctx.temporary(bytes);
  ctx.backend().copy_from_host(indices.get(), rows.data(), bytes);
  kernels::GatherArgs a;
  a.params = src;
  a.indices = indices.get();
  a.indices_int64 = true;
  a.out = dst;
  a.element_size = element_size;
  a.outer = 1;
  a.axis_size = num_rows;
  a.count_indices = static_cast<std::int64_t>(rows.size());
  a.inner = row;
  a.count = a.count_indices * row;
  ctx.backend().gather(a);
}

void SessionImpl::dynamic_partition(const Step& step,
                                    std::vector<Value>& slots,
                                    RunContext& ctx,
                                    const std::vector<HostTensor>& host,
                                    std::vector<OutputSpec> specs) {
  const Value& data = read(step, 0, slots, ctx);
  const HostTensor& partitions = host.at(1);
  const std::int64_t num_rows = partitions.num_elements();
  const std::int64_t row = row_elements(data.shape, partitions.shape().rank());
  std::vector<std::vector<std::int64_t>> rows(specs.size());
  for (std::int64_t i = 0; i < num_rows; ++i)
    rows[static_cast<std::size_t>(partitions.element_as_double(i))].push_back(i);
  const std::size_t element_size = dtype_size(data.dtype);
  for (std::size_t p = 0; p < specs.size(); ++p) {
    Value& out = slots[static_cast<std::size_t>(step.output) + p];
    const std::int64_t count = specs[p].shape.num_elements();
    out = Value{ctx.temporary(byte_size(count, data.dtype)), data.dtype, std::move(specs[p].shape),
                -1};
    gather_rows(ctx, data.data.get(), num_rows, row, element_size, rows[p], out.data.get());
  }
}

// Each output row from the last input row that names it (TF's DynamicStitch; the parallel
// kernel leaves the order of duplicates unspecified), rows no index names are zero. The
// inputs' rows are gathered into one array, with a zero row at its end, then gathered out.
void SessionImpl::parallel_dynamic_stitch(const Step& step,
                                          std::vector<Value>& slots,
                                          RunContext& ctx,
                                          const std::vector<HostTensor>& host,
                                          OutputSpec spec) {
  const std::size_t n = step.inputs.size() / 2;
  const std::int64_t out_rows = spec.shape.rank() > 0 ? spec.shape.dim(0) : 0;
  const std::int64_t row = row_elements(spec.shape, 1);
  const std::size_t element_size = dtype_size(spec.dtype);
  std::int64_t total = 0;
  for (std::size_t i = 0; i < n; ++i)
    total += host.at(i).num_elements();
  std::vector<std::int64_t> source(static_cast<std::size_t>(out_rows), total);  // zero row
  std::int64_t at = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const HostTensor& indices = host.at(i);
    for (std::int64_t j = 0; j < indices.num_elements(); ++j)
      source[static_cast<std::size_t>(indices.element_as_double(j))] = at + j;
    at += indices.num_elements();
  }
  const std::shared_ptr<void> merged = ctx.temporary(byte_size((total + 1) * row, spec.dtype));
  auto* merged_bytes = static_cast<std::byte*>(merged.get());
  const std::uint64_t zero = 0;
  if (row > 0) {
    ctx.backend().fill({.dst = merged_bytes + static_cast<std::size_t>(total * row) * element_size,
                        .pattern = &zero,
                        .element_size = element_size,
                        .count = row});
  }
  at = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t count = host.at(i).num_elements();
    std::vector<std::int64_t> all(static_cast<std::size_t>(count));
    for (std::int64_t j = 0; j < count; ++j)
      all[static_cast<std::size_t>(j)] = j;
    const Value& data = read(step, n + i, slots, ctx);
    gather_rows(ctx, data.data.get(), count, row, element_size, all,
                merged_bytes + static_cast<std::size_t>(at * row) * element_size);
    at += count;
  }
  Value& out = slots[static_cast<std::size_t>(step.output)];
  const std::int64_t count = spec.shape.num_elements();
  out = Value{ctx.temporary(byte_size(count, spec.dtype)), spec.dtype, std::move(spec.shape), -1};
  gather_rows(ctx, merged.get(), total + 1, row, element_size, source, out.data.get());
}

}  // namespace varscope::detail
