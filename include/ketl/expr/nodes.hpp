// The expression nodes of ketl's loss and metric DSL.
//
// An expression is evaluated on rows, a row being one sample's values along
// the last axis (C columns), through a context: row_ref<T> is one row with
// scalar values; lanes_ref<T, Arch> is W consecutive rows with one row per
// SIMD lane, so that a reduction over the last axis is lane-wise arithmetic.
// Each node has a kind:
//   elem   a value per column (y_pred, y_true, y_pred - y_true, ...)
//   row    one value per row (sum(...), mean(...), argmax(...))
//   batch  one value per batch (batch_sum(...), for batch-wise metrics)
//   scalar a constant (2.0, epsilon(), the class count)
// and two operations: prepare(ctx) computes the row values of the
// reductions inside it, bottom-up; at(ctx, j) gives its value at column j
// (row, batch and scalar nodes give the same value for every j). One
// generic body serves scalars and SIMD batches. A thread prepares a
// context and reads it with at() before it prepares another: reductions of
// the same stateless type share one per-thread slot (see reduce).
//
// Node types are short on purpose: they are what diagnostics show.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "ketl/detail/simd.hpp"
#include "ketl/expr/context.hpp"
#include "ketl/shape.hpp"

namespace ketl::expr {

enum class kind { elem, row, batch, scalar };

template <class E>
concept Expression = requires {
  E::node_kind;
};

template <class E>
inline constexpr kind kind_of = std::remove_cvref_t<E>::node_kind;

// The last-axis length an expression is fixed to: 0 when it takes any
// (y_true, y_pred), N when it holds a row_constant<N>.
template <class E>
inline constexpr std::size_t columns_of = 0;

// Instantiated where two operands meet; its arguments name both shapes.
template <class Left, class Right>
struct last_axes_check {
  static constexpr bool fit = true;
};
template <std::size_t L, std::size_t R>
struct last_axes_check<Shape<L>, Shape<R>> {
  static constexpr bool fit = L == R;
  static_assert(fit,
                "ketl::expr: an elementwise operation between Left and Right: the last axes "
                "differ");
};
template <std::size_t N>
struct columns_shape {
  using type = Shape<N>;
};
template <>
struct columns_shape<0> {
  using type = void;
};
// The columns that operands share; checks that they agree.
template <class A, class... R>
constexpr std::size_t shared_columns() {
  constexpr std::size_t a = columns_of<A>;
  if constexpr (sizeof...(R) == 0) {
    return a;
  } else {
    constexpr std::size_t b = shared_columns<R...>();
    if constexpr (a != 0 && b != 0)
      static_assert(
          last_axes_check<typename columns_shape<a>::type, typename columns_shape<b>::type>::fit);
    return a != 0 ? a : b;
  }
}

// The kind of a node with children of kinds a and b: elem beats row beats
// batch beats scalar.
constexpr kind max_kind(kind a, kind b) {
  return static_cast<int>(a) < static_cast<int>(b) ? a : b;
}

// A row value kept between prepare and at: room for one AVX-512 batch.
// memcpy in and out, so it needs no alignment: with alignas(64), every node
// holding one made g++ print a psABI note wherever a node passed by value.
struct lane_cache {
  unsigned char bytes[64] = {};
  template <class V>
  void put(const V& v) {
    static_assert(sizeof(V) <= sizeof(bytes));
    std::memcpy(bytes, &v, sizeof(V));
  }
  template <class V>
  V get() const {
    V v;
    std::memcpy(static_cast<void*>(&v), bytes, sizeof(V));
    return v;
  }
};

// A lane_cache member that only some nodes need.
template <bool Held>
struct held_value {};
template <>
struct held_value<true> {
  lane_cache value;
};

// ---- leaves ---------------------------------------------------------------

// What every leaf shares: no children, nothing to prepare.
template <class Leaf>
struct leaf {
  template <class F>
  void each(F&& f) {
    f(static_cast<Leaf&>(*this));
  }
  template <class Ctx>
  void prepare(const Ctx&) {}
};

struct y_true_t : leaf<y_true_t> {
  static constexpr kind node_kind = kind::elem;
  template <class Ctx>
  value_of<Ctx> at(const Ctx& r, std::size_t j) const {
    return r.truth(j);
  }
};
struct y_pred_t : leaf<y_pred_t> {
  static constexpr kind node_kind = kind::elem;
  template <class Ctx>
  value_of<Ctx> at(const Ctx& r, std::size_t j) const {
    return r.pred(j);
  }
};

// The placeholders a loss or metric is written with.
inline constexpr y_true_t y_true{};
inline constexpr y_pred_t y_pred{};

// Constants: zero and one are types, so that derivatives simplify as they
// are built; any other value is a `constant`.
struct zero : leaf<zero> {
  static constexpr kind node_kind = kind::scalar;
  template <class Ctx>
  value_of<Ctx> at(const Ctx&, std::size_t) const {
    return value_of<Ctx>(0);
  }
};
struct one : leaf<one> {
  static constexpr kind node_kind = kind::scalar;
  template <class Ctx>
  value_of<Ctx> at(const Ctx&, std::size_t) const {
    return value_of<Ctx>(1);
  }
};
// The value is kept in float too: a float loop then broadcasts it from
// memory instead of converting it at every use.
struct constant : leaf<constant> {
  static constexpr kind node_kind = kind::scalar;
  double value = 0;
  float single = 0;
  constexpr constant() = default;
  constexpr explicit constant(double v) : value(v), single(static_cast<float>(v)) {}
  template <class Ctx>
  value_of<Ctx> at(const Ctx&, std::size_t) const {
    using S = detail::scalar_of<value_of<Ctx>>;
    if constexpr (std::is_same_v<S, float>)
      return value_of<Ctx>(single);
    else
      return value_of<Ctx>(static_cast<S>(value));
  }
};
// The number of classes, C: what mean() divides by.
struct cols : leaf<cols> {
  static constexpr kind node_kind = kind::scalar;
  template <class Ctx>
  value_of<Ctx> at(const Ctx& r, std::size_t) const {
    return value_of<Ctx>(static_cast<detail::scalar_of<value_of<Ctx>>>(r.cols));
  }
};
// A column of ones: the count an elementwise batch mean divides by.
struct ones : leaf<ones> {
  static constexpr kind node_kind = kind::elem;
  template <class Ctx>
  value_of<Ctx> at(const Ctx&, std::size_t) const {
    return value_of<Ctx>(1);
  }
};

// A constant row of N values, one per class (class weights, say): the one
// leaf whose last axis is fixed, so it is checked against y_pred's.
template <std::size_t N>
struct row_constant : leaf<row_constant<N>> {
  static constexpr kind node_kind = kind::elem;
  std::array<double, N> values{};
  constexpr explicit row_constant(const std::array<double, N>& v) : values(v) {}
  template <class Ctx>
  value_of<Ctx> at(const Ctx&, std::size_t j) const {
    return value_of<Ctx>(static_cast<detail::scalar_of<value_of<Ctx>>>(values[j]));
  }
};

// y_true as integer class labels, one per row (the sparse_* family).
struct label : leaf<label> {
  static constexpr kind node_kind = kind::row;
  template <class Ctx>
  value_of<Ctx> at(const Ctx& r, std::size_t) const {
    return r.label();
  }
};
// one_hot(label): 1 at the label's column.
struct one_hot_label : leaf<one_hot_label> {
  static constexpr kind node_kind = kind::elem;
  template <class Ctx>
  value_of<Ctx> at(const Ctx& r, std::size_t j) const {
    using V = value_of<Ctx>;
    return detail::simd::select(r.label() == V(static_cast<detail::scalar_of<V>>(j)), V(1), V(0));
  }
};

// ---- elementwise operations -------------------------------------------------

// A node of kind row or scalar keeps its value from prepare, so that an
// elementwise parent reads it for each column instead of computing it again
// (1 / sum(x) in a gradient, label_smoothing / C in a loss).
template <class Op, class A>
struct unary {
  static constexpr kind node_kind = kind_of<A>;
  static constexpr bool held = node_kind == kind::row || node_kind == kind::scalar;
  A a;
  Op op{};
  [[no_unique_address]] held_value<held> own{};
  template <class Ctx>
  void prepare(const Ctx& r) {
    a.prepare(r);
    if constexpr (held) own.value.put(op(a.at(r, 0)));
  }
  template <class Ctx>
  value_of<Ctx> at(const Ctx& r, std::size_t j) const {
    if constexpr (held)
      return own.value.template get<value_of<Ctx>>();
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
  A a;
  B b;
  [[no_unique_address]] held_value<held> own{};
  template <class Ctx>
  void prepare(const Ctx& r) {
    a.prepare(r);
    b.prepare(r);
    if constexpr (held) own.value.put(Op{}(a.at(r, 0), b.at(r, 0)));
  }
  template <class Ctx>
  value_of<Ctx> at(const Ctx& r, std::size_t j) const {
    if constexpr (held)
      return own.value.template get<value_of<Ctx>>();
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

// Whether an expression's value depends on nothing but its type and the
// rows (no constants, clip bounds or k held in the node).
template <class E>
inline constexpr bool stateless = false;
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

// The per-thread slot of a stateless reduction type, and the lanes_ref
// block it holds (0: none, or a row_ref's row).
struct shared_value {
  lane_cache value;
  std::uint64_t block = 0;
};
template <class E>
inline thread_local shared_value shared_slot{};

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
    if constexpr (shared && requires { r.id; }) {
      auto& s = shared_slot<reduce>;
      if (s.block == r.id) return;  // another copy did it for this block
      s.block = r.id;
    } else if constexpr (shared) {
      shared_slot<reduce>.block = 0;
    }
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
