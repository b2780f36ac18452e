// TF1's shape and data-movement ops (tf.reshape, tf.transpose, ...): the same names, node
// names (auxiliary Consts included, e.g. "Reshape/shape") and defaults as TF 1.15's Python
// functions. Each takes a Tensor (or Variable); a literal input is refused (vs::ValueError)
// since it names no graph.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "varscope/dtype.h"
#include "varscope/graph.h"
#include "varscope/host_tensor.h"
#include "varscope/ops.h"
#include "varscope/tensor.h"

namespace varscope {

// tf.reshape(tensor, shape): one size may be -1 (inferred). The list form becomes a Const
// "Reshape/shape" (int32, or int64 when a size does not fit); the Tensor form is used as is.
Tensor reshape(const Input& tensor,
               const std::vector<std::int64_t>& shape,
               std::string_view name = {});
Tensor reshape(const Input& tensor, const Tensor& shape, std::string_view name = {});

// tf.expand_dims(input, axis): a dimension of 1 inserted at `axis` (negative: from the end,
// -1 appends). The axis is a Const "ExpandDims/dim".
Tensor expand_dims(const Input& input, std::int64_t axis, std::string_view name = {});

// tf.squeeze(input, axis): removes the given dimensions of size 1; no axis: all of them.
Tensor squeeze(const Input& input,
               const std::vector<std::int64_t>& axis = {},
               std::string_view name = {});

// tf.shape / tf.size / tf.rank: out_type int32 or int64. As TF 1.15 in graph mode, a
// statically known shape (rank) gives a Const named "Shape" ("Size", "Rank") rather than
// the op.
Tensor shape(const Input& input, std::string_view name = {}, DType out_type = DType::kInt32);
Tensor size(const Input& input, std::string_view name = {}, DType out_type = DType::kInt32);
Tensor rank(const Input& input, std::string_view name = {});

// tf.stop_gradient: the input, through which no gradient flows.
Tensor stop_gradient(const Input& input, std::string_view name = {});

// tf.transpose(a, perm, name="transpose"): output dim i is input dim perm[i]; an empty perm
// reverses the dimensions (TF's default, a Const "transpose/perm"). The input's rank must be
// known (at least 1) for the default.
Tensor transpose(const Input& a,
                 const std::vector<std::int64_t>& perm = {},
                 std::string_view name = {});
Tensor transpose(const Input& a, const Tensor& perm, std::string_view name = {});

// tf.invert_permutation(x): y[x[i]] = i for an int32 or int64 permutation vector.
Tensor invert_permutation(const Input& x, std::string_view name = {});

// tf.stack(values, axis=0, name="stack"): the tensors (same dtype and shape) along a new
// axis (Pack). axis in [-(rank + 1), rank + 1).
Tensor stack(const std::vector<Tensor>& values, std::int64_t axis = 0, std::string_view name = {});

// tf.unstack(value, num=None, axis=0, name="unstack"): `num` tensors along `axis` (Unpack);
// num is inferred from a known shape.
std::vector<Tensor> unstack(const Input& value,
                            std::optional<std::int64_t> num = std::nullopt,
                            std::int64_t axis = 0,
                            std::string_view name = {});

// tf.concat(values, axis, name="concat"): ConcatV2 with a Const "concat/axis"; one value is
// TF's Identity "concat/concat" (with its Const "concat/concat_dim").
Tensor concat(const std::vector<Tensor>& values, std::int64_t axis, std::string_view name = {});

// tf.split(value, num_or_size_splits, axis=0, name="split"): `num_split` equal parts (Split),
// or parts of the given sizes, one of which may be -1 (SplitV). As TF 1.15, the count or
// sizes become a root Const ("Const") besides "split/split_dim".
std::vector<Tensor> split(const Input& value,
                          std::int64_t num_split,
                          std::int64_t axis = 0,
                          std::string_view name = {});
std::vector<Tensor> split(const Input& value,
                          const std::vector<std::int64_t>& size_splits,
                          std::int64_t axis = 0,
                          std::string_view name = {});

// tf.slice(input, begin, size): size -1 takes the rest of a dimension. The lists become
// Consts "Slice/begin" and "Slice/size".
Tensor slice(const Input& input,
             const std::vector<std::int64_t>& begin,
             const std::vector<std::int64_t>& size,
             std::string_view name = {});
Tensor slice(const Input& input,
             const Tensor& begin,
             const Tensor& size,
             std::string_view name = {});

// tf.pad(tensor, paddings) in mode "CONSTANT" with 0: {before, after} per dimension, a Const
// "Pad/paddings" of shape [rank, 2].
Tensor pad(const Input& tensor,
           const std::vector<std::array<std::int64_t, 2>>& paddings,
           std::string_view name = {});

// tf.tile(input, multiples): a Const "Tile/multiples".
Tensor tile(const Input& input,
            const std::vector<std::int64_t>& multiples,
            std::string_view name = {});

// tf.range(start, limit, delta=1, name="range") of int32 (int64 where a bound needs it):
// Consts "range/start", "range/limit", "range/delta".
Tensor range(Graph& g,
             std::int64_t start,
             std::int64_t limit,
             std::int64_t delta = 1,
             std::string_view name = {});

// tf.placeholder_with_default(input, shape): `input` unless the run feeds a value of `shape`
// (which may be less defined than input's; they must be compatible).
Tensor placeholder_with_default(const Input& input, const Shape& shape, std::string_view name = {});

// tf.one_hot(indices, depth, on_value=1, off_value=0, axis=-1, dtype=float32): indices int32
// or int64; an index outside [0, depth) gives a row of off_value (TF). Names as TF 1.15:
// "one_hot/on_value", "one_hot/off_value", "one_hot/depth" (given values also make TF's
// dtype probes "one_hot/Const", "one_hot/Const_1").
struct OneHotOptions {
  std::optional<double> on_value{};
  std::optional<double> off_value{};
  std::int64_t axis = -1;
  DType dtype = DType::kFloat32;
  std::string name{};
};
Tensor one_hot(const Input& indices, std::int64_t depth, const OneHotOptions& options = {});

// tf.strided_slice(input_, begin, end, strides, begin_mask, end_mask, ellipsis_mask,
// new_axis_mask, shrink_axis_mask): TF 1.15's StridedSlice with its five masks (bit i
// refers to the i-th entry of begin/end/strides). The list form makes Consts
// "StridedSlice/begin", "StridedSlice/end", "StridedSlice/strides" (int32, or int64 where a
// value does not fit); the Tensor form takes int32 or int64 tensors of one dtype. TF's
// ValidateStridedSliceOp errors ("slice index 5 of dimension 0 out of bounds.") at graph
// building where the values and dims are known, else when run. Its gradient is TF's
// StridedSliceGrad. For Python's x[...] forms, see vs::index below.
struct StridedSliceOptions {
  std::int64_t begin_mask = 0;
  std::int64_t end_mask = 0;
  std::int64_t ellipsis_mask = 0;
  std::int64_t new_axis_mask = 0;
  std::int64_t shrink_axis_mask = 0;
  std::string name{};
};
Tensor strided_slice(const Input& input,
                     const std::vector<std::int64_t>& begin,
                     const std::vector<std::int64_t>& end,
                     const std::vector<std::int64_t>& strides,
                     const StridedSliceOptions& options = {});
Tensor strided_slice(const Input& input,
                     const Tensor& begin,
                     const Tensor& end,
                     const Tensor& strides,
                     const StridedSliceOptions& options = {});

// Python's indexing, x[...], as TF 1.15 builds it (array_ops._slice_helper): one
// StridedSlice "strided_slice" with Consts "strided_slice/stack" (begin), "stack_1" (end)
// and "stack_2" (strides) and the masks TF computes. Each item is one of
//   an integer i        x[i]      (negative counts from the end; the axis is removed)
//   vs::slice(a, b, c)  x[a:b:c]  ({} for an omitted bound: vs::slice({}, 2) is x[:2],
//                                  vs::slice({}, {}, -1) is x[::-1])
//   vs::all             x[:]
//   vs::ellipsis        x[...]
//   vs::new_axis        x[None] / x[tf.newaxis]
// e.g. vs::index(x, {vs::all, 1}) is x[:, 1]; vs::index(vs::shape(x), {0}) is
// tf.shape(x)[0], the dynamic batch size (an int32 scalar).
struct SliceIndex {
  std::optional<std::int64_t> start{}, stop{}, step{};
};
constexpr SliceIndex slice(std::optional<std::int64_t> start,
                           std::optional<std::int64_t> stop,
                           std::optional<std::int64_t> step = std::nullopt) {
  return {start, stop, step};
}
inline constexpr SliceIndex all{};
struct EllipsisIndex {};
inline constexpr EllipsisIndex ellipsis{};
struct NewAxisIndex {};
inline constexpr NewAxisIndex new_axis{};
class IndexItem {
 public:
  IndexItem(int i) : item_(std::int64_t{i}) {}
  IndexItem(long i) : item_(std::int64_t{i}) {}
  IndexItem(long long i) : item_(static_cast<std::int64_t>(i)) {}
  IndexItem(SliceIndex s) : item_(s) {}
  IndexItem(EllipsisIndex e) : item_(e) {}
  IndexItem(NewAxisIndex n) : item_(n) {}
  const std::variant<std::int64_t, SliceIndex, EllipsisIndex, NewAxisIndex>& item() const {
    return item_;
  }

 private:
  std::variant<std::int64_t, SliceIndex, EllipsisIndex, NewAxisIndex> item_;
};
Tensor index(const Input& x, std::initializer_list<IndexItem> items, std::string_view name = {});

// tf.gather(params, indices, axis=0) (batch_dims 0): GatherV2 with a Const "GatherV2/axis".
// An index outside [0, params.shape[axis]) is TF's InvalidArgumentError "indices[1] = 7 is
// not in [0, 5)" when run, on both backends. The gradient (axis 0) is TF's IndexedSlices
// ("gradients/GatherV2_grad/Reshape", "Reshape_1"), densified by an UnsortedSegmentSum
// where it meets another gradient or leaves vs::gradients; repeated indices accumulate.
Tensor gather(const Input& params,
              const Tensor& indices,
              std::int64_t axis = 0,
              std::string_view name = {});

// tf.math.unsorted_segment_sum(data, segment_ids, num_segments): out[s, ...] is the sum of
// data[i, ...] over the i with segment_ids[i] == s (a Const "UnsortedSegmentSum/num_segments").
// An id past num_segments is TF's InvalidArgumentError when run; a negative one is dropped.
Tensor unsorted_segment_sum(const Input& data,
                            const Tensor& segment_ids,
                            std::int64_t num_segments,
                            std::string_view name = {});

// tf.nn.embedding_lookup(params, ids) of one table: "embedding_lookup" (GatherV2) and
// "embedding_lookup/Identity", as TF 1.15.
Tensor embedding_lookup(const Input& params, const Tensor& ids, std::string_view name = {});
// tf.nn.embedding_lookup over a table in parts (a list, or a partitioned variable's parts),
// as TF 1.15: ids assigned to parts by partition_strategy "mod" (id % n) or "div"
// (contiguous ranges, the first parts one longer), "embedding_lookup/DynamicPartition",
// one GatherV2 per part, the ParallelDynamicStitch "embedding_lookup", reshaped to
// ids' shape + the rows' shape ("embedding_lookup/Reshape_1"). One part: the form above.
// vs::ValueError "Unrecognized partition strategy: <s>" / "Need at least one param".
Tensor embedding_lookup(const std::vector<Tensor>& params,
                        const Tensor& ids,
                        std::string_view partition_strategy = "mod",
                        std::string_view name = {});
Tensor embedding_lookup(const PartitionedVariable& params,
                        const Tensor& ids,
                        std::string_view partition_strategy = "mod",
                        std::string_view name = {});
// tf.dynamic_partition(data, partitions, num_partitions): "DynamicPartition"; output i holds
// the rows of data whose partition is i (partitions int32, a prefix of data's shape).
std::vector<Tensor> dynamic_partition(const Tensor& data,
                                      const Tensor& partitions,
                                      std::int64_t num_partitions,
                                      std::string_view name = {});
// tf.parallel_dynamic_stitch(indices, data): "ParallelDynamicStitch"; row indices[i][j] of
// the result is data[i][j] (rows no index names are zero).
Tensor parallel_dynamic_stitch(const std::vector<Tensor>& indices,
                               const std::vector<Tensor>& data,
                               std::string_view name = {});

// tf.fill(dims, value): a tensor of `dims` filled with the scalar `value` (its dtype):
// "Fill/dims", "Fill/value", "Fill" as TF 1.15.
Tensor fill(Graph& g,
            const std::vector<std::int64_t>& dims,
            const HostTensor& value,
            std::string_view name = {});
// The same with `dims` an int32 or int64 vector tensor, e.g. built from a dynamic batch size:
// vs::fill(vs::stack({vs::index(vs::shape(x), {0}), three}), vs::HostTensor(0.5f)).
Tensor fill(const Tensor& dims, const HostTensor& value, std::string_view name = {});

}  // namespace varscope
