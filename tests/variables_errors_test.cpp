// The error texts of variables that apply to C++ (E1-E8, E20, E21, E24, E25, E28).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;

namespace {

using varscope::testing::error_of;

using varscope::testing::DoesNotExist;
using varscope::testing::ExpectAlreadyExists;
using varscope::testing::HasNumber;
using varscope::testing::Names;
using varscope::testing::Scalar;

}  // namespace

// =============================================================================================
// Error texts (docs/errors.md)
// =============================================================================================

TEST(Variables, E1_AlreadyExists) {
  vs::Graph g;
  {
    auto foo = g.variable_scope("foo");
    const int line = __LINE__ + 1;
    vs::Variable v = g.get_variable("v", {.shape = vs::Shape{1}});
    ExpectAlreadyExists(error_of<vs::ValueError>([&] { Scalar(g, "v"); }), "foo/v", line);
  }
  const int line = __LINE__ + 1;
  vs::Variable w = g.get_variable("w", {.shape = vs::Shape{1}});
  ExpectAlreadyExists(error_of<vs::ValueError>([&] { Scalar(g, "w"); }), "w", line);
}

TEST(Variables, E2_DoesNotExist) {
  vs::Graph g;
  auto root = g.variable_scope(g.get_variable_scope(), {.reuse = vs::Reuse::kTrue});
  EXPECT_EQ(error_of<vs::ValueError>([&] { Scalar(g, "nope"); }), DoesNotExist("nope"));
  auto s = g.variable_scope("outer");
  EXPECT_EQ(error_of<vs::ValueError>([&] { g.get_local_variable("l", {.shape = vs::Shape()}); }),
            DoesNotExist("outer/l"));
  EXPECT_TRUE(g.global_variables().empty());
  EXPECT_TRUE(g.local_variables().empty());
}

TEST(Variables, E3_ShapeMismatch) {
  vs::Graph g;
  Scalar(g, "s");
  g.get_variable("m", {.shape = vs::Shape{2, 3}});
  auto root = g.variable_scope(g.get_variable_scope(), {.reuse = vs::Reuse::kTrue});
  EXPECT_EQ(error_of<vs::ValueError>([&] { g.get_variable("s", {.shape = vs::Shape{1}}); }),
            "Trying to share variable s, but specified shape (1,) and found shape ().");
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g.get_variable("m", {.shape = vs::Shape{vs::kUnknownDim, 4}});
            }),
            "Trying to share variable m, but specified shape (?, 4) and found shape (2, 3).");
  EXPECT_EQ(g.get_variable("m", {.shape = vs::Shape{vs::kUnknownDim, 3}}).name(), "m:0");
}

TEST(Variables, E4_DtypeMismatch) {
  vs::Graph g;
  Scalar(g, "d");
  g.get_variable("i", {.shape = vs::Shape(), .dtype = vs::DType::kInt64});
  auto root = g.variable_scope(g.get_variable_scope(), {.reuse = vs::Reuse::kTrue});
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { g.get_variable("d", {.shape = vs::Shape(), .dtype = vs::DType::kFloat64}); }),
            "Trying to share variable d, but specified dtype float64 and found dtype float32_ref.");
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { g.get_variable("i", {.shape = vs::Shape(), .dtype = vs::DType::kInt32}); }),
            "Trying to share variable i, but specified dtype int32 and found dtype int64_ref.");
}

TEST(Variables, E5_ConstantInitializerWithShape) {
  vs::Graph g;
  vs::Tensor t = vs::constant(g, 0.1f);
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { g.get_variable("u", {.shape = vs::Shape{1}, .initializer = t}); }),
            "If initializer is a constant, do not specify shape.");
  // Also when the Tensor comes from the scope.
  auto s = g.variable_scope("foo", {.initializer = t});
  EXPECT_EQ(error_of<vs::ValueError>([&] { g.get_variable("v", {.shape = vs::Shape()}); }),
            "If initializer is a constant, do not specify shape.");
  EXPECT_EQ(g.get_variable("v").name(), "foo/v:0");
}

TEST(Variables, E8_InitializerDtypeMismatch) {
  vs::Graph g;
  vs::Tensor i = vs::constant(g, 1);
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { g.get_variable("x", {.dtype = vs::DType::kFloat32, .initializer = i}); }),
            "Initializer type '<dtype: 'int32'>' and explicit dtype '<dtype: 'float32'>' don't "
            "match.");
  // Checked before the constant-with-shape rule.
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g.get_variable(
                  "x", {.shape = vs::Shape{1}, .dtype = vs::DType::kFloat64, .initializer = i});
            }),
            "Initializer type '<dtype: 'int32'>' and explicit dtype '<dtype: 'float64'>' don't "
            "match.");
  EXPECT_EQ(g.get_variable("x", {.dtype = vs::DType::kInt32, .initializer = i}).name(), "x:0");
}

TEST(Variables, E20_InitialValueMustBeSpecified) {
  vs::Graph g;
  EXPECT_EQ(error_of<vs::ValueError>([&] { g.variable(vs::Tensor(), {.name = "v"}); }),
            "initial_value must be specified.");
}

TEST(Variables, E21_InitialValueMustHaveAShape) {
  vs::Graph g;
  vs::Tensor p = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 3});
  EXPECT_EQ(p.name(), "Placeholder:0");
  // "%s" is str(Tensor) in TF 1.15.
  EXPECT_EQ(error_of<vs::ValueError>([&] { g.variable(p); }),
            "initial_value must have a shape specified: Tensor(\"Placeholder:0\", shape=(?, 3), "
            "dtype=float32)");
  // validate_shape=false allows it.
  EXPECT_EQ(g.variable(p, {.name = "v", .validate_shape = false}).name(), "v:0");
}

TEST(Variables, E24_E25_ConstantInitializerShapes) {
  vs::Graph g;
  const std::vector<double> value{0, 1, 2, 3, 4, 5, 6, 7};
  EXPECT_EQ(g.get_variable(
                 "x", {.shape = vs::Shape{2, 4}, .initializer = vs::constant_initializer(value)})
                .name(),
            "x:0");
  // A shorter list fills with its last value: allowed.
  EXPECT_EQ(g.get_variable(
                 "y", {.shape = vs::Shape{3, 4}, .initializer = vs::constant_initializer(value)})
                .name(),
            "y:0");
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g.get_variable(
                  "z", {.shape = vs::Shape{2, 3}, .initializer = vs::constant_initializer(value)});
            }),
            "Too many elements provided. Needed at most 6, but received 8");
  EXPECT_EQ(error_of<vs::TypeError>([&] {
              g.get_variable(
                  "w", {.shape = vs::Shape{3, 4},
                        .initializer = vs::constant_initializer(value, {.verify_shape = true})});
            }),
            "Expected Tensor's shape: (3, 4), got (8,).");
}

TEST(Variables, E28_ScaleMustBePositive) {
  EXPECT_EQ(error_of<vs::ValueError>([] { vs::variance_scaling_initializer({.scale = 0.0}); }),
            "`scale` must be positive float.");
  EXPECT_EQ(error_of<vs::ValueError>([] { vs::variance_scaling_initializer({.scale = -1.0}); }),
            "`scale` must be positive float.");
  const vs::Initializer ok = vs::variance_scaling_initializer({.scale = 2.0});
  EXPECT_EQ(ok.kind(), vs::Initializer::Kind::kVarianceScaling);
}
