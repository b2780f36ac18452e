// The gradients Horovod registers for its collectives (horovod/tensorflow/mpi_ops.py):
// _allreduce_grad allreduces the incoming gradient with the op's own attributes;
// _broadcast_grad averages it over the ranks and keeps it on the root only ("grad * 0"
// elsewhere, decided when the graph is built, from this process's rank).
#include "host/graph/dist/collective_grads.h"

#include <string>

#include "host/graph/builders.h"
#include "host/graph/dist/collective_attrs.h"
#include "host/graph/dist/collective_builders.h"
#include "host/graph/gradients/grad_fns.h"
#include "host/graph/scope_guards.h"
#include "varscope/dist.h"
#include "varscope/errors.h"

namespace varscope::detail::grad {
namespace {

namespace c = collective_attr;

// _allreduce(grad, ...): "HorovodAllreduce_<grad's tensor name normalized>" in the current
// name scope ("gradients/<op>_grad/").
TensorRef allreduce_of(GraphImpl& g, TensorRef dy, Attrs attrs) {
  return build_horovod_collective(g, OpType::kHorovodAllreduce, dy, tensor_name(g, dy),
                                  "HorovodAllreduce_", std::move(attrs));
}

// hvd.rank() as the graph is built; Horovod's error before hvd.init().
int this_rank() {
  const auto comm = dist::communicator();
  if (comm == nullptr)
    throw FailedPreconditionError("Horovod has not been initialized; use hvd.init().");
  return comm->rank();
}

}  // namespace

std::vector<TensorRef> horovod_allreduce(const GradInputs& in) {
  const Node& n = in.g.node(in.node);
  Attrs attrs;
  for (const char* name : {c::kReduceOp, c::kPrescaleFactor, c::kPostscaleFactor,
                           c::kIgnoreNameScope, c::kProcessSetId}) {
    for (const auto& [key, value] : n.attrs)
      if (key == name) attrs.emplace_back(key, value);
  }
  return {allreduce_of(in.g, in.dys.at(0), std::move(attrs))};
}

std::vector<TensorRef> horovod_broadcast(const GradInputs& in) {
  GraphImpl& g = in.g;
  const Node& n = g.node(in.node);
  const std::int64_t root = attr<std::int64_t>(n, c::kRootRank);
  const int rank = this_rank();  // before any node: an error leaves the graph as it was
  Attrs attrs = {{c::kReduceOp, std::int64_t{static_cast<int>(dist::ReduceOp::kAverage)}},
                 {c::kPrescaleFactor, 1.0},
                 {c::kPostscaleFactor, 1.0},
                 {c::kIgnoreNameScope, attr<bool>(n, c::kIgnoreNameScope)},
                 {c::kProcessSetId, attr<std::int64_t>(n, c::kProcessSetId)}};
  const TensorRef reduced = allreduce_of(g, in.dys.at(0), std::move(attrs));
  if (rank == root) return {reduced};
  // Python's `grad_reduced * 0`: name scope "mul", the literal a Const "y" of grad's dtype.
  const DType dtype = spec_of(g, reduced).dtype;
  const std::string stack = g.resolve_name_scope("mul");
  StackGuard in_scope(g, stack);
  const TensorRef zero = build_constant(g, HostTensor(0.0).cast(dtype), {}, {}, false, "y");
  return {build_binary(g, OpType::kMul, scope_string(stack), reduced, zero)};
}

}  // namespace varscope::detail::grad
