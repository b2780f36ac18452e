// HostTensor from an initializer list, and operator<< (numpy-like, summarized when big).
#include <gtest/gtest.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "varscope/host_tensor.h"

namespace vs = varscope;

namespace {

std::string printed(const vs::HostTensor& t) {
  std::ostringstream os;
  os << t;
  return os.str();
}

TEST(HostTensorInitList, ElementTypePicksTheDtype) {
  const vs::HostTensor f({1.f, 2.f}, vs::Shape{2});
  EXPECT_EQ(f.dtype(), vs::DType::kFloat32);
  EXPECT_EQ(f, vs::HostTensor(std::vector<float>{1.f, 2.f}, vs::Shape{2}));
  const vs::HostTensor i({1, 2, 3, 4, 5, 6}, vs::Shape{2, 3});
  EXPECT_EQ(i.dtype(), vs::DType::kInt32);
  EXPECT_EQ(i.data<std::int32_t>()[5], 6);
  EXPECT_EQ(vs::HostTensor({1.0, 2.0}, vs::Shape{2}).dtype(), vs::DType::kFloat64);
  EXPECT_THROW(vs::HostTensor({1.f, 2.f, 3.f}, vs::Shape{2}), vs::InvalidArgumentError);
}

TEST(HostTensorPrint, SmallTensorsPrintLikeToString) {
  const vs::HostTensor t({1.5f, 2.f, 3.f, 4.f}, vs::Shape{2, 2});
  EXPECT_EQ(printed(t), "[[1.5 2]\n [3 4]]");
  EXPECT_EQ(printed(t), t.to_string());
  EXPECT_EQ(printed(vs::HostTensor(2.5f)), "2.5");
}

TEST(HostTensorPrint, BigTensorsAreSummarizedAroundAnEllipsis) {
  std::vector<std::int32_t> values(2000);
  for (std::size_t i = 0; i < values.size(); ++i)
    values[i] = static_cast<std::int32_t>(i);
  EXPECT_EQ(printed(vs::HostTensor(values)), "[0 1 2 ... 1997 1998 1999]");
  EXPECT_EQ(printed(vs::HostTensor(values, vs::Shape{100, 20})),
            "[[0 1 2 ... 17 18 19]\n"
            " [20 21 22 ... 37 38 39]\n"
            " [40 41 42 ... 57 58 59]\n"
            " ...\n"
            " [1940 1941 1942 ... 1957 1958 1959]\n"
            " [1960 1961 1962 ... 1977 1978 1979]\n"
            " [1980 1981 1982 ... 1997 1998 1999]]");
}

}  // namespace
