// Name -> int, for the graph's name tables (node names, names in use, the variable store).
// These grow to millions of entries and almost every probe is for a new name. A node-based
// std::unordered_map pays a cache miss for the bucket, one per chained node and one for the
// key; here a probe reads one slot that holds the hash, and the key only when hashes match.
// Keys are not copied: they must outlive the table (GraphImpl::intern).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

#include "varscope/errors.h"

namespace varscope::detail {

class NameTable {
 public:
  int* find(std::string_view key) { return const_cast<int*>(std::as_const(*this).find(key)); }
  const int* find(std::string_view key) const {
    if (slots_.empty()) return nullptr;
    const std::uint64_t h = hash(key);
    for (std::size_t i = home(h); slots_[i].hash != 0; i = (i + 1) & mask()) {
      if (slots_[i].hash == h && slots_[i].key() == key) return &slots_[i].value;
    }
    return nullptr;
  }
  bool contains(std::string_view key) const { return find(key) != nullptr; }
  // The table's own copy of `key` (a view that lives as long as the entry) and its value;
  // {{}, nullptr} when absent.
  std::pair<std::string_view, int*> find_entry(std::string_view key) {
    if (slots_.empty()) return {};
    const std::uint64_t h = hash(key);
    for (std::size_t i = home(h); slots_[i].hash != 0; i = (i + 1) & mask()) {
      if (slots_[i].hash == h && slots_[i].key() == key) return {slots_[i].key(), &slots_[i].value};
    }
    return {};
  }

  // The entry for `key`, inserted with `value` when absent; second is true when inserted.
  // A name longer than 4 GiB is refused, not truncated.
  std::pair<int*, bool> try_emplace(std::string_view key, int value) {
    if (key.size() > UINT32_MAX)
      throw InvalidArgumentError("Names longer than 4 GiB are not supported");
    if (2 * (size_ + 1) > slots_.size()) grow();  // load factor <= 1/2: short probe runs
    const std::uint64_t h = hash(key);
    std::size_t i = home(h);
    for (; slots_[i].hash != 0; i = (i + 1) & mask()) {
      if (slots_[i].hash == h && slots_[i].key() == key) return {&slots_[i].value, false};
    }
    slots_[i] = Slot{h, key.data(), static_cast<std::uint32_t>(key.size()), value};
    ++size_;
    return {&slots_[i].value, true};
  }

  // Removes `key`; false when absent. Backward-shift deletion keeps every other key on an
  // unbroken probe run from its home slot, so no tombstones are needed.
  bool erase(std::string_view key) {
    if (slots_.empty()) return false;
    const std::uint64_t h = hash(key);
    std::size_t hole = home(h);
    for (;; hole = (hole + 1) & mask()) {
      if (slots_[hole].hash == 0) return false;
      if (slots_[hole].hash == h && slots_[hole].key() == key) break;
    }
    for (std::size_t j = (hole + 1) & mask(); slots_[j].hash != 0; j = (j + 1) & mask()) {
      // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
      const std::size_t k = home(slots_[j].hash);
      const bool stays = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
      if (!stays) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole] = Slot{};
    --size_;
    return true;
  }

  std::size_t size() const { return size_; }

 private:
  struct Slot {              // 24 bytes: millions of them
    std::uint64_t hash = 0;  // 0: empty
    const char* data = nullptr;
    std::uint32_t size = 0;
    int value = 0;
    std::string_view key() const { return {data, size}; }
  };

  // Never 0, so that 0 can mark an empty slot; the forced bit is not used to place it.
  static std::uint64_t hash(std::string_view key) { return std::hash<std::string_view>{}(key) | 1; }
  std::size_t mask() const { return slots_.size() - 1; }
  std::size_t home(std::uint64_t h) const { return static_cast<std::size_t>(h >> 1) & mask(); }

  void grow() {
    std::vector<Slot> old =
        std::exchange(slots_, std::vector<Slot>(std::max<std::size_t>(16, 2 * slots_.size())));
    for (const Slot& s : old) {
      if (s.hash == 0) continue;
      std::size_t i = home(s.hash);
      while (slots_[i].hash != 0)
        i = (i + 1) & mask();
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;  // a power of two in size
  std::size_t size_ = 0;
};

}  // namespace varscope::detail
