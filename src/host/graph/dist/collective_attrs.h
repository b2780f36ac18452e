// The attributes of Horovod's collective ops (horovod/tensorflow/mpi_ops.cc), spelled as
// Horovod registers them.
#pragma once

namespace varscope::detail::collective_attr {
inline constexpr char kReduceOp[] = "reduce_op";
inline constexpr char kPrescaleFactor[] = "prescale_factor";
inline constexpr char kPostscaleFactor[] = "postscale_factor";
inline constexpr char kIgnoreNameScope[] = "ignore_name_scope";
inline constexpr char kProcessSetId[] = "process_set_id";
inline constexpr char kRootRank[] = "root_rank";
}  // namespace varscope::detail::collective_attr
