// The shape and data-movement steps: their run-time shape rules (the ops' shape functions,
// given the run's shapes and the values read on the host: TF's kernels' errors), then an
// alias of the input's buffer (Reshape, ExpandDims, Squeeze, StopGradient), values made on
// the host (Shape, Size, Rank, InvertPermutation) or a strided copy (Transpose).
#include <cstring>
#include <limits>

#include "host/core/byte_size.h"
#include "host/core/shape_rules.h"
#include "host/graph/op_defs.h"
#include "host/graph/shape_fn.h"
#include "host/runtime/copy_steps.h"
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

// TF's SliceDebugString: flat element j of `shape` as "[0,1]".
std::string position(const Shape& shape, std::int64_t j) {
  std::string at;
  for (int d = shape.rank() - 1; d >= 0; --d) {
    const std::int64_t size = shape.dim(d);
    at = std::to_string(j % size) + (at.empty() ? "" : ",") + at;
    j /= size;
  }
  return "[" + at + "]";
}

}  // namespace

// UnsortedSegmentSum: the ids checked on the host (TF's error), the output zeroed, then one
// kernel.
void SessionImpl::segment_sum(const Step& step,
                              std::vector<Value>& slots,
                              RunContext& ctx,
                              OutputSpec spec) {
  const Node& n = graph->node(step.node);
  const Value& data = read(step, 0, slots, ctx);
  const Value& ids = read(step, 1, slots, ctx);
  kernels::SegmentSumArgs a;
  a.dtype = spec.dtype;
  a.num_segments = spec.shape.rank() > 0 ? spec.shape.dim(0) : 0;
  a.count_ids = ids.shape.num_elements();
  a.count = data.shape.num_elements();
  a.inner = a.count_ids > 0 ? a.count / a.count_ids : 0;
  const HostTensor id_values = to_host(ids, ctx);
  for (std::int64_t j = 0; j < a.count_ids; ++j) {
    const auto id = static_cast<std::int64_t>(id_values.element_as_double(j));
    if (id < a.num_segments) continue;  // negative: dropped, as TF 1.15's CPU kernel
    throw InvalidArgumentError("segment_ids" + position(ids.shape, j) + " = " + std::to_string(id) +
                               " is out of range [0, " + std::to_string(a.num_segments) + ")" +
                               where(n));
  }
  const std::int64_t out_count = spec.shape.num_elements();
  Value& out = slots[static_cast<std::size_t>(step.output)];
  out =
      Value{ctx.temporary(byte_size(out_count, spec.dtype)), spec.dtype, std::move(spec.shape), -1};
  const std::uint64_t zero = 0;
  if (out_count > 0) {
    ctx.backend().fill({.dst = out.data.get(),
                        .pattern = &zero,
                        .element_size = dtype_size(spec.dtype),
                        .count = out_count});
  }
  a.data = data.data.get();
  a.ids = ids.data.get();
  a.ids_int64 = ids.dtype == DType::kInt64;
  a.out = out.data.get();
  if (a.count > 0 && out_count > 0) ctx.backend().segment_sum(a);
}

// GatherV2: the indices checked on the host (TF's error, on both backends), then one kernel.
void SessionImpl::gather(const Step& step,
                         std::vector<Value>& slots,
                         RunContext& ctx,
                         const std::vector<HostTensor>& host,
                         OutputSpec spec) {
  const Node& n = graph->node(step.node);
  const Value& params = read(step, 0, slots, ctx);
  const Value& indices = read(step, 1, slots, ctx);
  const int rank = params.shape.rank();
  std::int64_t axis = static_cast<std::int64_t>(host[2].element_as_double(0));
  if (axis < 0) axis += rank;
  kernels::GatherArgs a;
  a.element_size = dtype_size(params.dtype);
  a.outer = 1;
  for (int d = 0; d < axis; ++d)
    a.outer *= params.shape.dim(d);
  a.axis_size = params.shape.dim(static_cast<int>(axis));
  a.inner = 1;
  for (int d = static_cast<int>(axis) + 1; d < rank; ++d)
    a.inner *= params.shape.dim(d);
  a.count_indices = indices.shape.num_elements();
  a.count = spec.shape.num_elements();
  const HostTensor index_values =
      step.host_consts[1] >= 0 ? host_input(step, 1, slots, ctx) : to_host(indices, ctx);
  // A typed scan: the check runs on every call, over every index.
  auto check = [&](auto values) {
    for (std::size_t j = 0; j < values.size(); ++j) {
      const auto index = static_cast<std::int64_t>(values[j]);
      if (index >= 0 && index < a.axis_size) continue;
      throw InvalidArgumentError("indices" + position(indices.shape, std::int64_t(j)) + " = " +
                                 std::to_string(index) + " is not in [0, " +
                                 std::to_string(a.axis_size) + ")" + where(n));
    }
  };
  if (index_values.dtype() == DType::kInt64)
    check(index_values.data<std::int64_t>());
  else
    check(index_values.data<std::int32_t>());
  a.params = params.data.get();
  a.indices = indices.data.get();
  a.indices_int64 = indices.dtype == DType::kInt64;
  Value& out = slots[static_cast<std::size_t>(step.output)];
  out = Value{ctx.temporary(byte_size(a.count, spec.dtype)), spec.dtype, std::move(spec.shape), -1};
  a.out = out.data.get();
  if (a.count > 0) ctx.backend().gather(a);
}

// OneHot: the bit patterns of on and off (read on the host), then one kernel.
void SessionImpl::one_hot(const Step& step,
                          std::vector<Value>& slots,
                          RunContext& ctx,
                          const std::vector<HostTensor>& host,
                          OutputSpec spec) {
  const Node& n = graph->node(step.node);
  const Value& indices = read(step, 0, slots, ctx);
  const std::int64_t axis = attr<std::int64_t>(n, attr_name::kAxis);
  const int rank = indices.shape.rank();
  const int at = axis < 0 ? rank : static_cast<int>(axis);
  kernels::OneHotArgs a;
  a.element_size = dtype_size(spec.dtype);
  std::memcpy(&a.on, host[2].raw_data(), a.element_size);
  std::memcpy(&a.off, host[3].raw_data(), a.element_size);
  a.outer = 1;
  for (int d = 0; d < at; ++d)
    a.outer *= indices.shape.dim(d);
  a.inner = 1;
  for (int d = at; d < rank; ++d)
    a.inner *= indices.shape.dim(d);
  a.depth = spec.shape.dim(at);
  a.count = spec.shape.num_elements();
  a.indices = indices.data.get();
  a.indices_int64 = indices.dtype == DType::kInt64;
  Value& out = slots[static_cast<std::size_t>(step.output)];
  out = Value{ctx.temporary(byte_size(a.count, spec.dtype)), spec.dtype, std::move(spec.shape), -1};
  a.out = out.data.get();
  if (a.count > 0) ctx.backend().one_hot(a);
}

void SessionImpl::execute_copy(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  const Node& n = graph->node(step.node);
  Value& out = slots[static_cast<std::size_t>(step.output)];
  if (step.kind == OpKind::kShapeOf) {
    const Value& x = read(step, 0, slots, ctx);
    const DType dtype = n.outputs[0].dtype;
    HostTensor value;
    if (n.op == OpType::kShape) {
      value = int_tensor(n, x.shape.dims(), dtype, Shape{x.shape.rank()},
                         "Shape output type is 32-bit  but dim ");
    } else if (n.op == OpType::kShapeN) {
      // One int vector per input (output i at slot output + i).
      for (std::size_t i = 0; i < n.inputs.size(); ++i) {
        const Value& in = read(step, i, slots, ctx);
        const HostTensor dims = int_tensor(n, in.shape.dims(), dtype, Shape{in.shape.rank()},
                                           "Shape output type is 32-bit  but dim ");
        Value& o = slots[static_cast<std::size_t>(step.output) + i];
        o = Value{ctx.temporary(dims.nbytes()), dtype, dims.shape(), -1};
        ctx.backend().copy_from_host(o.data.get(), dims.raw_data(), dims.nbytes());
      }
      return;
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
    ctx.backend().copy_from_host(out.data.get(), value.raw_data(), value.nbytes());
    return;
  }

  // The inputs as the shape function sees them: the data inputs' shapes, the values of
  // those read on the host (a shape, axis, perm, ...).
  const int num_inputs = static_cast<int>(n.inputs.size());
  std::vector<HostTensor> host(n.inputs.size());
  std::vector<ShapeInput> in(n.inputs.size());
  std::vector<const Shape*> shapes(n.inputs.size());
  for (int i = 0; i < num_inputs; ++i) {
    const auto k = static_cast<std::size_t>(i);
    if (is_host_input(n.op, i, num_inputs)) {
      // host_input knows the planner's Consts for inputs 1 and 2 only.
      host[k] = (i >= 1 && i <= 2) ? host_input(step, k, slots, ctx)
                                   : to_host(read(step, k, slots, ctx), ctx);
      in[k] = {host[k].dtype(), &host[k].shape(), &host[k]};
    } else {
      const Value& v = read(step, k, slots, ctx);
      in[k] = {v.dtype, &v.shape, nullptr};
    }
    shapes[k] = in[k].shape;
  }
  std::vector<OutputSpec> specs = run_time_outputs(n, in);

  switch (step.kind) {
    case OpKind::kAlias: {
      const Value& x = read(step, 0, slots, ctx);
      out = Value{x.data, x.dtype, std::move(specs.at(0).shape), -1};
      return;
    }
    case OpKind::kHostArray: {  // InvertPermutation, Range, BroadcastGradientArgs: checked
                                // by their shape functions
      if (n.op == OpType::kUnique) return unique(step, slots, ctx, host, std::move(specs));
      if (n.op == OpType::kBroadcastGradientArgs) {
        std::vector<std::int64_t> shapes[2];
        for (int i = 0; i < 2; ++i)
          for (std::int64_t e = 0; e < host[static_cast<std::size_t>(i)].num_elements(); ++e)
            shapes[i].push_back(
                static_cast<std::int64_t>(host[static_cast<std::size_t>(i)].element_as_double(e)));
        const GradientReduceAxes axes = gradient_reduce_axes(shapes[0], shapes[1]).value();
        for (int i = 0; i < 2; ++i) {
          const OutputSpec& spec = specs.at(static_cast<std::size_t>(i));
          const HostTensor value =
              HostTensor(i == 0 ? axes.x : axes.y, spec.shape).cast(spec.dtype);
          slots[static_cast<std::size_t>(step.output + i)] =
              Value{ctx.temporary(value.nbytes()), spec.dtype, spec.shape, -1};
          ctx.backend().copy_from_host(slots[static_cast<std::size_t>(step.output + i)].data.get(),
                                       value.raw_data(), value.nbytes());
        }
        return;
      }
      const OutputSpec& spec = specs.at(0);
      std::vector<std::int64_t> values(static_cast<std::size_t>(spec.shape.num_elements()));
      if (n.op == OpType::kInvertPermutation) {
        const HostTensor& perm = host[0];
        for (std::int64_t i = 0; i < perm.num_elements(); ++i)
          values[static_cast<std::size_t>(perm.element_as_double(i))] = i;
      } else {
        const auto start = static_cast<std::int64_t>(host[0].element_as_double(0));
        const auto delta = static_cast<std::int64_t>(host[2].element_as_double(0));
        for (std::size_t i = 0; i < values.size(); ++i)
          values[i] = start + static_cast<std::int64_t>(i) * delta;
      }
      const HostTensor value = HostTensor(values, spec.shape).cast(spec.dtype);
      out = Value{ctx.temporary(value.nbytes()), spec.dtype, spec.shape, -1};
      ctx.backend().copy_from_host(out.data.get(), value.raw_data(), value.nbytes());
      return;
    }
    case OpKind::kCopy: {
      if (n.op == OpType::kOneHot) return one_hot(step, slots, ctx, host, specs.at(0));
      if (n.op == OpType::kGatherV2) return gather(step, slots, ctx, host, specs.at(0));
      if (n.op == OpType::kUnsortedSegmentSum) return segment_sum(step, slots, ctx, specs.at(0));
      if (n.op == OpType::kDynamicPartition)
        return dynamic_partition(step, slots, ctx, host, std::move(specs));
      if (n.op == OpType::kParallelDynamicStitch)
        return parallel_dynamic_stitch(step, slots, ctx, host, specs.at(0));
      const DType dtype = specs.at(0).dtype;
      const std::size_t element_size = dtype_size(dtype);
      const CopySteps copies = copy_steps(n, shapes, host, specs, element_size);
      for (std::size_t i = 0; i < specs.size(); ++i) {
        Shape& s = specs[i].shape;
        const std::int64_t count = s.num_elements();
        slots[static_cast<std::size_t>(step.output) + i] =
            Value{ctx.temporary(byte_size(count, dtype)), dtype, std::move(s), -1};
      }
      for (int o : copies.zeroed_outputs) {
        const Value& v = slots[static_cast<std::size_t>(step.output + o)];
        const std::uint64_t zero = 0;
        if (v.shape.num_elements() > 0) {
          ctx.backend().fill({.dst = v.data.get(),
                              .pattern = &zero,
                              .element_size = element_size,
                              .count = v.shape.num_elements()});
        }
      }
      for (const CopyPart& part : copies.parts) {
        kernels::StridedCopyArgs a = part.args;
        a.src = slots[static_cast<std::size_t>(step.inputs[static_cast<std::size_t>(part.input)])]
                    .data.get();
        a.dst = slots[static_cast<std::size_t>(step.output + part.output)].data.get();
        ctx.backend().strided_copy(a);
      }
      return;
    }
    default:
      throw InternalError("execute_copy: node " + n.name + " is not an array op");
  }
}

}  // namespace varscope::detail
