// Horovod's collectives (horovod/tensorflow/mpi_ops.cc): the output is the input's shape;
// the kernel (execute_collective.cpp) calls the process's dist::Communicator.
#include "host/graph/dist/collective_attrs.h"
#include "host/graph/dist/collective_grads.h"
#include "host/graph/op_rows/op_rows.h"

namespace varscope::detail::op_rows {
namespace {

namespace c = collective_attr;

// Horovod's REGISTER_OP type lists, in its order.
constexpr DTypeSet kAllreduceTypes{"uint8, int8, int32, int64, float16, float32, float64"};
constexpr DTypeSet kBroadcastTypes{
    "uint8, int8, uint16, int16, int32, int64, float16, float32, float64, bool"};

// clang-format off
constexpr OpDef kRows[] = {
    {.op = OpType::kHorovodAllreduce, .name = "HorovodAllreduce", .inputs = "tensor",
     .outputs = "sum",
     .attrs = {{kTypeT, {c::kReduceOp, T::kInt}, {c::kPrescaleFactor, T::kFloat},
                {c::kPostscaleFactor, T::kFloat}, {c::kIgnoreNameScope, T::kBool},
                {c::kProcessSetId, T::kInt}}}, .num_attrs = 6, .types = kAllreduceTypes,
     .shape = shape_fn::same_as_input, .kernel = kernel_of(K::kCollective, kComputesNumeric),
     .grad = grad::horovod_allreduce},
    {.op = OpType::kHorovodBroadcast, .name = "HorovodBroadcast", .inputs = "tensor",
     .outputs = "output",
     .attrs = {{kTypeT, {c::kRootRank, T::kInt}, {c::kIgnoreNameScope, T::kBool},
                {c::kProcessSetId, T::kInt}}}, .num_attrs = 4, .types = kBroadcastTypes,
     .shape = shape_fn::same_as_input, .kernel = kernel_of(K::kCollective),
     .grad = grad::horovod_broadcast},
};
// clang-format on

}  // namespace

std::span<const OpDef> collective_ops() {
  return kRows;
}

}  // namespace varscope::detail::op_rows
