// A .cu file that includes the whole public API and whose own kernel reads a varscope
// weight through Session::data_ptr, on the session's stream. Without a usable GPU it says
// "skip" and succeeds: building and linking it is the point there.
#include <cuda_runtime.h>
#include <varscope/varscope.h>

#include <cstdio>

namespace vs = varscope;

namespace {

__global__ void sum(const float* w, int n, float* out) {
  float total = 0.f;
  for (int i = 0; i < n; ++i)
    total += w[i];
  *out = total;
}

bool ok(cudaError_t err, const char* what) {
  if (err != cudaSuccess) std::printf("%s: %s\n", what, cudaGetErrorString(err));
  return err == cudaSuccess;
}

}  // namespace

int main() {
  if (!vs::cuda_available()) {
    std::printf("skip: no usable CUDA device (%s)\n", vs::cuda_unavailable_reason().c_str());
    return 0;
  }
  vs::Graph g;
  auto scope = g.variable_scope("model");
  vs::Variable w = g.get_variable("w", {.shape = vs::Shape{4}});
  vs::Session session(g, {.device = vs::DeviceKind::kCuda});
  session.load_variable(w, vs::HostTensor({1.f, 2.f, 3.f, 4.f}, vs::Shape{4}));

  const auto stream = static_cast<cudaStream_t>(session.stream());
  float* out = nullptr;
  float host = 0.f;
  if (!ok(cudaMallocAsync(&out, sizeof(float), stream), "cudaMallocAsync")) return 1;
  sum<<<1, 1, 0, stream>>>(static_cast<const float*>(session.data_ptr(w)), 4, out);
  if (!ok(cudaGetLastError(), "sum<<<>>>") ||
      !ok(cudaMemcpyAsync(&host, out, sizeof(float), cudaMemcpyDeviceToHost, stream),
          "cudaMemcpyAsync") ||
      !ok(cudaFreeAsync(out, stream), "cudaFreeAsync") ||
      !ok(cudaStreamSynchronize(stream), "cudaStreamSynchronize")) {
    return 1;
  }
  std::printf("%s: sum of %s = %g\n", vs::version().data(), w.name().c_str(), host);
  return host == 10.f ? 0 : 1;
}
