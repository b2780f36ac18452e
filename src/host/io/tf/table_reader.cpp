// Reading a LevelDB table (a checkpoint's .index) in full, every length checked against the
// bytes actually there before anything is allocated from it.
#include <algorithm>
#include <string>
#include <string_view>

#include "host/io/tf/coding.h"
#include "host/io/tf/crc32c.h"
#include "host/io/tf/table.h"
#include "varscope/errors.h"

namespace varscope::io::tf {
namespace {

struct Handle {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

class Parser {
 public:
  Parser(const std::string& path, std::string_view bytes) : path_(path), bytes_(bytes) {
    const std::uint64_t n = bytes.size();
    key_budget_ = n <= (UINT64_MAX - (64ull << 20)) / 64 ? 64 * n + (64ull << 20) : UINT64_MAX;
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw DataLossError("Unable to read checkpoint index " + path_ + ": " + what);
  }

  Handle decode_handle(std::string_view& in, const char* what) const {
    Handle h;
    if (!get_varint(in, h.offset) || !get_varint(in, h.size))
      fail(std::string("bad block handle (") + what + ")");
    return h;
  }

  // The contents of the block at `h` (trailer checked and stripped).
  std::string_view block(const Handle& h, std::uint64_t limit, const char* what) const {
    if (h.offset > limit || h.size > limit - h.offset ||
        kBlockTrailerSize > limit - h.offset - h.size)
      fail(std::string("truncated block read (") + what + " block past the end of the file)");
    const std::string_view contents = bytes_.substr(h.offset, h.size);
    const char* trailer = bytes_.data() + h.offset + h.size;
    const std::uint32_t stored = crc32c_unmask(decode_fixed32(trailer + 1));
    const std::uint32_t actual = crc32c(bytes_.substr(h.offset, h.size + 1));
    if (stored != actual) fail(std::string("block checksum mismatch (") + what + " block)");
    const auto type = static_cast<unsigned char>(trailer[0]);
    if (type == kSnappyCompression) {
      throw UnimplementedError("Unable to read checkpoint index " + path_ + ": the " + what +
                               " block is snappy-compressed; varscope reads uncompressed "
                               "indexes only (TensorFlow writes them uncompressed)");
    }
    if (type != kNoCompression) fail("bad block type");
    return contents;
  }

  // Appends the entries of a block to `out`; checks the key order across blocks.
  void entries(std::string_view block, const char* what, TableEntries* out) {
    if (block.size() < 4) fail(std::string("bad block contents (") + what + " block)");
    const std::uint64_t restarts = decode_fixed32(block.data() + block.size() - 4);
    const std::uint64_t max_restarts = (block.size() - 4) / 4;
    if (restarts == 0 || restarts > max_restarts)
      fail(std::string("bad block contents (") + what + " block restart count)");
    const std::size_t limit = block.size() - 4 - 4 * restarts;
    for (std::uint64_t i = 0; i < restarts; ++i) {
      if (decode_fixed32(block.data() + limit + 4 * i) > limit)
        fail(std::string("bad block contents (") + what + " block restart point)");
    }
    std::string_view in = block.substr(0, limit);
    std::string key;
    while (!in.empty()) {
      std::uint64_t shared = 0, unshared = 0, value_size = 0;
      if (!get_varint(in, shared, 32) || !get_varint(in, unshared, 32) ||
          !get_varint(in, value_size, 32) || shared > key.size() || unshared > in.size() ||
          value_size > in.size() - unshared)
        fail(std::string("bad entry in block (") + what + " block)");
      if (shared + unshared > key_budget_) fail("index keys longer than the file can hold");
      key_budget_ -= shared + unshared;
      key.resize(shared);
      key.append(in.substr(0, unshared));
      const std::string_view value = in.substr(unshared, value_size);
      in.remove_prefix(unshared + value_size);
      if (!out->empty() && !(out->back().first < key))
        fail(std::string("keys out of order (") + what + " block)");
      out->emplace_back(key, value);
    }
  }

  TableEntries read_all() {
    if (bytes_.size() < kFooterSize) fail("file too short to be an sstable");
    const std::size_t footer_at = bytes_.size() - kFooterSize;
    const char* magic = bytes_.data() + footer_at + kFooterSize - 8;
    const std::uint64_t value =
        (static_cast<std::uint64_t>(decode_fixed32(magic + 4)) << 32) | decode_fixed32(magic);
    if (value != kTableMagicNumber) fail("not an sstable (bad magic number)");
    std::string_view footer = bytes_.substr(footer_at, kFooterSize - 8);
    (void)decode_handle(footer, "metaindex");
    const Handle index_handle = decode_handle(footer, "index");

    TableEntries index;
    entries(block(index_handle, footer_at, "index"), "index", &index);
    TableEntries out;
    for (const auto& [separator, encoded] : index) {
      std::string_view in = encoded;
      const Handle h = decode_handle(in, "data");
      const std::size_t before = out.size();
      entries(block(h, footer_at, "data"), "data", &out);
      if (out.size() > before && separator < out.back().first)
        fail("index key below its block's last key");
    }
    return out;
  }

 private:
  const std::string& path_;
  std::string_view bytes_;
  std::uint64_t key_budget_ = 0;
};

}  // namespace

bool looks_like_table(const std::string& path) {
  try {
    InputFile file(path);
    if (file.size() < kFooterSize) return false;
    char magic[8];
    if (!file.read_at(file.size() - 8, std::as_writable_bytes(std::span<char>(magic, 8))))
      return false;
    const std::uint64_t value =
        (static_cast<std::uint64_t>(decode_fixed32(magic + 4)) << 32) | decode_fixed32(magic);
    return value == kTableMagicNumber;
  } catch (const Error&) {
    return false;
  }
}

TableEntries read_table(InputFile& file) {
  std::string bytes(file.size(), '\0');  // the file's real size, not a length it claims
  if (!file.read_at(0, std::as_writable_bytes(std::span<char>(bytes.data(), bytes.size()))))
    throw DataLossError("Unable to read checkpoint index " + file.path() +
                        ": the file shrank while being read");
  return Parser(file.path(), bytes).read_all();
}

}  // namespace varscope::io::tf
