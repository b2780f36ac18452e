// The CUDA layer's device and error bookkeeping against a scripted runtime, on any machine:
// this binary defines cudaGetDevice, cudaSetDevice and cudaGetLastError itself, so the calls
// the inline code of src/host/runtime/cuda makes here reach the stand-ins below instead of
// libcudart. (Only this binary: it runs no real CUDA work, and has no Gpu* tests.)
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <new>
#include <string>
#include <vector>

#include "host/runtime/cuda/cuda_check.h"
#include "host/runtime/cuda/deferred_error.h"
#include "host/runtime/cuda/device_guard.h"

namespace {

// The scripted runtime: devices 0..device_count-1, one thread's current device and last error.
struct Runtime {
  int device_count = 2;
  int current = 0;
  cudaError_t last_error = cudaSuccess;
  std::vector<int> set_calls;
  bool fail_get = false;
};
Runtime runtime;

}  // namespace

extern "C" {
cudaError_t cudaGetDevice(int* device) {
  if (runtime.fail_get) return runtime.last_error = cudaErrorInsufficientDriver;
  *device = runtime.current;
  return cudaSuccess;
}
cudaError_t cudaSetDevice(int device) {
  runtime.set_calls.push_back(device);
  if (device < 0 || device >= runtime.device_count) {
    return runtime.last_error = cudaErrorInvalidDevice;
  }
  runtime.current = device;
  return cudaSuccess;
}
cudaError_t cudaGetLastError(void) {
  const cudaError_t err = runtime.last_error;
  runtime.last_error = cudaSuccess;
  return err;
}
}

namespace {

namespace vs = varscope;
namespace cuda = varscope::runtime::cuda;

class ScriptedRuntime : public ::testing::Test {
 protected:
  void SetUp() override { runtime = Runtime{}; }
};

TEST_F(ScriptedRuntime, AGuardForTheCurrentDeviceSetsNothing) {
  { const cuda::DeviceGuard on(0); }
  EXPECT_TRUE(runtime.set_calls.empty());
  EXPECT_EQ(runtime.current, 0);
}

TEST_F(ScriptedRuntime, AGuardSwitchesAndGivesTheCallersDeviceBack) {
  runtime.current = 1;
  {
    const cuda::DeviceGuard on(0);
    EXPECT_EQ(runtime.current, 0);
  }
  EXPECT_EQ(runtime.current, 1);
  EXPECT_EQ(runtime.set_calls, (std::vector<int>{0, 1}));
}

TEST_F(ScriptedRuntime, TheCallersDeviceComesBackWhenTheWorkThrows) {
  runtime.current = 1;
  EXPECT_THROW(
      {
        const cuda::DeviceGuard on(0);
        throw vs::InternalError("the work failed");
      },
      vs::InternalError);
  EXPECT_EQ(runtime.current, 1);
}

TEST_F(ScriptedRuntime, AFailedSwitchNamesTheCallChangesNothingAndClearsTheError) {
  std::string msg;
  try {
    const cuda::DeviceGuard on(5);
  } catch (const vs::InternalError& e) {
    msg = e.what();
  }
  EXPECT_EQ(msg, "cudaSetDevice(device) failed: invalid device ordinal (cudaErrorInvalidDevice)");
  EXPECT_EQ(runtime.current, 0);
  EXPECT_EQ(runtime.set_calls, std::vector<int>{5});  // no "restore" of a switch that never was
  EXPECT_EQ(runtime.last_error, cudaSuccess);
}

TEST_F(ScriptedRuntime, TheNothrowGuardSwallowsFailuresAndTheirLastError) {
  runtime.current = 1;
  { const cuda::DeviceGuard on(7, std::nothrow); }
  EXPECT_EQ(runtime.current, 1);
  EXPECT_EQ(runtime.set_calls, std::vector<int>{7});
  EXPECT_EQ(runtime.last_error, cudaSuccess);
  runtime.fail_get = true;
  { const cuda::DeviceGuard on(0, std::nothrow); }
  EXPECT_EQ(runtime.set_calls, std::vector<int>{7});
  EXPECT_EQ(runtime.last_error, cudaSuccess);
  EXPECT_THROW(cuda::DeviceGuard(0), vs::InternalError);
}

// A failed call is also the thread's last error: every path that handles one clears it, or
// the check after the next kernel launch would report it as that kernel's failure.
TEST_F(ScriptedRuntime, EveryHandledFailureClearsTheLastError) {
  runtime.last_error = cudaErrorInvalidValue;
  EXPECT_THROW(vs::runtime::check_cuda(cudaErrorInvalidValue, "call()"), vs::InternalError);
  EXPECT_EQ(runtime.last_error, cudaSuccess);

  runtime.last_error = cudaErrorInvalidValue;
  vs::runtime::ignore_cuda_failure(cudaErrorInvalidValue);
  EXPECT_EQ(runtime.last_error, cudaSuccess);

  runtime.last_error = cudaErrorMemoryAllocation;
  EXPECT_THROW(vs::runtime::check_cuda_alloc(cudaErrorMemoryAllocation, "alloc()", 8,
                                             [] { return std::string("here"); }),
               vs::ResourceExhaustedError);
  EXPECT_EQ(runtime.last_error, cudaSuccess);

  cuda::DeferredError deferred;
  runtime.last_error = cudaErrorInvalidValue;
  deferred.keep(cudaErrorInvalidValue, "cudaFreeAsync(p, s)");
  EXPECT_EQ(runtime.last_error, cudaSuccess);
  EXPECT_THROW(deferred.raise(), vs::InternalError);
}

TEST_F(ScriptedRuntime, AStaleErrorIsReportedOnceAndCleared) {
  EXPECT_NO_THROW(cuda::raise_stale_error());
  runtime.last_error = cudaErrorInvalidDevice;  // left by other code
  std::string msg;
  try {
    cuda::raise_stale_error();
  } catch (const vs::InternalError& e) {
    msg = e.what();
  }
  EXPECT_EQ(msg,
            "a CUDA error was pending before this call began, left by earlier work on this "
            "thread; nothing was run: invalid device ordinal (cudaErrorInvalidDevice)");
  EXPECT_NO_THROW(cuda::raise_stale_error());
}

}  // namespace
