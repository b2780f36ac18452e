// Device-side I/O: DeviceTensorView feeds and fetches, Session::run_async, load_variable
// from device memory, and a stream given to a CPU session. Errors run everywhere (on the
// CPU backend); values need a GPU (Gpu* suites).
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "gpu_test.h"
#include "test_util.h"
#include "varscope/varscope.h"

#if VARSCOPE_TEST_HAS_CUDA
#include <cuda_runtime_api.h>
#endif

namespace vs = varscope;

namespace {

using varscope::testing::error_of;

// y = x @ w + b with w (2, 3) = 1..6 and b = (0.5, 0.5, 0.5), x fed as (?, 2).
struct Model {
  vs::Graph g;
  vs::Tensor x, y;
  vs::Variable w, b;
  Model() {
    x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{-1, 2}, "x");
    auto scope = g.variable_scope("dense");
    w = g.get_variable("w", {.shape = vs::Shape{2, 3}});
    b = g.get_variable("b", {.shape = vs::Shape{3}, .initializer = vs::zeros_initializer()});
    y = vs::bias_add(vs::matmul(x, w), b);
  }
};

const vs::HostTensor kW({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}, vs::Shape{2, 3});
const vs::HostTensor kB({0.5f, 0.5f, 0.5f}, vs::Shape{3});

int fake_device_memory = 0;  // a non-null pointer a CPU session must never touch
vs::DeviceTensorView fake_view(vs::Shape shape) {
  return {&fake_device_memory, vs::DType::kFloat32, std::move(shape)};
}

// ---- the CPU backend: device views and streams are refused, nothing changes ----

TEST(DeviceIoCpu, RunAsyncRefusesDeviceFeedsAndOutputs) {
  Model m;
  vs::Session s(m.g, {.device = vs::DeviceKind::kCpu});
  s.load_variable(m.w, kW);
  s.load_variable(m.b, kB);
  const std::string feed_error = error_of<vs::InvalidArgumentError>([&] {
    s.run_async({}, {}, {{m.x, fake_view(vs::Shape{1, 2})}}, {});
  });
  EXPECT_NE(feed_error.find("needs a CUDA session"), std::string::npos) << feed_error;
  const std::string fetch_error = error_of<vs::InvalidArgumentError>([&] {
    s.run_async({m.w.value()}, {fake_view(vs::Shape{2, 3})});
  });
  EXPECT_NE(fetch_error.find("CPU backend"), std::string::npos) << fetch_error;
  EXPECT_EQ(fake_device_memory, 0);
  EXPECT_EQ(s.run(m.w), kW);  // still usable
}

TEST(DeviceIoCpu, RunAsyncWithTargetsOnlyRunsSynchronously) {
  Model m;
  vs::Session s(m.g, {.device = vs::DeviceKind::kCpu});
  EXPECT_FALSE(s.is_initialized(m.b));
  s.run_async({}, {}, {}, {m.g.global_variables_initializer()});
  EXPECT_TRUE(s.is_initialized(m.b));
  s.synchronize();  // a no-op here
  EXPECT_EQ(s.stream(), nullptr);
}

TEST(DeviceIoCpu, FetchAndOutputCountsMustMatch) {
  Model m;
  vs::Session s(m.g, {.device = vs::DeviceKind::kCpu});
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { s.run_async({m.y}, {}); }),
            "Session::run_async: 1 fetches but 0 outputs");
}

TEST(DeviceIoCpu, LoadVariableFromDeviceIsRefusedAndLeavesItUninitialized) {
  Model m;
  vs::Session s(m.g, {.device = vs::DeviceKind::kCpu});
  const std::string error = error_of<vs::InvalidArgumentError>([&] {
    s.load_variable(m.w, fake_view(vs::Shape{2, 3}));
  });
  EXPECT_NE(error.find("Session::load_variable: a DeviceTensorView needs a CUDA session"),
            std::string::npos)
      << error;
  EXPECT_FALSE(s.is_initialized(m.w));
  // A wrong shape is named before the device is: the same message as for a host value.
  EXPECT_NE(error_of<vs::InvalidArgumentError>([&] {
              s.load_variable(m.w, fake_view(vs::Shape{3, 2}));
            }).find("Cannot load a value of dtype float32 and shape (3, 2) into variable dense/w"),
            std::string::npos);
}

TEST(DeviceIoCpu, AStreamGivenToACpuSessionIsRefusedAtConstruction) {
  Model m;
  int not_a_stream = 0;
  const std::string error = error_of<vs::InvalidArgumentError>(
      [&] { vs::Session s(m.g, {.device = vs::DeviceKind::kCpu, .stream = &not_a_stream}); });
  EXPECT_NE(error.find("SessionOptions.stream is set, but this session runs on the CPU backend"),
            std::string::npos)
      << error;
}

TEST(DeviceIoCpu, AMistypedDeviceVariableIsAClearErrorAtConstruction) {
  const char* old = std::getenv("VARSCOPE_DEVICE");
  const std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
  setenv("VARSCOPE_DEVICE", "gpu", 1);
  vs::Graph g;
  const std::string error = error_of<vs::InvalidArgumentError>([&] { vs::Session s(g); });
  if (saved) {
    setenv("VARSCOPE_DEVICE", saved->c_str(), 1);
  } else {
    unsetenv("VARSCOPE_DEVICE");
  }
  EXPECT_EQ(error, "VARSCOPE_DEVICE must be 'cpu' or 'cuda', got 'gpu'");
}

// ---- CUDA: values through device buffers (cudart, where the toolkit is) ----
#if VARSCOPE_TEST_HAS_CUDA

class DeviceBuffer {
 public:
  explicit DeviceBuffer(std::size_t bytes) { EXPECT_EQ(cudaMalloc(&data_, bytes), cudaSuccess); }
  ~DeviceBuffer() { cudaFree(data_); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  void* get() const { return data_; }
  void upload(const vs::HostTensor& t) {
    ASSERT_EQ(cudaMemcpy(data_, t.raw_data(), t.nbytes(), cudaMemcpyHostToDevice), cudaSuccess);
  }
  vs::HostTensor download(vs::DType dtype, vs::Shape shape) const {
    vs::HostTensor t(dtype, std::move(shape));
    EXPECT_EQ(cudaMemcpy(t.raw_data(), data_, t.nbytes(), cudaMemcpyDeviceToHost), cudaSuccess);
    return t;
  }

 private:
  void* data_ = nullptr;
};

class GpuDeviceIo : public vs::testing::GpuTest {};

TEST_F(GpuDeviceIo, FeedsFromAndFetchesIntoDeviceBuffersLikeHostRuns) {
  Model m;
  vs::Session s(m.g, {.device = vs::DeviceKind::kCuda});
  s.load_variable(m.w, kW);
  s.load_variable(m.b, kB);
  const vs::HostTensor x({1.f, 0.f, 0.f, 1.f, 2.f, 3.f}, vs::Shape{3, 2});
  const vs::HostTensor expected = s.run(m.y, {{m.x, x}});
  ASSERT_EQ(expected.data<float>()[0], 1.5f);  // row (1, 0) picks w's first row, plus b

  DeviceBuffer in(x.nbytes()), out(expected.nbytes()), w_out(kW.nbytes());
  in.upload(x);
  s.run_async({m.y, m.w.value()},
              {{out.get(), vs::DType::kFloat32, vs::Shape{3, 3}},
               {w_out.get(), vs::DType::kFloat32, vs::Shape{2, 3}}},
              {{m.x, {in.get(), vs::DType::kFloat32, vs::Shape{3, 2}}}});
  s.synchronize();
  EXPECT_EQ(out.download(vs::DType::kFloat32, vs::Shape{3, 3}), expected);
  EXPECT_EQ(w_out.download(vs::DType::kFloat32, vs::Shape{2, 3}), kW);
  EXPECT_EQ(x, in.download(vs::DType::kFloat32, vs::Shape{3, 2}));  // a feed is only read
}

TEST_F(GpuDeviceIo, LoadVariableFromDeviceMarksItInitialized) {
  Model m;
  vs::Session s(m.g, {.device = vs::DeviceKind::kCuda});
  DeviceBuffer w(kW.nbytes());
  w.upload(kW);
  EXPECT_FALSE(s.is_initialized(m.w));
  s.load_variable(m.w, {w.get(), vs::DType::kFloat32, vs::Shape{2, 3}});
  EXPECT_TRUE(s.is_initialized(m.w));
  EXPECT_EQ(s.run(m.w), kW);
}

TEST_F(GpuDeviceIo, BadViewsAreRefusedBeforeAnythingRuns) {
  Model m;
  vs::Session s(m.g, {.device = vs::DeviceKind::kCuda});
  s.load_variable(m.w, kW);
  s.load_variable(m.b, kB);
  DeviceBuffer out(9 * sizeof(float));
  EXPECT_NE(error_of<vs::InvalidArgumentError>([&] {
              s.run_async({m.w.value()}, {{out.get(), vs::DType::kFloat64, vs::Shape{2, 3}}});
            }).find("into a DeviceTensorView of dtype float64"),
            std::string::npos);
  EXPECT_NE(error_of<vs::InvalidArgumentError>([&] {
              s.run_async({m.w.value()}, {{nullptr, vs::DType::kFloat32, vs::Shape{2, 3}}});
            }).find("null data pointer"),
            std::string::npos);
  // The fed shape decides the output's: (1, 2) in gives (1, 3) out, not (3, 3).
  DeviceBuffer in(2 * sizeof(float));
  in.upload(vs::HostTensor({1.f, 1.f}, vs::Shape{1, 2}));
  EXPECT_NE(error_of<vs::InvalidArgumentError>([&] {
              s.run_async({m.y}, {{out.get(), vs::DType::kFloat32, vs::Shape{3, 3}}},
                          {{m.x, {in.get(), vs::DType::kFloat32, vs::Shape{1, 2}}}});
            }).find("Cannot fetch a value of shape (1, 3)"),
            std::string::npos);
  s.synchronize();
}

TEST_F(GpuDeviceIo, StreamIsTheOneGivenInOptions) {
  cudaStream_t stream = nullptr;
  ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);
  {
    Model m;
    vs::Session s(m.g, {.device = vs::DeviceKind::kCuda, .stream = stream});
    EXPECT_EQ(s.stream(), static_cast<void*>(stream));
  }
  vs::Graph g;
  vs::Session own(g, {.device = vs::DeviceKind::kCuda});
  EXPECT_NE(own.stream(), nullptr);
  EXPECT_NE(own.stream(), static_cast<void*>(stream));
  cudaStreamDestroy(stream);
}

#endif  // VARSCOPE_TEST_HAS_CUDA

}  // namespace
