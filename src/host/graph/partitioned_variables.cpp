// Partitioned variables (variable_scope.py _VariableStore._get_partitioned_variable and
// variables.py PartitionedVariable): the parts, their slice information, sharing by reuse,
// and as_tensor()'s concatenation.
#include <algorithm>

#include "host/graph/array/array_builders.h"
#include "host/graph/builders.h"
#include "host/graph/scope_guards.h"
#include "varscope/array_ops.h"
#include "varscope/errors.h"
#include "varscope/ops.h"

namespace varscope {
namespace detail {
namespace {

// Python's str() of a list of ints: "[3, 1]".
std::string python_list(const std::vector<std::int64_t>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(v[i]);
  }
  out += ']';
  return out;
}

// variable_scope._call_partitioner: the partitioner's answer, validated.
std::vector<std::int64_t> call_partitioner(const Partitioner& partitioner,
                                           const Shape& shape,
                                           DType dtype) {
  if (!shape.is_fully_defined()) {
    throw ValueError("Shape of a new partitioned variable must be fully defined, but instead was " +
                     shape.to_string() + ".");
  }
  if (shape.rank() < 1) {
    throw ValueError("A partitioned Variable must have rank at least 1, shape: " +
                     shape.to_string());
  }
  std::vector<std::int64_t> slicing = partitioner(shape, dtype);
  if (slicing.size() != shape.dims().size()) {
    throw ValueError(
        "Partitioner returned a partition list that does not match the Variable's rank: " +
        python_list(slicing) + " vs. " + shape.to_string());
  }
  if (std::any_of(slicing.begin(), slicing.end(), [](std::int64_t p) { return p < 1; })) {
    throw ValueError("Partitioner returned zero partitions for some axes: " + python_list(slicing));
  }
  if (std::count_if(slicing.begin(), slicing.end(), [](std::int64_t p) { return p > 1; }) > 1) {
    throw ValueError("Can only slice a variable along one dimension: shape: " + shape.to_string() +
                     ", partitioning: " + python_list(slicing));
  }
  return slicing;
}

}  // namespace

int GraphImpl::get_partitioned_variable(std::string_view name,
                                        const GetVariableOptions& options,
                                        std::source_location where) {
  const VariableScopeData& scope = *current_scope;
  std::string full_name = scope.name;
  if (!name.empty()) {
    if (!full_name.empty()) full_name += '/';
    full_name += name;
  }
  const Reuse reuse = scope.reuse;
  const Partitioner* partitioner = options.partitioner ? &*options.partitioner
                                   : scope.partitioner ? &*scope.partitioner
                                                       : nullptr;
  const auto existing_it = partitioned_by_name.find(full_name);
  // TF's special case: reuse=True finds an existing one without a partitioner.
  if (partitioner == nullptr &&
      !(reuse == Reuse::kTrue && existing_it != partitioned_by_name.end()))
    throw ValueError("No partitioner was specified");

  const Initializer* initializer = options.initializer ? &*options.initializer
                                   : scope.initializer ? &*scope.initializer
                                                       : nullptr;
  DType dtype = options.dtype.value_or(scope.dtype);
  const bool from_value = initializer != nullptr && initializer->is_tensor();
  if (options.dtype && from_value && initializer->tensor().dtype() != *options.dtype) {
    throw ValueError("Initializer type '" + dtype_repr(initializer->tensor().dtype()) +
                     "' and explicit dtype '" + dtype_repr(*options.dtype) + "' don't match.");
  }
  if (store.find(full_name) != nullptr) {
    throw ValueError(
        "A partitioner was provided, but an unpartitioned version of the variable "
        "was found: " +
        full_name +
        ".  Perhaps a variable of the same name was already created without "
        "partitioning?");
  }
  Shape shape = options.shape.value_or(Shape::unknown_rank());
  if (from_value) {  // shape.merge_with(initializer.get_shape())
    const Shape init_shape = initializer->tensor().shape();
    if (!shape.is_compatible_with(init_shape)) {
      throw ValueError("Shapes " + shape.to_string() + " and " + init_shape.to_string() +
                       " are not compatible");
    }
    if (!shape.is_fully_defined()) shape = init_shape;
  }
  std::optional<std::vector<std::int64_t>> partitions;
  if (reuse == Reuse::kFalse || partitioner != nullptr)
    partitions = call_partitioner(*partitioner, shape, dtype);

  if (existing_it != partitioned_by_name.end()) {
    const PartitionedRecord& existing = partitioned[static_cast<std::size_t>(existing_it->second)];
    if (reuse == Reuse::kFalse) {
      throw ValueError("Partitioned variable with name " + full_name +
                       " already exists. Did you mean to set reuse=True or reuse=tf.AUTO_REUSE in "
                       "VarScope?");
    }
    if (!shape.is_compatible_with(existing.shape)) {
      throw ValueError("Trying to reuse partitioned variable " + full_name +
                       ", but specified shape " + shape.to_string() + " and found shape " +
                       existing.shape.to_string() + ".");
    }
    if (dtype != existing.dtype) {
      throw ValueError("Trying to reuse partitioned variable " + full_name +
                       ", but specified dtype " + std::string(dtype_name(dtype)) +
                       " and found dtype " + std::string(dtype_name(existing.dtype)) + ".");
    }
    if (partitions && *partitions != existing.partitions) {
      throw ValueError("Trying to reuse partitioned variable " + full_name +
                       ", but specified partitions " + python_list(*partitions) +
                       " and found partitions " + python_list(existing.partitions) + ".");
    }
    return existing_it->second;
  }
  if (reuse == Reuse::kTrue) {
    throw ValueError("PartitionedVariable " + full_name +
                     " does not exist, or was not created with tf.get_variable(). Did you mean "
                     "to set reuse=False or reuse=tf.AUTO_REUSE in VarScope?");
  }

  // _get_slice_dim_and_num_slices and _iter_slices.
  std::size_t slice_dim = 0;
  std::int64_t num_slices = 1;
  for (std::size_t d = 0; d < partitions->size(); ++d) {
    if ((*partitions)[d] > 1) {
      slice_dim = d;
      num_slices = (*partitions)[d];
      break;
    }
  }
  auto part_name = [&](std::int64_t i) { return full_name + "/part_" + std::to_string(i); };
  if (store.find(part_name(0)) != nullptr) {
    if (store.find(part_name(num_slices - 1)) == nullptr) {
      throw ValueError(
          "Partitioner returned a different partitioning than what was already "
          "found.  Partitioner returned " +
          std::to_string(num_slices) + " shards, and shard " + part_name(0) + " was found, but " +
          part_name(num_slices - 1) + " was not.");
    }
    if (store.find(part_name(num_slices)) != nullptr) {
      throw ValueError(
          "Partitioner returned a different partitioning than what was already "
          "found.  Partitioner returned " +
          std::to_string(num_slices) + " shards, and shard " + part_name(0) +
          " was found, but so was the extra shard " + part_name(num_slices) + ".");
    }
  }

  const std::vector<std::int64_t>& full_shape = shape.dims();
  const std::int64_t dim = full_shape[slice_dim];
  const std::int64_t with_excess = dim % num_slices;
  std::vector<std::int64_t> offset(full_shape.size(), 0);
  PartitionedRecord rec;
  rec.name = full_name;
  rec.shape = shape;
  rec.partitions = *partitions;
  for (std::int64_t i = 0; i < num_slices; ++i) {
    std::vector<std::int64_t> part_shape = full_shape;
    part_shape[slice_dim] = dim / num_slices + (i < with_excess ? 1 : 0);
    SaveSliceInfo info{full_name, full_shape, offset, part_shape};
    const std::string var_full_name = part_name(i);
    GetVariableOptions part = options;
    part.partitioner.reset();
    {
      // `with ops.name_scope(var_full_name + "/PartitionedInitializer")` at the root.
      StackGuard at_root(*this, "");
      StackGuard in_scope(*this, resolve_name_scope(var_full_name + "/PartitionedInitializer"));
      if (from_value) {
        const TensorRef sliced =
            build_slice_literal(*this, ref_of(initializer->tensor()), offset, part_shape, "");
        part.initializer = Initializer(tensor(sliced));
        part.shape.reset();
        dtype = node(sliced.node).outputs.at(static_cast<std::size_t>(sliced.index)).dtype;
      } else {
        part.shape = Shape(part_shape);
      }
    }
    part.dtype = dtype;
    const Variable v =
        get_single_variable(var_full_name, var_full_name, part, /*local=*/false, where, &info);
    VariableRecord& record = variables[static_cast<std::size_t>(v.id())];
    if (record.slice)
      on_roll_back([this, id = v.id(), old = record.slice] {
        variables[static_cast<std::size_t>(id)].slice = old;
      });
    record.slice = std::move(info);
    rec.parts.push_back(v.id());
    offset[slice_dim] += part_shape[slice_dim];
  }
  rec.dtype = dtype;
  const int id = static_cast<int>(partitioned.size());
  partitioned.push_back(std::move(rec));
  partitioned_by_name.emplace(full_name, id);
  on_roll_back([this, full_name] {
    partitioned_by_name.erase(full_name);
    partitioned.pop_back();
  });
  return id;
}

}  // namespace detail

using detail::Access;

PartitionedVariable Graph::get_partitioned_variable(std::string_view name,
                                                    const GetVariableOptions& options,
                                                    std::source_location where) {
  return impl()->mutate([&] {
    return Access::partitioned(impl(), impl()->get_partitioned_variable(name, options, where));
  });
}

namespace {

const detail::PartitionedRecord& record(const detail::GraphImpl& g, int id) {
  return g.partitioned.at(static_cast<std::size_t>(id));
}

}  // namespace

const std::string& PartitionedVariable::name() const {
  return record(*Access::lock(*this), id_).name;
}
Shape PartitionedVariable::shape() const {
  return record(*Access::lock(*this), id_).shape;
}
DType PartitionedVariable::dtype() const {
  return record(*Access::lock(*this), id_).dtype;
}
std::vector<std::int64_t> PartitionedVariable::partitions() const {
  return record(*Access::lock(*this), id_).partitions;
}
std::size_t PartitionedVariable::size() const {
  return record(*Access::lock(*this), id_).parts.size();
}
std::vector<Variable> PartitionedVariable::variables() const {
  auto g = Access::lock(*this);
  std::vector<Variable> out;
  for (int part : record(*g, id_).parts)
    out.push_back(Access::variable(g, part));
  return out;
}
Variable PartitionedVariable::operator[](std::size_t i) const {
  auto g = Access::lock(*this);
  const auto& parts = record(*g, id_).parts;
  if (i >= parts.size()) {
    throw ValueError("Partitioned variable " + record(*g, id_).name + " has " +
                     std::to_string(parts.size()) + " parts; no part " + std::to_string(i));
  }
  return Access::variable(g, parts[i]);
}

Tensor PartitionedVariable::as_tensor() const {
  auto g = Access::lock(*this);
  return g->mutate([&] {
    const detail::PartitionedRecord& rec = record(*g, id_);
    detail::NoControlScopesGuard lifted(*g);  // ops.control_dependencies(None)
    std::vector<Tensor> parts;
    for (int part : rec.parts)
      parts.push_back(Access::variable(g, part).value());
    Tensor whole;
    if (parts.size() == 1) {
      whole = parts[0];
    } else {
      // _partition_axes: the one axis split in more than one part.
      std::int64_t axis = 0;
      for (std::size_t d = 0; d < rec.partitions.size(); ++d)
        if (rec.partitions[d] > 1) axis = static_cast<std::int64_t>(d);
      detail::StackGuard in_scope(*g, rec.name + "/ConcatPartitions");  // an absolute scope
      whole = concat(parts, axis);
    }
    detail::StackGuard at_root(*g, "");  // ops.name_scope(None)
    return identity(whole, rec.name);
  });
}

}  // namespace varscope
