// The ops' default names as TensorFlow gives them, and the reductions' axes constants.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "backend_test.h"
#include "ops_test_util.h"
#include "test_util.h"
#include "test_values.h"
#include "varscope/varscope.h"

namespace vs = varscope;
using namespace ops_test;  // NOLINT: the helpers of ops_test_util.h

// ======================= default names =======================

TEST(OpsNames, DefaultNamesFollowTensorFlow) {
  vs::Graph g;
  vs::Tensor a = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3}, "a");
  vs::Tensor b = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{3, 4}, "b");
  vs::Tensor c = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{3}, "c");
  EXPECT_EQ(vs::matmul(a, b).op().name(), "MatMul");
  EXPECT_EQ(vs::matmul(a, b).op().name(), "MatMul_1");
  EXPECT_EQ(vs::relu(a).op().name(), "Relu");
  EXPECT_EQ(vs::softmax(a).op().name(), "Softmax");
  EXPECT_EQ(vs::bias_add(a, c).op().name(), "BiasAdd");
  EXPECT_EQ(vs::cast(a, vs::DType::kInt32).op().name(), "Cast");
  EXPECT_EQ(vs::cast(a, vs::DType::kInt64).op().name(), "Cast_1");
  EXPECT_EQ(vs::relu(a).op().name(), "Relu_1");
}

TEST(OpsNames, ReduceWithoutAxesBuildsAConstJustBeforeTheOp) {
  vs::Graph g;
  vs::Tensor a = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3}, "a");
  vs::Tensor s = vs::reduce_sum(a);
  EXPECT_EQ(s.op().name(), "Sum");
  EXPECT_EQ(s.op().type(), "Sum");
  EXPECT_EQ(s.shape(), vs::Shape{});
  const std::vector<vs::Operation> ops = g.operations();
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[1].name(), "Const");
  EXPECT_EQ(ops[1].type(), "Const");
  EXPECT_EQ(ops[2], s.op());
  ASSERT_EQ(s.op().num_inputs(), 2);
  EXPECT_EQ(s.op().input(1).op(), ops[1]);
  EXPECT_TRUE(ops[1].attr_tensor("value") == vs::HostTensor(std::vector<std::int32_t>{0, 1}));
  EXPECT_FALSE(s.op().attr_bool("keep_dims"));
  vs::Tensor m = vs::reduce_mean(a, {.keepdims = true});
  EXPECT_EQ(m.op().name(), "Mean");
  EXPECT_EQ(m.op().input(1).op().name(), "Const_1");
  EXPECT_TRUE(m.op().attr_bool("keep_dims"));
  EXPECT_EQ(m.shape(), (vs::Shape{1, 1}));
}

TEST(OpsNames, ReduceWithAxesConvertsThemInsideTheOpsScope) {
  vs::Graph g;
  vs::Tensor a = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3, 4}, "a");
  vs::Tensor s = vs::reduce_sum(a, {.axes = {{-1, 0}}});
  EXPECT_EQ(s.op().name(), "Sum");
  EXPECT_EQ(s.op().input(1).op().name(), "Sum/reduction_indices");
  EXPECT_TRUE(s.op().input(1).op().attr_tensor("value") ==
              vs::HostTensor(std::vector<std::int32_t>{-1, 0}));
  EXPECT_EQ(s.shape(), (vs::Shape{3}));
  vs::Tensor s1 = vs::reduce_sum(a, {.axes = {{1}}, .keepdims = true});
  EXPECT_EQ(s1.op().name(), "Sum_1");
  EXPECT_EQ(s1.op().input(1).op().name(), "Sum_1/reduction_indices");
  EXPECT_EQ(s1.shape(), (vs::Shape{2, 1, 4}));
  vs::Tensor named = vs::reduce_mean(a, {.axes = {{2}}, .name = "avg"});
  EXPECT_EQ(named.op().name(), "avg");
  EXPECT_EQ(named.op().input(1).op().name(), "avg/reduction_indices");
  EXPECT_EQ(g.num_operations(), 7u);
}
