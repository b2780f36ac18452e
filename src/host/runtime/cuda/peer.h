// The CUDA calls behind a session of several GPUs (Backend::record_event, wait_event,
// copy_peer, allow_peer): thin wrappers, every return code checked. Never run in varscope's
// CI (no GPU there): the ordering they serve is decided in host code (device_backends.cpp),
// which the CPU tests check with recording backends.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <memory>

namespace varscope::runtime::cuda {

// An event recorded on `stream` (of `device`, which must be current); destroyed with the
// pointer (cudaEventDestroy returns at once, the event completes regardless).
std::shared_ptr<void> record_event(cudaStream_t stream);
// `stream` waits on the device for `event`, which may belong to another device.
void wait_event(cudaStream_t stream, const std::shared_ptr<void>& event);
// An asynchronous copy on `stream` between devices (unified addressing finds them).
void copy_peer(cudaStream_t stream, void* dst, const void* src, std::size_t bytes);
// Grants `peer` read and write access to `pool` (of `device`) where the pair can do P2P;
// does nothing where it cannot.
void allow_peer(cudaMemPool_t pool, int device, int peer);

}  // namespace varscope::runtime::cuda
