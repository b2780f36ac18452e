// The gradients Horovod registers for its collectives (collective_grads.cpp), named by the
// op table's collective rows.
#pragma once

#include <vector>

#include "host/graph/op_defs.h"

namespace varscope::detail::grad {
std::vector<TensorRef> horovod_allreduce(const GradInputs& in);
std::vector<TensorRef> horovod_broadcast(const GradInputs& in);
}  // namespace varscope::detail::grad
