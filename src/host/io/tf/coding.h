// LevelDB's integer encodings (tensorflow/core/lib/core/coding.h): little-endian fixed32 /
// fixed64 and base-128 varints, with bounds-checked decoding from a byte range.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace varscope::io::tf {

inline void put_fixed32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
}
inline void put_varint64(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7fu) | 0x80u));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
inline std::uint32_t decode_fixed32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i)
    v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// Reads a varint of at most `max_bits` bits from the front of `in`, consuming it. False for
// a truncated or over-long encoding (`in` is then unspecified).
inline bool get_varint(std::string_view& in, std::uint64_t& value, int max_bits = 64) {
  value = 0;
  for (int shift = 0; shift < max_bits; shift += 7) {
    if (in.empty()) return false;
    const auto byte = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    const std::uint64_t bits = byte & 0x7fu;
    if (shift > max_bits - 7 && (bits >> (max_bits - shift)) != 0) return false;
    value |= bits << shift;
    if ((byte & 0x80u) == 0) return true;
  }
  return false;
}

}  // namespace varscope::io::tf
