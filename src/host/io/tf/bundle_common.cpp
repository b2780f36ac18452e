// What the bundle reader and writer share: file names, dtype numbers, slice keys (TF's
// OrderedCode, tensorflow/core/lib/strings/ordered_code.cc) and slice copies.
#include <array>
#include <bit>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>

#include "host/io/tf/bundle.h"
#include "varscope/errors.h"

namespace varscope::io::tf {
namespace {

// OrderedCode::WriteNumIncreasing: a length byte, then the value big-endian without
// leading zero bytes.
void write_num_increasing(std::string& out, std::uint64_t v) {
  std::array<unsigned char, 8> digits{};
  int len = 0;
  while (v > 0) {
    digits[static_cast<std::size_t>(7 - len)] = static_cast<unsigned char>(v & 0xffu);
    v >>= 8;
    ++len;
  }
  out.push_back(static_cast<char>(len));
  for (int i = 8 - len; i < 8; ++i)
    out.push_back(static_cast<char>(digits[static_cast<std::size_t>(i)]));
}

// OrderedCode::WriteString: 0x00 -> 00 ff, 0xff -> ff 00, then the separator 00 01.
void write_string(std::string& out, const std::string& s) {
  for (const char c : s) {
    out.push_back(c);
    if (c == '\0') out.push_back('\xff');
    if (c == '\xff') out.push_back('\0');
  }
  out.push_back('\0');
  out.push_back('\1');
}

// OrderedCode::WriteSignedNumIncreasing: sign bit, then as many length bits as bytes
// follow the first, then the value in two's complement, big-endian.
void write_signed_num_increasing(std::string& out, std::int64_t val) {
  const std::uint64_t x =
      val < 0 ? ~static_cast<std::uint64_t>(val) : static_cast<std::uint64_t>(val);
  if (x < 64) {
    out.push_back(static_cast<char>(0x80u ^ static_cast<std::uint8_t>(val)));
    return;
  }
  static constexpr std::array<std::array<unsigned char, 2>, 11> kHeader = {{
      {0, 0},
      {0x80, 0},
      {0xc0, 0},
      {0xe0, 0},
      {0xf0, 0},
      {0xf8, 0},
      {0xfc, 0},
      {0xfe, 0},
      {0xff, 0},
      {0xff, 0x80},
      {0xff, 0xc0},
  }};
  // kBitsToLength: the bytes needed for 1 + floor(log2(x)) + 1 bits, 7 bits per byte.
  const int bits = 64 - std::countl_zero(x) + 1;
  const int len = bits >= 64 ? 10 : (bits + 6) / 7;
  std::array<unsigned char, 10> buf{};
  const unsigned char sign = val < 0 ? 0xff : 0x00;
  buf[0] = buf[1] = sign;
  for (int i = 0; i < 8; ++i)
    buf[static_cast<std::size_t>(2 + i)] =
        static_cast<unsigned char>((static_cast<std::uint64_t>(val) >> (56 - 8 * i)) & 0xffu);
  unsigned char* begin = buf.data() + 10 - len;
  begin[0] ^= kHeader[static_cast<std::size_t>(len)][0];
  begin[1] ^= kHeader[static_cast<std::size_t>(len)][1];
  out.append(reinterpret_cast<const char*>(begin), static_cast<std::size_t>(len));
}

}  // namespace

std::string index_filename(const std::string& prefix) {
  return prefix + ".index";
}

std::string data_filename(const std::string& prefix, std::int32_t shard, std::int32_t num_shards) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), ".data-%05d-of-%05d", shard, num_shards);
  return prefix + buf;
}

int to_tf_dtype(DType dtype) {
  switch (dtype) {
    case DType::kFloat16:
      return varscope::tf::DT_HALF;
    case DType::kBFloat16:
      return varscope::tf::DT_BFLOAT16;
    case DType::kFloat32:
      return varscope::tf::DT_FLOAT;
    case DType::kFloat64:
      return varscope::tf::DT_DOUBLE;
    case DType::kInt8:
      return varscope::tf::DT_INT8;
    case DType::kInt16:
      return varscope::tf::DT_INT16;
    case DType::kInt32:
      return varscope::tf::DT_INT32;
    case DType::kInt64:
      return varscope::tf::DT_INT64;
    case DType::kUInt8:
      return varscope::tf::DT_UINT8;
    case DType::kBool:
      return varscope::tf::DT_BOOL;
    case DType::kComplex64:
      return varscope::tf::DT_COMPLEX64;
    case DType::kString:
      return varscope::tf::DT_STRING;
  }
  throw InternalError("to_tf_dtype: unknown dtype");
}

std::optional<DType> from_tf_dtype(int tf_dtype) {
  for (const DType d : {DType::kFloat16, DType::kBFloat16, DType::kFloat32, DType::kFloat64,
                        DType::kInt8, DType::kInt16, DType::kInt32, DType::kInt64, DType::kUInt8,
                        DType::kBool, DType::kComplex64, DType::kString}) {
    if (to_tf_dtype(d) == tf_dtype) return d;
  }
  return std::nullopt;
}

std::string tf_dtype_name(int tf_dtype) {
  if (varscope::tf::DataType_IsValid(tf_dtype))
    return varscope::tf::DataType_Name(static_cast<varscope::tf::DataType>(tf_dtype));
  return "DT_" + std::to_string(tf_dtype);
}

std::string encode_slice_key(const std::string& name, const SliceSpec& slice) {
  std::string key;
  write_num_increasing(key, 0);  // every slice key starts with 0: apart from tensor names
  write_string(key, name);
  write_num_increasing(key, slice.size());
  for (const SliceExtent& e : slice) {
    write_signed_num_increasing(key, e.start);
    write_signed_num_increasing(key, e.length);
  }
  return key;
}

SliceSpec slice_from_proto(const varscope::tf::TensorSliceProto& proto) {
  SliceSpec out;
  out.reserve(static_cast<std::size_t>(proto.extent_size()));
  for (const auto& e : proto.extent()) {
    const bool has_length = e.has_length_case() == varscope::tf::TensorSliceProto::Extent::kLength;
    out.push_back({e.start(), has_length ? e.length() : -1});
  }
  return out;
}

namespace {

// Calls run(offset in the whole, offset in the part, length), in elements, for each run of
// the part along the last dimension, in the part's row-major order.
void for_each_run(const SliceSpec& slice,
                  const Shape& full,
                  std::int64_t part_elements,
                  const std::function<void(std::size_t, std::size_t, std::size_t)>& run) {
  if (part_elements == 0) return;
  const auto& dims = full.dims();
  const std::size_t rank = dims.size();
  if (rank == 0) return run(0, 0, 1);
  // Row-major strides of the full tensor, and the part's extent per dimension.
  std::vector<std::int64_t> stride(rank, 1), len(rank), start(rank);
  for (std::size_t d = rank; d-- > 0;) {
    start[d] = slice[d].start;
    len[d] = slice[d].length < 0 ? dims[d] : slice[d].length;
    if (d + 1 < rank) stride[d] = stride[d + 1] * dims[d + 1];
  }
  const std::int64_t length = len[rank - 1];
  const std::int64_t runs = part_elements / length;
  std::vector<std::int64_t> idx(rank, 0);
  for (std::int64_t r = 0; r < runs; ++r) {
    std::int64_t at = 0;
    for (std::size_t d = 0; d < rank; ++d)
      at += (start[d] + idx[d]) * stride[d];
    run(static_cast<std::size_t>(at), static_cast<std::size_t>(r * length),
        static_cast<std::size_t>(length));
    for (std::size_t d = rank - 1; d-- > 0;) {  // next run: odometer over all but the last dim
      if (++idx[d] < len[d]) break;
      idx[d] = 0;
    }
  }
}

}  // namespace

void copy_slice_into(const SliceSpec& slice, const HostTensor& part, HostTensor& full) {
  const std::size_t esize = dtype_size(full.dtype());
  const auto* src = static_cast<const std::byte*>(part.raw_data());
  auto* dst = static_cast<std::byte*>(full.raw_data());
  for_each_run(slice, full.shape(), part.num_elements(),
               [&](std::size_t whole, std::size_t piece, std::size_t n) {
                 std::memcpy(dst + whole * esize, src + piece * esize, n * esize);
               });
}

void copy_slice_out(const SliceSpec& slice, const HostTensor& full, HostTensor& part) {
  const std::size_t esize = dtype_size(full.dtype());
  const auto* src = static_cast<const std::byte*>(full.raw_data());
  auto* dst = static_cast<std::byte*>(part.raw_data());
  for_each_run(slice, full.shape(), part.num_elements(),
               [&](std::size_t whole, std::size_t piece, std::size_t n) {
                 std::memcpy(dst + piece * esize, src + whole * esize, n * esize);
               });
}

SliceSpec slice_of(const SaveSliceInfo& info) {
  SliceSpec slice;
  for (std::size_t d = 0; d < info.var_offset.size(); ++d)
    slice.push_back({info.var_offset[d], info.var_shape[d]});
  return slice;
}

}  // namespace varscope::io::tf
