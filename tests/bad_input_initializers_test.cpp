// Bad input, initializers: values, dtypes and arguments the initializers refuse.
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

// ============================== initializers ==============================

TEST_F(BadInput, ConstantInitializerWithTooManyValues) {
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g_.get_variable("c",
                              {.shape = vs::Shape{2, 3},
                               .initializer = vs::constant_initializer({1, 2, 3, 4, 5, 6, 7})});
            }),
            "Too many elements provided. Needed at most 6, but received 7");
  EXPECT_EQ(
      error_of<vs::ValueError>([&] {
        vs::constant(g_, vs::HostTensor(std::vector<float>{1, 2, 3}), {.shape = vs::Shape{2}});
      }),
      "Too many elements provided. Needed at most 2, but received 3");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, ConstantInitializerShapeNotVerified) {
  EXPECT_EQ(error_of<vs::TypeError>([&] {
              g_.get_variable("c", {.shape = vs::Shape{2, 3},
                                    .initializer = vs::constant_initializer(
                                        {1, 2, 3, 4, 5, 6}, {.verify_shape = true})});
            }),
            "Expected Tensor's shape: (2, 3), got (6,).");
  EXPECT_EQ(error_of<vs::TypeError>([&] {
              vs::constant(g_, vs::HostTensor(std::vector<float>{1, 2, 3}),
                           {.shape = vs::Shape{3, 1}, .verify_shape = true});
            }),
            "Expected Tensor's shape: (3, 1), got (3,).");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, FractionalValueForAnIntegerDtype) {
  EXPECT_EQ(error_of<vs::TypeError>([&] {
              g_.get_variable("c", {.shape = vs::Shape{2},
                                    .dtype = vs::DType::kInt32,
                                    .initializer = vs::constant_initializer(2.5)});
            }),
            "Expected int32, got 2.5 of type 'float' instead.");
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::constant(g_, 2.5f, {.dtype = vs::DType::kInt32}); }),
            "Expected int32, got 2.5 of type 'float' instead.");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, UniformInitializerOfAnIntegerOrBoolDtype) {
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g_.get_variable("c", {.shape = vs::Shape{3},
                                    .dtype = vs::DType::kInt32,
                                    .initializer = vs::random_uniform_initializer()});
            }),
            "Must specify maxval for integer dtype tf.int32");
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { vs::random_uniform(g_, vs::Shape{3}, {.dtype = vs::DType::kInt64}); }),
            "Must specify maxval for integer dtype tf.int64");
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g_.get_variable("c", {.shape = vs::Shape{3},
                                    .dtype = vs::DType::kBool,
                                    .initializer = vs::random_uniform_initializer({.maxval = 1})});
            }),
            "Invalid dtype tf.bool");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, IntegerUniformWithMinvalNotBelowMaxval) {
  vs::Tensor r =
      vs::random_uniform(g_, vs::Shape{3}, {.minval = 3, .maxval = 1, .dtype = vs::DType::kInt32});
  Mark();
  const std::string msg = error_of<vs::InvalidArgumentError>([&] { sess_->run(r); });
  EXPECT_TRUE(StartsWith(msg, "Need minval < maxval: 3 >= 1")) << msg;
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, NormalInitializersOfAnIntegerDtype) {
  for (const vs::Initializer& init :
       {vs::random_normal_initializer(), vs::truncated_normal_initializer(),
        vs::glorot_uniform_initializer(), vs::variance_scaling_initializer()}) {
    EXPECT_EQ(error_of<vs::ValueError>([&] {
                g_.get_variable(
                    "c", {.shape = vs::Shape{3}, .dtype = vs::DType::kInt32, .initializer = init});
              }),
              "Expected floating point type, got <dtype: 'int32'>.");
  }
  EXPECT_EQ(error_of<vs::TypeError>(
                [&] { vs::random_normal(g_, vs::Shape{3}, {.dtype = vs::DType::kInt32}); }),
            "Value passed to parameter 'dtype' has DataType int32 not in list of allowed values: "
            "float16, bfloat16, float32, float64");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, VarianceScalingWithANonPositiveScale) {
  EXPECT_EQ(error_of<vs::ValueError>([] { vs::variance_scaling_initializer({.scale = 0.0}); }),
            "`scale` must be positive float.");
  EXPECT_EQ(error_of<vs::ValueError>([] { vs::variance_scaling_initializer({.scale = -2.0}); }),
            "`scale` must be positive float.");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, UnknownDimsWhereARandomOrConstantNeedsAFullShape) {
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::random_normal(g_, vs::Shape{vs::kUnknownDim}); }),
            "RandomStandardNormal needs a fully defined shape, got (?,)");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::truncated_normal(g_, vs::Shape::unknown_rank()); }),
            "TruncatedNormal needs a fully defined shape, got <unknown>");
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              vs::random_uniform(g_, vs::Shape{vs::kUnknownDim, 2});
            }),
            "RandomUniform needs a fully defined shape, got (?, 2)");
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { vs::constant(g_, 1.0f, {.shape = vs::Shape{vs::kUnknownDim}}); }),
            "Cannot create a constant of partially known shape (?,)");
  EXPECT_EQ(error_of<vs::ValueError>(
                [] { vs::HostTensor t(vs::DType::kFloat32, vs::Shape{vs::kUnknownDim}); }),
            "A HostTensor needs a fully defined shape, got (?,)");
  EXPECT_TRUE(Intact());
}
