// What the variable_scope_test sources share: the helpers of test_util.h they use, ConstName.
// Rules of docs/tf1-semantics.md sections 2 (S), 3 (R) and 8 (T: TF's variable_scope_test.py;
// T14 custom getters and T15 partitioners are not part of varscope). Expected strings are
// TF 1.15's.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;

namespace variable_scope_test {

using varscope::testing::error_of;

using varscope::testing::DoesNotExist;
using varscope::testing::ExpectAlreadyExists;
using varscope::testing::HasNumber;
using varscope::testing::Names;
using varscope::testing::NameScope;
using varscope::testing::Scalar;
using varscope::testing::Vec1;

inline std::string ConstName(vs::Graph& g, const std::string& name) {
  return vs::constant(g, 0.0f, {.name = name}).name();
}

inline constexpr vs::Reuse kTrue = vs::Reuse::kTrue;
inline constexpr vs::Reuse kFalse = vs::Reuse::kFalse;
inline constexpr vs::Reuse kAuto = vs::Reuse::kAuto;

}  // namespace variable_scope_test
