// Runs a test suite on each backend: instantiations "Cpu/..." always run, "Gpu/..." are
// labelled gpu and skip, visibly, where no CUDA device is usable (fail with
// VARSCOPE_REQUIRE_GPU=1: gpu_test.h).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "gpu_test.h"
#include "varscope/device.h"
#include "varscope/session.h"

namespace varscope::testing {

class BackendTest : public ::testing::TestWithParam<DeviceKind> {
 protected:
  void SetUp() override {
    if (GetParam() == DeviceKind::kCuda) VARSCOPE_SKIP_WITHOUT_GPU();
  }
  SessionOptions options() const { return SessionOptions{.device = GetParam()}; }
};

// Test names end in /cpu or /cuda.
inline std::string backend_name(const ::testing::TestParamInfo<DeviceKind>& info) {
  return info.param == DeviceKind::kCuda ? "cuda" : "cpu";
}

}  // namespace varscope::testing

#define VARSCOPE_INSTANTIATE_ON_BACKENDS(Suite)                                          \
  INSTANTIATE_TEST_SUITE_P(Cpu, Suite, ::testing::Values(::varscope::DeviceKind::kCpu),  \
                           ::varscope::testing::backend_name);                           \
  INSTANTIATE_TEST_SUITE_P(Gpu, Suite, ::testing::Values(::varscope::DeviceKind::kCuda), \
                           ::varscope::testing::backend_name)
