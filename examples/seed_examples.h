// The three examples of the seed note (docs/tf1-semantics.md, EX1-EX3), each printing what TF
// prints; their graphs are built by the functions below, which variables_examples_test checks.
#pragma once

#include <varscope/varscope.h>

#include <ostream>

namespace examples {

// variable_scope + reuse: three handles of one variable.
void sharing_with_reuse(std::ostream& out);
// variable_scope prefixes get_variable and tf.Variable alike; runs a session and prints the
// values too.
void variable_scope_prefixes_both(std::ostream& out);
// name_scope prefixes tf.Variable but not get_variable, so the second get_variable clashes.
void name_scope_ignored_by_get_variable(std::ostream& out);

// EX1's graph: get_variable "Weights" ([2, 3]) and "bias" ([3]) in variable_scope("v_scope"),
// then "Weights" again in it twice with reuse=True.
struct SharedWeights {
  varscope::Variable w1, b1, w2, w3;
};
SharedWeights share_weights_with_reuse(varscope::Graph& g);

// EX2's graph: get_variable "a1" (ones, [1]) and tf.Variable "a2" (random_normal, [2, 3]) in
// variable_scope("V1") (a1, a2), then the same in variable_scope("V2") (a3, a4).
struct ScopedVariables {
  varscope::Variable a1, a2, a3, a4;
};
ScopedVariables variables_in_two_variable_scopes(varscope::Graph& g);

// EX3 without get_variable: tf.Variable "a2" (random_normal, [2, 3]) in name_scope("V1"), then
// in name_scope("V2").
struct NameScopedVariables {
  varscope::Variable in_v1, in_v2;
};
NameScopedVariables variables_in_two_name_scopes(varscope::Graph& g);

}  // namespace examples
