// TF's data_flow_ops that embedding_lookup uses: DynamicPartition and ParallelDynamicStitch.
// Their output shapes depend on the values of the partitions / indices, which the run reads
// on the host (copy_steps.cpp's is_host_input) and passes to these shape functions.
#include <algorithm>

#include "host/graph/array/shape_helpers.h"
#include "host/graph/op_rows/op_rows.h"

namespace varscope::detail::op_rows {
namespace {

using namespace shape_fn::helpers;

// TF's SliceDebugString: flat element j of `shape` as "[0,1]".
std::string partitions_position(const Shape& shape, std::int64_t j) {
  std::vector<std::int64_t> at(static_cast<std::size_t>(shape.rank()));
  for (int d = shape.rank() - 1; d >= 0; --d) {
    at[static_cast<std::size_t>(d)] = j % shape.dim(d);
    j /= shape.dim(d);
  }
  std::string out = "[";
  for (std::size_t d = 0; d < at.size(); ++d) {
    if (d > 0) out += ',';
    out += str(at[d]);
  }
  out += ']';
  return out;
}

// TF's DynamicPartitionShape; at run time also the kernel's checks and each part's size.
std::vector<OutputSpec> dynamic_partition_shape(const ShapeContext& c) {
  const std::int64_t num = c.attr<std::int64_t>(a::kNumPartitions);
  const Shape& data = c.shape(0);
  const Shape& partitions = c.shape(1);
  const DType dtype = c.dtype(0);
  const auto n = static_cast<std::size_t>(num);
  if (!partitions.has_rank() || !data.has_rank())
    return std::vector<OutputSpec>(n, {dtype, Shape::unknown_rank()});
  if (data.rank() < partitions.rank()) {
    c.fail("Shape must be at least rank " + str(partitions.rank()) + " but is rank " +
               str(data.rank()),
           "data.shape must start with partitions.shape, got data.shape = " +
               data.to_list_string() + ", partitions.shape = " + partitions.to_list_string());
  }
  Shape unused;
  const std::string error = merge(sub_shape(data, 0, partitions.rank()), partitions, unused);
  if (!error.empty()) {
    c.fail(error, "data.shape must start with partitions.shape, got data.shape = " +
                      data.to_list_string() +
                      ", partitions.shape = " + partitions.to_list_string());
  }
  const Shape suffix = sub_shape(data, partitions.rank(), data.rank());
  auto with_rows = [&](std::int64_t rows) {
    std::vector<std::int64_t> dims{rows};
    dims.insert(dims.end(), suffix.dims().begin(), suffix.dims().end());
    return OutputSpec{dtype, Shape(dims)};
  };
  const auto values = c.int_values(1);
  if (!c.at_run_time() || !values) return std::vector<OutputSpec>(n, with_rows(kUnknownDim));
  std::vector<std::int64_t> counts(n, 0);
  for (std::size_t i = 0; i < values->size(); ++i) {
    const std::int64_t p = (*values)[i];
    if (p < 0 || p >= num) {
      c.fail("partitions" + partitions_position(partitions, static_cast<std::int64_t>(i)) + " = " +
             str(p) + " is not in [0, " + str(num) + ")");
    }
    ++counts[static_cast<std::size_t>(p)];
  }
  std::vector<OutputSpec> out;
  for (std::int64_t count : counts)
    out.push_back(with_rows(count));
  return out;
}

// TF's DynamicStitchShapeFunction (graph time); at run time the kernel's size: the largest
// index plus one.
std::vector<OutputSpec> dynamic_stitch_shape(const ShapeContext& c) {
  const int n = c.num_inputs() / 2;
  Shape extra = Shape::unknown_rank();
  bool all_known = true;
  std::int64_t max_index = -1;
  for (int i = 0; i < n; ++i) {
    const Shape& indices = c.shape(i);
    const Shape& data = c.shape(i + n);
    if (!indices.has_rank() || !data.has_rank()) {
      all_known = all_known && c.int_values(i).has_value();
      continue;
    }
    const std::string text = "data[" + str(i) + "].shape = " + data.to_list_string() +
                             " does not start with indices[" + str(i) +
                             "].shape = " + indices.to_list_string();
    if (data.rank() < indices.rank()) {
      c.fail(
          "Shape must be at least rank " + str(indices.rank()) + " but is rank " + str(data.rank()),
          text);
    }
    Shape unused;
    if (const std::string e = merge(sub_shape(data, 0, indices.rank()), indices, unused);
        !e.empty())
      c.fail(e, text);
    Shape merged;
    const Shape rest = sub_shape(data, indices.rank(), data.rank());
    if (const std::string e = merge(extra, rest, merged); !e.empty()) c.fail(e);
    extra = merged;
    const auto values = c.int_values(i);
    if (!values) {
      all_known = false;
      continue;
    }
    for (std::int64_t v : *values) {
      if (c.at_run_time() && v < 0) {
        c.fail("indices[" + str(i) + "] holds " + str(v) + ", which is not in [0, inf)");
      }
      max_index = std::max(max_index, v);
    }
  }
  const DType dtype = n > 0 ? c.dtype(n) : DType::kFloat32;
  if (!extra.has_rank()) return {{dtype, Shape::unknown_rank()}};
  std::vector<std::int64_t> dims{all_known ? max_index + 1 : kUnknownDim};
  dims.insert(dims.end(), extra.dims().begin(), extra.dims().end());
  return {{dtype, Shape(dims)}};
}

// clang-format off
constexpr OpDef kRows[] = {
    {.op = OpType::kDynamicPartition, .name = "DynamicPartition", .inputs = "data, partitions",
     .outputs = "outputs", .attrs = {{{a::kNumPartitions, T::kInt}, kTypeT}}, .num_attrs = 2,
     .shape = dynamic_partition_shape, .kernel = kernel_of(K::kCopy),
     .grad = grad::dynamic_partition},
    {.op = OpType::kParallelDynamicStitch, .name = "ParallelDynamicStitch",
     .inputs = "indices, data", .outputs = "merged", .attrs = {{{a::kN, T::kInt}, kTypeT}},
     .num_attrs = 2, .shape = dynamic_stitch_shape, .kernel = kernel_of(K::kCopy),
     .grad = grad::parallel_dynamic_stitch},
};
// clang-format on

}  // namespace

std::span<const OpDef> data_flow_ops() {
  return kRows;
}

}  // namespace varscope::detail::op_rows
