// tf.dynamic_partition, tf.parallel_dynamic_stitch and TF 1.15's embedding_lookup over a
// partitioned table (embedding_ops._embedding_lookup_and_transform), node for node.
#include "host/graph/array/array_builders.h"
#include "host/graph/builders.h"
#include "host/graph/scope_guards.h"
#include "varscope/array_ops.h"
#include "varscope/errors.h"
#include "varscope/math_ops.h"
#include "varscope/ops.h"

namespace varscope {
namespace detail {

std::vector<TensorRef> build_dynamic_partition(GraphImpl& g,
                                               TensorRef data,
                                               TensorRef partitions,
                                               std::int64_t num_partitions,
                                               const std::string& scope) {
  if (num_partitions < 1) {
    throw ValueError("Attr 'num_partitions' of 'DynamicPartition' Op passed " +
                     std::to_string(num_partitions) + " less than minimum 1.");
  }
  if (spec(g, partitions).dtype != DType::kInt32) {
    throw TypeError("Value passed to parameter 'partitions' has DataType " +
                    std::string(dtype_name(spec(g, partitions).dtype)) +
                    " not in list of allowed values: int32");
  }
  const int node =
      add_op(g, OpType::kDynamicPartition, scope, {data, partitions},
             {{attr_name::kNumPartitions, num_partitions}, {attr_name::kT, spec(g, data).dtype}});
  std::vector<TensorRef> out;
  for (std::int64_t i = 0; i < num_partitions; ++i)
    out.push_back({node, static_cast<int>(i)});
  return out;
}

TensorRef build_parallel_dynamic_stitch(GraphImpl& g,
                                        const std::vector<TensorRef>& indices,
                                        const std::vector<TensorRef>& data,
                                        const std::string& scope) {
  if (indices.empty() || indices.size() != data.size()) {
    throw ValueError(
        "parallel_dynamic_stitch needs as many data tensors as indices, at least "
        "one; got " +
        std::to_string(indices.size()) + " and " + std::to_string(data.size()));
  }
  std::vector<TensorRef> inputs = indices;
  inputs.insert(inputs.end(), data.begin(), data.end());
  for (const TensorRef& i : indices) {
    if (spec(g, i).dtype != DType::kInt32) {
      throw TypeError("Value passed to parameter 'indices' has DataType " +
                      std::string(dtype_name(spec(g, i).dtype)) +
                      " not in list of allowed values: int32");
    }
  }
  const DType dtype = spec(g, data[0]).dtype;
  for (const TensorRef& d : data) {
    if (spec(g, d).dtype != dtype) {
      throw TypeError(
          "Tensors in list passed to 'data' of 'ParallelDynamicStitch' Op have types "
          "that don't all match.");
    }
  }
  return {
      add_op(g, OpType::kParallelDynamicStitch, scope, inputs,
             {{attr_name::kN, static_cast<std::int64_t>(indices.size())}, {attr_name::kT, dtype}}),
      0};
}

}  // namespace detail

using detail::TensorRef;

std::vector<Tensor> dynamic_partition(const Tensor& data,
                                      const Tensor& partitions,
                                      std::int64_t num_partitions,
                                      std::string_view name) {
  auto g = detail::Access::lock(data);
  return g->mutate([&] {
    const std::vector<TensorRef> parts =
        detail::build_dynamic_partition(*g, g->ref_of(data), g->ref_of(partitions), num_partitions,
                                        detail::wrapper_scope(*g, name, "DynamicPartition"));
    std::vector<Tensor> out;
    for (const TensorRef& r : parts)
      out.push_back(g->tensor(r));
    return out;
  });
}

Tensor parallel_dynamic_stitch(const std::vector<Tensor>& indices,
                               const std::vector<Tensor>& data,
                               std::string_view name) {
  if (indices.empty()) throw ValueError("parallel_dynamic_stitch needs at least one index tensor");
  auto g = detail::Access::lock(indices[0]);
  return g->mutate([&] {
    std::vector<TensorRef> i, d;
    for (const Tensor& t : indices)
      i.push_back(g->ref_of(t));
    for (const Tensor& t : data)
      d.push_back(g->ref_of(t));
    return g->tensor(detail::build_parallel_dynamic_stitch(
        *g, i, d, detail::wrapper_scope(*g, name, "ParallelDynamicStitch")));
  });
}

Tensor embedding_lookup(const std::vector<Tensor>& params,
                        const Tensor& ids,
                        std::string_view partition_strategy,
                        std::string_view name) {
  if (params.empty()) throw ValueError("Need at least one param");
  if (params.size() == 1) return embedding_lookup(params[0], ids, name);
  auto g = detail::Access::lock(ids);
  return g->mutate([&] {
    const auto np = static_cast<std::int64_t>(params.size());
    const std::string scope = detail::wrapper_scope(*g, name, "embedding_lookup");
    detail::StackGuard in_scope(*g, detail::scope_stack(scope));
    const DType id_dtype = ids.dtype();
    const Tensor flat_ids = reshape(ids, std::vector<std::int64_t>{-1});
    const Tensor original_indices = g->tensor(detail::build_range(
        *g, detail::ListItem::of(std::int64_t{0}), detail::ListItem::of(g->ref_of(size(flat_ids))),
        detail::ListItem::of(std::int64_t{1}), ""));
    Tensor p_assignments, new_ids;
    if (partition_strategy == "mod") {
      p_assignments = floormod(flat_ids, Input(np), "mod");
      new_ids = floordiv(flat_ids, Input(np), "floordiv");
    } else if (partition_strategy == "div") {
      std::int64_t dim_0_size = 0;
      for (const Tensor& p : params) {
        if (!p.shape().has_rank() || p.shape().rank() < 1 || p.shape().dim(0) < 0) {
          throw UnimplementedError(
              "embedding_lookup: partition_strategy \"div\" needs the "
              "parts' first dimensions known when the graph is built");
        }
        dim_0_size += p.shape().dim(0);
      }
      const HostTensor total = HostTensor::scalar<std::int64_t>(dim_0_size).cast(id_dtype);
      Graph graph = detail::Access::graph(g);
      const Tensor num_total_ids = constant(graph, total);
      const Tensor ids_per_partition = floordiv(num_total_ids, Input(np), "floordiv");
      const Tensor extras = floormod(num_total_ids, Input(np), "mod");
      // One statement per op: TF's order of creation (C++ leaves argument order open).
      const Tensor wide = ids_per_partition + Input(1);
      const Tensor low = floordiv(flat_ids, wide, "floordiv");
      const Tensor rest = flat_ids - extras;
      const Tensor high = floordiv(rest, ids_per_partition, "floordiv");
      p_assignments = maximum(low, high);
      const Tensor in_wide = less(p_assignments, extras);
      const Tensor wide_1 = ids_per_partition + Input(1);
      const Tensor in_low = floormod(flat_ids, wide_1, "mod");
      const Tensor rest_1 = flat_ids - extras;
      const Tensor in_high = floormod(rest_1, ids_per_partition, "mod");
      new_ids = where(in_wide, in_low, in_high);
    } else {
      throw ValueError("Unrecognized partition strategy: " + std::string(partition_strategy));
    }
    if (id_dtype != DType::kInt32) p_assignments = cast(p_assignments, DType::kInt32);
    const std::vector<TensorRef> gather_ids =
        detail::build_dynamic_partition(*g, g->ref_of(new_ids), g->ref_of(p_assignments), np,
                                        detail::wrapper_scope(*g, "", "DynamicPartition"));
    const std::vector<TensorRef> pindices =
        detail::build_dynamic_partition(*g, g->ref_of(original_indices), g->ref_of(p_assignments),
                                        np, detail::wrapper_scope(*g, "", "DynamicPartition"));
    std::vector<TensorRef> partitioned;
    for (std::int64_t p = 0; p < np; ++p) {
      partitioned.push_back(detail::build_gather(*g, g->ref_of(params[static_cast<std::size_t>(p)]),
                                                 gather_ids[static_cast<std::size_t>(p)], 0,
                                                 detail::wrapper_scope(*g, "", "GatherV2")));
    }
    // parallel_dynamic_stitch(pindices, partitioned_result, name=name): the scope's own name.
    const TensorRef ret = detail::build_parallel_dynamic_stitch(*g, pindices, partitioned, scope);
    // The element shape: the parts' shapes after the first dimension, merged.
    Shape element = Shape::unknown_rank();
    for (const Tensor& p : params) {
      const Shape& s = p.shape();
      if (!s.has_rank()) continue;
      const Shape tail(std::vector<std::int64_t>(s.dims().begin() + 1, s.dims().end()));
      if (!element.has_rank()) {
        element = tail;
      } else if (!element.is_compatible_with(tail)) {
        throw ValueError("Shapes " + element.to_string() + " and " + tail.to_string() +
                         " are not compatible");
      }
    }
    if (!element.is_fully_defined()) {
      throw UnimplementedError(
          "embedding_lookup: the parts' shapes after the first dimension "
          "must be known when the graph is built");
    }
    const TensorRef ids_shape = detail::build_shape(*g, g->ref_of(ids), DType::kInt32, "Shape");
    TensorRef full_shape;
    {
      const std::string concat_scope = detail::wrapper_scope(*g, "", "concat");
      detail::StackGuard in_concat(*g, detail::scope_stack(concat_scope));
      const TensorRef tail = detail::build_int_constant(*g, element.dims(), false, "values_1");
      const TensorRef axis = detail::build_int_constant(*g, {0}, true, "axis");
      full_shape = detail::build_concat_v2(*g, {ids_shape, tail}, axis, concat_scope);
    }
    const TensorRef out = detail::build_reshape(*g, ret, full_shape, "Reshape");
    // ret.set_shape(ids.get_shape().concatenate(element_shape_s))
    if (ids.shape().has_rank()) {
      std::vector<std::int64_t> dims = ids.shape().dims();
      dims.insert(dims.end(), element.dims().begin(), element.dims().end());
      g->set_output_shape(out, Shape(dims));
    }
    return g->tensor(out);
  });
}

Tensor embedding_lookup(const PartitionedVariable& params,
                        const Tensor& ids,
                        std::string_view partition_strategy,
                        std::string_view name) {
  std::vector<Tensor> parts;
  for (const Variable& v : params.variables())
    parts.push_back(v.value());
  return embedding_lookup(parts, ids, partition_strategy, name);
}

}  // namespace varscope
