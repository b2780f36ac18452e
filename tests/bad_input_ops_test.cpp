// Bad input, ops at graph-build time: dtypes, shapes, empty handles, two graphs.
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

// ============================ ops: graph building =========================

TEST_F(BadInput, InputsOfTwoDtypes) {
  vs::Tensor i =
      vs::constant(g_, vs::HostTensor(std::vector<std::int32_t>{1, 2, 3, 4}, vs::Shape{2, 2}));
  vs::Tensor f = vs::constant(g_, Floats({1, 2, 3, 4}, vs::Shape{2, 2}));
  vs::Tensor b_as_int = vs::cast(b_, vs::DType::kInt32);
  Mark();
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::add(f, i); }),
            "Input 'y' of 'Add' Op has type int32 that does not match type float32 of argument "
            "'x'.");
  EXPECT_EQ(error_of<vs::TypeError>([&] { (void)(f + i); }),
            "Input 'y' of 'AddV2' Op has type int32 that does not match type float32 of argument "
            "'x'.");
  EXPECT_EQ(error_of<vs::TypeError>([&] { (void)(f - i); }),
            "Input 'y' of 'Sub' Op has type int32 that does not match type float32 of argument "
            "'x'.");
  EXPECT_EQ(error_of<vs::TypeError>([&] { (void)(f * i); }),
            "Input 'y' of 'Mul' Op has type int32 that does not match type float32 of argument "
            "'x'.");
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::matmul(f, i); }),
            "Input 'b' of 'MatMul' Op has type int32 that does not match type float32 of "
            "argument 'a'.");
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::assign(b_, b_as_int); }),
            "Input 'value' of 'Assign' Op has type int32 that does not match type float32 of "
            "argument 'ref'.");
  EXPECT_TRUE(Intact());
}

// TF 1.15's truediv (tf.divide and the / operator) checks the dtypes itself, before any op:
// _truediv_python3 raises TypeError("x and y must have the same dtype, got %r != %r").
TEST_F(BadInput, DivideOfTwoDtypes) {
  vs::Tensor i = vs::constant(g_, vs::HostTensor(std::vector<std::int32_t>{1, 2}));
  vs::Tensor f = vs::constant(g_, Floats({1, 2}, vs::Shape{2}));
  Mark();
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::divide(f, i); }),
            "x and y must have the same dtype, got tf.float32 != tf.int32");
  EXPECT_EQ(error_of<vs::TypeError>([&] { (void)(f / i); }),
            "x and y must have the same dtype, got tf.float32 != tf.int32");
  EXPECT_TRUE(Intact());
}

// TF 1.15's nn.bias_add converts the bias with dtype=value.dtype first: a ValueError from
// convert_to_tensor, not the op's TypeError.
TEST_F(BadInput, BiasAddOfAnotherDtype) {
  vs::Tensor bias64 = vs::constant(g_, vs::HostTensor(std::vector<double>{1, 2, 3}));
  Mark();
  const std::string msg = error_of<vs::ValueError>([&] { vs::bias_add(y_, bias64); });
  EXPECT_TRUE(
      StartsWith(msg, "Tensor conversion requested dtype float32 for Tensor with dtype float64"))
      << msg;
  EXPECT_TRUE(Intact());
}

// TF's type lists (op_def_library's message, the op table's types column).
TEST_F(BadInput, ActivationOfAnIntegerDtype) {
  vs::Tensor i = vs::constant(g_, vs::HostTensor(std::vector<std::int32_t>{1, 2}));
  Mark();
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::sigmoid(i); }),
            "Value passed to parameter 'x' has DataType int32 not in list of allowed values: "
            "bfloat16, float16, float32, float64, complex64, complex128");
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::tanh(i); }),
            "Value passed to parameter 'x' has DataType int32 not in list of allowed values: "
            "bfloat16, float16, float32, float64, complex64, complex128");
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::softmax(i); }),
            "Value passed to parameter 'logits' has DataType int32 not in list of allowed "
            "values: float16, bfloat16, float32, float64");
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::exp(i); }),
            "Value passed to parameter 'x' has DataType int32 not in list of allowed values: "
            "bfloat16, float16, float32, float64, complex64, complex128");
  EXPECT_TRUE(Intact());
}

// TF's Relu takes integers (realnumbertypes): the graph builds, and the run is refused
// before it starts, since varscope's kernel computes float32 and float64 only.
TEST_F(BadInput, ReluOfAnIntegerBuildsAndItsRunIsRefused) {
  vs::Tensor i = vs::constant(g_, vs::HostTensor(std::vector<std::int32_t>{1, 2}));
  vs::Tensor r = vs::relu(i);
  Mark();
  EXPECT_EQ(error_of<vs::UnimplementedError>([&] { sess_->run(r); }), "Relu on int32");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, AssignOfAnotherShape) {
  vs::Tensor v32 = vs::constant(g_, Floats({1, 2, 3, 4, 5, 6}, vs::Shape{3, 2}));
  vs::Tensor v3 = vs::constant(g_, Floats({1, 2, 3}, vs::Shape{3}));
  Mark();
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::assign(w_, v32); }),
            "Dimension 0 in both shapes must be equal, but are 2 and 3. Shapes are [2,3] and "
            "[3,2]. for 'Assign' (op: 'Assign') with input shapes: [2,3], [3,2].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::assign_add(w_, v3); }),
            "Shapes must be equal rank, but are 2 and 1 for 'AssignAdd' (op: 'AssignAdd') with "
            "input shapes: [2,3], [3].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::assign(w_, 1.5f); }),
            "Shapes must be equal rank, but are 2 and 0 for 'Assign' (op: 'Assign') with input "
            "shapes: [2,3], [].");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, MatMulAndBroadcastShapeMismatch) {
  vs::Tensor a = vs::constant(g_, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 4}));
  Mark();
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::matmul(a, w_); }),
            "Dimensions must be equal, but are 4 and 2 for 'MatMul_1' (op: 'MatMul') with input "
            "shapes: [2,4], [2,3].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { (void)(a + w_); }),
            "Dimensions must be equal, but are 4 and 3 for 'add_1' (op: 'AddV2') with input "
            "shapes: [2,4], [2,3].");
  EXPECT_TRUE(Intact());
}

// Documented limits: tf.cast between float32, float64, int32 and int64 only (refused when the
// op is built); MatMul on float32/float64 only (TF also has int32; refused when it runs).
TEST_F(BadInput, UnsupportedCastOrMatMulDtype) {
  vs::Tensor i = vs::constant(g_, vs::HostTensor(vs::DType::kInt32, vs::Shape{2, 2}));
  vs::Tensor product = vs::matmul(i, i);
  Mark();
  EXPECT_EQ(error_of<vs::UnimplementedError>([&] { vs::cast(x_, vs::DType::kBool); }),
            "Cast from float32 to bool is not supported");
  EXPECT_EQ(error_of<vs::UnimplementedError>([&] { sess_->run(product); }), "MatMul on int32");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, EmptyHandlesAndOpsWithNoGraph) {
  const std::string empty = "The handle is empty (default-constructed)";
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::add(vs::Tensor(), x_); }), empty);
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::assign(vs::Variable(), x_); }), empty);
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::group({vs::Operation()}); }), empty);
  EXPECT_EQ(error_of<vs::ValueError>([] { (void)vs::Tensor().name(); }), empty);
  EXPECT_EQ(error_of<vs::ValueError>([&] { sess_->run(vs::Tensor()); }), empty);
  EXPECT_EQ(error_of<vs::ValueError>([&] { sess_->run(vs::Operation()); }), empty);
  EXPECT_EQ(error_of<vs::ValueError>([&] { sess_->run(vs::Variable()); }), empty);
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              sess_->run(y_, {{vs::Tensor(), vs::HostTensor(1.0f)}});
            }),
            empty);
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::add(1.0f, 2.0f); }),
            "An op needs at least one Tensor input to know its graph");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::group({}); }),
            "group needs at least one input to know its graph");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, OpsMixingTwoGraphs) {
  vs::Graph other;
  vs::Tensor c = vs::constant(other, 1.0f, {.name = "c"});
  vs::Variable v = other.get_variable("v", {.shape = vs::Shape{1}});
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::add(x_, c); }),
            "Tensor c:0 must be from the same graph as the op being built.");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::assign(b_, vs::Input(c)); }),
            "Tensor c:0 must be from the same graph as the op being built.");
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g_.variables_initializer({w_, v});
            }),
            "variables_initializer: variable v:0 is from another graph");
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.is_variable_initialized(v); }),
            "is_variable_initialized: variable v:0 is from another graph");
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              vs::group({w_.initializer(), v.initializer()});
            }),
            "group: all inputs must be from the same graph");
  EXPECT_TRUE(Intact());
}
