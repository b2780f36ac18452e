// matmul against a double reference: sizes, transposes, batched, empty, dims fed at run time.
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

struct Product {
  vs::Shape shape;
  std::vector<double> values;
  std::vector<double> scale;  // sum over k of |a| |b|
};

// op(a) @ op(b) for rank >= 2 operands whose batch dims are equal, or absent on one side.
Product matmul_ref(const std::vector<double>& a,
                   const vs::Shape& as,
                   const std::vector<double>& b,
                   const vs::Shape& bs,
                   bool ta,
                   bool tb) {
  const Dims& da = as.dims();
  const Dims& db = bs.dims();
  const std::int64_t ar = da[da.size() - 2], ac = da[da.size() - 1];
  const std::int64_t br = db[db.size() - 2], bc = db[db.size() - 1];
  const std::int64_t m = ta ? ac : ar, k = ta ? ar : ac, n = tb ? br : bc;
  const Dims batch_a(da.begin(), da.end() - 2), batch_b(db.begin(), db.end() - 2);
  Dims out = batch_a.size() >= batch_b.size() ? batch_a : batch_b;
  const std::int64_t batches = count_of(out);
  out.push_back(m);
  out.push_back(n);
  Product p{vs::Shape(out), std::vector<double>(static_cast<std::size_t>(batches * m * n)), {}};
  p.scale.resize(p.values.size());
  const bool a_batched = !batch_a.empty(), b_batched = !batch_b.empty();
  for (std::int64_t q = 0; q < batches; ++q) {
    const double* A = a.data() + (a_batched ? q * ar * ac : 0);
    const double* B = b.data() + (b_batched ? q * br * bc : 0);
    for (std::int64_t i = 0; i < m; ++i) {
      for (std::int64_t j = 0; j < n; ++j) {
        double s = 0.0, mag = 0.0;
        for (std::int64_t l = 0; l < k; ++l) {
          const double x = ta ? A[l * ac + i] : A[i * ac + l];
          const double y = tb ? B[j * bc + l] : B[l * bc + j];
          s += x * y;
          mag += std::abs(x * y);
        }
        const auto o = static_cast<std::size_t>((q * m + i) * n + j);
        p.values[o] = s;
        p.scale[o] = mag;
      }
    }
  }
  return p;
}

}  // namespace

// ======================= matmul =======================

class OpsMatMul : public vs::testing::BackendTest {};

TEST_P(OpsMatMul, SizesAndAllFourTransposeCombinationsMatchReference) {
  struct Size {
    std::int64_t m, k, n;
  };
  const std::vector<Size> sizes = {{1, 1, 1}, {7, 13, 5}, {2, 3, 4},
                                   {1, 8, 1}, {16, 1, 9}, {5, 17, 3}};
  std::mt19937 rng(5001);
  for (vs::DType dtype : kFloatTypes) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    vs::Graph g;
    vs::FeedDict feeds;
    std::vector<vs::Tensor> outs;
    std::vector<Product> refs;
    std::vector<std::string> what;
    for (const Size& s : sizes) {
      for (bool ta : {false, true}) {
        for (bool tb : {false, true}) {
          const vs::Shape as = ta ? vs::Shape{s.k, s.m} : vs::Shape{s.m, s.k};
          const vs::Shape bs = tb ? vs::Shape{s.n, s.k} : vs::Shape{s.k, s.n};
          const vs::HostTensor av = random_tensor(rng, dtype, as);
          const vs::HostTensor bv = random_tensor(rng, dtype, bs);
          vs::Tensor a = vs::placeholder(g, dtype, as);
          feeds.push_back({a, av});
          outs.push_back(
              vs::matmul(a, vs::constant(g, bv), {.transpose_a = ta, .transpose_b = tb}));
          refs.push_back(matmul_ref(doubles(av), as, doubles(bv), bs, ta, tb));
          what.push_back(std::to_string(s.m) + "x" + std::to_string(s.k) + "x" +
                         std::to_string(s.n) + (ta ? " ta" : "") + (tb ? " tb" : ""));
          EXPECT_EQ(outs.back().op().type(), "MatMul");
          EXPECT_EQ(outs.back().op().attr_bool("transpose_a"), ta);
          EXPECT_EQ(outs.back().op().attr_bool("transpose_b"), tb);
        }
      }
    }
    vs::Session sess(g, options());
    const auto got = sess.run(outs, feeds);
    for (std::size_t i = 0; i < outs.size(); ++i) {
      EXPECT_EQ(outs[i].shape(), refs[i].shape) << what[i];
      EXPECT_TRUE(
          Near(got[i], dtype, refs[i].shape, refs[i].values, math_tol(dtype), refs[i].scale))
          << what[i];
    }
  }
}

TEST_P(OpsMatMul, BatchedRankThreeMatchesReferencePerBatch) {
  struct Case {
    vs::Shape a, b;
    bool adj_x, adj_y;
  };
  const std::vector<Case> cases = {
      {vs::Shape{3, 4, 5}, vs::Shape{3, 5, 2}, false, false},
      {vs::Shape{3, 5, 4}, vs::Shape{3, 2, 5}, true, true},
      {vs::Shape{3, 4, 5}, vs::Shape{3, 2, 5}, false, true},
      {vs::Shape{3, 4, 5}, vs::Shape{5, 2}, false, false},  // one matrix for every batch
      {vs::Shape{3, 5, 4}, vs::Shape{2, 5}, true, true},
      {vs::Shape{4, 5}, vs::Shape{3, 5, 2}, false, false},
      {vs::Shape{2, 3, 4, 5}, vs::Shape{2, 3, 5, 2}, false, false},
  };
  std::mt19937 rng(5002);
  for (vs::DType dtype : kFloatTypes) {
    for (const Case& c : cases) {
      SCOPED_TRACE(std::string(vs::dtype_name(dtype)) + " " + str(c.a) + " @ " + str(c.b) +
                   (c.adj_x ? " adj_x" : "") + (c.adj_y ? " adj_y" : ""));
      const vs::HostTensor av = random_tensor(rng, dtype, c.a);
      const vs::HostTensor bv = random_tensor(rng, dtype, c.b);
      vs::Graph g;
      vs::Tensor a = vs::placeholder(g, dtype, c.a, "a");
      vs::Tensor b = vs::constant(g, bv);
      vs::Tensor out = vs::matmul(a, b, {.transpose_a = c.adj_x, .transpose_b = c.adj_y});
      const Product ref = matmul_ref(doubles(av), c.a, doubles(bv), c.b, c.adj_x, c.adj_y);
      EXPECT_EQ(out.op().name(), "MatMul");
      EXPECT_EQ(out.op().type(), "BatchMatMulV2");
      EXPECT_EQ(out.op().attr_bool("adj_x"), c.adj_x);
      EXPECT_EQ(out.op().attr_bool("adj_y"), c.adj_y);
      EXPECT_EQ(out.shape(), ref.shape);
      vs::Session sess(g, options());
      EXPECT_TRUE(
          Near(sess.run(out, {{a, av}}), dtype, ref.shape, ref.values, math_tol(dtype), ref.scale));
    }
  }
}

// BatchMatMulV2 broadcasts batch dims of size 1. The shape is inferred as [4,2,5]; at run
// time the op must either give that result or refuse clearly, never a different shape.
TEST_P(OpsMatMul, BatchDimOfOneBroadcastsOrIsRefused) {
  std::mt19937 rng(5003);
  const vs::HostTensor av = random_tensor(rng, vs::DType::kFloat32, vs::Shape{1, 2, 3});
  const vs::HostTensor bv = random_tensor(rng, vs::DType::kFloat32, vs::Shape{4, 3, 5});
  vs::Graph g;
  vs::Tensor out = vs::matmul(vs::constant(g, av), vs::constant(g, bv));
  EXPECT_EQ(out.shape(), (vs::Shape{4, 2, 5}));
  vs::Session sess(g, options());
  try {
    const vs::HostTensor got = sess.run(out);
    // The reference: a's single matrix against each of b's.
    const std::vector<double> a = doubles(av);
    const Product ref =
        matmul_ref(a, vs::Shape{2, 3}, doubles(bv), vs::Shape{4, 3, 5}, false, false);
    EXPECT_TRUE(Near(got, vs::DType::kFloat32, vs::Shape{4, 2, 5}, ref.values,
                     math_tol(vs::DType::kFloat32), ref.scale));
  } catch (const vs::UnimplementedError& e) {
    SUCCEED() << "refused: " << e.what();
  }
}

TEST_P(OpsMatMul, EmptyDimensions) {
  for (vs::DType dtype : kFloatTypes) {
    SCOPED_TRACE(vs::dtype_name(dtype));
    vs::Graph g;
    auto c = [&](const vs::Shape& s) {
      return vs::constant(
          g,
          of_dtype(dtype, std::vector<double>(static_cast<std::size_t>(s.num_elements()), 1.0), s));
    };
    vs::Tensor k0 = vs::matmul(c(vs::Shape{2, 0}), c(vs::Shape{0, 3}));
    vs::Tensor k0t = vs::matmul(c(vs::Shape{0, 2}), c(vs::Shape{3, 0}),
                                {.transpose_a = true, .transpose_b = true});
    vs::Tensor m0 = vs::matmul(c(vs::Shape{0, 3}), c(vs::Shape{3, 4}));
    vs::Tensor n0 = vs::matmul(c(vs::Shape{2, 3}), c(vs::Shape{3, 0}));
    vs::Tensor bk0 = vs::matmul(c(vs::Shape{2, 3, 0}), c(vs::Shape{2, 0, 4}));
    vs::Session sess(g, options());
    // Leave non-zero values in freed memory first: a k = 0 product must still be zeros.
    (void)sess.run(c(vs::Shape{64}) * 5.0f);
    const auto got = sess.run({k0, k0t, m0, n0, bk0});
    EXPECT_TRUE(Near(got[0], dtype, vs::Shape{2, 3}, std::vector<double>(6, 0.0), kExact));
    EXPECT_TRUE(Near(got[1], dtype, vs::Shape{2, 3}, std::vector<double>(6, 0.0), kExact));
    EXPECT_TRUE(Near(got[2], dtype, vs::Shape{0, 4}, {}, kExact));
    EXPECT_TRUE(Near(got[3], dtype, vs::Shape{2, 0}, {}, kExact));
    EXPECT_TRUE(Near(got[4], dtype, vs::Shape{2, 3, 4}, std::vector<double>(24, 0.0), kExact));
  }
}

TEST_P(OpsMatMul, UnknownLeadingDimIsFedAtRunTime) {
  std::mt19937 rng(5004);
  const vs::HostTensor pv = random_tensor(rng, vs::DType::kFloat32, vs::Shape{5, 3});
  const vs::HostTensor wv = random_tensor(rng, vs::DType::kFloat32, vs::Shape{3, 4});
  vs::Graph g;
  vs::Tensor p = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 3}, "p");
  vs::Tensor y = vs::matmul(p, vs::constant(g, wv));
  EXPECT_EQ(y.shape(), (vs::Shape{vs::kUnknownDim, 4}));
  vs::Session sess(g, options());
  const Product ref = matmul_ref(doubles(pv), pv.shape(), doubles(wv), wv.shape(), false, false);
  EXPECT_TRUE(Near(sess.run(y, {{p, pv}}), vs::DType::kFloat32, vs::Shape{5, 4}, ref.values,
                   math_tol(vs::DType::kFloat32), ref.scale));
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(OpsMatMul);
