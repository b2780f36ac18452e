#include "host/runtime/cuda/peer.h"

#include "host/runtime/cuda/cuda_check.h"

namespace varscope::runtime::cuda {

std::shared_ptr<void> record_event(cudaStream_t stream) {
  cudaEvent_t event = nullptr;
  // No timing: the cheapest event, all a cross-stream wait needs.
  VARSCOPE_CHECK_CUDA(cudaEventCreateWithFlags(&event, cudaEventDisableTiming));
  std::shared_ptr<void> owned(
      event, [](void* e) { ignore_cuda_failure(cudaEventDestroy(static_cast<cudaEvent_t>(e))); });
  VARSCOPE_CHECK_CUDA(cudaEventRecord(event, stream));
  return owned;
}

void wait_event(cudaStream_t stream, const std::shared_ptr<void>& event) {
  if (!event) return;
  VARSCOPE_CHECK_CUDA(cudaStreamWaitEvent(stream, static_cast<cudaEvent_t>(event.get()), 0));
}

void copy_peer(cudaStream_t stream, void* dst, const void* src, std::size_t bytes) {
  if (bytes == 0) return;
  VARSCOPE_CHECK_CUDA(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDefault, stream));
}

void allow_peer(cudaMemPool_t pool, int device, int peer) {
  if (device == peer) return;
  int can = 0;
  VARSCOPE_CHECK_CUDA(cudaDeviceCanAccessPeer(&can, peer, device));
  if (can == 0) return;
  // Pool memory ignores cudaDeviceEnablePeerAccess: access is granted per pool.
  cudaMemAccessDesc access{};
  access.location.type = cudaMemLocationTypeDevice;
  access.location.id = peer;
  access.flags = cudaMemAccessFlagsProtReadWrite;
  VARSCOPE_CHECK_CUDA(cudaMemPoolSetAccess(pool, &access, 1));
}

}  // namespace varscope::runtime::cuda
