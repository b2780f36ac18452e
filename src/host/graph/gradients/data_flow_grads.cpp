// The gradients of DynamicPartition and ParallelDynamicStitch (TF's data_flow_grad.py).
#include "host/graph/array/array_builders.h"
#include "host/graph/builders.h"
#include "host/graph/gradients/grad_fns.h"

namespace varscope::detail::grad {

// _DynamicPartitionGrads: the row numbers partitioned as the data was, the gradients
// stitched back by them, reshaped to the data's shape; none for the partitions. TF numbers
// the rows with range(reduce_prod(shape(partitions))); here with range(size(partitions)),
// the same values (docs/differences.md).
std::vector<TensorRef> dynamic_partition(const GradInputs& in) {
  GraphImpl& g = in.g;
  const Node& n = g.node(in.node);
  const TensorRef data = n.inputs.at(0), partitions = n.inputs.at(1);
  const std::int64_t num = attr<std::int64_t>(n, attr_name::kNumPartitions);
  const TensorRef prefix_shape = build_shape(g, partitions, DType::kInt32, "Shape");
  const TensorRef count{
      add_op(g, OpType::kSize, wrapper_scope(g, "", "Size"), {partitions},
             {{attr_name::kT, DType::kInt32}, {attr_name::kOutType, DType::kInt32}}),
      0};
  const TensorRef rows = build_range(g, ListItem::of(std::int64_t{0}), ListItem::of(count),
                                     ListItem::of(std::int64_t{1}), "");
  const TensorRef original = build_reshape(g, rows, prefix_shape, "Reshape");
  const std::vector<TensorRef> partitioned = build_dynamic_partition(
      g, original, partitions, num, wrapper_scope(g, "", "DynamicPartition"));
  const TensorRef stitched = build_parallel_dynamic_stitch(
      g, partitioned, in.dys, wrapper_scope(g, "", "ParallelDynamicStitch"));
  const TensorRef data_shape = build_shape(g, data, DType::kInt32, "Shape_1");
  return {build_reshape(g, stitched, data_shape, "Reshape_1"), {}};
}

// _DynamicStitchGrads: none for the indices, gather(grad, indices[i]) for data[i].
std::vector<TensorRef> parallel_dynamic_stitch(const GradInputs& in) {
  GraphImpl& g = in.g;
  const Node& n = g.node(in.node);
  const std::size_t num = n.inputs.size() / 2;
  std::vector<TensorRef> out(num);
  for (std::size_t i = 0; i < num; ++i)
    out.push_back(build_gather(g, in.dys.at(0), n.inputs[i], 0, wrapper_scope(g, "", "GatherV2")));
  return out;
}

}  // namespace varscope::detail::grad
