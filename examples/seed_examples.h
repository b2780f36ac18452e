// The three examples of the seed note (docs/tf1-semantics.md, EX1-EX3), each printing what TF
// prints.
#pragma once

#include <ostream>

namespace examples {

// variable_scope + reuse: three handles of one variable.
void sharing_with_reuse(std::ostream& out);
// variable_scope prefixes get_variable and tf.Variable alike; runs a session and prints the
// values too.
void variable_scope_prefixes_both(std::ostream& out);
// name_scope prefixes tf.Variable but not get_variable, so the second get_variable clashes.
void name_scope_ignored_by_get_variable(std::ostream& out);

}  // namespace examples
