// Bad input, names and scopes: invalid names, unknown ops and tensors, bad variable scopes.
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

#include "bad_input_test.h"
#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;
using namespace bad_input_test;  // NOLINT: the fixture and helpers of bad_input_test.h

// ================================= names =================================

TEST_F(BadInput, InvalidScopeNameAtTheRoot) {
  EXPECT_EQ(error_of<vs::ValueError>([&] { auto s = g_.name_scope("_x"); }),
            "'_x' is not a valid scope name");
  EXPECT_EQ(error_of<vs::ValueError>([&] { auto s = g_.variable_scope("_"); }),
            "'_' is not a valid scope name");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, InvalidScopeNameNested) {
  {
    auto outer = g_.name_scope("outer");
    EXPECT_EQ(error_of<vs::ValueError>([&] { auto s = g_.name_scope("a b"); }),
              "'a b' is not a valid scope name");
    EXPECT_EQ(g_.get_name_scope(), "outer");
  }
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, InvalidNodeName) {
  // tf.constant goes straight to create_op: the node-name check.
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::constant(g_, 1.0f, {.name = "a b"}); }),
            "'a b' is not a valid node name");
  // Ops built through _apply_op_helper (and their wrappers) enter name_scope(name) first.
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::add(x_, x_, "a b"); }),
            "'a b' is not a valid scope name");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::matmul(x_, w_, {.name = "a b"}); }),
            "'a b' is not a valid scope name");
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { vs::placeholder(g_, vs::DType::kFloat32, vs::Shape{2}, "a b"); }),
            "'a b' is not a valid scope name");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, InvalidVariableName) {
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.get_variable("_v", {.shape = vs::Shape{1}}); }),
            "'_v' is not a valid scope name");
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.variable(1.0f, {.name = "a b"}); }),
            "'a b' is not a valid scope name");
  EXPECT_TRUE(Intact());
}

// TF 1.15 at the root: get_variable("") -> RefVariable's name_scope("") resets to the root and
// yields "", so VariableV2 is created with the name "" and Operation() refuses it.
TEST_F(BadInput, EmptyGetVariableNameAtTheRootIsAnInvalidNodeName) {
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.get_variable("", {.shape = vs::Shape{1}}); }),
            "'' is not a valid node name");
  // TF leaves the initializer ops it built before the refusal; no variable is added.
  EXPECT_TRUE(Intact(Ops::kMayGrow));
}

TEST_F(BadInput, AbsoluteNameOfAnExistingOp) {
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::constant(g_, 1.0f, {.name = "x/"}); }),
            "Duplicate node name in graph: 'x'");
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.get_variable("x/", {.shape = vs::Shape{1}}); }),
            "Duplicate node name in graph: 'x'");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, UnknownOperationOrTensorName) {
  EXPECT_EQ(error_of<vs::NotFoundError>([&] { g_.get_operation_by_name("nope"); }),
            "The name 'nope' refers to an Operation not in the graph.");
  EXPECT_EQ(error_of<vs::NotFoundError>([&] { g_.get_tensor_by_name("nope:0"); }),
            "The name 'nope' refers to an Operation not in the graph.");
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.get_tensor_by_name("x"); }),
            "The name 'x' looks like an (invalid) Operation name, not a Tensor. Tensor names "
            "must be of the form \"<op_name>:<output_index>\".");
  EXPECT_EQ(error_of<vs::NotFoundError>([&] { g_.get_tensor_by_name("x:1"); }),
            "The name 'x:1' refers to a Tensor which does not exist. The operation, 'x', exists "
            "but only has 1 outputs.");
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.get_tensor_by_name("x:one"); }),
            "The name 'x:one' has an invalid output index.");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, OperationAttrMissingOrOfAnotherKind) {
  EXPECT_EQ(error_of<vs::NotFoundError>([&] { x_.op().attr_int("nope"); }),
            "Operation 'x' has no attr named 'nope'.");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { x_.op().attr_int("dtype"); }),
            "Attr 'dtype' of operation 'x' is of another type");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, OperationOutputOutOfRange) {
  EXPECT_EQ(error_of<vs::ValueError>([&] { x_.op().output(1); }), "Operation 'x' has no output 1");
  EXPECT_EQ(error_of<vs::ValueError>([&] { x_.op().output(-1); }),
            "Operation 'x' has no output -1");
  EXPECT_TRUE(Intact());
}

// TF: op.inputs[i] out of range is an IndexError. varscope has no IndexError; the expected
// class and text are those of Operation::output(i), the same mistake on the other side.
TEST_F(BadInput, OperationInputOutOfRange) {
  ASSERT_EQ(y_.op().name(), "add");
  ASSERT_EQ(y_.op().num_inputs(), 2);
  EXPECT_EQ(error_of<vs::ValueError>([&] { y_.op().input(2); }), "Operation 'add' has no input 2");
  EXPECT_EQ(error_of<vs::ValueError>([&] { x_.op().input(0); }), "Operation 'x' has no input 0");
  EXPECT_TRUE(Intact());
}

// TF: re.match("model/(", name) raises re.error. It must be a vs::Error naming the pattern.
TEST_F(BadInput, CollectionFilterThatIsNotARegex) {
  const std::string msg =
      error_of<vs::ValueError>([&] { g_.global_variables(std::string("model/(")); });
  EXPECT_TRUE(Contains(msg, "model/(")) << msg;
  EXPECT_TRUE(Contains(error_of<vs::ValueError>([&] {
                         g_.get_collection(vs::GraphKeys::kTrainableVariables, std::string("["));
                       }),
                       "["));
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, UnknownDtypeNameAndNegativeDimension) {
  EXPECT_EQ(error_of<vs::ValueError>([] { vs::dtype_from_name("float33"); }),
            "Unknown dtype name 'float33'");
  EXPECT_EQ(error_of<vs::ValueError>([] { (void)vs::Shape{2, -3}; }), "Dimension -3 must be >= 0");
  EXPECT_TRUE(Intact());
}

// ================================= scopes =================================

TEST_F(BadInput, VariableScopeWithoutNameOrDefaultName) {
  EXPECT_EQ(error_of<vs::TypeError>([&] { auto s = g_.variable_scope(std::nullopt, {}); }),
            "If default_name is None then name_or_scope is required");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, ReuseWithoutAName) {
  for (vs::Reuse reuse : {vs::Reuse::kTrue, vs::Reuse::kAuto}) {
    EXPECT_EQ(error_of<vs::ValueError>([&] {
                auto s = g_.variable_scope(std::nullopt, {.default_name = "layer", .reuse = reuse});
              }),
              "reuse=True cannot be used without a name_or_scope");
  }
  EXPECT_TRUE(Intact());
  // "layer" is still free.
  auto s = g_.variable_scope(std::nullopt, {.default_name = "layer"});
  EXPECT_EQ(s.name(), "layer");
}

TEST_F(BadInput, ImproperNestingOfVariableScopes) {
  auto outer = std::make_unique<vs::VariableScopeGuard>(g_.variable_scope("outer"));
  auto inner = std::make_unique<vs::VariableScopeGuard>(g_.variable_scope("inner"));
  outer.reset();  // exits "outer" while "inner" is open: closes both and marks the graph
  EXPECT_EQ(error_of<vs::RuntimeError>([&] { g_.get_variable("v", {.shape = vs::Shape{1}}); }),
            "Improper nesting of variable_scope.");
  inner.reset();
  EXPECT_TRUE(Intact());
  EXPECT_EQ(g_.get_variable("v", {.shape = vs::Shape{1}}).name(), "v:0");
}

TEST_F(BadInput, EmptyVariableScopeHandle) {
  EXPECT_EQ(error_of<vs::ValueError>([&] { auto s = g_.variable_scope(vs::VariableScope()); }),
            "VariableScope handle is empty");
  EXPECT_EQ(error_of<vs::ValueError>([] { (void)vs::VariableScope().name(); }),
            "VariableScope handle is empty");
  EXPECT_TRUE(Intact());
}

// TF 1.15 would accept this (a VariableScope is not bound to a graph); varscope refuses it.
TEST_F(BadInput, VariableScopeOfAnotherGraph) {
  vs::Graph other;
  vs::VariableScope captured;
  {
    auto s = other.variable_scope("elsewhere");
    captured = s;
  }
  EXPECT_EQ(error_of<vs::ValueError>([&] { auto s = g_.variable_scope(captured); }),
            "variable_scope: the VariableScope 'elsewhere' belongs to another graph");
  EXPECT_TRUE(Intact());
}
