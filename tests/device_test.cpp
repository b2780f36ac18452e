#include "varscope/device.h"

#include <gtest/gtest.h>

#include "gpu_test.h"
#include "varscope/errors.h"

namespace vs = varscope;

TEST(Device, CountAndReasonAgree) {
  const int count = vs::cuda_device_count();
  EXPECT_GE(count, 0);
  EXPECT_EQ(vs::cuda_available(), count > 0);
  EXPECT_EQ(vs::cuda_unavailable_reason().empty(), count > 0);
}

TEST(Device, MissingDeviceIsUnavailable) {
  EXPECT_THROW(vs::cuda_device_info(vs::cuda_device_count()), vs::UnavailableError);
}

using GpuDevice = vs::testing::GpuTest;

TEST_F(GpuDevice, ReportsPropertiesOfDeviceZero) {
  vs::CudaDeviceInfo info = vs::cuda_device_info(0);
  EXPECT_FALSE(info.name.empty());
  EXPECT_GE(info.compute_capability_major, 7);
  EXPECT_GT(info.total_memory_bytes, 0u);
}
