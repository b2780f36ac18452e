// What the naming_test sources share: Const(), a tf.constant with an optional name.
// Naming: Graph.unique_name, name_scope and op default names (docs/tf1-semantics.md section 1,
// N1-N9, and the name errors E16/E17 of docs/errors.md). Every expected string is what TF 1.15
// prints.
#pragma once

#include <gtest/gtest.h>

#include <exception>
#include <optional>
#include <string>
#include <typeinfo>
#include <vector>

#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;

namespace naming_test {

// tf.constant(0., name=name); an empty name gives TF's default "Const".
inline vs::Tensor Const(vs::Graph& g, const std::string& name = {}) {
  return vs::constant(g, 0.0f, {.name = name});
}

}  // namespace naming_test
