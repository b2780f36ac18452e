// What every tf.layers layer shares: TF 1.15's base.Layer scoping and input checks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "varscope/graph.h"
#include "varscope/partitioned_variable.h"
#include "varscope/regularizers.h"
#include "varscope/scope.h"
#include "varscope/shape.h"

namespace varscope::layers::detail {

// base.Layer: a named (or reused) layer is variable_scope(name); an unnamed one
// variable_scope(None, default_name=...), uniquified in the current scope.
VariableScopeGuard enter_layer_scope(Graph& g,
                                     std::string_view default_name,
                                     const std::string& name,
                                     Reuse reuse);

// A weight as base.Layer.add_weight returns it: a Variable, or, with a partitioner in
// effect, TF's PartitionedVariable, which an op reads through a new ConcatPartitions each time
// it converts it (TF's as_tensor).
struct Weight {
  Variable variable{};
  PartitionedVariable partitioned{};
  // What an op takes: "<v>/read:0", or the parts concatenated ("<v>/ConcatPartitions/concat"
  // read through the Identity "<v>"), built now.
  Tensor read() const { return partitioned.valid() ? partitioned.as_tensor() : variable.value(); }
};

// base.Layer.add_weight: get_variable(name, options) (get_partitioned_variable where
// options.partitioner or the scope's is set and the shape is not a scalar) and, when that
// created the variable (TF's _should_add_regularizer: no part of it was among the global
// variables before), the loss of `regularizer` (when set) built in the name scope
// "<name>/Regularizer" (one per part: "Regularizer", "Regularizer_1", ...) joins
// REGULARIZATION_LOSSES.
Weight add_weight(Graph& g,
                  std::string_view name,
                  const GetVariableOptions& options,
                  const Regularizer& regularizer);

// The layer's own name ("conv2d_1") from its entered scope ("tower/conv2d_1").
std::string layer_name(const VariableScope& scope);

// InputSpec(ndim=4): TF's ValueError "Input 0 of layer <name> is incompatible with the
// layer: expected ndim=4, found ndim=<r>. Full shape received: [...]" (E210).
void expect_rank(const Shape& shape, int ndim, const VariableScope& scope);

// InputSpec(min_ndim=...): TF's ValueError "Input 0 of layer <name> is incompatible with the
// layer: : expected min_ndim=<n>, found ndim=<r>. ..." (its doubled colon included), or "...:
// its rank is undefined, but the layer requires a defined rank." (E210).
void expect_min_rank(const Shape& shape, int min_ndim, const VariableScope& scope);

// conv_utils.normalize_padding: "VALID" or "SAME" for any case of "valid"/"same" (E212).
std::string normalize_padding(std::string_view padding);

}  // namespace varscope::layers::detail
