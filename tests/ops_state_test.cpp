// assign and assign_add on every dtype, int64 exactness beyond 2^53.
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

// ======================= assign / assign_add =======================

class OpsState : public vs::testing::BackendTest {};

TEST_P(OpsState, AssignAndAssignAddOnEveryDtype) {
  std::mt19937 rng(6001);
  for (vs::DType dtype :
       {vs::DType::kFloat32, vs::DType::kFloat64, vs::DType::kInt32, vs::DType::kInt64}) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    const vs::Shape shape{2, 3};
    const vs::HostTensor init = random_tensor(rng, dtype, shape, -100, 100);
    const vs::HostTensor value = random_tensor(rng, dtype, shape, -100, 100);
    const vs::HostTensor inc = random_tensor(rng, dtype, shape, -100, 100);
    vs::Graph g;
    vs::Variable v = g.variable(init, {.name = "v"});
    vs::Tensor set = vs::assign(v, vs::constant(g, value));
    vs::Tensor add = vs::assign_add(v, vs::constant(g, inc));
    EXPECT_EQ(set.op().name(), "Assign");
    EXPECT_EQ(add.op().name(), "AssignAdd");
    EXPECT_EQ(set.dtype(), dtype);
    EXPECT_EQ(add.shape(), shape);
    vs::Session sess(g, options());
    sess.run(v.initializer());
    EXPECT_TRUE(sess.run(v) == init);
    EXPECT_TRUE(sess.run(set) == value);
    EXPECT_TRUE(sess.run(v) == value);
    const std::vector<double> once =
        broadcast_ref(doubles(value), shape, doubles(inc), shape, std::plus<double>());
    const Tol tol = vs::is_integer(dtype) ? kExact : ulp_tol(dtype);
    EXPECT_TRUE(Near(sess.run(add), dtype, shape, once, tol));
    EXPECT_TRUE(Near(sess.run(v), dtype, shape, once, tol));
    (void)sess.run(add);
    const std::vector<double> twice =
        broadcast_ref(once, shape, doubles(inc), shape, std::plus<double>());
    EXPECT_TRUE(
        Near(sess.run(v), dtype, shape, twice, vs::is_integer(dtype) ? kExact : math_tol(dtype)));
  }
}

TEST_P(OpsState, Int64AssignAddIsExactBeyondTwoToThe53) {
  vs::Graph g;
  vs::Variable v = g.variable(
      vs::HostTensor(std::vector<std::int64_t>{kTwoTo53 + 1, -kTwoTo53 - 1, 3'000'000'000}),
      {.name = "v"});
  vs::Tensor add =
      vs::assign_add(v, vs::HostTensor(std::vector<std::int64_t>{2, -2, 3'000'000'000}));
  vs::Session sess(g, options());
  sess.run(v.initializer());
  sess.run(add);
  EXPECT_EQ(values_of<std::int64_t>(sess.run(v)),
            (std::vector<std::int64_t>{kTwoTo53 + 3, -kTwoTo53 - 3, 6'000'000'000}));
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(OpsState);
