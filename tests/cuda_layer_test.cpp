// The thin CUDA layer under the CUDA backend (src/host/runtime/cuda): handle owners, the
// check macros, errors kept for later or left by other code, the device guard and the cuBLAS
// argument mapping. What needs no device runs everywhere; the Gpu* twins need one.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "backend_test.h"
#include "gpu_test.h"
#include "host/runtime/backend.h"
#include "host/runtime/cuda/cuda_check.h"
#include "host/runtime/cuda/deferred_error.h"
#include "host/runtime/cuda/device_guard.h"
#include "host/runtime/cuda/gemm_args.h"
#include "host/runtime/cuda/handles.h"
#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;
namespace cuda = varscope::runtime::cuda;

using vs::testing::error_of;
using vs::testing::StartsWith;

namespace {

// ---- handle owners, with a stand-in handle type that counts its destructions ----

struct FakeHandle {
  int id = 0;
};
std::vector<int> destroyed;
void destroy_fake(FakeHandle* h) noexcept {
  destroyed.push_back(h->id);
}
using FakeOwner = cuda::Owner<FakeHandle*, destroy_fake>;

class Owners : public ::testing::Test {
 protected:
  void SetUp() override { destroyed.clear(); }
  FakeHandle a_{1}, b_{2}, c_{3};
};

TEST_F(Owners, DestroyOnceAtScopeEndAndNeverWhenEmpty) {
  {
    FakeOwner empty;
    FakeOwner one(&a_);
    EXPECT_FALSE(empty);
    EXPECT_TRUE(one);
    EXPECT_EQ(one.get(), &a_);
  }
  EXPECT_EQ(destroyed, std::vector<int>{1});
}

TEST_F(Owners, MoveTransfersOwnershipAndAssignmentDestroysTheOldHandle) {
  FakeOwner first(&a_);
  FakeOwner second(std::move(first));
  EXPECT_FALSE(first);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  EXPECT_EQ(second.get(), &a_);
  FakeOwner third(&b_);
  third = std::move(second);
  EXPECT_EQ(destroyed, std::vector<int>{2});
  third.reset();
  third.reset();
  EXPECT_EQ(destroyed, (std::vector<int>{2, 1}));
}

// The shape of a create call: it writes the new handle through replace().
void fake_create(FakeHandle** out, FakeHandle* made) {
  *out = made;
}

TEST_F(Owners, ReplaceDestroysWhatWasHeldBeforeTheCreateCallWrites) {
  FakeOwner owner(&a_);
  fake_create(owner.replace(), &b_);
  EXPECT_EQ(destroyed, std::vector<int>{1});
  EXPECT_EQ(owner.get(), &b_);
}

// The CUDA backend's constructor creates its handles one after another into owner members;
// a step that throws must leave nothing behind.
struct ThreeHandles {
  FakeOwner first, second, third;
  ThreeHandles(FakeHandle* a, FakeHandle* b, FakeHandle* c, int fail_after) {
    fake_create(first.replace(), a);
    if (fail_after == 1) throw vs::InternalError("step 2 failed");
    fake_create(second.replace(), b);
    if (fail_after == 2) throw vs::InternalError("step 3 failed");
    fake_create(third.replace(), c);
  }
};

TEST_F(Owners, AConstructorThatThrowsHalfwayReleasesWhatItMade) {
  EXPECT_THROW(ThreeHandles(&a_, &b_, &c_, 2), vs::InternalError);
  EXPECT_EQ(destroyed, (std::vector<int>{2, 1}));
  destroyed.clear();
  EXPECT_THROW(ThreeHandles(&a_, &b_, &c_, 1), vs::InternalError);
  EXPECT_EQ(destroyed, std::vector<int>{1});
  destroyed.clear();
  { ThreeHandles all(&a_, &b_, &c_, 3); }
  EXPECT_EQ(destroyed, (std::vector<int>{3, 2, 1}));
}

TEST(OwnerTypes, EveryHandleTheBackendHoldsHasAnOwner) {
  // Compile-time: the aliases exist and own the CUDA library types.
  static_assert(std::is_same_v<decltype(cuda::Stream().get()), cudaStream_t>);
  static_assert(std::is_same_v<decltype(cuda::Event().get()), cudaEvent_t>);
  static_assert(std::is_same_v<decltype(cuda::MemPool().get()), cudaMemPool_t>);
  static_assert(std::is_same_v<decltype(cuda::Graph().get()), cudaGraph_t>);
  static_assert(std::is_same_v<decltype(cuda::GraphExec().get()), cudaGraphExec_t>);
  static_assert(std::is_same_v<decltype(cuda::Blas().get()), cublasHandle_t>);
  static_assert(!std::is_copy_constructible_v<cuda::Stream>);
  static_assert(std::is_nothrow_move_constructible_v<cuda::Stream>);
  cuda::Stream empty;  // destroying an empty owner calls nothing
  EXPECT_FALSE(empty);
}

// ---- check macros: the message names the call that failed, as written ----

cudaError_t fake_cuda_call(int code) {
  return static_cast<cudaError_t>(code);
}
cublasStatus_t fake_blas_call(int) {
  return CUBLAS_STATUS_NOT_SUPPORTED;
}

TEST(CheckMacros, NameTheFailingCallWithItsArguments) {
  EXPECT_NO_THROW(VARSCOPE_CHECK_CUDA(fake_cuda_call(0)));
  EXPECT_EQ(
      error_of<vs::InternalError>(
          [] { VARSCOPE_CHECK_CUDA(fake_cuda_call(cudaErrorInvalidValue)); }),
      "fake_cuda_call(cudaErrorInvalidValue) failed: invalid argument (cudaErrorInvalidValue)");
  EXPECT_EQ(error_of<vs::InternalError>([] { VARSCOPE_CHECK_CUBLAS(fake_blas_call(7)); }),
            std::string("fake_blas_call(7) failed: CUBLAS_STATUS_NOT_SUPPORTED (") +
                cublasGetStatusString(CUBLAS_STATUS_NOT_SUPPORTED) + ")");
}

TEST(CheckMacros, ARealRuntimeCallIsNamedToo) {
  // Without a usable device cudaSetDevice(-1) fails for that reason; with one, for the ordinal.
  const std::string msg =
      error_of<vs::InternalError>([] { VARSCOPE_CHECK_CUDA(cudaSetDevice(-1)); });
  EXPECT_TRUE(StartsWith(msg, "cudaSetDevice(-1) failed: ")) << msg;
}

TEST(CheckMacros, OutOfMemoryIsResourceExhaustedAndDescribesWhereOnlyOnFailure) {
  int described = 0;
  auto where = [&] {
    ++described;
    return std::string("the test device");
  };
  EXPECT_NO_THROW(VARSCOPE_CHECK_CUDA_ALLOC(fake_cuda_call(0), 12, where));
  EXPECT_EQ(described, 0);
  EXPECT_EQ(error_of<vs::ResourceExhaustedError>([&] {
              VARSCOPE_CHECK_CUDA_ALLOC(fake_cuda_call(cudaErrorMemoryAllocation), 12, where);
            }),
            "OOM when allocating 12 bytes on the test device: "
            "fake_cuda_call(cudaErrorMemoryAllocation) failed: out of memory "
            "(cudaErrorMemoryAllocation)");
  const std::string other = error_of<vs::InternalError>(
      [&] { VARSCOPE_CHECK_CUDA_ALLOC(fake_cuda_call(cudaErrorInvalidValue), 12, where); });
  EXPECT_TRUE(StartsWith(other, "fake_cuda_call(cudaErrorInvalidValue) failed: ")) << other;
}

// ---- errors reported where they belong ----

TEST(DeferredErrors, AFailureKeptByANoexceptCallIsRaisedOnceLater) {
  cuda::DeferredError deferred;
  EXPECT_NO_THROW(deferred.raise());
  VARSCOPE_KEEP_CUDA_FAILURE(deferred, fake_cuda_call(0));
  EXPECT_FALSE(deferred.pending());
  VARSCOPE_KEEP_CUDA_FAILURE(deferred, fake_cuda_call(cudaErrorInvalidValue));
  VARSCOPE_KEEP_CUDA_FAILURE(deferred, fake_cuda_call(cudaErrorIllegalAddress));
  VARSCOPE_KEEP_CUDA_FAILURE(deferred, fake_cuda_call(cudaErrorInvalidValue));
  EXPECT_TRUE(deferred.pending());
  EXPECT_EQ(error_of<vs::InternalError>([&] { deferred.raise(); }),
            "an earlier fake_cuda_call(cudaErrorInvalidValue) failed: invalid argument "
            "(cudaErrorInvalidValue) (and 2 more failure(s) since)");
  EXPECT_FALSE(deferred.pending());
  EXPECT_NO_THROW(deferred.raise());
}

TEST(StaleErrors, AnErrorLeftPendingIsReportedAsPredatingTheCall) {
  // Other code's failed call leaves the thread's last error set. (Without a driver, the
  // runtime's failure to start stays pending for good; with one, raise clears it.)
  ASSERT_NE(cudaSetDevice(-1), cudaSuccess);
  const std::string msg = error_of<vs::InternalError>([] { cuda::raise_stale_error(); });
  EXPECT_TRUE(StartsWith(msg, "a CUDA error was pending before this call began")) << msg;
  if (vs::cuda_available()) {
    EXPECT_NO_THROW(cuda::raise_stale_error());
  }
  cudaGetLastError();
}

TEST(DeviceGuards, AFailureNamesTheCallAndTheNothrowFormSwallowsIt) {
  if (vs::testing::gpu_unusable_reason().empty()) GTEST_SKIP() << "a CUDA device is usable";
  const std::string msg = error_of<vs::InternalError>([] { cuda::DeviceGuard on(0); });
  EXPECT_TRUE(StartsWith(msg, "cudaGetDevice(&previous_) failed: ")) << msg;
  EXPECT_NO_THROW(cuda::DeviceGuard(0, std::nothrow));
}

// ---- the row-major -> column-major cuBLAS arguments, run by a column-major reference ----

// What cublas<t>gemmStridedBatched computes, by its documented definition.
void column_major_reference(const cuda::GemmArgs& g,
                            const double* first,
                            const double* second,
                            double* c) {
  for (std::int64_t b = 0; b < g.batch; ++b) {
    const double* A = first + b * g.stride_first;
    const double* B = second + b * g.stride_second;
    double* C = c + b * g.stride_c;
    for (std::int64_t i = 0; i < g.m; ++i) {
      for (std::int64_t j = 0; j < g.n; ++j) {
        double sum = 0;
        for (std::int64_t p = 0; p < g.k; ++p) {
          const double a = g.transpose_first ? A[p + i * g.ld_first] : A[i + p * g.ld_first];
          const double bv = g.transpose_second ? B[j + p * g.ld_second] : B[p + j * g.ld_second];
          sum += a * bv;
        }
        C[i + j * g.ld_c] = sum;
      }
    }
  }
}

TEST(GemmArgs, ColumnMajorCallComputesTheRowMajorProduct) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> digit(-4, 4);
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      for (bool broadcast_b : {false, true}) {
        const std::int64_t batch = 3, m = 4, n = 5, k = 2;
        vs::runtime::Backend::MatMulShape s{.batch = batch,
                                            .m = m,
                                            .n = n,
                                            .k = k,
                                            .transpose_a = ta,
                                            .transpose_b = tb,
                                            .stride_a = m * k,
                                            .stride_b = broadcast_b ? 0 : k * n,
                                            .stride_c = m * n};
        std::vector<double> a(batch * m * k), b(batch * k * n), c(batch * m * n, -1);
        for (double& v : a)
          v = digit(rng);
        for (double& v : b)
          v = digit(rng);
        column_major_reference(cuda::column_major_gemm(s), b.data(), a.data(), c.data());
        for (std::int64_t bi = 0; bi < batch; ++bi) {
          const double* A = a.data() + bi * s.stride_a;
          const double* B = b.data() + bi * s.stride_b;
          for (std::int64_t i = 0; i < m; ++i) {
            for (std::int64_t j = 0; j < n; ++j) {
              double want = 0;
              for (std::int64_t p = 0; p < k; ++p)
                want += (ta ? A[p * m + i] : A[i * k + p]) * (tb ? B[j * k + p] : B[p * n + j]);
              ASSERT_EQ(c[bi * m * n + i * n + j], want)
                  << "ta=" << ta << " tb=" << tb << " broadcast_b=" << broadcast_b << " at [" << bi
                  << "," << i << "," << j << "]";
            }
          }
        }
      }
    }
  }
}

TEST(GemmArgs, SizesPastInt32PassUnchangedAndLeadingDimensionsAreAtLeastOne) {
  const std::int64_t big = std::int64_t{1} << 33;
  const cuda::GemmArgs g =
      cuda::column_major_gemm({.batch = big, .m = big + 1, .n = big + 2, .k = big + 3});
  EXPECT_EQ(g.m, big + 2);
  EXPECT_EQ(g.n, big + 1);
  EXPECT_EQ(g.k, big + 3);
  EXPECT_EQ(g.batch, big);
  EXPECT_EQ(g.ld_first, big + 2);
  EXPECT_EQ(g.ld_second, big + 3);
  EXPECT_EQ(g.ld_c, big + 2);
  const cuda::GemmArgs empty_k = cuda::column_major_gemm({.m = 2, .n = 3, .k = 0});
  EXPECT_EQ(empty_k.ld_second, 1);  // cuBLAS wants lda >= 1 even when k == 0
  const cuda::GemmArgs empty_k_t =
      cuda::column_major_gemm({.m = 2, .n = 3, .k = 0, .transpose_b = true});
  EXPECT_EQ(empty_k_t.ld_first, 1);
  // Padded rows (MatMulShape::ldb): B's leading dimension is its row stride.
  EXPECT_EQ(cuda::column_major_gemm({.m = 2, .n = 3, .k = 4, .ldb = 19}).ld_first, 19);
  EXPECT_EQ(
      cuda::column_major_gemm({.m = 2, .n = 3, .k = 4, .transpose_b = true, .ldb = 19}).ld_first,
      19);
}

// ---- on a device ----

using GpuCudaLayer = vs::testing::GpuTest;

struct SmallModel {
  vs::Graph g;
  vs::Tensor x, y;
  SmallModel() {
    x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 2}, "x");
    y = vs::matmul(x, x) + 1.0f;
  }
  static vs::HostTensor input() {
    return vs::HostTensor(std::vector<float>{1, 2, 3, 4}, vs::Shape{2, 2});
  }
  static std::vector<float> want() { return {8, 11, 16, 23}; }
};

int current_device() {
  int d = -1;
  EXPECT_EQ(cudaGetDevice(&d), cudaSuccess);
  return d;
}

TEST_F(GpuCudaLayer, ASessionOnAnotherDeviceLeavesTheCallersDeviceCurrent) {
  int count = 0;
  ASSERT_EQ(cudaGetDeviceCount(&count), cudaSuccess);
  if (count < 2) GTEST_SKIP() << "needs two CUDA devices, found " << count;
  const int mine = count - 1;
  ASSERT_EQ(cudaSetDevice(mine), cudaSuccess);
  SmallModel m;
  {
    vs::Session sess(m.g, {.device = vs::DeviceKind::kCuda, .cuda_device = 0});
    EXPECT_EQ(current_device(), mine) << "after the constructor";
    EXPECT_EQ(vs::testing::values(sess.run(m.y, {{m.x, SmallModel::input()}})), SmallModel::want());
    EXPECT_EQ(current_device(), mine) << "after run";
  }
  EXPECT_EQ(current_device(), mine) << "after teardown";
  ASSERT_EQ(cudaSetDevice(0), cudaSuccess);
}

TEST_F(GpuCudaLayer, TheDefaultPoolIsLeftAloneAndTheSessionsMemoryGoesWithIt) {
  cudaMemPool_t default_pool = nullptr;
  ASSERT_EQ(cudaDeviceGetDefaultMemPool(&default_pool, 0), cudaSuccess);
  std::uint64_t before = 0, after = 1;
  ASSERT_EQ(cudaMemPoolGetAttribute(default_pool, cudaMemPoolAttrReleaseThreshold, &before),
            cudaSuccess);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  std::size_t free_before = 0, free_after = 0, total = 0;
  ASSERT_EQ(cudaMemGetInfo(&free_before, &total), cudaSuccess);
  {
    vs::Graph g;
    vs::Variable v = g.get_variable("v", {.shape = vs::Shape{64, 1024, 1024}});  // 256 MiB
    vs::Session sess(g, {.device = vs::DeviceKind::kCuda});
    sess.run(g.global_variables_initializer());
    std::size_t free_during = 0;
    ASSERT_EQ(cudaMemGetInfo(&free_during, &total), cudaSuccess);
    EXPECT_LT(free_during + (200u << 20), free_before) << "the variable should take memory";
  }
  ASSERT_EQ(cudaMemPoolGetAttribute(default_pool, cudaMemPoolAttrReleaseThreshold, &after),
            cudaSuccess);
  EXPECT_EQ(after, before);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  ASSERT_EQ(cudaMemGetInfo(&free_after, &total), cudaSuccess);
  EXPECT_GE(free_after + (64u << 20), free_before) << "the session's pool kept its memory";
}

TEST_F(GpuCudaLayer, AStaleErrorIsReportedAsSuchClearedAndTheSessionCarriesOn) {
  SmallModel m;
  vs::Session sess(m.g, {.device = vs::DeviceKind::kCuda});
  ASSERT_EQ(cudaSetDevice(-1), cudaErrorInvalidDevice);  // left pending, as careless code does
  const std::string msg = error_of<vs::InternalError>([&] {
    sess.run(m.y, {{m.x, SmallModel::input()}});
  });
  EXPECT_TRUE(StartsWith(msg, "a CUDA error was pending before this call began")) << msg;
  EXPECT_NE(msg.find("cudaErrorInvalidDevice"), std::string::npos) << msg;
  EXPECT_EQ(cudaPeekAtLastError(), cudaSuccess);
  EXPECT_EQ(vs::testing::values(sess.run(m.y, {{m.x, SmallModel::input()}})), SmallModel::want());
}

TEST_F(GpuCudaLayer, AFailedFreeIsReportedByTheNextCallThatCanThrow) {
  auto backend = vs::runtime::make_cuda_backend(0, nullptr, false);
  int host_value = 0;  // not a device allocation: cudaFreeAsync rejects it
  backend->deallocate(&host_value);
  EXPECT_EQ(cudaPeekAtLastError(), cudaSuccess) << "the failure must not wait for a launch";
  const std::string msg = error_of<vs::InternalError>([&] { backend->synchronize(); });
  EXPECT_TRUE(StartsWith(msg, "an earlier cudaFreeAsync(ptr, stream_) failed: ")) << msg;
  EXPECT_NO_THROW(backend->synchronize());
}

TEST_F(GpuCudaLayer, LargeMatMulWithKPastInt32IsNotTruncated) {
  const std::int64_t k = (std::int64_t{1} << 31) + 6;
  const std::size_t bytes = static_cast<std::size_t>(k) * sizeof(float);
  std::size_t free = 0, total = 0;
  ASSERT_EQ(cudaMemGetInfo(&free, &total), cudaSuccess);
  if (free < 2 * bytes + (std::size_t{2} << 30)) {
    GTEST_SKIP() << "needs " << 2 * bytes << " bytes of device memory, " << free << " free";
  }
  auto backend = vs::runtime::make_cuda_backend(0, nullptr, false);
  // [1, k] x [k, 1]: a row of ones against a column that is 1 at 0 and at k - 1 only.
  void* a = backend->allocate(bytes);
  void* b = backend->allocate(bytes);
  const float one = 1.0f, zero = 0.0f;
  backend->fill({a, &one, sizeof(float), k});
  backend->fill({b, &zero, sizeof(float), k});
  backend->copy_from_host(b, &one, sizeof(float));
  backend->copy_from_host(static_cast<float*>(b) + (k - 1), &one, sizeof(float));
  void* c = backend->allocate(sizeof(float));
  backend->matmul(
      {vs::DType::kFloat32,
       {.batch = 1, .m = 1, .n = 1, .k = k, .stride_a = 0, .stride_b = 0, .stride_c = 0},
       a,
       b,
       c});
  float result = -1;
  backend->copy_to_host(&result, c, sizeof(float));
  EXPECT_EQ(result, 2.0f);
  backend->deallocate(a);
  backend->deallocate(b);
  backend->deallocate(c);
  backend->synchronize();
}

// Both fixtures honour VARSCOPE_REQUIRE_GPU (gpu_require_check.cmake runs this binary's Gpu*
// tests with and without it): the plain one above and the per-backend one here.
class OnBothBackends : public vs::testing::BackendTest {};

TEST_P(OnBothBackends, ASmallMatMulRuns) {
  SmallModel m;
  vs::Session sess(m.g, options());
  EXPECT_EQ(vs::testing::values(sess.run(m.y, {{m.x, SmallModel::input()}})), SmallModel::want());
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(OnBothBackends);

}  // namespace
