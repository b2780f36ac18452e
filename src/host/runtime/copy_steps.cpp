#include "host/runtime/copy_steps.h"

#include <string>

#include "host/graph/array/strided_slice_spec.h"
#include "host/graph/op_defs.h"
#include "varscope/errors.h"

namespace varscope::detail {
namespace {

using kernels::kMaxCopyRank;
using kernels::StridedCopyArgs;

std::vector<std::int64_t> row_major_strides(const Shape& s) {
  std::vector<std::int64_t> strides(static_cast<std::size_t>(s.rank()));
  std::int64_t stride = 1;
  for (int d = s.rank() - 1; d >= 0; --d) {
    strides[static_cast<std::size_t>(d)] = stride;
    stride *= s.dim(d);
  }
  return strides;
}

std::int64_t product(const Shape& s, int begin, int end) {
  std::int64_t n = 1;
  for (int d = begin; d < end; ++d)
    n *= s.dim(d);
  return n;
}

std::vector<std::int64_t> ints(const HostTensor& t) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(t.num_elements()));
  for (std::size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<std::int64_t>(t.element_as_double(static_cast<std::int64_t>(i)));
  return v;
}

void check_rank(const Node& n, int rank, int max) {
  if (rank > max) {
    throw UnimplementedError(n.type + " of rank " + std::to_string(rank) + " > " +
                             std::to_string(max) + " (node " + n.name + ")");
  }
}

// A [outer, inner] block: src rows of src_row elements, dst rows of dst_row elements.
StridedCopyArgs block(std::int64_t outer,
                      std::int64_t inner,
                      std::int64_t src_row,
                      std::int64_t src_offset,
                      std::int64_t dst_row,
                      std::int64_t dst_offset,
                      std::size_t element_size) {
  StridedCopyArgs a;
  a.rank = 2;
  a.dims[0] = outer;
  a.dims[1] = inner;
  a.src_strides[0] = src_row;
  a.src_strides[1] = 1;
  a.dst_strides[0] = dst_row;
  a.dst_strides[1] = 1;
  a.src_offset = src_offset;
  a.dst_offset = dst_offset;
  a.element_size = element_size;
  a.count = outer * inner;
  return a;
}

std::int64_t axis_of(std::int64_t axis, int rank) {
  return axis < 0 ? axis + rank : axis;
}

// The strided region of a StridedSlice over `input` (its values already validated by the
// run's shape function): one copy between it and a dense tensor of the processing shape,
// read from `input` (slicing) or written into it (the gradient).
StridedCopyArgs strided_region(const Node& n,
                               const Shape& input,
                               const std::vector<HostTensor>& host,
                               int first,
                               bool into_input,
                               std::size_t es) {
  const StridedSliceMasks masks{attr<std::int64_t>(n, attr_name::kBeginMask),
                                attr<std::int64_t>(n, attr_name::kEndMask),
                                attr<std::int64_t>(n, attr_name::kEllipsisMask),
                                attr<std::int64_t>(n, attr_name::kNewAxisMask),
                                attr<std::int64_t>(n, attr_name::kShrinkAxisMask)};
  const auto f = static_cast<std::size_t>(first);
  const StridedSliceSpec spec = validate_strided_slice(
      ints(host.at(f)), ints(host.at(f + 1)), ints(host.at(f + 2)), host.at(f).shape(),
      host.at(f + 1).shape(), host.at(f + 2).shape(), input, masks);
  const int rank = input.rank();
  check_rank(n, rank, kMaxCopyRank);
  const std::vector<std::int64_t> strides = row_major_strides(input);
  const std::vector<std::int64_t> dense = row_major_strides(Shape(spec.processing));
  StridedCopyArgs a;
  a.rank = rank;
  a.element_size = es;
  a.count = 1;
  std::int64_t offset = 0;
  for (int d = 0; d < rank; ++d) {
    const auto i = static_cast<std::size_t>(d);
    a.dims[d] = spec.processing[i];
    a.count *= spec.processing[i];
    (into_input ? a.dst_strides : a.src_strides)[d] = strides[i] * spec.strides[i];
    (into_input ? a.src_strides : a.dst_strides)[d] = dense[i];
    offset += spec.begin[i] * strides[i];
  }
  (into_input ? a.dst_offset : a.src_offset) = offset;
  return a;
}

}  // namespace

bool is_host_input(OpType op, int i, int num_inputs) {
  switch (op) {
    case OpType::kReshape:
    case OpType::kExpandDims:
    case OpType::kTranspose:
    case OpType::kPad:
    case OpType::kTile:
      return i == 1;
    case OpType::kSlice:
    case OpType::kOneHot:
    case OpType::kStridedSlice:
      return i >= 1;
    case OpType::kStridedSliceGrad:
      return i <= 3;
    case OpType::kUnsortedSegmentSum:
      return i == 2;
    case OpType::kConcatV2:
      return i == num_inputs - 1;
    case OpType::kSplit:
      return i == 0;
    case OpType::kGatherV2:
      return i == 2;
    case OpType::kSplitV:
      return i >= 1;
    case OpType::kInvertPermutation:
    case OpType::kRange:
    case OpType::kUnique:
    case OpType::kBroadcastGradientArgs:
      return true;
    case OpType::kDynamicPartition:  // the partitions
      return i == 1;
    case OpType::kParallelDynamicStitch:  // the indices
      return i < num_inputs / 2;
    default:
      return false;
  }
}

CopySteps copy_steps(const Node& n,
                     const std::vector<const Shape*>& in_shapes,
                     const std::vector<HostTensor>& host,
                     const std::vector<OutputSpec>& outputs,
                     std::size_t es) {
  CopySteps steps;
  auto add = [&](int input, int output, const StridedCopyArgs& a) {
    if (a.count > 0) steps.parts.push_back({input, output, a});
  };
  const Shape& in0 = *in_shapes.at(0);
  switch (n.op) {
    case OpType::kTranspose: {
      const std::vector<std::int64_t> perm = ints(host.at(1));
      const int rank = in0.rank();
      check_rank(n, rank, kMaxCopyRank);
      const std::vector<std::int64_t> strides = row_major_strides(in0);
      StridedCopyArgs a;
      a.rank = rank;
      a.element_size = es;
      a.count = in0.num_elements();
      std::int64_t stride = 1;
      for (int i = rank - 1; i >= 0; --i) {
        const auto p = static_cast<std::size_t>(perm[static_cast<std::size_t>(i)]);
        a.dims[i] = in0.dim(static_cast<int>(p));
        a.src_strides[i] = strides[p];
        a.dst_strides[i] = stride;
        stride *= a.dims[i];
      }
      add(0, 0, a);
      break;
    }
    case OpType::kPack: {
      const auto count = static_cast<std::int64_t>(in_shapes.size());
      const int axis =
          static_cast<int>(axis_of(attr<std::int64_t>(n, attr_name::kAxis), in0.rank() + 1));
      const std::int64_t outer = product(in0, 0, axis);
      const std::int64_t inner = product(in0, axis, in0.rank());
      for (int i = 0; i < count; ++i)
        add(i, 0, block(outer, inner, inner, 0, count * inner, i * inner, es));
      break;
    }
    case OpType::kUnpack: {
      const int axis =
          static_cast<int>(axis_of(attr<std::int64_t>(n, attr_name::kAxis), in0.rank()));
      const std::int64_t outer = product(in0, 0, axis);
      const std::int64_t num = in0.dim(axis);
      const std::int64_t inner = product(in0, axis + 1, in0.rank());
      for (int i = 0; i < num; ++i)
        add(0, i, block(outer, inner, num * inner, i * inner, inner, 0, es));
      break;
    }
    case OpType::kConcatV2: {
      const int count = static_cast<int>(in_shapes.size()) - 1;
      const Shape& out = outputs.at(0).shape;
      const int axis = static_cast<int>(axis_of(ints(host.back())[0], out.rank()));
      const std::int64_t outer = product(out, 0, axis);
      const std::int64_t total = product(out, axis, out.rank());
      std::int64_t offset = 0;
      for (int i = 0; i < count; ++i) {
        const std::int64_t mid = product(*in_shapes[static_cast<std::size_t>(i)], axis,
                                         in_shapes[static_cast<std::size_t>(i)]->rank());
        add(i, 0, block(outer, mid, mid, 0, total, offset, es));
        offset += mid;
      }
      break;
    }
    case OpType::kSplit:
    case OpType::kSplitV: {
      const bool v = n.op == OpType::kSplitV;
      const int data = v ? 0 : 1;
      const Shape& in = *in_shapes.at(static_cast<std::size_t>(data));
      const int axis = static_cast<int>(axis_of(ints(host.at(v ? 2 : 0))[0], in.rank()));
      const std::int64_t outer = product(in, 0, axis);
      const std::int64_t total = product(in, axis, in.rank());
      std::int64_t offset = 0;
      for (std::size_t i = 0; i < outputs.size(); ++i) {
        const Shape& o = outputs[i].shape;
        const std::int64_t mid = product(o, axis, o.rank());
        add(data, static_cast<int>(i), block(outer, mid, total, offset, mid, 0, es));
        offset += mid;
      }
      break;
    }
    case OpType::kSlice: {
      const int rank = in0.rank();
      check_rank(n, rank, kMaxCopyRank);
      const std::vector<std::int64_t> begin = ints(host.at(1));
      const std::vector<std::int64_t> strides = row_major_strides(in0);
      const Shape& out = outputs.at(0).shape;
      const std::vector<std::int64_t> out_strides = row_major_strides(out);
      StridedCopyArgs a;
      a.rank = rank;
      a.element_size = es;
      a.count = out.num_elements();
      for (int d = 0; d < rank; ++d) {
        const auto i = static_cast<std::size_t>(d);
        a.dims[d] = out.dim(d);
        a.src_strides[d] = strides[i];
        a.dst_strides[d] = out_strides[i];
        a.src_offset += begin[i] * strides[i];
      }
      add(0, 0, a);
      break;
    }
    case OpType::kPad: {
      const int rank = in0.rank();
      check_rank(n, rank, kMaxCopyRank);
      const std::vector<std::int64_t> p = ints(host.at(1));
      const std::vector<std::int64_t> strides = row_major_strides(in0);
      const std::vector<std::int64_t> out_strides = row_major_strides(outputs.at(0).shape);
      steps.zeroed_outputs.push_back(0);
      StridedCopyArgs a;
      a.rank = rank;
      a.element_size = es;
      a.count = in0.num_elements();
      for (int d = 0; d < rank; ++d) {
        const auto i = static_cast<std::size_t>(d);
        a.dims[d] = in0.dim(d);
        a.src_strides[d] = strides[i];
        a.dst_strides[d] = out_strides[i];
        a.dst_offset += p[2 * i] * out_strides[i];
      }
      add(0, 0, a);
      break;
    }
    case OpType::kTile: {
      const int rank = in0.rank();
      check_rank(n, rank, kMaxCopyRank / 2);
      const std::vector<std::int64_t> m = ints(host.at(1));
      const std::vector<std::int64_t> strides = row_major_strides(in0);
      StridedCopyArgs a;
      a.rank = 2 * rank;
      a.element_size = es;
      a.count = outputs.at(0).shape.num_elements();
      std::int64_t stride = 1;
      for (int d = rank - 1; d >= 0; --d) {
        const auto i = static_cast<std::size_t>(d);
        a.dims[2 * d + 1] = in0.dim(d);
        a.src_strides[2 * d + 1] = strides[i];
        a.dst_strides[2 * d + 1] = stride;
        stride *= in0.dim(d);
        a.dims[2 * d] = m[i];
        a.src_strides[2 * d] = 0;
        a.dst_strides[2 * d] = stride;
        stride *= m[i];
      }
      if (rank == 0) {
        a.rank = 0;
        a.count = 1;
      }
      add(0, 0, a);
      break;
    }
    case OpType::kStridedSlice:
      add(0, 0, strided_region(n, in0, host, 1, false, es));
      break;
    case OpType::kStridedSliceGrad:
      steps.zeroed_outputs.push_back(0);
      add(4, 0, strided_region(n, outputs.at(0).shape, host, 1, true, es));
      break;
    default:
      throw InternalError("copy_steps: node " + n.name + " (" + n.type + ") is not a copy");
  }
  return steps;
}

}  // namespace varscope::detail
