// InitializerRounding: an initializer rounds as TF's separate random, Mul and Add ops do.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <functional>
#include <map>
#include <numbers>
#include <optional>
#include <sstream>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "backend_test.h"
#include "initializers_test_util.h"
#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;
using namespace initializers_test;  // NOLINT: the checks and fixture of initializers_test_util.h

namespace {

// ---------------------------------------------------------------------------------------------
// An initializer rounds as TF's separate ops do
// ---------------------------------------------------------------------------------------------

// An initializer is TF's graph: random op -> Mul(stddev or Sub(max, min)) -> Add(mean or min),
// each op rounding in the variable's dtype. However the backend computes it, the values must
// equal the raw random op's output put through those two roundings (computed here), and the
// same ops run unfused (their raw output fetched too) must give the same bits.
class InitializerRounding : public vs::testing::BackendTest {
 protected:
  enum class Op { kNormal, kTruncated, kUniform };

  template <typename T>
  static ::testing::AssertionResult IsMulAdd(const vs::HostTensor& raw,
                                             const vs::HostTensor& value,
                                             T scale,
                                             T shift) {
    const auto r = raw.data<T>();
    const auto v = value.data<T>();
    if (r.size() != v.size()) return ::testing::AssertionFailure() << "sizes differ";
    for (std::size_t i = 0; i < r.size(); ++i) {
      volatile T product = r[i] * scale;  // rounded on its own, as the Mul op
      const T want = product + shift;
      if (std::memcmp(&want, &v[i], sizeof(T)) != 0) {
        return ::testing::AssertionFailure()
               << "element " << i << ": raw " << r[i] << " * " << scale << " + " << shift
               << " rounds to " << want << ", got " << v[i];
      }
    }
    return ::testing::AssertionSuccess();
  }

  template <typename T>
  void Check(Op op, double a, double b) {
    constexpr vs::DType kDtype = vs::dtype_of_v<T>;
    const vs::Shape shape{4099};
    constexpr std::int64_t kSeed = 9;  // no graph seed: (87654321, 9) in both graphs
    vs::Initializer init = vs::zeros_initializer();
    const char* raw_name = "";
    T scale{}, shift{};
    switch (op) {
      case Op::kNormal:
        init = vs::random_normal_initializer({.mean = a, .stddev = b, .seed = kSeed});
        raw_name = "random_normal/RandomStandardNormal:0";
        scale = static_cast<T>(b);
        shift = static_cast<T>(a);
        break;
      case Op::kTruncated:
        init = vs::truncated_normal_initializer({.mean = a, .stddev = b, .seed = kSeed});
        raw_name = "truncated_normal/TruncatedNormal:0";
        scale = static_cast<T>(b);
        shift = static_cast<T>(a);
        break;
      case Op::kUniform:
        init = vs::random_uniform_initializer({.minval = a, .maxval = b, .seed = kSeed});
        raw_name = "random_uniform/RandomUniform:0";
        scale = static_cast<T>(static_cast<T>(b) - static_cast<T>(a));  // the Sub op
        shift = static_cast<T>(a);
        break;
    }
    // The variable's initial value.
    vs::Graph g;
    const vs::Variable v =
        g.get_variable("v", {.shape = shape, .dtype = kDtype, .initializer = init});
    vs::Session sess(g, options());
    sess.run(v.initializer());
    const vs::HostTensor value = sess.run(v);

    // The same ops outside a variable, with the raw random values fetched as well.
    vs::Graph g2;
    vs::Tensor out;
    switch (op) {
      case Op::kNormal:
        out =
            vs::random_normal(g2, shape, {.mean = a, .stddev = b, .dtype = kDtype, .seed = kSeed});
        break;
      case Op::kTruncated:
        out = vs::truncated_normal(g2, shape,
                                   {.mean = a, .stddev = b, .dtype = kDtype, .seed = kSeed});
        break;
      case Op::kUniform:
        out = vs::random_uniform(g2, shape,
                                 {.minval = a, .maxval = b, .dtype = kDtype, .seed = kSeed});
        break;
    }
    vs::Session sess2(g2, options());
    const std::vector<vs::HostTensor> both = sess2.run({g2.get_tensor_by_name(raw_name), out});
    ASSERT_EQ(both.size(), 2u);
    EXPECT_TRUE(IsMulAdd<T>(both[0], value, scale, shift)) << "variable vs raw op";
    EXPECT_TRUE(IsMulAdd<T>(both[0], both[1], scale, shift)) << "unfused ops vs raw op";
    EXPECT_TRUE(SameBits(value, both[1])) << "variable vs unfused ops";
  }
};
VARSCOPE_INSTANTIATE_ON_BACKENDS(InitializerRounding);

TEST_P(InitializerRounding, RandomNormal) {
  Check<float>(Op::kNormal, 0.1, 0.3);
  Check<double>(Op::kNormal, 0.1, 0.3);
}

TEST_P(InitializerRounding, TruncatedNormal) {
  Check<float>(Op::kTruncated, 1.5, 0.7);
  Check<double>(Op::kTruncated, 1.5, 0.7);
}

TEST_P(InitializerRounding, RandomUniform) {
  Check<float>(Op::kUniform, -0.3, 0.9);
  Check<double>(Op::kUniform, -0.3, 0.9);
}

}  // namespace
