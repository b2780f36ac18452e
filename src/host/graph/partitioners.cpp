// TF 1.15's partitioners (partitioned_variables.py), with its arithmetic: Python's float
// division, floor and ceil, and its negative indexing of an axis.
#include "varscope/partitioners.h"

#include <algorithm>
#include <cmath>

#include "varscope/errors.h"

namespace varscope {
namespace {

// shape.dims[axis] and partitions[axis] in Python: a negative axis counts from the end.
std::size_t python_index(int axis, const Shape& shape, const char* partitioner) {
  const int rank = shape.rank();
  const int at = axis < 0 ? axis + rank : axis;
  if (rank < 0 || at < 0 || at >= rank) {
    throw ValueError(std::string(partitioner) + ": axis " + std::to_string(axis) +
                     " is out of range for shape " + shape.to_string());
  }
  return static_cast<std::size_t>(at);
}

// No string dtype here: bytes_per_string_element never applies.
double element_size(DType dtype) {
  return static_cast<double>(dtype_size(dtype));
}

}  // namespace

Partitioner fixed_size_partitioner(std::int64_t num_shards, int axis) {
  return [num_shards, axis](const Shape& shape, DType) {
    const std::size_t at = python_index(axis, shape, "fixed_size_partitioner");
    std::vector<std::int64_t> partitions(shape.dims().size(), 1);
    partitions[at] = std::min(num_shards, shape.dims()[at]);
    return partitions;
  };
}

Partitioner min_max_variable_partitioner(std::int64_t max_partitions,
                                         int axis,
                                         std::int64_t min_slice_size,
                                         std::int64_t /*bytes_per_string_element*/) {
  return [=](const Shape& shape, DType dtype) {
    const int rank = shape.rank();
    if (axis >= rank) {
      throw ValueError("Can not partition variable along axis " + std::to_string(axis) +
                       " when shape is only " + shape.to_string());
    }
    const std::size_t at = python_index(axis, shape, "min_max_variable_partitioner");
    const double total_size_bytes = static_cast<double>(shape.num_elements()) * element_size(dtype);
    const double partitions = total_size_bytes / static_cast<double>(min_slice_size);
    std::vector<std::int64_t> out(static_cast<std::size_t>(rank), 1);
    out[at] =
        std::max<std::int64_t>(1, std::min({shape.dims()[at], max_partitions,
                                            static_cast<std::int64_t>(std::ceil(partitions))}));
    return out;
  };
}

Partitioner variable_axis_size_partitioner(std::int64_t max_shard_bytes,
                                           int axis,
                                           std::int64_t bytes_per_string_element,
                                           std::optional<std::int64_t> max_shards) {
  if (max_shard_bytes < 1 || bytes_per_string_element < 1) {
    throw ValueError("Both max_shard_bytes and bytes_per_string_element must be positive.");
  }
  // Python's `if max_shards and max_shards < 1`: 0 means no limit.
  if (max_shards && *max_shards != 0 && *max_shards < 1) {
    throw ValueError("max_shards must be positive.");
  }
  return [=](const Shape& shape, DType dtype) {
    if (!shape.is_fully_defined()) {
      throw ValueError("shape is not fully defined: " + shape.to_string());
    }
    const std::size_t at = python_index(axis, shape, "variable_axis_size_partitioner");
    const std::int64_t dim = shape.dims()[at];
    if (dim == 0) {  // Python's ZeroDivisionError
      throw ValueError("variable_axis_size_partitioner: axis " + std::to_string(axis) +
                       " of shape " + shape.to_string() + " is empty");
    }
    std::vector<std::int64_t> partitions(shape.dims().size(), 1);
    const double bytes_per_slice =
        static_cast<double>(shape.num_elements()) / static_cast<double>(dim) * element_size(dtype);
    const double slices_per_shard =
        std::max(1.0, std::floor(static_cast<double>(max_shard_bytes) / bytes_per_slice));
    std::int64_t axis_shards =
        static_cast<std::int64_t>(std::ceil(static_cast<double>(dim) / slices_per_shard));
    if (max_shards && *max_shards != 0) axis_shards = std::min(*max_shards, axis_shards);
    partitions[at] = axis_shards;
    return partitions;
  };
}

std::string SaveSliceInfo::spec() const {
  std::string out;
  for (std::int64_t d : full_shape)
    out += std::to_string(d) + " ";
  for (std::size_t i = 0; i < var_offset.size(); ++i) {
    if (i > 0) out += ':';
    out += std::to_string(var_offset[i]) + "," + std::to_string(var_shape[i]);
  }
  return out;
}

}  // namespace varscope
