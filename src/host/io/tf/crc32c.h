// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as TensorFlow's and LevelDB's
// crc32c: the checksum of table blocks and of tensor bytes in a checkpoint bundle. The SSE4.2
// instruction where the CPU has it (checked once, at run time), slice-by-8 tables otherwise;
// both give the same values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace varscope::io::tf {

// The CRC of `data` appended to bytes whose CRC was `crc` (crc32c_extend(0, x) == crc32c(x)).
std::uint32_t crc32c_extend(std::uint32_t crc, std::span<const std::byte> data);
inline std::uint32_t crc32c(std::span<const std::byte> data) {
  return crc32c_extend(0, data);
}
inline std::uint32_t crc32c(std::string_view data) {
  return crc32c(std::as_bytes(std::span<const char>(data.data(), data.size())));
}

// TensorFlow's crc32c::Mask/Unmask: a CRC stored beside the bytes it covers is rotated and
// offset, so that a CRC of data holding CRCs stays well distributed.
inline constexpr std::uint32_t kCrc32cMaskDelta = 0xa282ead8u;
inline constexpr std::uint32_t crc32c_mask(std::uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + kCrc32cMaskDelta;
}
inline constexpr std::uint32_t crc32c_unmask(std::uint32_t masked) {
  const std::uint32_t rot = masked - kCrc32cMaskDelta;
  return (rot >> 17) | (rot << 15);
}

// The portable path alone (tests compare it with the dispatched one).
std::uint32_t crc32c_extend_portable(std::uint32_t crc, std::span<const std::byte> data);

}  // namespace varscope::io::tf
