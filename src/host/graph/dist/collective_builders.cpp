// hvd.allreduce, hvd.broadcast and hvd.broadcast_global_variables (horovod/tensorflow/
// mpi_ops.py, functions.py): the graph side, which needs no MPI.
#include "host/graph/dist/collective_builders.h"

#include <algorithm>
#include <string>
#include <vector>

#include "host/graph/builders.h"
#include "host/graph/dist/collective_attrs.h"
#include "host/graph/op_defs.h"
#include "varscope/dist.h"
#include "varscope/errors.h"
#include "varscope/ops.h"

namespace varscope::dist {

using detail::Access;
using detail::OpType;
namespace c = detail::collective_attr;

namespace {

Tensor build_collective(OpType op,
                        const Tensor& tensor,
                        const std::string& named_after,
                        std::string_view prefix,
                        detail::Attrs attrs) {
  auto g = Access::lock(tensor);
  return g->mutate([&] {
    return Access::tensor(g, detail::build_horovod_collective(
                                 *g, op, g->ref_of(tensor), named_after, prefix, std::move(attrs)));
  });
}

}  // namespace

std::string normalize_name(std::string_view name) {
  std::string out(name);
  for (char& ch : out) {
    const bool keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9') || ch == '_';
    if (!keep) ch = '_';
  }
  return out;
}

Tensor allreduce(const Tensor& tensor, ReduceOp op) {
  if (!tensor.valid()) throw ValueError("A collective needs a tensor (got None)");
  return build_collective(OpType::kHorovodAllreduce, tensor, tensor.name(), "HorovodAllreduce_",
                          {{c::kReduceOp, std::int64_t{static_cast<int>(op)}},
                           {c::kPrescaleFactor, 1.0},
                           {c::kPostscaleFactor, 1.0}});
}

namespace {

Tensor build_broadcast(const Tensor& tensor, const std::string& named_after, int root_rank) {
  if (root_rank < 0) {
    throw ValueError("root_rank must be a non-negative rank, got " + std::to_string(root_rank));
  }
  return build_collective(OpType::kHorovodBroadcast, tensor, named_after, "HorovodBroadcast_",
                          {{c::kRootRank, std::int64_t{root_rank}}});
}

}  // namespace

Tensor broadcast(const Tensor& tensor, int root_rank) {
  if (!tensor.valid()) throw ValueError("A collective needs a tensor (got None)");
  return build_broadcast(tensor, tensor.name(), root_rank);
}

// functions.py's broadcast_group: tf.group(*[var.assign(broadcast(var, root)) for var in
// tf.global_variables()]); the variable converts to its snapshot "<var>/read".
Operation broadcast_global_variables(Graph& g, int root_rank) {
  const auto& impl = Access::impl(g);
  return impl->mutate([&] {
    std::vector<Operation> assigns;
    for (const Variable& v : g.global_variables()) {
      // named after var.name ("w:0"), its input the snapshot TF converts the variable to
      Tensor value = build_broadcast(v.value(), v.name(), root_rank);
      assigns.push_back(assign(v, value).op());
    }
    if (assigns.empty()) return no_op(g, "group_deps");
    return group(assigns);
  });
}

}  // namespace varscope::dist

namespace varscope::detail {

TensorRef build_horovod_collective(GraphImpl& g,
                                   OpType op,
                                   TensorRef input,
                                   std::string_view named_after,
                                   std::string_view prefix,
                                   Attrs attrs) {
  const DType dtype = g.node(input.node).outputs.at(static_cast<std::size_t>(input.index)).dtype;
  check_input_dtype(op_def(op), 0, dtype);
  const auto given = [&](std::string_view name) {
    return std::any_of(attrs.begin(), attrs.end(), [&](const auto& a) { return a.first == name; });
  };
  if (!given(attr_name::kT)) attrs.insert(attrs.begin(), {attr_name::kT, dtype});
  if (!given(collective_attr::kIgnoreNameScope))
    attrs.emplace_back(collective_attr::kIgnoreNameScope, false);
  if (!given(collective_attr::kProcessSetId))
    attrs.emplace_back(collective_attr::kProcessSetId, std::int64_t{0});
  const std::string name = std::string(prefix) + dist::normalize_name(named_after);
  return {add_op(g, op, name, {input}, std::move(attrs)), 0};
}

}  // namespace varscope::detail
