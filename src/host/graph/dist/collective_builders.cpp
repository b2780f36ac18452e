// hvd.allreduce, hvd.broadcast and hvd.broadcast_global_variables (horovod/tensorflow/
// mpi_ops.py, functions.py): the graph side, which needs no MPI.
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

// mpi_ops.py's ops: "<prefix><named_after normalized>" in the current name scope.
Tensor build_collective(OpType op,
                        const Tensor& tensor,
                        const std::string& named_after,
                        std::string_view prefix,
                        detail::Attrs attrs) {
  auto g = Access::lock(tensor);
  return g->mutate([&] {
    const detail::OpDef& def = detail::op_def(op);
    detail::check_input_dtype(def, 0, tensor.dtype());
    attrs.insert(attrs.begin(), {detail::attr_name::kT, tensor.dtype()});
    attrs.emplace_back(c::kIgnoreNameScope, false);
    attrs.emplace_back(c::kProcessSetId, std::int64_t{0});
    const int node = detail::add_op(*g, op, std::string(prefix) + normalize_name(named_after),
                                    {g->ref_of(tensor)}, std::move(attrs));
    return Access::tensor(g, {node, 0});
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
