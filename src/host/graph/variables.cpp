// The variable store (variable_scope.py _VariableStore) and tf.Variable (variables.py
// RefVariable._init_from_args): names, sharing decisions, the ops each variable makes.
#include <algorithm>
#include <optional>

#include "host/graph/builders.h"
#include "host/graph/collection_filter.h"
#include "host/graph/scope_guards.h"
#include "varscope/errors.h"

namespace varscope {
namespace detail {
namespace {

std::string tensor_repr(GraphImpl& g, TensorRef r) {
  const Node& n = g.node(r.node);
  const OutputSpec& s = n.outputs.at(static_cast<std::size_t>(r.index));
  return "Tensor(\"" + n.name + ":" + std::to_string(r.index) + "\", shape=" + s.shape.to_string() +
         ", dtype=" + std::string(dtype_name(s.dtype)) + ")";
}

// Python's traceback.format_list, for the C++ call site that created the variable.
std::string format_call_site(const std::source_location& where) {
  return "  File \"" + std::string(where.file_name()) + "\", line " + std::to_string(where.line()) +
         ", in " + std::string(where.function_name()) + "\n";
}

}  // namespace

Variable GraphImpl::get_variable(std::string_view name,
                                 const GetVariableOptions& options,
                                 bool local,
                                 std::source_location where) {
  return mutate([&] {
    const VariableScopeData& scope = *current_scope;
    std::string full_name;  // appended, not concatenated: one allocation on the lookup path
    full_name.reserve(scope.name.size() + 1 + name.size());
    if (!scope.name.empty()) {
      full_name += scope.name;
      full_name += '/';
    }
    full_name += name;
    // TF: Variable(name="") at the root reaches create_op with an empty node name.
    if (full_name.empty()) throw ValueError("'' is not a valid node name");

    // _VariableStore.get_variable's partitioned cases: TF returns a PartitionedVariable,
    // which a Variable cannot hold (a scalar shape ignores the partitioner, as TF).
    const bool scalar = options.shape && options.shape->rank() == 0;
    if ((options.partitioner || scope.partitioner) && !scalar) {
      throw ValueError("A partitioner is in effect for variable " + full_name +
                       ": get it with Graph::get_partitioned_variable (TF's get_variable "
                       "returns a PartitionedVariable here)");
    }
    if (scope.reuse == Reuse::kTrue && partitioned_by_name.contains(full_name)) {
      throw ValueError("Variable " + full_name +
                       " is partitioned: get it with Graph::get_partitioned_variable");
    }
    if (!partitioned.empty() && store.find(full_name + "/part_0") != nullptr) {
      throw ValueError(
          "No partitioner was provided, but a partitioned version of the variable "
          "was found: " +
          full_name +
          "/part_0. Perhaps a variable of the same name was already created with "
          "partitioning?");
    }
    return get_single_variable(full_name, name, options, local, where, nullptr);
  });
}

Variable GraphImpl::get_single_variable(const std::string& full_name,
                                        std::string_view name,
                                        const GetVariableOptions& options,
                                        bool local,
                                        std::source_location where,
                                        const SaveSliceInfo* slice) {
  {
    const VariableScopeData& scope = *current_scope;
    // VariableScope.get_variable: an explicit dtype must match a value initializer's.
    if (options.dtype && options.initializer && options.initializer->is_tensor()) {
      const DType init_dtype = options.initializer->tensor().dtype();
      if (init_dtype != *options.dtype) {
        throw ValueError("Initializer type '" + dtype_repr(init_dtype) + "' and explicit dtype '" +
                         dtype_repr(*options.dtype) + "' don't match.");
      }
    }
    // Pointers, not copies: a reuse lookup should cost a hash lookup, not allocations.
    const Initializer* initializer = options.initializer ? &*options.initializer
                                     : scope.initializer ? &*scope.initializer
                                                         : nullptr;
    const DType dtype = options.dtype.value_or(scope.dtype);

    // _VariableStore._get_single_variable
    const bool from_value = initializer != nullptr && initializer->is_tensor();
    if (options.shape && from_value) {
      throw ValueError("If initializer is a constant, do not specify shape.");
    }
    static const Shape kShapeNone = Shape::unknown_rank();
    const Shape& shape = options.shape ? *options.shape : kShapeNone;

    if (const int* found = store.find(full_name)) {
      const VariableRecord& existing = variables[static_cast<std::size_t>(*found)];
      if (scope.reuse == Reuse::kFalse) {
        throw ValueError("Variable " + full_name +
                         " already exists, disallowed. Did you mean to set reuse=True or "
                         "reuse=tf.AUTO_REUSE in VarScope? Originally defined at:\n\n" +
                         format_call_site(existing.defined_at));
      }
      if (!shape.is_compatible_with(existing.shape)) {
        throw ValueError("Trying to share variable " + full_name + ", but specified shape " +
                         shape.to_string() + " and found shape " + existing.shape.to_string() +
                         ".");
      }
      if (dtype != existing.dtype) {
        throw ValueError("Trying to share variable " + full_name + ", but specified dtype " +
                         std::string(dtype_name(dtype)) + " and found dtype " +
                         dtype_ref_name(existing.dtype) + ".");
      }
      return Access::variable(shared_from_this(), *found);
    }
    if (scope.reuse == Reuse::kTrue) {
      throw ValueError("Variable " + full_name +
                       " does not exist, or was not created with tf.get_variable(). Did you mean "
                       "to set reuse=tf.AUTO_REUSE in VarScope?");
    }

    std::optional<Initializer> default_initializer;
    if (initializer == nullptr) {  // _get_default_initializer
      if (is_floating(dtype)) {
        default_initializer = glorot_uniform_initializer();
      } else if (is_integer(dtype) || dtype == DType::kBool) {
        default_initializer = zeros_initializer();
      } else {
        throw ValueError("An initializer for variable " + full_name + " of " + dtype_repr(dtype) +
                         " is required");
      }
      initializer = &*default_initializer;
    }
    std::optional<TensorRef> value;
    if (from_value) {
      value = ref_of(initializer->tensor());
    } else if (!shape.is_fully_defined()) {
      // TF's sentence (about Python's initializers), then what a C++ caller needs.
      throw ValueError(
          "The initializer passed is not valid. It should be a callable with no arguments and the "
          "shape should not be provided or an instance of `tf.keras.initializers.*' and `shape` "
          "should be fully defined.\nVariable " +
          full_name + " needs a fully defined shape (got " + shape.to_string() +
          "): get_variable(\"" + std::string(name) + "\", {.shape = vs::Shape{...}})");
    }

    static const std::vector<std::string> kGlobal = {GraphKeys::kGlobalVariables};
    static const std::vector<std::string> kLocal = {GraphKeys::kLocalVariables};
    const std::vector<std::string>* collections_list = &kGlobal;
    std::vector<std::string> given_and_local;
    if (options.collections && local) {
      given_and_local = *options.collections;
      given_and_local.push_back(GraphKeys::kLocalVariables);
      collections_list = &given_and_local;
    } else if (options.collections) {
      collections_list = &*options.collections;
    } else if (local) {
      collections_list = &kLocal;
    }
    const bool trainable = !local && options.trainable.value_or(true);

    // Variable names depend only on the variable scope: create at the root name scope.
    StackGuard at_root(*this, "");
    struct Recipe {  // captured by one pointer: the std::function below needs no allocation
      const std::optional<TensorRef>& value;
      const Initializer& initializer;
      const Shape& shape;
      DType dtype;
      std::optional<Shape> full_shape;  // a part's initializer scales by the whole's fans
    } recipe{value, *initializer, shape, dtype, {}};
    if (slice != nullptr) recipe.full_shape = Shape(slice->full_shape);
    InitialValue initial = [r = &recipe](GraphImpl& g) -> TensorRef {
      return r->value ? *r->value
                      : build_initializer(g, r->initializer, r->shape, r->dtype,
                                          r->full_shape ? &*r->full_shape : nullptr);
    };
    return create_variable(full_name, full_name, initial, /*callable=*/!from_value, trainable,
                           *collections_list, options.validate_shape, where);
  }
}

Variable GraphImpl::create_variable(std::string_view name,
                                    const std::string& store_key,
                                    const InitialValue& initial_value,
                                    bool callable,
                                    bool trainable,
                                    const std::vector<std::string>& collection_keys,
                                    bool validate_shape,
                                    std::source_location where) {
  // with ops.name_scope(name, "Variable") as name: validated and uniquified here.
  // An absolute name of an existing op is refused when VariableV2 is added, after the
  // initializer (TF's order: an initializer's own error comes first); mutate() then takes
  // the initializer's ops back out.
  const std::string stack = resolve_name_scope(name.empty() ? "Variable" : name);
  NoControlScopesGuard lifted(*this);  // RefVariable builds in ops.init_scope()
  StackGuard in_variable(*this, stack);
  TensorRef init;
  if (callable) {
    StackGuard in_initializer(*this, resolve_name_scope("Initializer"));
    NoDeviceGuard colocated(*this);  // TF colocates them with the variable: no device of their own
    const std::size_t first = nodes.size();
    init = initial_value(*this);
    // TF builds these under _attr_scope({"_class": ["loc:@<v>"]}): colocated with the variable
    // (inside colocate_with, add_node has given them the colocation's `_class` instead).
    if (colocation.empty()) {
      const AttrValue klass = std::vector<std::string>{"loc:@" + stack};
      for (std::size_t i = first; i < nodes.size(); ++i)
        nodes[i].attrs.emplace_back("_class", klass);
    }
  } else {
    init = initial_value(*this);
  }
  const OutputSpec value = node(init.node).outputs.at(static_cast<std::size_t>(init.index));
  if (validate_shape && !value.shape.is_fully_defined()) {
    throw ValueError("initial_value must have a shape specified: " + tensor_repr(*this, init));
  }
  const Shape shape = validate_shape ? value.shape : Shape::unknown_rank();

  VariableRecord rec;
  rec.store_key = store_key;
  rec.dtype = value.dtype;
  rec.shape = shape;
  rec.trainable = trainable;
  rec.initial_value = init;
  rec.defined_at = where;
  rec.node = add_op(*this, OpType::kVariableV2, scope_string(stack), {},
                    {{attr_name::kShape, shape}, {attr_name::kDType, value.dtype}});
  rec.assign = add_op(*this, OpType::kAssign, "Assign", {{rec.node, 0}, init},
                      {{attr_name::kT, value.dtype},
                       {attr_name::kValidateShape, validate_shape},
                       {attr_name::kUseLocking, true}});
  // The variable op is built under the initializer's _attr_scope too.
  if (callable && colocation.empty()) {
    nodes[static_cast<std::size_t>(rec.node)].attrs.emplace_back(
        "_class", std::vector<std::string>{"loc:@" + stack});
  }
  {
    ColocateGuard at_variable(*this, rec.node);  // RefVariable: colocate_with(self._variable.op)
    rec.read =
        add_op(*this, OpType::kIdentity, "read", {{rec.node, 0}}, {{attr_name::kT, value.dtype}});
  }

  const int id = static_cast<int>(variables.size());
  nodes[static_cast<std::size_t>(rec.node)].variable = id;
  variables.push_back(std::move(rec));
  for (const std::string& key : collection_keys)
    add_to_collection(key, id);
  if (trainable) add_to_collection(GraphKeys::kTrainableVariables, id);
  if (!store_key.empty()) add_to_store(store_key, id);
  return Access::variable(shared_from_this(), id);
}

int GraphImpl::adopt_variable(int node) {
  Node& n = nodes.at(static_cast<std::size_t>(node));
  VariableRecord rec;
  rec.node = node;
  rec.dtype = attr<DType>(n, attr_name::kDType);
  rec.shape = attr<Shape>(n, attr_name::kShape);
  rec.trainable = false;
  const int id = static_cast<int>(variables.size());
  variables.push_back(std::move(rec));
  n.variable = id;
  return id;
}

// Each collection once (TF adds to a set of keys); variables join in creation order, so a
// repeated key finds `variable` at the back.
void GraphImpl::add_to_collection(std::string_view key, int variable) {
  auto it = collections.find(key);
  const bool created = it == collections.end();
  if (created) it = collections.emplace(std::string(key), std::vector<int>{}).first;
  std::vector<int>& ids = it->second;
  if (!ids.empty() && ids.back() == variable) return;
  if (journaling_) journal_.collections.push_back({&it->first, {&ids, ids.size(), created}});
  ids.push_back(variable);
}

void GraphImpl::add_to_store(std::string_view full_name, int variable) {
  const std::string_view key = intern(full_name);
  store.try_emplace(key, variable);
  if (journaling_) journal_.store.push_back(key);
}

std::vector<Variable> GraphImpl::collection(const std::string& key,
                                            const std::optional<std::string>& scope) const {
  std::vector<Variable> out;
  auto it = collections.find(key);
  if (it == collections.end()) return out;
  auto self = std::const_pointer_cast<GraphImpl>(shared_from_this());
  const CollectionScopeFilter filter(scope);
  for (int id : it->second) {
    if (!filter.matches(node(variables[static_cast<std::size_t>(id)].node).name + ":0")) continue;
    out.push_back(Access::variable(self, id));
  }
  return out;
}

Operation GraphImpl::variables_initializer(const std::vector<Variable>& vars,
                                           std::string_view name) {
  return mutate([&] {
    std::vector<int> deps;
    for (const Variable& v : vars) {
      if (Access::lock(v).get() != this) {
        throw ValueError("variables_initializer: variable " + v.name() + " is from another graph");
      }
      deps.push_back(variables[static_cast<std::size_t>(v.id())].assign);
    }
    // control_flow_ops.group(..., name="init"), or no_op(name="init") for no variables.
    const int id = build_group(*this, scope_string(resolve_name_scope(name)), std::move(deps));
    return Access::operation(shared_from_this(), id);
  });
}

}  // namespace detail

using detail::Access;

Variable Graph::get_variable(std::string_view name,
                             const GetVariableOptions& options,
                             std::source_location where) {
  return impl()->get_variable(name, options, /*local=*/false, where);
}

Variable Graph::get_local_variable(std::string_view name,
                                   const GetVariableOptions& options,
                                   std::source_location where) {
  return impl()->get_variable(name, options, /*local=*/true, where);
}

namespace {

std::vector<std::string> variable_collections(const VariableOptions& o) {
  return o.collections.value_or(std::vector<std::string>{GraphKeys::kGlobalVariables});
}

}  // namespace

Variable Graph::variable(const Tensor& initial_value,
                         const VariableOptions& options,
                         std::source_location where) {
  return impl()->mutate([&] {
    if (!initial_value.valid()) throw ValueError("initial_value must be specified.");
    const detail::TensorRef ref = impl()->ref_of(initial_value);
    if (options.dtype && *options.dtype != initial_value.dtype()) {
      throw ValueError("Tensor conversion requested dtype " +
                       std::string(dtype_name(*options.dtype)) + " for Tensor with dtype " +
                       std::string(dtype_name(initial_value.dtype())));
    }
    if (options.validate_shape && !initial_value.shape().is_fully_defined()) {
      throw ValueError("initial_value must have a shape specified: Tensor(\"" +
                       initial_value.name() + "\", shape=" + initial_value.shape().to_string() +
                       ", dtype=" + std::string(dtype_name(initial_value.dtype())) + ")");
    }
    return impl()->create_variable(
        options.name, "", [ref](detail::GraphImpl&) { return ref; },
        /*callable=*/false, options.trainable, variable_collections(options),
        options.validate_shape, where);
  });
}

Variable Graph::variable(const HostTensor& initial_value,
                         const VariableOptions& options,
                         std::source_location where) {
  return impl()->mutate([&] {
    auto make = [&](detail::GraphImpl& g) {
      return detail::build_constant(g, initial_value, options.dtype, {}, false, "initial_value");
    };
    return impl()->create_variable(options.name, "", make, /*callable=*/false, options.trainable,
                                   variable_collections(options), options.validate_shape, where);
  });
}

Variable Graph::variable(const std::function<Tensor()>& initial_value,
                         const VariableOptions& options,
                         std::source_location where) {
  return impl()->mutate([&] {
    if (!initial_value) throw ValueError("initial_value must be specified.");
    auto make = [&](detail::GraphImpl& g) {
      Tensor t = initial_value();
      if (options.dtype && *options.dtype != t.dtype()) {
        throw ValueError("Tensor conversion requested dtype " +
                         std::string(dtype_name(*options.dtype)) + " for Tensor with dtype " +
                         std::string(dtype_name(t.dtype())));
      }
      return g.ref_of(t);
    };
    return impl()->create_variable(options.name, "", make, /*callable=*/true, options.trainable,
                                   variable_collections(options), options.validate_shape, where);
  });
}

Tensor Graph::is_variable_initialized(const Variable& variable) {
  return impl()->mutate([&] {
    if (Access::lock(variable) != impl()) {
      throw ValueError("is_variable_initialized: variable " + variable.name() +
                       " is from another graph");
    }
    const int var_node = impl()->variables[static_cast<std::size_t>(variable.id())].node;
    const std::string scope =
        detail::scope_string(impl()->resolve_name_scope("IsVariableInitialized"));
    const int node =
        detail::add_op(*impl(), detail::OpType::kIsVariableInitialized, scope, {{var_node, 0}},
                       {{detail::attr_name::kDType, variable.dtype()}});
    return impl()->tensor({node, 0});
  });
}

}  // namespace varscope
