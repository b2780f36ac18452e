// Fixture for tests that need a CUDA device: they skip, visibly, where there is none.
#pragma once

#include <gtest/gtest.h>

#include "varscope/device.h"

namespace varscope::testing {

class GpuTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!cuda_available()) GTEST_SKIP() << "no CUDA device: " << cuda_unavailable_reason();
  }
};

}  // namespace varscope::testing
