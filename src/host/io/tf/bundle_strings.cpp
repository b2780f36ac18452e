// String tensors in a tensor bundle, as TF's tensor_bundle.cc writes and reads them
// (WriteStringTensor, ReadStringTensor).
#include <bit>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "host/io/tf/bundle.h"
#include "host/io/tf/crc32c.h"

namespace varscope::io::tf {
namespace {

std::uint32_t extend(std::uint32_t crc, const void* data, std::size_t n) {
  return crc32c_extend(crc, std::span<const std::byte>(static_cast<const std::byte*>(data), n));
}

// An element's length enters the checksum as 4 bytes, or 8 past 2^32 (TF's compatibility
// with checkpoints that had only 32-bit lengths).
std::uint32_t extend_length(std::uint32_t crc, std::uint64_t length) {
  if (length <= std::numeric_limits<std::uint32_t>::max()) {
    const auto short_length = static_cast<std::uint32_t>(length);
    return extend(crc, &short_length, sizeof(short_length));
  }
  return extend(crc, &length, sizeof(length));
}

}  // namespace

std::string encode_strings(std::span<const std::string> strings, std::uint32_t& crc) {
  static_assert(std::endian::native == std::endian::little);
  std::string out;
  crc = 0;
  for (const std::string& s : strings) {
    std::uint64_t n = s.size();
    crc = extend_length(crc, n);
    do {
      out.push_back(static_cast<char>((n & 0x7f) | (n > 0x7f ? 0x80 : 0)));
      n >>= 7;
    } while (n != 0);
  }
  const std::uint32_t length_crc = crc32c_mask(crc);
  out.append(reinterpret_cast<const char*>(&length_crc), sizeof(length_crc));
  crc = extend(crc, &length_crc, sizeof(length_crc));
  for (const std::string& s : strings) {
    out += s;
    crc = extend(crc, s.data(), s.size());
  }
  return out;
}

std::optional<std::string> decode_strings(std::string_view bytes,
                                          std::span<std::string> out,
                                          std::uint32_t& crc) {
  crc = 0;
  std::size_t at = 0;
  std::vector<std::uint64_t> lengths(out.size());
  for (std::uint64_t& length : lengths) {
    length = 0;
    for (int shift = 0;; shift += 7) {
      if (at >= bytes.size() || shift > 63) return "a string length is cut off or too long";
      const auto byte = static_cast<unsigned char>(bytes[at++]);
      length |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) break;
    }
    crc = extend_length(crc, length);
  }
  std::uint32_t length_crc = 0;
  if (bytes.size() - at < sizeof(length_crc)) return "the string lengths' checksum is cut off";
  std::memcpy(&length_crc, bytes.data() + at, sizeof(length_crc));
  if (crc32c_unmask(length_crc) != crc) {
    return "The length checksum does not match: expected " +
           std::to_string(crc32c_unmask(length_crc)) + " but actual is " + std::to_string(crc);
  }
  crc = extend(crc, &length_crc, sizeof(length_crc));
  at += sizeof(length_crc);
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (lengths[i] > bytes.size() - at) return "the strings run past the entry's bytes";
    out[i].assign(bytes.substr(at, lengths[i]));
    crc = extend(crc, out[i].data(), out[i].size());
    at += lengths[i];
  }
  return std::nullopt;
}

}  // namespace varscope::io::tf
