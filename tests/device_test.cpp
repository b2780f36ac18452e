#include "varscope/device.h"

#include <gtest/gtest.h>

#include <string>

#include "gpu_test.h"
#include "varscope/errors.h"

namespace vs = varscope;

TEST(Device, CountAndReasonAgree) {
  const int count = vs::cuda_device_count();
  EXPECT_GE(count, 0);
  EXPECT_EQ(vs::cuda_available(), count > 0);
  EXPECT_EQ(vs::cuda_unavailable_reason().empty(), count > 0);
}

// Without a usable GPU the reason says so first, then the driver found, then CUDA's error
// (cudart's "CUDA driver version is insufficient" alone read as if a driver were there).
TEST(Device, ReasonSaysNoUsableDeviceThenTheDriverThenCudasError) {
  if (vs::cuda_available()) GTEST_SKIP() << "a CUDA device is usable here";
  const std::string reason = vs::cuda_unavailable_reason();
  const bool cuda_build = reason.starts_with("no usable CUDA device (driver: ");
  EXPECT_TRUE(cuda_build ||
              reason == "no usable CUDA device: varscope was built without its CUDA backend")
      << reason;
  if (cuda_build) {
    EXPECT_NE(reason.find("): cudaGetDeviceCount: "), std::string::npos) << reason;
  }
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
