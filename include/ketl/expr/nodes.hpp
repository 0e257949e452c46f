// The inner nodes of an expression: elementwise operations, where, the
// reductions over the last axis and over the batch. What a node is, and its
// kinds, are in node.hpp; the leaves in leaves.hpp.
//
// Node types are short on purpose: they are what diagnostics show.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "ketl/detail/simd.hpp"
#include "ketl/expr/context.hpp"
#include "ketl/expr/leaves.hpp"
#include "ketl/expr/node.hpp"

namespace ketl::expr {

struct div_op;  // ops.hpp: a binary node divides by a row's reciprocal

// Whether an expression's value depends on nothing but its type and the
// rows (no constants, clip bounds or k held in the node); the
// specializations are below.
template <class E>
inline constexpr bool stateless = false;

// What a stateless node keeps from prepare, in one per-thread slot for its
// type, with the lanes_ref block it holds (0: none, or a row_ref's row).
// Every copy of the node (sum(p) and p / sum(p) appear several times in a
// gradient) then computes it once per block and reads it from one address,
// so that the compiler can also merge what the copies compute from it.
struct alignas(64) shared_value {  // a vector's load or store splits no cache line
  lane_cache value;
  std::uint64_t block = 0;
  bool flag = false;
};
template <class E>
inline thread_local shared_value shared_slot{};

// Whether this copy of stateless node E is the first prepared for the
// block, which then computes the slot's value.
template <class E, class Ctx>
bool first_copy(const Ctx& r) {
  auto& s = shared_slot<E>;
  if constexpr (requires { r.id; }) {
    if (s.block == r.id) return false;
    s.block = r.id;
  } else {
    s.block = 0;
  }
  return true;
}

// A held value of kind K: a scalar node's is one number in every lane, so
// one lane is kept and broadcast when read. A whole vector stored into a
// node and read back stalls when it straddles a cache line, as it may at
// any offset in the node.
template <kind K, class V>
void keep(lane_cache& c, const V& v) {
  if constexpr (K == kind::scalar && !std::is_arithmetic_v<V>) {
    detail::scalar_of<V> s;
    std::memcpy(&s, static_cast<const void*>(&v), sizeof s);
    c.put(s);
  } else {
    c.put(v);
  }
}
template <kind K, class V>
V kept(const lane_cache& c) {
  if constexpr (K == kind::scalar && !std::is_arithmetic_v<V>)
    return V(c.template get<detail::scalar_of<V>>());
  else
    return c.template get<V>();
}

// ---- elementwise operations -------------------------------------------------

// A node of kind row or scalar keeps its value from prepare, so that an
// elementwise parent reads it for each column instead of computing it again
// (1 / sum(x) in a gradient, label_smoothing / C in a loss).
template <class Op, class A>
struct unary {
  static constexpr kind node_kind = kind_of<A>;
  static constexpr bool held = node_kind == kind::row || node_kind == kind::scalar;
  static constexpr bool shared = held && stateless<unary>;
  A a;
  Op op{};
  [[no_unique_address]] held_value<held && !shared> own{};
  template <class Self>
  static auto& slot(Self& self) {
    if constexpr (shared)
      return shared_slot<unary>.value;
    else
      return self.own.value;
  }
  template <class Ctx>
  void prepare(const Ctx& r) {
    a.prepare(r);
    if constexpr (shared)
      if (!first_copy<unary>(r)) return;
    if constexpr (held) keep<node_kind>(slot(*this), op(a.at(r, 0)));
  }
  template <class Ctx>
  value_of<Ctx> at(const Ctx& r, std::size_t j) const {
    if constexpr (held)
      return kept<node_kind, value_of<Ctx>>(slot(*this));
    else
      return op(a.at(r, j));
  }
  template <class F>
  void each(F&& f) {
    f(*this), a.each(f);
  }
};

template <class Op, class A, class B>
struct binary {
  static constexpr kind node_kind = max_kind(kind_of<A>, kind_of<B>);
  static constexpr std::size_t columns = shared_columns<A, B>();
  static_assert(columns !=
                std::size_t(-1));  // checks the operands' last axes now, not on first use
  static constexpr bool held = node_kind == kind::row || node_kind == kind::scalar;
  // Columns divided by a row's value (p / sum(p)) are multiplied by its
  // reciprocal, one division per row, where that reciprocal is a normal
  // number: then the product is within 2 ulp of the quotient. A block with a
  // lane outside that range divides every column, as before.
  static constexpr bool by_reciprocal = std::is_same_v<Op, div_op> && node_kind == kind::elem &&
                                        (kind_of<B> == kind::row || kind_of<B> == kind::scalar);
  // A stateless one keeps them in its type's shared slot (see shared_value).
  static constexpr bool shared = (held || by_reciprocal) && stateless<binary>;
  A a;
  B b;
  [[no_unique_address]] held_value<(held || by_reciprocal) && !shared> own{};
  [[no_unique_address]] held_flag<by_reciprocal && !shared> multiplies{};
  template <class Self>
  static auto& slot(Self& self) {
    if constexpr (shared)
      return shared_slot<binary>.value;
    else
      return self.own.value;
  }
  template <class Self>
  static auto& divides_by_product(Self& self) {
    if constexpr (shared)
      return shared_slot<binary>.flag;
    else
      return self.multiplies.on;
  }
  template <class Ctx>
  void prepare(const Ctx& r) {
    a.prepare(r);
    b.prepare(r);
    if constexpr (shared)
      if (!first_copy<binary>(r)) return;
    if constexpr (held) {
      keep<node_kind>(slot(*this), Op{}(a.at(r, 0), b.at(r, 0)));
    } else if constexpr (by_reciprocal) {
      using V = value_of<Ctx>;
      using S = detail::scalar_of<V>;
      const V d = b.at(r, 0);
      keep<kind_of<B>>(slot(*this), V(1) / d);
      const V lo(std::numeric_limits<S>::min()), hi(S(1) / std::numeric_limits<S>::min());
      if constexpr (std::is_arithmetic_v<V>)
        divides_by_product(*this) = std::abs(d) >= lo && std::abs(d) <= hi;
      else
        divides_by_product(*this) = xsimd::all(xsimd::abs(d) >= lo && xsimd::abs(d) <= hi);
    }
  }
  template <class Ctx>
  value_of<Ctx> at(const Ctx& r, std::size_t j) const {
    if constexpr (held)
      return kept<node_kind, value_of<Ctx>>(slot(*this));
    else if constexpr (by_reciprocal)
      return divides_by_product(*this) ? a.at(r, j) * kept<kind_of<B>, value_of<Ctx>>(slot(*this))
                                       : a.at(r, j) / b.at(r, j);
    else
      return Op{}(a.at(r, j), b.at(r, j));
  }
  template <class F>
  void each(F&& f) {
    f(*this), a.each(f), b.each(f);
  }
};

// where(c, a, b): a where c is non-zero, else b (K.switch).
template <class C, class A, class B>
struct where_node {
  static constexpr kind node_kind = max_kind(kind_of<C>, max_kind(kind_of<A>, kind_of<B>));
  static constexpr std::size_t columns = shared_columns<C, A, B>();
  static_assert(columns != std::size_t(-1));
  C c;
  A a;
  B b;
  // A constant condition (from_logits, say) picks one branch for every row:
  // only that one is computed.
  // The choice is made in prepare and kept in a bool, which no store of a
  // value can alias: the compiler takes the test out of a column loop.
  static constexpr bool fixed_branch = kind_of<C> == kind::scalar;
  bool picks_a = false;
  template <class Ctx>
  void prepare(const Ctx& r) {
    c.prepare(r);
    if constexpr (fixed_branch) {
      picks_a = c.at(row_ref<detail::scalar_of<value_of<Ctx>>>{nullptr, nullptr, r.cols, r.yt_cols},
                     0) != 0;
      if (picks_a)
        a.prepare(r);
      else
        b.prepare(r);
    } else {
      a.prepare(r);
      b.prepare(r);
    }
  }
  template <class Ctx>
  value_of<Ctx> at(const Ctx& r, std::size_t j) const {
    using V = value_of<Ctx>;
    if constexpr (fixed_branch)
      return picks_a ? a.at(r, j) : b.at(r, j);
    else if constexpr (std::is_arithmetic_v<V>)
      return c.at(r, j) != V(0) ? a.at(r, j) : b.at(r, j);  // one branch only
    else
      return detail::simd::select(c.at(r, j) != V(0), a.at(r, j), b.at(r, j));
  }
  template <class F>
  void each(F&& f) {
    f(*this), c.each(f), a.each(f), b.each(f);
  }
};

// ---- reductions over the last axis ----------------------------------------

template <>
inline constexpr bool stateless<y_true_t> = true;
template <>
inline constexpr bool stateless<y_pred_t> = true;
template <>
inline constexpr bool stateless<zero> = true;
template <>
inline constexpr bool stateless<one> = true;
template <>
inline constexpr bool stateless<cols> = true;
template <>
inline constexpr bool stateless<ones> = true;
template <>
inline constexpr bool stateless<label> = true;
template <>
inline constexpr bool stateless<one_hot_label> = true;
template <class Op, class A>
inline constexpr bool stateless<unary<Op, A>> = std::is_empty_v<Op>&& stateless<A>;
template <class Op, class A, class B>
inline constexpr bool stateless<binary<Op, A, B>> =
    std::is_empty_v<Op>&& stateless<A>&& stateless<B>;
template <class C, class A, class B>
inline constexpr bool stateless<where_node<C, A, B>> = stateless<C>&& stateless<A>&& stateless<B>;

template <class Op, class A>
struct reduce {
  static_assert(kind_of<A> == kind::elem,
                "ketl: sum/mean/max/min/argmax reduce the last axis, so they take an elementwise "
                "expression, not one that is already reduced");
  static constexpr kind node_kind = kind::row;
  A a;
  // This row's (or these lanes') result, set by prepare. A reduction of a
  // stateless expression keeps it in one per-thread slot for its type, so
  // that every copy (sum(y_pred) appears many times in a gradient) is read
  // from one address and the compiler can merge what is computed from it.
  static constexpr bool shared = stateless<A>;
  [[no_unique_address]] held_value<!shared> own{};
  constexpr explicit reduce(A x) : a(x) {}
  template <class Self>
  static auto& slot(Self& self) {
    if constexpr (shared)
      return shared_slot<reduce>.value;
    else
      return self.own.value;
  }
  template <class Ctx>
  void prepare(const Ctx& r) {
    if constexpr (shared)
      if (!first_copy<reduce>(r)) return;  // another copy did it for this block
    a.prepare(r);
    slot(*this).put(Op::run(a, r));
  }
  template <class Ctx>
  value_of<Ctx> at(const Ctx&, std::size_t) const {
    return slot(*this).template get<value_of<Ctx>>();
  }
  template <class F>
  void each(F&& f) {
    f(*this), a.each(f);
  }
};

template <class Op, class A>
inline constexpr bool stateless<reduce<Op, A>> = stateless<A>;

// in_top_k(predictions, target, k): 1 if fewer than k classes score strictly
// higher than the target's class (ties count as in, as tf.nn.in_top_k); 0 for
// a target outside [0, C).
template <class P, class Target>
struct in_top_k_node {
  static_assert(kind_of<P> == kind::elem, "ketl: in_top_k takes per-class predictions");
  static_assert(kind_of<Target> == kind::row, "ketl: in_top_k takes one target class per row");
  static constexpr kind node_kind = kind::row;
  static constexpr std::size_t columns = shared_columns<P, Target>();
  static_assert(columns != std::size_t(-1));
  P p;
  Target target;
  std::size_t k = 5;
  lane_cache cache;
  constexpr in_top_k_node(P x, Target t, std::size_t top) : p(x), target(t), k(top) {}
  template <class Ctx>
  void prepare(const Ctx& r) {
    using V = value_of<Ctx>;
    using S = detail::scalar_of<V>;
    p.prepare(r);
    target.prepare(r);
    const V t = target.at(r, 0);
    V pt(S(0)), found(S(0));
    for (std::size_t j = 0; j < r.cols; ++j) {
      const auto here = t == V(S(j));
      pt = detail::simd::select(here, p.at(r, j), pt);
      found = detail::simd::select(here, V(S(1)), found);
    }
    V higher(S(0));
    for (std::size_t j = 0; j < r.cols; ++j)
      higher += detail::simd::select(p.at(r, j) > pt, V(S(1)), V(S(0)));
    cache.put(detail::simd::select(higher < V(S(k)), found, V(S(0))));
  }
  template <class Ctx>
  value_of<Ctx> at(const Ctx&, std::size_t) const {
    return cache.get<value_of<Ctx>>();
  }
  template <class F>
  void each(F&& f) {
    f(*this), p.each(f), target.each(f);
  }
};

// ---- reductions over the whole batch (batch-wise metrics) -----------------

// batch_sum(e): the sum of e over every row (and column) of the batch.
// Its inside is reached through accumulate(), never through each().
template <class A>
struct batch_sum_node {
  static_assert(kind_of<A> != kind::batch, "ketl: batch_sum of a batch value");
  static constexpr kind node_kind = kind::batch;
  A a;
  double total = 0;
  template <class F>
  void each(F&& f) {
    f(*this);
  }
  template <class Ctx>
  void prepare(const Ctx&) {}
  template <class Ctx>
  value_of<Ctx> at(const Ctx&, std::size_t) const {
    return value_of<Ctx>(static_cast<detail::scalar_of<value_of<Ctx>>>(total));
  }
  void reset() { total = 0; }
  template <class T>
  void accumulate(const row_ref<T>& r) {
    a.prepare(r);
    if constexpr (kind_of<A> == kind::elem)
      for (std::size_t j = 0; j < r.cols; ++j) total += static_cast<double>(a.at(r, j));
    else
      total += static_cast<double>(a.at(r, 0));
  }
};

// columns_of for each node: from its leaves, checked where they meet.
template <std::size_t N>
inline constexpr std::size_t columns_of<row_constant<N>> = N;
template <class Op, class A>
inline constexpr std::size_t columns_of<unary<Op, A>> = columns_of<A>;
template <class Op, class A, class B>
inline constexpr std::size_t columns_of<binary<Op, A, B>> = binary<Op, A, B>::columns;
template <class C, class A, class B>
inline constexpr std::size_t columns_of<where_node<C, A, B>> = where_node<C, A, B>::columns;
template <class Op, class A>
inline constexpr std::size_t columns_of<reduce<Op, A>> = columns_of<A>;
template <class P, class T>
inline constexpr std::size_t columns_of<in_top_k_node<P, T>> = in_top_k_node<P, T>::columns;
template <class A>
inline constexpr std::size_t columns_of<batch_sum_node<A>> = columns_of<A>;

}  // namespace ketl::expr
