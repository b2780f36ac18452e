// Bad input, variables: reuse errors, shapes, dtypes and initial values of get_variable.
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

// ============================ variables: reuse ============================

TEST_F(BadInput, VariableAlreadyExists) {
  {
    auto s = g_.variable_scope("model");
    const std::string msg = error_of<vs::ValueError>([&] {
      g_.get_variable("w", {.shape = vs::Shape{2, 3}});
    });
    EXPECT_TRUE(StartsWith(msg,
                           "Variable model/w already exists, disallowed. Did you mean to set "
                           "reuse=True or reuse=tf.AUTO_REUSE in VarScope? Originally defined "
                           "at:\n\n"))
        << msg;
    EXPECT_TRUE(Contains(msg, "bad_input_test.cpp")) << msg;
  }
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, VariableDoesNotExist) {
  {
    auto s = g_.variable_scope("model", {.reuse = vs::Reuse::kTrue});
    const std::string want =
        "Variable model/u does not exist, or was not created with tf.get_variable(). Did you "
        "mean to set reuse=tf.AUTO_REUSE in VarScope?";
    EXPECT_EQ(error_of<vs::ValueError>([&] { g_.get_variable("u", {.shape = vs::Shape{1}}); }),
              want);
    EXPECT_EQ(
        error_of<vs::ValueError>([&] { g_.get_local_variable("u", {.shape = vs::Shape{1}}); }),
        want);
  }
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, ShapeMismatchOnReuse) {
  {
    auto s = g_.variable_scope("model", {.reuse = vs::Reuse::kTrue});
    EXPECT_EQ(error_of<vs::ValueError>([&] {
                g_.get_variable("w", {.shape = vs::Shape{3, 2}});
              }),
              "Trying to share variable model/w, but specified shape (3, 2) and found shape (2, "
              "3).");
    EXPECT_EQ(error_of<vs::ValueError>([&] { g_.get_variable("b", {.shape = vs::Shape{}}); }),
              "Trying to share variable model/b, but specified shape () and found shape (3,).");
  }
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, DtypeMismatchOnReuse) {
  {
    auto s = g_.variable_scope("model", {.reuse = vs::Reuse::kAuto});
    EXPECT_EQ(error_of<vs::ValueError>([&] {
                g_.get_variable("w", {.shape = vs::Shape{2, 3}, .dtype = vs::DType::kFloat64});
              }),
              "Trying to share variable model/w, but specified dtype float64 and found dtype "
              "float32_ref.");
  }
  EXPECT_TRUE(Intact());
}

// ======================= variables: initial values ========================

TEST_F(BadInput, ConstantTensorInitializerWithAShape) {
  vs::Tensor c = vs::constant(g_, 0.1f);
  Mark();
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { g_.get_variable("c", {.shape = vs::Shape{1}, .initializer = c}); }),
            "If initializer is a constant, do not specify shape.");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, UnknownDimsWhereGetVariableNeedsAFullShape) {
  const std::string kInvalid =
      "The initializer passed is not valid. It should be a callable with no arguments and the "
      "shape should not be provided or an instance of `tf.keras.initializers.*' and `shape` "
      "should be fully defined.\nVariable u needs a fully defined shape (got ";
  const auto invalid = [&kInvalid](const std::string& shape) {
    return kInvalid + shape + "): get_variable(\"u\", {.shape = vs::Shape{...}})";
  };
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.get_variable("u"); }), invalid("<unknown>"));
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g_.get_variable("u", {.shape = vs::Shape{vs::kUnknownDim, 3}});
            }),
            invalid("(?, 3)"));
  EXPECT_EQ(
      error_of<vs::ValueError>([&] { g_.get_variable("u", {.shape = vs::Shape::unknown_rank()}); }),
      invalid("<unknown>"));
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g_.get_variable("u", {.shape = vs::Shape{vs::kUnknownDim}, .validate_shape = false});
            }),
            invalid("(?,)"));
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, UnknownDimsInAnInitialValue) {
  const std::string want =
      "initial_value must have a shape specified: Tensor(\"x:0\", shape=(?, 2), dtype=float32)";
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.variable(x_, {.name = "v"}); }), want);
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.get_variable("v", {.initializer = x_}); }), want);
  EXPECT_TRUE(Intact());
}

// validate_shape=false builds (as in TF), but the session cannot size the variable.
TEST_F(BadInput, VariableWithoutAFullShapeAtRunTime) {
  vs::Variable dyn = g_.variable(x_, {.name = "dyn", .validate_shape = false});
  Mark();
  EXPECT_EQ(error_of<vs::UnimplementedError>([&] {
              sess_->run(dyn.initializer(), {{x_, Floats({1, 2}, vs::Shape{1, 2})}});
            }),
            "Variable dyn has no fully defined shape (validate_shape=false)");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, NoDefaultInitializerForTheDtype) {
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g_.get_variable("c", {.shape = vs::Shape{2}, .dtype = vs::DType::kComplex64});
            }),
            "An initializer for variable c of <dtype: 'complex64'> is required");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, InitializerDtypeAndExplicitDtypeDisagree) {
  vs::Tensor i = vs::constant(g_, 1);
  Mark();
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { g_.get_variable("i", {.dtype = vs::DType::kFloat32, .initializer = i}); }),
            "Initializer type '<dtype: 'int32'>' and explicit dtype '<dtype: 'float32'>' don't "
            "match.");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, InitialValueMissing) {
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.variable(vs::Tensor(), {.name = "v"}); }),
            "initial_value must be specified.");
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.variable(std::function<vs::Tensor()>()); }),
            "initial_value must be specified.");
  // A callable that returns no tensor (TF: "None values not supported.").
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g_.variable(std::function<vs::Tensor()>([] { return vs::Tensor(); }), {.name = "v"});
            }),
            "The handle is empty (default-constructed)");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, InitialValueOfAnotherDtype) {
  // TF appends ": 'Tensor(\"x:0\", ...)'" (repr of str(tensor)).
  const std::string msg =
      error_of<vs::ValueError>([&] { g_.variable(x_, {.dtype = vs::DType::kInt32}); });
  EXPECT_TRUE(
      StartsWith(msg, "Tensor conversion requested dtype int32 for Tensor with dtype float32"))
      << msg;
  EXPECT_EQ(error_of<vs::TypeError>([&] {
              g_.variable(vs::HostTensor(1.5f), {.name = "v", .dtype = vs::DType::kInt32});
            }),
            "Expected int32, got 1.5 of type 'float' instead.");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, InitialValueFromAnotherGraph) {
  vs::Graph other;
  vs::Tensor c = vs::constant(other, 1.0f, {.name = "c"});
  const std::string want = "Tensor c:0 must be from the same graph as the op being built.";
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.variable(c, {.name = "v"}); }), want);
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.get_variable("v", {.initializer = c}); }), want);
  EXPECT_TRUE(Intact());
}

// float16/bfloat16 variables build (as in TF) but the backends have no elementwise kernels.
TEST_F(BadInput, HalfPrecisionVariableWithARandomInitializer) {
  vs::Variable h = g_.get_variable("h", {.shape = vs::Shape{2}, .dtype = vs::DType::kFloat16});
  Mark();
  EXPECT_EQ(error_of<vs::UnimplementedError>([&] { sess_->run(h.initializer()); }),
            "Sub on float16");
  EXPECT_TRUE(Intact());
}
