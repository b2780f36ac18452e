// The LevelDB table ("sstable") format of a TensorFlow checkpoint's .index file, as
// tensorflow/core/lib/io/{table_builder,block_builder,format}.cc write it:
//   [data block + trailer]* [metaindex block + trailer] [index block + trailer] [footer]
// A block is prefix-compressed entries (varint32 shared, varint32 unshared, varint32 value
// length, key delta, value), then fixed32 restart offsets and their fixed32 count. Its 5-byte
// trailer is the compression type (0: none; 1: snappy) and the masked CRC-32C of the block
// and type byte. The index block maps a separator key (>= every key of a data block, < the
// next block's keys) to the block's handle (varint64 offset, varint64 size). The 48-byte
// footer is the metaindex and index handles, zero-padded to 40 bytes, then the magic number.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "host/io/file.h"

namespace varscope::io::tf {

inline constexpr std::uint64_t kTableMagicNumber = 0xdb4775248b80fb57ull;
inline constexpr std::size_t kBlockTrailerSize = 5;
inline constexpr std::size_t kFooterSize = 48;
inline constexpr std::size_t kMaxBlockHandleSize = 20;  // two varint64s
inline constexpr std::uint8_t kNoCompression = 0;
inline constexpr std::uint8_t kSnappyCompression = 1;

// What TensorFlow's BundleWriter uses (table_options.h): 256 KiB blocks, a restart point
// every 16 keys (every key in the index block).
inline constexpr std::size_t kTableBlockSize = 262144;
inline constexpr int kTableRestartInterval = 16;

using TableEntries = std::vector<std::pair<std::string, std::string>>;

// Reads every entry of the table in `file`, in key order, after checking the footer, every
// block's bounds and checksum, the entries' encoding and that keys strictly increase.
// vs::DataLossError names the file and the problem; a snappy-compressed block is
// vs::UnimplementedError. Nothing is allocated from a length in the file before that length
// is checked against the file's size; the keys rebuilt from shared prefixes may total at most
// 64 x the file size + 64 MiB (beyond that: vs::DataLossError).
TableEntries read_table(InputFile& file);

// Whether the file at `path` is a regular file at least a footer long that ends with the
// table magic number (TF's V1 checkpoints are tables; safetensors files never end so).
bool looks_like_table(const std::string& path);

// Emits a table byte for byte as TensorFlow's TableBuilder with kNoCompression does.
class TableWriter {
 public:
  explicit TableWriter(const ByteSink& sink) : sink_(sink) {}
  // Keys must be added in strictly increasing order (vs::InternalError otherwise).
  void add(const std::string& key, const std::string& value);
  void finish();

 private:
  struct Block {
    std::string buffer;
    std::vector<std::uint32_t> restarts{0};
    int counter = 0;
    std::string last_key;
    bool empty() const { return buffer.empty(); }
    void add(const std::string& key, const std::string& value, int restart_interval);
    std::size_t size_estimate() const { return buffer.size() + 4 * restarts.size() + 4; }
  };
  void flush();
  // Writes the finished block + trailer; returns its handle's encoding.
  std::string write_block(Block& block);

  ByteSink sink_;
  std::uint64_t offset_ = 0;
  Block data_;
  Block index_;
  std::string last_key_;
  std::uint64_t num_entries_ = 0;
  bool pending_index_entry_ = false;
  std::string pending_handle_;
};

}  // namespace varscope::io::tf
