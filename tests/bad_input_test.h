// The BadInput fixture (defined in bad_input_test.cpp) and the helpers of the bad_input tests.
// Bad input to the public API: for each kind, the exception class and message, and that the
// graph and the session keep working and no variable changed afterwards. One test per row
// (or group of rows) of the table in tests/README.md. Expected texts are TensorFlow 1.15's
// where TF has the case (docs/errors.md); the CPU backend runs everything.
#pragma once

#include <cxxabi.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;

namespace bad_input_test {

inline const vs::SessionOptions kCpu{.device = vs::DeviceKind::kCpu};

using varscope::testing::error_of;
using varscope::testing::StartsWith;

inline bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

using vs::testing::Names;
using vs::testing::TempDir;

inline vs::HostTensor Floats(std::vector<float> values, vs::Shape shape) {
  return vs::HostTensor(values, std::move(shape));
}

// The model every test starts from: variables "model/w" (2x3) and "model/b" (3) made by
// get_variable, a tf.Variable "steps" (int64), a placeholder "x" (?x2) and y = x·w + b, in a
// CPU session where all three are initialized.
//
// Intact() is the promise of every row of the table: since Mark(), no op, variable or
// collection entry was added; the name scope and variable scope are where they were; every
// variable still holds its value (and the uninitialized ones are still uninitialized); and
// the graph and the session still work: a new get_variable is built, initialized and used in
// a run of y with a feed, giving the expected numbers.
class BadInput : public ::testing::Test {
 protected:
  enum class Ops { kUnchanged, kMayGrow };

  void SetUp() override;
  void Mark();
  ::testing::AssertionResult Intact(Ops ops = Ops::kUnchanged);

  vs::Graph g_;
  vs::Variable w_, b_, steps_;
  vs::Tensor x_, y_;
  std::optional<vs::Session> sess_;

 private:
  std::size_t ops_ = 0;
  std::vector<std::string> globals_, locals_, trainables_, uninitialized_;
  std::string name_scope_, variable_scope_;
  std::vector<std::pair<vs::Variable, vs::HostTensor>> values_;
  int probes_ = 0;
};

}  // namespace bad_input_test
