// Partitioners (tf.compat.v1.fixed_size_partitioner, min_max_variable_partitioner,
// variable_axis_size_partitioner) and the slice information each part of a partitioned
// variable carries (TF's Variable.SaveSliceInfo). A partitioner maps a variable's full shape
// and dtype to a number of parts per axis, at most one of them above 1.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "varscope/dtype.h"
#include "varscope/shape.h"

namespace varscope {

using Partitioner = std::function<std::vector<std::int64_t>(const Shape& shape, DType dtype)>;

// min(num_shards, shape[axis]) parts along `axis` (a negative axis counts from the end, as
// Python's indexing does).
Partitioner fixed_size_partitioner(std::int64_t num_shards, int axis = 0);
// Parts of at least min_slice_size bytes, at most max_partitions and shape[axis] of them.
Partitioner min_max_variable_partitioner(std::int64_t max_partitions = 1,
                                         int axis = 0,
                                         std::int64_t min_slice_size = 256 << 10,
                                         std::int64_t bytes_per_string_element = 16);
// Parts of at most max_shard_bytes where possible, at most max_shards of them (vs::ValueError
// for non-positive sizes, as TF).
Partitioner variable_axis_size_partitioner(std::int64_t max_shard_bytes,
                                           int axis = 0,
                                           std::int64_t bytes_per_string_element = 16,
                                           std::optional<std::int64_t> max_shards = {});

// Where a part lies in its partitioned variable: what a checkpoint keys it by.
struct SaveSliceInfo {
  std::string full_name;  // "emb" (the checkpoint key)
  std::vector<std::int64_t> full_shape;
  std::vector<std::int64_t> var_offset;
  std::vector<std::int64_t> var_shape;
  // TF's SaveSliceInfo.spec: "7 2 0,3:0,2" (the full shape, then start,length per dimension).
  std::string spec() const;
  bool operator==(const SaveSliceInfo&) const = default;
};

}  // namespace varscope

#pragma GCC visibility pop
