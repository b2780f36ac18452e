// The steps that apply IndexedSlices gradients: Unique (computed on the host), ScatterAdd and
// ScatterSub (the segment-sum kernel into the variable) and SparseApplyMomentum's checks.
// The indices are read on the host and checked there, in TF's words, before any row moves.
#include <string>
#include <unordered_map>

#include "host/core/byte_size.h"
#include "host/graph/op_defs.h"
#include "host/runtime/session_impl.h"
#include "varscope/errors.h"

namespace varscope::detail {
namespace {

std::string where(const Node& n) {
  return "\n\t [[{{node " + n.name + "}}]]";
}

std::vector<std::int64_t> int_values(const HostTensor& t) {
  std::vector<std::int64_t> out(static_cast<std::size_t>(t.num_elements()));
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<std::int64_t>(t.element_as_double(static_cast<std::int64_t>(i)));
  return out;
}

Value upload(runtime::Backend& backend, RunContext& ctx, const HostTensor& value) {
  Value out{ctx.temporary(value.nbytes()), value.dtype(), value.shape(), -1};
  if (value.nbytes() > 0) backend.copy_from_host(out.data.get(), value.raw_data(), value.nbytes());
  return out;
}

}  // namespace

// TF's Unique: y the distinct ids in order of first appearance, idx each id's place in y.
void SessionImpl::unique(const Step& step,
                         std::vector<Value>& slots,
                         RunContext& ctx,
                         const std::vector<HostTensor>& host,
                         std::vector<OutputSpec> specs) {
  const std::vector<std::int64_t> ids = int_values(host.at(0));
  std::vector<std::int64_t> y, idx;
  idx.reserve(ids.size());
  std::unordered_map<std::int64_t, std::int64_t> place;
  for (std::int64_t id : ids) {
    const auto [it, added] = place.emplace(id, static_cast<std::int64_t>(y.size()));
    if (added) y.push_back(id);
    idx.push_back(it->second);
  }
  const auto at = [&](int i) -> Value& { return slots[static_cast<std::size_t>(step.output + i)]; };
  at(0) =
      upload(ctx.backend(), ctx, HostTensor(y, std::move(specs.at(0).shape)).cast(specs[0].dtype));
  at(1) = upload(ctx.backend(), ctx,
                 HostTensor(idx, std::move(specs.at(1).shape)).cast(specs[1].dtype));
}

// ScatterAdd / ScatterSub: ref[indices[j], ...] += (-=) updates[j, ...]; the output is the ref.
void SessionImpl::scatter(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  const Node& n = graph->node(step.node);
  const Value& ref = read(step, 0, slots, ctx);
  const Value& indices = read(step, 1, slots, ctx);
  const Value& updates = read(step, 2, slots, ctx);
  const std::int64_t rows = ref.shape.rank() > 0 ? ref.shape.dim(0) : 0;
  std::vector<std::int64_t> want = indices.shape.dims();
  for (int d = 1; d < ref.shape.rank(); ++d)
    want.push_back(ref.shape.dim(d));
  if (updates.shape != Shape(want)) {  // TF's ScatterUpdateOp (scalar updates: unsupported)
    throw InvalidArgumentError(
        "Must have updates.shape = indices.shape + params.shape[1:] or updates.shape = [], got "
        "updates.shape " +
        updates.shape.to_list_string() + ", indices.shape " + indices.shape.to_list_string() +
        ", params.shape " + ref.shape.to_list_string() + where(n));
  }
  const std::vector<std::int64_t> ids = int_values(to_host(indices, ctx));
  for (std::size_t j = 0; j < ids.size(); ++j) {
    if (ids[j] >= 0 && ids[j] < rows) continue;
    throw InvalidArgumentError("indices[" + std::to_string(j) + "] = " + std::to_string(ids[j]) +
                               " is not in [0, " + std::to_string(rows) + ")" + where(n));
  }
  kernels::SegmentSumArgs a;
  a.data = updates.data.get();
  a.ids = indices.data.get();
  a.ids_int64 = indices.dtype == DType::kInt64;
  a.out = ref.data.get();
  a.dtype = ref.dtype;
  a.count_ids = static_cast<std::int64_t>(ids.size());
  a.count = updates.shape.num_elements();
  a.inner = a.count_ids > 0 ? a.count / a.count_ids : 0;
  a.num_segments = rows;
  a.subtract = n.op == OpType::kScatterSub;
  if (a.count > 0) ctx.backend().segment_sum(a);
  slots[static_cast<std::size_t>(step.output)] = ref;
}

// SparseApplyMomentum's kernel checks (TF's SparseApplyMomentumOp), then the rows it names.
void SessionImpl::check_sparse_apply(const Step& step,
                                     const Value& var,
                                     const Value& grad,
                                     const Value& indices,
                                     const RunContext& ctx,
                                     std::int64_t& inner) {
  const Node& n = graph->node(step.node);
  const std::int64_t rows = var.shape.rank() > 0 ? var.shape.dim(0) : 0;
  const std::int64_t count = indices.shape.num_elements();
  for (int d = 1; d < var.shape.rank(); ++d) {
    if (d < grad.shape.rank() && grad.shape.dim(d) == var.shape.dim(d)) continue;
    throw InvalidArgumentError("var and grad must match in dimension " + std::to_string(d) +
                               where(n));
  }
  if (grad.shape.rank() == 0 || grad.shape.dim(0) != count) {
    throw InvalidArgumentError("grad must be the same size as indices in the first dimension." +
                               where(n));
  }
  const std::vector<std::int64_t> ids = int_values(to_host(indices, ctx));
  for (std::size_t j = 0; j < ids.size(); ++j) {
    if (ids[j] >= 0 && ids[j] < rows) continue;
    throw InvalidArgumentError("Index " + std::to_string(ids[j]) + " at offset " +
                               std::to_string(j) + " in indices is out of range" + where(n));
  }
  inner = count > 0 ? grad.shape.num_elements() / count : 0;
}

}  // namespace varscope::detail
