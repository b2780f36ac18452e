// A CUDA program around a varscope model: two towers share one set of weights through
// variable scopes; the inputs come from device buffers and the outputs go to device buffers
// (no host round trip); a kernel of the program reads a shared weight in place. Everything
// runs on the session's stream, so stream order alone sequences the session and the kernel.
#include <cuda_runtime.h>
#include <varscope/varscope.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace vs = varscope;

namespace {

void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess) {
    std::fprintf(stderr, "%s: %s\n", what, cudaGetErrorString(err));
    std::exit(1);
  }
}

// The L2 norm squared of each column of a (rows x cols) row-major matrix.
__global__ void column_norms(const float* m, int rows, int cols, float* out) {
  const int c = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  if (c >= cols) return;
  float total = 0.f;
  for (int r = 0; r < rows; ++r)
    total += m[r * cols + c] * m[r * cols + c];
  out[c] = total;
}

// One dense layer under `name`; the weights are shared by every tower built with reuse.
vs::Tensor dense(vs::Graph& g, const vs::Tensor& x, std::int64_t units, const char* name) {
  auto scope = g.variable_scope(name);
  const std::int64_t in = x.shape().dim(1);
  vs::Variable kernel = g.get_variable("kernel", {.shape = vs::Shape{in, units}});
  vs::Variable bias =
      g.get_variable("bias", {.shape = vs::Shape{units}, .initializer = vs::zeros_initializer()});
  return vs::bias_add(vs::matmul(x, kernel), bias);
}

vs::Tensor tower(vs::Graph& g, const vs::Tensor& x) {
  auto scope = g.variable_scope("tower", {.reuse = vs::Reuse::kAuto});
  return dense(g, vs::relu(dense(g, x, 16, "layer1")), 4, "layer2");
}

template <typename T>
T* device_alloc(std::size_t count) {
  T* p = nullptr;
  check(cudaMalloc(&p, count * sizeof(T)), "cudaMalloc");
  return p;
}

}  // namespace

int main() {
  if (!vs::cuda_available()) {
    std::fprintf(stderr, "cuda_app needs a usable CUDA device: %s\n",
                 vs::cuda_unavailable_reason().c_str());
    return 1;
  }
  constexpr int kBatch = 2, kFeatures = 8;
  vs::Graph g;
  g.set_random_seed(2024);
  vs::Tensor query = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{kBatch, kFeatures}, "query");
  vs::Tensor item = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{kBatch, kFeatures}, "item");
  vs::Tensor a = tower(g, query);
  vs::Tensor b = tower(g, item);  // the same variables: tower/layer1/kernel, ...
  vs::Tensor score = vs::reduce_sum(vs::multiply(a, b), {.axes = std::vector<int>{1}});
  std::printf("variables (one set for both towers):\n");
  for (const vs::Variable& v : g.trainable_variables())
    std::printf("  %s %s\n", v.name().c_str(), v.shape().to_string().c_str());

  vs::Session session(g, {.device = vs::DeviceKind::kCuda});
  session.run(g.global_variables_initializer());
  const auto stream = static_cast<cudaStream_t>(session.stream());
  std::printf("session on %s\n", session.device_description().c_str());

  // Inputs already on the device, e.g. produced by the program's own kernels.
  std::vector<float> host_in(kBatch * kFeatures);
  for (std::size_t i = 0; i < host_in.size(); ++i)
    host_in[i] = static_cast<float>(i % 5) * 0.25f - 0.5f;
  float* d_query = device_alloc<float>(host_in.size());
  float* d_item = device_alloc<float>(host_in.size());
  float* d_score = device_alloc<float>(kBatch);
  check(cudaMemcpyAsync(d_query, host_in.data(), host_in.size() * sizeof(float),
                        cudaMemcpyHostToDevice, stream),
        "upload query");
  check(cudaMemcpyAsync(d_item, host_in.data(), host_in.size() * sizeof(float),
                        cudaMemcpyHostToDevice, stream),
        "upload item");

  // Device buffers in and out; run_async returns at once, the work is on `stream`.
  const vs::Shape in_shape{kBatch, kFeatures};
  session.run_async({score}, {{d_score, vs::DType::kFloat32, vs::Shape{kBatch}}},
                    {{query, {d_query, vs::DType::kFloat32, in_shape}},
                     {item, {d_item, vs::DType::kFloat32, in_shape}}});

  // A kernel of ours reads the shared weight where the session keeps it, after the run.
  const vs::Variable kernel = g.global_variables("tower/layer2/kernel").front();
  float* d_norms = device_alloc<float>(4);
  column_norms<<<1, 32, 0, stream>>>(static_cast<const float*>(session.data_ptr(kernel)), 16, 4,
                                     d_norms);
  check(cudaGetLastError(), "column_norms");

  float score_host[kBatch], norms[4];
  check(cudaMemcpyAsync(score_host, d_score, sizeof score_host, cudaMemcpyDeviceToHost, stream),
        "download score");
  check(cudaMemcpyAsync(norms, d_norms, sizeof norms, cudaMemcpyDeviceToHost, stream),
        "download norms");
  check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");

  // The same run with host tensors gives the same scores.
  vs::HostTensor x(host_in, in_shape);
  const vs::HostTensor expected = session.run(score, {{query, x}, {item, x}});
  int failures = 0;
  for (int i = 0; i < kBatch; ++i) {
    std::printf("score[%d] = %g (host run: %g)\n", i, score_host[i], expected.data<float>()[i]);
    failures += score_host[i] != expected.data<float>()[i];
  }
  std::printf("column norms of %s: %g %g %g %g\n", kernel.name().c_str(), norms[0], norms[1],
              norms[2], norms[3]);
  for (void* p : {static_cast<void*>(d_query), static_cast<void*>(d_item),
                  static_cast<void*>(d_score), static_cast<void*>(d_norms)})
    check(cudaFree(p), "cudaFree");
  return failures == 0 ? 0 : 1;
}
