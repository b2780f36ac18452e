// The BadInput fixture: the model every bad_input test starts from, and Intact().
// (Its SetUp is the call site that the "Originally defined at" messages name: this file.)
#include "bad_input_test.h"

#include <gtest/gtest.h>

#include <exception>
#include <string>

#include "varscope/varscope.h"

namespace bad_input_test {

void BadInput::SetUp() {
  {
    auto s = g_.variable_scope("model");
    w_ = g_.get_variable("w", {.shape = vs::Shape{2, 3},
                               .initializer = vs::constant_initializer({1, 2, 3, 4, 5, 6})});
    b_ =
        g_.get_variable("b", {.shape = vs::Shape{3}, .initializer = vs::constant_initializer(0.5)});
  }
  steps_ = g_.variable(vs::HostTensor(std::int64_t{7}), {.name = "steps", .trainable = false});
  x_ = vs::placeholder(g_, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 2}, "x");
  y_ = vs::matmul(x_, w_) + b_;
  sess_.emplace(g_, kCpu);
  sess_->run(g_.global_variables_initializer());
  Mark();
}

void BadInput::Mark() {
  ops_ = g_.num_operations();
  globals_ = Names(g_.global_variables());
  locals_ = Names(g_.local_variables());
  trainables_ = Names(g_.trainable_variables());
  name_scope_ = g_.get_name_scope();
  variable_scope_ = g_.get_variable_scope().name();
  uninitialized_ = sess_->report_uninitialized_variables();
  values_.clear();
  for (const vs::Variable& v : g_.global_variables()) {
    if (sess_->is_initialized(v)) values_.emplace_back(v, sess_->run(v));
  }
}

::testing::AssertionResult BadInput::Intact(Ops ops) {
  try {
    if (ops == Ops::kUnchanged && g_.num_operations() != ops_) {
      return ::testing::AssertionFailure()
             << "the graph has " << g_.num_operations() << " ops, " << ops_ << " before";
    }
    if (Names(g_.global_variables()) != globals_ || Names(g_.local_variables()) != locals_ ||
        Names(g_.trainable_variables()) != trainables_) {
      return ::testing::AssertionFailure() << "the variable collections changed";
    }
    if (g_.get_name_scope() != name_scope_) {
      return ::testing::AssertionFailure()
             << "the name scope is '" << g_.get_name_scope() << "', '" << name_scope_ << "' before";
    }
    if (g_.get_variable_scope().name() != variable_scope_) {
      return ::testing::AssertionFailure()
             << "the variable scope is '" << g_.get_variable_scope().name() << "', '"
             << variable_scope_ << "' before";
    }
    if (sess_->report_uninitialized_variables() != uninitialized_) {
      return ::testing::AssertionFailure() << "the set of uninitialized variables changed";
    }
    for (const auto& [v, value] : values_) {
      const vs::HostTensor now = sess_->run(v);
      if (!(now == value)) {
        return ::testing::AssertionFailure()
               << v.name() << " is now " << now.to_string() << ", was " << value.to_string();
      }
    }
    // Still working: a new variable, its initializer, and a run with a feed.
    vs::Variable probe =
        g_.get_variable("probe_" + std::to_string(probes_++),
                        {.shape = vs::Shape{3}, .initializer = vs::ones_initializer()});
    sess_->run(probe.initializer());
    const vs::HostTensor got =
        sess_->run(y_ + probe, {{x_, Floats({1, 0, 0, 1, 1, 1}, vs::Shape{3, 2})}});
    const vs::HostTensor want =
        Floats({2.5f, 3.5f, 4.5f, 5.5f, 6.5f, 7.5f, 6.5f, 8.5f, 10.5f}, vs::Shape{3, 3});
    if (!(got == want)) {
      return ::testing::AssertionFailure() << "y + probe is " << got.to_string();
    }
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "checking the state threw: " << e.what();
  }
  Mark();
  return ::testing::AssertionSuccess();
}

}  // namespace bad_input_test
