// The shape and data-movement steps: their run-time shape rules (the ops' shape functions,
// given the run's shapes and the values read on the host: TF's kernels' errors), then an
// alias of the input's buffer (Reshape, ExpandDims, Squeeze, StopGradient), values made on
// the host (Shape, Size, Rank, InvertPermutation) or a strided copy (Transpose).
#include <cstring>
#include <limits>

#include "host/core/byte_size.h"
#include "host/graph/op_defs.h"
#include "host/graph/shape_fn.h"
#include "host/runtime/session_impl.h"
#include "varscope/errors.h"

namespace varscope::detail {
namespace {

std::string where(const Node& n) {
  return "\n\t [[{{node " + n.name + "}}]]";
}

// `values` as a host tensor of `dtype` (int32 or int64) and `shape`; int32 overflow is
// TF's error (`what` words it).
HostTensor int_tensor(const Node& n,
                      const std::vector<std::int64_t>& values,
                      DType dtype,
                      Shape shape,
                      const std::string& what) {
  if (dtype == DType::kInt64) return HostTensor(values, std::move(shape));
  std::vector<std::int32_t> v;
  v.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i] > std::numeric_limits<std::int32_t>::max()) {
      throw InvalidArgumentError(what + std::to_string(i) + " is " + std::to_string(values[i]) +
                                 where(n));
    }
    v.push_back(static_cast<std::int32_t>(values[i]));
  }
  return HostTensor(v, std::move(shape));
}

// Transpose as a strided copy: output dim i walks input dim perm[i].
kernels::StridedCopyArgs transpose_copy(const Node& n,
                                        const Shape& in,
                                        const std::vector<std::int64_t>& perm,
                                        std::size_t element_size) {
  const int rank = in.rank();
  if (rank > kernels::kMaxCopyRank) {
    throw UnimplementedError("Transpose of rank " + std::to_string(rank) + " > " +
                             std::to_string(kernels::kMaxCopyRank) + " (node " + n.name + ")");
  }
  std::vector<std::int64_t> strides(static_cast<std::size_t>(rank));
  std::int64_t stride = 1;
  for (int d = rank - 1; d >= 0; --d) {
    strides[static_cast<std::size_t>(d)] = stride;
    stride *= in.dim(d);
  }
  kernels::StridedCopyArgs a;
  a.rank = rank;
  a.element_size = element_size;
  a.count = in.num_elements();
  stride = 1;
  for (int i = rank - 1; i >= 0; --i) {
    const auto p = static_cast<std::size_t>(perm[static_cast<std::size_t>(i)]);
    a.dims[i] = in.dim(static_cast<int>(p));
    a.src_strides[i] = strides[p];
    a.dst_strides[i] = stride;
    stride *= a.dims[i];
  }
  return a;
}

}  // namespace

void SessionImpl::execute_array(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  const Node& n = graph->node(step.node);
  Value& out = slots[static_cast<std::size_t>(step.output)];
  const Value& x = read(step, 0, slots, ctx);

  if (step.kind == OpKind::kShapeOf) {
    const DType dtype = n.outputs[0].dtype;
    HostTensor value;
    if (n.op == OpType::kShape) {
      value = int_tensor(n, x.shape.dims(), dtype, Shape{x.shape.rank()},
                         "Shape output type is 32-bit  but dim ");
    } else if (n.op == OpType::kSize) {
      const std::int64_t count = x.shape.num_elements();
      if (dtype == DType::kInt32 && count > std::numeric_limits<std::int32_t>::max()) {
        throw InvalidArgumentError(
            "Number of elements was larger than representable by 32-bit output type" + where(n));
      }
      value = dtype == DType::kInt32 ? HostTensor(static_cast<int>(count)) : HostTensor(count);
    } else {
      value = HostTensor(x.shape.rank());
    }
    out = Value{ctx.temporary(value.nbytes()), dtype, value.shape(), -1};
    backend->copy_from_host(out.data.get(), value.raw_data(), value.nbytes());
    return;
  }

  // The inputs as the shape function sees them: the first's shape, the others' values.
  std::vector<HostTensor> host(n.inputs.size());
  std::vector<ShapeInput> in(n.inputs.size());
  in[0] = {x.dtype, &x.shape, nullptr};
  if (step.kind == OpKind::kHostArray) {
    host[0] = to_host(x);
    in[0].value = &host[0];
  }
  for (std::size_t i = 1; i < n.inputs.size(); ++i) {
    host[i] = host_input(step, i, slots, ctx);
    in[i] = {host[i].dtype(), &host[i].shape(), &host[i]};
  }
  std::vector<OutputSpec> specs = run_time_outputs(n, in);
  Shape& out_shape = specs.at(0).shape;

  switch (step.kind) {
    case OpKind::kAlias:
      out = Value{x.data, x.dtype, std::move(out_shape), -1};
      return;
    case OpKind::kHostArray: {  // InvertPermutation, checked by its shape function
      const HostTensor& perm = host[0];
      std::vector<std::int64_t> inverse(static_cast<std::size_t>(perm.num_elements()));
      for (std::int64_t i = 0; i < perm.num_elements(); ++i)
        inverse[static_cast<std::size_t>(perm.element_as_double(i))] = i;
      const HostTensor value = HostTensor(inverse, out_shape).cast(x.dtype);
      out = Value{ctx.temporary(value.nbytes()), x.dtype, std::move(out_shape), -1};
      backend->copy_from_host(out.data.get(), value.raw_data(), value.nbytes());
      return;
    }
    case OpKind::kTranspose: {
      std::vector<std::int64_t> perm(static_cast<std::size_t>(host[1].num_elements()));
      for (std::size_t i = 0; i < perm.size(); ++i)
        perm[i] =
            static_cast<std::int64_t>(host[1].element_as_double(static_cast<std::int64_t>(i)));
      kernels::StridedCopyArgs a = transpose_copy(n, x.shape, perm, dtype_size(x.dtype));
      out = Value{ctx.temporary(byte_size(a.count, x.dtype)), x.dtype, std::move(out_shape), -1};
      a.src = x.data.get();
      a.dst = out.data.get();
      if (a.count > 0) backend->strided_copy(a);
      return;
    }
    default:
      throw InternalError("execute_array: node " + n.name + " is not an array op");
  }
}

}  // namespace varscope::detail
