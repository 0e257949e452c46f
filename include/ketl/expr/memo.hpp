// memo: an elementwise value that a derived gradient reads twice, computed
// once per lanes block. gradient.hpp puts it where one weight reaches two
// children.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ketl/detail/simd.hpp"
#include "ketl/expr/nodes.hpp"

namespace ketl::expr {

// A lanes block's columns of one memo: computed by the first of its copies
// to be prepared, read by all of them. Per thread and per memo type, one
// entry per id (ids are unique within one gradient).
struct memo_entry {
  std::uint64_t block = 0;
  std::vector<unsigned char, xsimd::aligned_allocator<unsigned char, 64>> bytes;  // cols * 64
};
template <class M>
inline thread_local std::vector<memo_entry> memo_slots;

// memo(a): an elementwise upstream weight that the gradient builder
// (gradient.hpp) hands to both children of a node, say to p and to sum(p)
// in p / sum(p). One child reads it in a reduction during prepare and the
// other in the column loop: without the memo, each column would compute it
// twice. On lanes it is computed once per block, into a per-thread buffer,
// and read from there; on one row (a block's scalar tail) it is a.
template <class A>
struct memo {
  static_assert(kind_of<A> == kind::elem);
  static constexpr kind node_kind = kind::elem;
  A a;
  std::uint32_t id = 0;                   // its copies share it
  const unsigned char* values = nullptr;  // this block's columns, set by prepare
  template <class Ctx>
  void prepare(const Ctx& r) {
    if constexpr (requires { r.id; }) {
      using V = value_of<Ctx>;
      using S = ketl::detail::scalar_of<V>;
      constexpr std::size_t W = V::size, chunk = 16;
      auto& slots = memo_slots<memo>;
      if (slots.size() <= id) slots.resize(id + 1);
      memo_entry& e = slots[id];
      if (e.block != r.id) {
        if (e.bytes.size() < r.cols * 64) e.bytes.resize(r.cols * 64);
        a.prepare(r);
        // Through a stack buffer: stores into the heap might alias the
        // nodes' constants, which the loop would then reload every column.
        alignas(64) S staged[chunk * W];
        for (std::size_t j0 = 0; j0 < r.cols; j0 += chunk) {
          const std::size_t n = r.cols - j0 < chunk ? r.cols - j0 : chunk;
          for (std::size_t j = 0; j < n; ++j) a.at(r, j0 + j).store_aligned(staged + j * W);
          S* out = reinterpret_cast<S*>(e.bytes.data()) + j0 * W;
          for (std::size_t j = 0; j < n; ++j)
            V::load_aligned(staged + j * W).store_aligned(out + j * W);
        }
        e.block = r.id;
      }
      values = e.bytes.data();
    } else {
      a.prepare(r);
    }
  }
  template <class Ctx>
  value_of<Ctx> at(const Ctx& r, std::size_t j) const {
    if constexpr (requires { r.id; })
      return value_of<Ctx>::load_aligned(
          reinterpret_cast<const ketl::detail::scalar_of<value_of<Ctx>>*>(values) + j * Ctx::width);
    else
      return a.at(r, j);
  }
  template <class F>
  void each(F&& f) {
    f(*this), a.each(f);
  }
};

template <class A>
inline constexpr bool stateless<memo<A>> = stateless<A>;
template <class A>
inline constexpr std::size_t columns_of<memo<A>> = columns_of<A>;

}  // namespace ketl::expr
