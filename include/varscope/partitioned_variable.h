// A partitioned variable (TF's PartitionedVariable): the parts "<name>/part_<i>" that
// Graph::get_partitioned_variable made, each an ordinary Variable carrying its
// SaveSliceInfo. A cheap handle, like Variable.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "varscope/dtype.h"
#include "varscope/partitioners.h"
#include "varscope/shape.h"
#include "varscope/tensor.h"
#include "varscope/variable.h"

namespace varscope {

namespace detail {
struct GraphImpl;
struct Access;
}  // namespace detail

class PartitionedVariable {
 public:
  PartitionedVariable() = default;

  const std::string& name() const;  // "emb": the full name, no ":0"
  Shape shape() const;              // the full shape
  DType dtype() const;
  // The parts in order of their offsets (TF's iteration order).
  std::vector<Variable> variables() const;
  std::size_t size() const;  // TF's len(): the number of parts
  Variable operator[](std::size_t i) const;
  std::vector<std::int64_t> partitions() const;  // parts per axis, as the partitioner said

  // TF's as_tensor(): the parts concatenated along the partition axis,
  // "<name>/ConcatPartitions/concat" (ConcatV2) read through an Identity "<name>" (uniquified:
  // each call builds new ops), outside any control_dependencies scope. One part: only the
  // Identity.
  Tensor as_tensor() const;

  bool valid() const { return id_ >= 0; }
  bool operator==(const PartitionedVariable& o) const {
    return id_ == o.id_ && !graph_.owner_before(o.graph_) && !o.graph_.owner_before(graph_);
  }

 private:
  friend struct detail::Access;
  PartitionedVariable(std::weak_ptr<detail::GraphImpl> g, int id) : graph_(std::move(g)), id_(id) {}

  std::weak_ptr<detail::GraphImpl> graph_;
  int id_ = -1;
};

}  // namespace varscope

#pragma GCC visibility pop
