// Ops' errors: shape errors at build time (TF's wording, graph untouched), bad feeds at run time.
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

namespace {

// ---- a sentinel variable for the error tests ----

// An initialized variable "v" in a session on the graph; unchanged() checks that the graph
// has no new nodes since mark() and that the variable still holds its initial value.
class Sentinel {
 public:
  Sentinel(vs::Graph& g, const vs::SessionOptions& options) : g_(g) {
    initial_ =
        vs::HostTensor(std::vector<float>{1.5f, -2.0f, 3.25f, 0.5f, 8.0f, -1.0f}, vs::Shape{2, 3});
    v_ = g.variable(initial_, {.name = "v"});
    sess_.emplace(g, options);
    sess_->run(v_.initializer());
  }
  void mark() { ops_ = g_.num_operations(); }
  vs::Session& sess() { return *sess_; }
  const vs::Variable& variable() const { return v_; }
  const vs::HostTensor& initial() const { return initial_; }

  ::testing::AssertionResult unchanged() {
    if (g_.num_operations() != ops_) {
      return ::testing::AssertionFailure()
             << "the graph has " << g_.num_operations() << " operations, " << ops_ << " before";
    }
    const vs::HostTensor now = sess_->run(v_);
    if (!(now == initial_)) {
      return ::testing::AssertionFailure() << "v is now " << now.to_string();
    }
    return ::testing::AssertionSuccess();
  }

 private:
  vs::Graph& g_;
  vs::HostTensor initial_;
  vs::Variable v_;
  std::optional<vs::Session> sess_;
  std::size_t ops_ = 0;
};

}  // namespace

// ======================= graph-build errors =======================

class OpsBuildErrors : public vs::testing::BackendTest {};

TEST_P(OpsBuildErrors, MatMulShapeErrorsUseTensorFlowsWording) {
  vs::Graph g;
  Sentinel sentinel(g, options());
  vs::Tensor a = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 3}));
  vs::Tensor b = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{4, 5}));
  vs::Tensor vec = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{3}));
  vs::Tensor bt = vs::constant(g, vs::HostTensor(std::vector<float>(15, 1.0f), vs::Shape{3, 5}));
  sentinel.mark();
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::matmul(a, b); }),
            "Dimensions must be equal, but are 3 and 4 for 'MatMul' (op: 'MatMul') with input "
            "shapes: [2,3], [4,5].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::matmul(a, b, {.transpose_a = true}); }),
            "Dimensions must be equal, but are 2 and 4 for 'MatMul' (op: 'MatMul') with input "
            "shapes: [2,3], [4,5].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::matmul(vec, bt); }),
            "Shape must be rank 2 but is rank 1 for 'MatMul' (op: 'MatMul') with input shapes: "
            "[3], [3,5].");
  EXPECT_TRUE(sentinel.unchanged());
  vs::Tensor ok = vs::matmul(a, bt);
  EXPECT_EQ(ok.op().name(), "MatMul");
  EXPECT_EQ(vs::matmul(a, bt).op().name(), "MatMul_1");
  const vs::HostTensor got = sentinel.sess().run(ok);
  EXPECT_EQ(got.shape(), (vs::Shape{2, 5}));
  EXPECT_TRUE(sentinel.sess().run(sentinel.variable()) == sentinel.initial());
}

TEST_P(OpsBuildErrors, BatchMatMulInnerDimErrorUsesTensorFlowsWording) {
  vs::Graph g;
  Sentinel sentinel(g, options());
  vs::Tensor x = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 4, 5}));
  vs::Tensor z = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 3, 4}));
  vs::Tensor w = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{4, 6}));
  sentinel.mark();
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::matmul(x, z); }),
            "Dimensions must be equal, but are 5 and 3 for 'MatMul' (op: 'BatchMatMulV2') with "
            "input shapes: [2,4,5], [2,3,4].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::matmul(x, w); }),
            "Dimensions must be equal, but are 5 and 4 for 'MatMul' (op: 'BatchMatMulV2') with "
            "input shapes: [2,4,5], [4,6].");
  EXPECT_TRUE(sentinel.unchanged());
  vs::Tensor ok = vs::matmul(z, x);
  EXPECT_EQ(ok.op().name(), "MatMul");
  EXPECT_EQ(ok.shape(), (vs::Shape{2, 3, 5}));
  EXPECT_EQ(sentinel.sess().run(ok).shape(), (vs::Shape{2, 3, 5}));
}

// The shapes in the message are the op's input shapes, not those of the batch dims.
TEST_P(OpsBuildErrors, BatchMatMulBatchDimErrorNamesTheInputShapes) {
  vs::Graph g;
  Sentinel sentinel(g, options());
  vs::Tensor x = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 4, 5}));
  vs::Tensor y = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{3, 5, 6}));
  sentinel.mark();
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::matmul(x, y); }),
            "Dimensions must be equal, but are 2 and 3 for 'MatMul' (op: 'BatchMatMulV2') with "
            "input shapes: [2,4,5], [3,5,6].");
  EXPECT_TRUE(sentinel.unchanged());
  EXPECT_EQ(vs::matmul(x, x, {.transpose_b = true}).op().name(), "MatMul");
}

// BatchMatMulV2's shape function asks for rank >= 2 (WithRankAtLeast), not rank 2.
TEST_P(OpsBuildErrors, BatchMatMulRankErrorSaysAtLeastRankTwo) {
  vs::Graph g;
  Sentinel sentinel(g, options());
  vs::Tensor vec = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{3}));
  vs::Tensor z = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 3, 4}));
  sentinel.mark();
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::matmul(vec, z); }),
            "Shape must be at least rank 2 but is rank 1 for 'MatMul' (op: 'BatchMatMulV2') with "
            "input shapes: [3], [2,3,4].");
  EXPECT_TRUE(sentinel.unchanged());
}

TEST_P(OpsBuildErrors, BroadcastingErrorsUseTensorFlowsWording) {
  vs::Graph g;
  Sentinel sentinel(g, options());
  vs::Tensor a = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 3}));
  vs::Tensor d = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 4}));
  vs::Tensor e = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 1, 4}));
  vs::Tensor f = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{3, 2}));
  sentinel.mark();
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::add(a, d); }),
            "Dimensions must be equal, but are 3 and 4 for 'Add' (op: 'Add') with input shapes: "
            "[2,3], [2,4].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { (void)(a + d); }),
            "Dimensions must be equal, but are 3 and 4 for 'add' (op: 'AddV2') with input "
            "shapes: [2,3], [2,4].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { (void)(e * f); }),
            "Dimensions must be equal, but are 4 and 2 for 'mul' (op: 'Mul') with input shapes: "
            "[2,1,4], [3,2].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::divide(d, a); }),
            "Dimensions must be equal, but are 4 and 3 for 'truediv' (op: 'RealDiv') with input "
            "shapes: [2,4], [2,3].");
  EXPECT_TRUE(sentinel.unchanged());
  vs::Tensor ok = vs::add(a, a);
  EXPECT_EQ(ok.op().name(), "Add");
  vs::Tensor m = e * vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{3, 1}));
  EXPECT_EQ(m.op().name(), "mul");
  EXPECT_EQ(m.shape(), (vs::Shape{2, 3, 4}));
  EXPECT_EQ(sentinel.sess().run(ok).shape(), (vs::Shape{2, 3}));
}

TEST_P(OpsBuildErrors, BiasAddRankAndSizeErrorsUseTensorFlowsWording) {
  vs::Graph g;
  Sentinel sentinel(g, options());
  vs::Tensor a = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 3}));
  vs::Tensor vec3 = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{3}));
  vs::Tensor vec4 = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{4}));
  vs::Tensor row = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{1, 3}));
  sentinel.mark();
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::bias_add(a, vec4); }),
            "Dimensions must be equal, but are 3 and 4 for 'BiasAdd' (op: 'BiasAdd') with input "
            "shapes: [2,3], [4].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::bias_add(a, row); }),
            "Shape must be rank 1 but is rank 2 for 'BiasAdd' (op: 'BiasAdd') with input shapes: "
            "[2,3], [1,3].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::bias_add(vec3, vec3); }),
            "Shape must be at least rank 2 but is rank 1 for 'BiasAdd' (op: 'BiasAdd') with "
            "input shapes: [3], [3].");
  EXPECT_TRUE(sentinel.unchanged());
  vs::Tensor ok = vs::bias_add(a, vec3);
  EXPECT_EQ(ok.op().name(), "BiasAdd");
  EXPECT_EQ(sentinel.sess().run(ok).shape(), (vs::Shape{2, 3}));
}

// TF's BiasAddShape checks the value's rank before the bias's.
TEST_P(OpsBuildErrors, BiasAddChecksTheValueRankFirst) {
  vs::Graph g;
  Sentinel sentinel(g, options());
  vs::Tensor vec3 = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{3}));
  vs::Tensor row = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{1, 3}));
  sentinel.mark();
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::bias_add(vec3, row); }),
            "Shape must be at least rank 2 but is rank 1 for 'BiasAdd' (op: 'BiasAdd') with "
            "input shapes: [3], [1,3].");
  EXPECT_TRUE(sentinel.unchanged());
}

TEST_P(OpsBuildErrors, SoftmaxOfAScalar) {
  vs::Graph g;
  Sentinel sentinel(g, options());
  vs::Tensor s = vs::constant(g, 1.0f);
  sentinel.mark();
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::softmax(s); }),
            "Shape must be at least rank 1 but is rank 0 for 'Softmax' (op: 'Softmax') with "
            "input shapes: [].");
  EXPECT_TRUE(sentinel.unchanged());
  EXPECT_EQ(vs::softmax(sentinel.variable()).op().name(), "Softmax");
}

// TF's message ends with the axes Const's shape and value ("computed input tensors"),
// as shape inference reads the reduction indices.
TEST_P(OpsBuildErrors, ReduceAxisOutOfRangeUsesTensorFlowsWording) {
  vs::Graph g;
  Sentinel sentinel(g, options());
  vs::Tensor x = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 3, 4}));
  sentinel.mark();
  const std::string sum_error =
      error_of<vs::ValueError>([&] { vs::reduce_sum(x, {.axes = {{3}}}); });
  EXPECT_EQ(sum_error,
            "Invalid reduction dimension 3 for input with 3 dimensions. for 'Sum' (op: 'Sum') "
            "with input shapes: [2,3,4], [1] and with computed input tensors: input[1] = <3>.");
  const std::string mean_error = error_of<vs::ValueError>([&] {
    vs::reduce_mean(x, {.axes = {{0, -4}}});
  });
  EXPECT_EQ(mean_error,
            "Invalid reduction dimension -4 for input with 3 dimensions. for 'Mean' (op: 'Mean') "
            "with input shapes: [2,3,4], [2] and with computed input tensors: input[1] = <0 -4>.");
  EXPECT_TRUE(sentinel.unchanged());
  vs::Tensor ok = vs::reduce_sum(x, {.axes = {{2}}});
  EXPECT_EQ(ok.op().name(), "Sum");
  EXPECT_EQ(ok.op().input(1).op().name(), "Sum/reduction_indices");
  EXPECT_EQ(sentinel.sess().run(ok).shape(), (vs::Shape{2, 3}));
}

// The part of TF's message before the axes tensor: a negative axis out of range, the
// exception type, and the graph left as it was.
TEST_P(OpsBuildErrors, ReduceAxisOutOfRangeIsAValueErrorThatLeavesTheGraphUsable) {
  vs::Graph g;
  Sentinel sentinel(g, options());
  vs::Tensor x = vs::constant(g, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 3, 4}));
  sentinel.mark();
  const std::string error = error_of<vs::ValueError>([&] { vs::reduce_sum(x, {.axes = {{-4}}}); });
  EXPECT_TRUE(
      error.starts_with("Invalid reduction dimension -4 for input with 3 dimensions. for "
                        "'Sum' (op: 'Sum') with input shapes: [2,3,4]"))
      << error;
  EXPECT_TRUE(sentinel.unchanged());
  EXPECT_EQ(vs::reduce_sum(x).op().name(), "Sum");
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(OpsBuildErrors);

// ======================= run-time errors =======================

class OpsRunErrors : public vs::testing::BackendTest {};

TEST_P(OpsRunErrors, WrongFeedShapeOrDtypeNamesThePlaceholderAndChangesNothing) {
  vs::Graph g;
  vs::Variable v = g.variable(vs::HostTensor(std::vector<float>{1, 2, 3, 4, 5, 6}, vs::Shape{2, 3}),
                              {.name = "v"});
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3}, "x");
  vs::Tensor p = vs::placeholder(g, vs::DType::kFloat64, vs::Shape{vs::kUnknownDim, 3}, "p");
  vs::Tensor update = vs::assign_add(v, x);
  vs::Tensor product =
      vs::matmul(p, vs::constant(g, vs::HostTensor(vs::DType::kFloat64, vs::Shape{3, 2})));
  vs::Session sess(g, options());
  sess.run(v.initializer());
  const vs::HostTensor before = sess.run(v);
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess.run(update, {{x, vs::HostTensor(vs::DType::kFloat32, vs::Shape{3, 2})}});
            }),
            "Cannot feed value of shape (3, 2) for Tensor 'x:0', which has shape '(2, 3)'");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess.run(update, {{x, vs::HostTensor(vs::DType::kFloat64, vs::Shape{2, 3})}});
            }),
            "Cannot feed value of dtype float64 for Tensor 'x:0', which has dtype float32");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess.run(product, {{p, vs::HostTensor(vs::DType::kFloat64, vs::Shape{4, 2})}});
            }),
            "Cannot feed value of shape (4, 2) for Tensor 'p:0', which has shape '(?, 3)'");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess.run(product, {{p, vs::HostTensor(vs::DType::kFloat32, vs::Shape{4, 3})}});
            }),
            "Cannot feed value of dtype float32 for Tensor 'p:0', which has dtype float64");
  EXPECT_TRUE(sess.run(v) == before);
  sess.run(update, {{x, vs::HostTensor(std::vector<float>(6, 0.5f), vs::Shape{2, 3})}});
  EXPECT_EQ(values_of<float>(sess.run(v)),
            (std::vector<float>{1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f}));
}

TEST_P(OpsRunErrors, MatMulInnerMismatchFoundAtRunTimeIsInvalidArgument) {
  vs::Graph g;
  vs::Variable v =
      g.variable(vs::HostTensor(std::vector<float>(10, 1.0f), vs::Shape{2, 5}), {.name = "v"});
  vs::Tensor a = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, vs::kUnknownDim}, "a");
  vs::Tensor b = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 5}, "b");
  vs::Tensor write = vs::assign(v, vs::matmul(a, b));
  vs::Session sess(g, options());
  sess.run(v.initializer());
  const std::string error = error_of<vs::InvalidArgumentError>([&] {
    sess.run(write, {{a, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 3})},
                     {b, vs::HostTensor(vs::DType::kFloat32, vs::Shape{4, 5})}});
  });
  EXPECT_TRUE(error.starts_with("Matrix size-incompatible: In[0]: [2,3], In[1]: [4,5]")) << error;
  EXPECT_EQ(values_of<float>(sess.run(v)), std::vector<float>(10, 1.0f));
}

// TF's BCast: "Incompatible shapes: [2] vs. [3]", an InvalidArgumentError raised by the
// run, not a graph-building ValueError.
TEST_P(OpsRunErrors, IncompatibleBroadcastFoundAtRunTimeIsInvalidArgument) {
  vs::Graph g;
  vs::Variable v = g.variable(vs::HostTensor(std::vector<float>{1, 2, 3}), {.name = "v"});
  vs::Tensor q = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim}, "q");
  vs::Tensor sum = q + vs::constant(g, vs::HostTensor(std::vector<float>{10, 20, 30}));
  EXPECT_EQ(sum.shape(), (vs::Shape{3}));
  vs::Tensor write = vs::assign(v, sum);
  vs::Session sess(g, options());
  sess.run(v.initializer());
  const std::string error = error_of<vs::InvalidArgumentError>([&] {
    sess.run(write, {{q, vs::HostTensor(std::vector<float>{1, 2})}});
  });
  EXPECT_TRUE(error.starts_with("Incompatible shapes: [2] vs. [3]")) << error;
  EXPECT_EQ(values_of<float>(sess.run(v)), (std::vector<float>{1, 2, 3}));
  // A size-1 feed broadcasts.
  sess.run(write, {{q, vs::HostTensor(std::vector<float>{1})}});
  EXPECT_EQ(values_of<float>(sess.run(v)), (std::vector<float>{11, 21, 31}));
}

TEST_P(OpsRunErrors, AssignOfAWrongSizedValueIsInvalidArgumentAndChangesNothing) {
  vs::Graph g;
  vs::Variable v = g.variable(vs::HostTensor(std::vector<float>{1, 2}), {.name = "v"});
  vs::Tensor q = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim}, "q");
  vs::Tensor set = vs::assign(v, q);
  vs::Session sess(g, options());
  sess.run(v.initializer());
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess.run(set, {{q, vs::HostTensor(std::vector<float>{7, 8, 9})}});
            }),
            "Assign requires shapes of both tensors to match. lhs shape= [2] rhs shape= [3]");
  EXPECT_EQ(values_of<float>(sess.run(v)), (std::vector<float>{1, 2}));
}

// TF's DenseUpdateOp: "Parameters and update must be the same size".
TEST_P(OpsRunErrors, AssignAddOfAWrongSizedValueIsInvalidArgumentAndChangesNothing) {
  vs::Graph g;
  vs::Variable v = g.variable(vs::HostTensor(std::vector<float>{1, 2}), {.name = "v"});
  vs::Tensor q = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim}, "q");
  vs::Tensor add = vs::assign_add(v, q);
  vs::Session sess(g, options());
  sess.run(v.initializer());
  for (const std::vector<float>& bad : {std::vector<float>{7, 8, 9}, std::vector<float>{7}}) {
    SCOPED_TRACE(bad.size());
    const std::string error = error_of<vs::InvalidArgumentError>([&] {
      sess.run(add, {{q, vs::HostTensor(bad)}});
    });
    EXPECT_TRUE(error.starts_with("Parameters and update must be the same size")) << error;
    EXPECT_EQ(values_of<float>(sess.run(v)), (std::vector<float>{1, 2}));
  }
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(OpsRunErrors);
