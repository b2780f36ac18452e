#include <gtest/gtest.h>

#include <sstream>

#include "varscope/dtype.h"
#include "varscope/errors.h"
#include "varscope/shape.h"

namespace vs = varscope;

TEST(DType, NamesAsTensorFlow) {
  EXPECT_EQ(vs::dtype_name(vs::DType::kFloat32), "float32");
  EXPECT_EQ(vs::dtype_name(vs::DType::kFloat64), "float64");
  EXPECT_EQ(vs::dtype_name(vs::DType::kInt32), "int32");
  EXPECT_EQ(vs::dtype_name(vs::DType::kInt64), "int64");
  EXPECT_EQ(vs::dtype_name(vs::DType::kBFloat16), "bfloat16");
  EXPECT_EQ(vs::dtype_name(vs::DType::kComplex64), "complex64");
  EXPECT_EQ(vs::dtype_ref_name(vs::DType::kFloat32), "float32_ref");
  EXPECT_EQ(vs::dtype_repr(vs::DType::kInt32), "<dtype: 'int32'>");
  std::ostringstream os;
  os << vs::DType::kFloat16;
  EXPECT_EQ(os.str(), "float16");
}

TEST(DType, RoundTripsThroughNames) {
  for (auto d : {vs::DType::kFloat16, vs::DType::kBFloat16, vs::DType::kFloat32,
                 vs::DType::kFloat64, vs::DType::kInt8, vs::DType::kInt16, vs::DType::kInt32,
                 vs::DType::kInt64, vs::DType::kUInt8, vs::DType::kBool, vs::DType::kComplex64}) {
    EXPECT_EQ(vs::dtype_from_name(vs::dtype_name(d)), d);
  }
  EXPECT_THROW(vs::dtype_from_name("float33"), vs::ValueError);
}

TEST(DType, SizesAndKinds) {
  EXPECT_EQ(vs::dtype_size(vs::DType::kFloat32), 4u);
  EXPECT_EQ(vs::dtype_size(vs::DType::kFloat64), 8u);
  EXPECT_EQ(vs::dtype_size(vs::DType::kInt64), 8u);
  EXPECT_EQ(vs::dtype_size(vs::DType::kBool), 1u);
  EXPECT_TRUE(vs::is_floating(vs::DType::kBFloat16));
  EXPECT_FALSE(vs::is_floating(vs::DType::kInt32));
  EXPECT_TRUE(vs::is_integer(vs::DType::kUInt8));
  EXPECT_FALSE(vs::is_integer(vs::DType::kBool));
  EXPECT_TRUE(vs::is_complex(vs::DType::kComplex64));
  EXPECT_EQ(vs::dtype_of_v<float>, vs::DType::kFloat32);
  EXPECT_EQ(vs::dtype_of_v<std::int64_t>, vs::DType::kInt64);
}

TEST(Shape, PrintsLikeTensorFlow) {
  EXPECT_EQ(vs::Shape().to_string(), "()");
  EXPECT_EQ(vs::Shape({2}).to_string(), "(2,)");
  EXPECT_EQ(vs::Shape({2, 3}).to_string(), "(2, 3)");
  EXPECT_EQ(vs::Shape({vs::kUnknownDim, 3}).to_string(), "(?, 3)");
  EXPECT_EQ(vs::Shape({vs::kUnknownDim}).to_string(), "(?,)");
  EXPECT_EQ(vs::Shape::unknown_rank().to_string(), "<unknown>");
  EXPECT_EQ(vs::Shape({2, 3}).to_list_string(), "[2,3]");
  EXPECT_EQ(vs::Shape({vs::kUnknownDim, 3}).to_list_string(), "[?,3]");
  EXPECT_EQ(vs::Shape::unknown_rank().to_list_string(), "?");
}

TEST(Shape, ElementsAndDefinedness) {
  EXPECT_EQ(vs::Shape().num_elements(), 1);
  EXPECT_EQ(vs::Shape({2, 3, 4}).num_elements(), 24);
  EXPECT_EQ(vs::Shape({0, 3}).num_elements(), 0);
  EXPECT_EQ(vs::Shape({vs::kUnknownDim, 3}).num_elements(), -1);
  EXPECT_FALSE(vs::Shape::unknown_rank().is_fully_defined());
  EXPECT_EQ(vs::Shape::unknown_rank().rank(), -1);
  EXPECT_EQ(vs::Shape({5, 6}).rank(), 2);
  EXPECT_EQ(vs::Shape({5, 6}).dim(1), 6);
}

TEST(Shape, CompatibilityFollowsTensorFlow) {
  const vs::Shape s23{2, 3};
  EXPECT_TRUE(s23.is_compatible_with(vs::Shape{2, 3}));
  EXPECT_TRUE(s23.is_compatible_with(vs::Shape({vs::kUnknownDim, 3})));
  EXPECT_TRUE(s23.is_compatible_with(vs::Shape::unknown_rank()));
  EXPECT_TRUE(vs::Shape::unknown_rank().is_compatible_with(vs::Shape()));
  EXPECT_FALSE(s23.is_compatible_with(vs::Shape{3, 2}));
  EXPECT_FALSE(s23.is_compatible_with(vs::Shape{2, 3, 1}));
  EXPECT_FALSE(vs::Shape({1}).is_compatible_with(vs::Shape()));
}

TEST(Shape, RejectsNegativeDims) {
  EXPECT_THROW(vs::Shape({2, -3}), vs::ValueError);
}

TEST(Errors, CarryTensorFlowStatusCodes) {
  EXPECT_EQ(vs::ValueError("x").code(), vs::StatusCode::kInvalidArgument);
  EXPECT_EQ(vs::TypeError("x").code(), vs::StatusCode::kInvalidArgument);
  EXPECT_EQ(vs::RuntimeError("x").code(), vs::StatusCode::kFailedPrecondition);
  EXPECT_EQ(vs::InvalidArgumentError("x").code(), vs::StatusCode::kInvalidArgument);
  EXPECT_EQ(vs::NotFoundError("x").code(), vs::StatusCode::kNotFound);
  EXPECT_EQ(vs::AlreadyExistsError("x").code(), vs::StatusCode::kAlreadyExists);
  EXPECT_EQ(vs::FailedPreconditionError("x").code(), vs::StatusCode::kFailedPrecondition);
  EXPECT_EQ(vs::ResourceExhaustedError("x").code(), vs::StatusCode::kResourceExhausted);
  EXPECT_EQ(vs::UnimplementedError("x").code(), vs::StatusCode::kUnimplemented);
  EXPECT_EQ(vs::InternalError("x").code(), vs::StatusCode::kInternal);
  EXPECT_EQ(vs::UnavailableError("x").code(), vs::StatusCode::kUnavailable);
  EXPECT_EQ(vs::DataLossError("x").code(), vs::StatusCode::kDataLoss);
  EXPECT_EQ(static_cast<int>(vs::StatusCode::kFailedPrecondition), 9);
  EXPECT_EQ(vs::status_code_name(vs::StatusCode::kResourceExhausted), "RESOURCE_EXHAUSTED");
}

TEST(Errors, AllDeriveFromErrorAndKeepTheMessage) {
  try {
    throw vs::FailedPreconditionError("Attempting to use uninitialized value V1/a2");
  } catch (const vs::Error& e) {
    EXPECT_STREQ(e.what(), "Attempting to use uninitialized value V1/a2");
    EXPECT_EQ(e.code(), vs::StatusCode::kFailedPrecondition);
  }
  static_assert(std::is_base_of_v<std::runtime_error, vs::Error>);
  static_assert(std::is_base_of_v<vs::Error, vs::ValueError>);
}
