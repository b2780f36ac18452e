// TF's IndexedSlices and the gradient the optimizers take (a Tensor, an IndexedSlices or
// None). The gradient of a lookup (GatherV2 on axis 0, embedding_lookup) is an IndexedSlices:
// Optimizer::compute_gradients returns it as one, and apply_gradients updates only the rows
// it names, as TF 1.15's optimizers do (vs::gradients still returns it dense).
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <string>
#include <string_view>

#include "varscope/tensor.h"

namespace varscope {

// Rows `values` [n, dense_shape[1:]...] of a tensor of shape `dense_shape` (an int32
// vector) at rows `indices` [n] (int32 or int64; repeated rows add up).
struct IndexedSlices {
  Tensor values;
  Tensor indices;
  Tensor dense_shape;
  Shape shape = Shape::unknown_rank();  // the dense tensor's static shape, where known
};

// tf.convert_to_tensor of an IndexedSlices (ops._indexed_slices_to_tensor): an
// UnsortedSegmentSum of its values over dense_shape[0] rows ("strided_slice",
// "UnsortedSegmentSum" in the current name scope, unless `name` names the sum).
Tensor to_dense(const IndexedSlices& slices, std::string_view name = {});

// A gradient: dense, an IndexedSlices, or invalid (TF's None). Made implicitly from either,
// and read as a Tensor where it is dense, so code written for dense gradients keeps working.
class Gradient {
 public:
  Gradient() = default;
  Gradient(Tensor dense);          // NOLINT(google-explicit-constructor): TF's Tensor case
  Gradient(IndexedSlices slices);  // NOLINT(google-explicit-constructor)

  bool valid() const { return sparse_ || dense_.valid(); }
  bool is_indexed_slices() const { return sparse_; }
  // The dense tensor; vs::ValueError for an IndexedSlices (vs::to_dense converts it).
  const Tensor& dense() const;
  // The IndexedSlices; vs::ValueError for a dense gradient.
  const IndexedSlices& indexed_slices() const;
  operator const Tensor&() const { return dense(); }  // NOLINT: dense callers

  // TF's IndexedSlices.dtype, .op and .name are its values'.
  const Tensor& values() const { return sparse_ ? slices_.values : dense_; }
  DType dtype() const { return values().dtype(); }
  Operation op() const { return values().op(); }
  std::string name() const { return values().name(); }

 private:
  Tensor dense_;
  IndexedSlices slices_;
  bool sparse_ = false;
};

}  // namespace varscope

#pragma GCC visibility pop
