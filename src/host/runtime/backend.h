// The private interface both backends implement: memory, copies, fills, random words and
// their transforms, elementwise math. Work is enqueued in order on one stream (the CPU
// backend runs it immediately); copy_to_host waits for everything before it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "kernels/elementwise.h"
#include "kernels/random.h"
#include "varscope/dtype.h"
#include "varscope/session.h"

namespace varscope::runtime {

class Backend {
 public:
  virtual ~Backend() = default;

  virtual DeviceKind kind() const = 0;
  virtual std::string description() const = 0;

  // Throws vs::ResourceExhaustedError naming the bytes requested; the backend stays usable.
  virtual void* allocate(std::size_t bytes) = 0;
  virtual void deallocate(void* ptr) noexcept = 0;

  virtual void copy_from_host(void* dst, const void* src, std::size_t bytes) = 0;
  virtual void copy_to_host(void* dst, const void* src, std::size_t bytes) = 0;
  virtual void copy(void* dst, const void* src, std::size_t bytes) = 0;
  // `count` elements of `element_size` bytes, each a copy of `pattern` (host memory).
  virtual void fill(void* dst,
                    const void* pattern,
                    std::size_t element_size,
                    std::int64_t count) = 0;

  // Philox4_32_10 words `offset`, `offset + 1`, ... of the stream `seed`, as cuRAND makes them.
  virtual void random_words(std::uint32_t* dst,
                            std::size_t count,
                            std::uint64_t seed,
                            std::uint64_t offset) = 0;
  // In place, from the words already in `data` (float32 or float64), then `affine`.
  virtual void random_transform(kernels::RandomDistribution dist,
                                const kernels::Affine& affine,
                                DType dtype,
                                void* data,
                                std::int64_t count) = 0;
  // In place, integers in [minval, maxval) (int32 or int64).
  virtual void random_int_transform(
      DType dtype, void* data, std::int64_t count, std::int64_t minval, std::int64_t maxval) = 0;

  virtual void binary(kernels::BinaryOp op,
                      DType dtype,
                      const kernels::Broadcast& broadcast,
                      const void* x,
                      const void* y,
                      void* out,
                      std::int64_t count) = 0;

  virtual void synchronize() = 0;
};

std::unique_ptr<Backend> make_cpu_backend();
// Throws vs::UnavailableError when the device cannot be used (or CUDA is compiled out).
std::unique_ptr<Backend> make_cuda_backend(int device, void* stream);

}  // namespace varscope::runtime
