// The expression nodes of ketl's loss and metric DSL.
//
// An expression is evaluated one row at a time, a row being one sample's
// values along the last axis (C columns). Each node has a kind:
//   elem   a value per column (y_pred, y_true, y_pred - y_true, ...)
//   row    one value per row (sum(...), mean(...), argmax(...))
//   batch  one value per batch (batch_sum(...), for batch-wise metrics)
//   scalar a constant (2.0, epsilon(), the class count)
// and two operations: prepare(r) computes the row values of the reductions
// inside it, bottom-up; at(r, j) gives its value at column j (row and batch
// nodes give the same value for every j).
//
// Node types are short on purpose: they are what diagnostics show.
#pragma once

#include <cmath>
#include <cstddef>
#include <type_traits>

namespace ketl::expr {

enum class kind { elem, row, batch, scalar };

// One row of y_true and y_pred, in element type T.
template <class T>
struct row_ref {
  const T* yt;
  const T* yp;
  std::size_t cols;     // y_pred's last axis
  std::size_t yt_cols;  // y_true's last axis: cols, or 1 for integer labels
};

template <class E>
concept Expression = requires {
  E::node_kind;
};

template <class E>
inline constexpr kind kind_of = std::remove_cvref_t<E>::node_kind;

// The kind of a node with children of kinds a and b: elem beats row beats
// batch beats scalar.
constexpr kind max_kind(kind a, kind b) {
  return static_cast<int>(a) < static_cast<int>(b) ? a : b;
}

// ---- leaves ---------------------------------------------------------------

struct y_true_t {
  static constexpr kind node_kind = kind::elem;
  template <class F>
  void each(F&& f) {
    f(*this);
  }
  template <class T>
  void prepare(const row_ref<T>&) {}
  template <class T>
  T at(const row_ref<T>& r, std::size_t j) const {
    return r.yt[j];
  }
};
struct y_pred_t {
  static constexpr kind node_kind = kind::elem;
  template <class F>
  void each(F&& f) {
    f(*this);
  }
  template <class T>
  void prepare(const row_ref<T>&) {}
  template <class T>
  T at(const row_ref<T>& r, std::size_t j) const {
    return r.yp[j];
  }
};

// The placeholders a loss or metric is written with.
inline constexpr y_true_t y_true{};
inline constexpr y_pred_t y_pred{};

// Constants: zero and one are types, so that derivatives simplify as they
// are built; any other value is a `constant`.
struct zero {
  static constexpr kind node_kind = kind::scalar;
  template <class F>
  void each(F&& f) {
    f(*this);
  }
  template <class T>
  void prepare(const row_ref<T>&) {}
  template <class T>
  T at(const row_ref<T>&, std::size_t) const {
    return T(0);
  }
};
struct one {
  static constexpr kind node_kind = kind::scalar;
  template <class F>
  void each(F&& f) {
    f(*this);
  }
  template <class T>
  void prepare(const row_ref<T>&) {}
  template <class T>
  T at(const row_ref<T>&, std::size_t) const {
    return T(1);
  }
};
struct constant {
  static constexpr kind node_kind = kind::scalar;
  double value;
  template <class F>
  void each(F&& f) {
    f(*this);
  }
  template <class T>
  void prepare(const row_ref<T>&) {}
  template <class T>
  T at(const row_ref<T>&, std::size_t) const {
    return T(value);
  }
};
// The number of classes, C: what mean() divides by.
struct cols {
  static constexpr kind node_kind = kind::scalar;
  template <class F>
  void each(F&& f) {
    f(*this);
  }
  template <class T>
  void prepare(const row_ref<T>&) {}
  template <class T>
  T at(const row_ref<T>& r, std::size_t) const {
    return T(r.cols);
  }
};

// A column of ones: the count an elementwise batch mean divides by.
struct ones {
  static constexpr kind node_kind = kind::elem;
  template <class F>
  void each(F&& f) {
    f(*this);
  }
  template <class T>
  void prepare(const row_ref<T>&) {}
  template <class T>
  T at(const row_ref<T>&, std::size_t) const {
    return T(1);
  }
};

// y_true as integer class labels, one per row (the sparse_* family).
struct label {
  static constexpr kind node_kind = kind::row;
  template <class F>
  void each(F&& f) {
    f(*this);
  }
  template <class T>
  void prepare(const row_ref<T>&) {}
  template <class T>
  T at(const row_ref<T>& r, std::size_t) const {
    return r.yt[0];
  }
};
// one_hot(label): 1 at the label's column.
struct one_hot_label {
  static constexpr kind node_kind = kind::elem;
  template <class F>
  void each(F&& f) {
    f(*this);
  }
  template <class T>
  void prepare(const row_ref<T>&) {}
  template <class T>
  T at(const row_ref<T>& r, std::size_t j) const {
    return static_cast<std::size_t>(r.yt[0]) == j ? T(1) : T(0);
  }
};

// ---- elementwise operations -------------------------------------------------

template <class Op, class A>
struct unary {
  static constexpr kind node_kind = kind_of<A>;
  A a;
  Op op{};
  template <class T>
  void prepare(const row_ref<T>& r) {
    a.prepare(r);
  }
  template <class T>
  T at(const row_ref<T>& r, std::size_t j) const {
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
  A a;
  B b;
  template <class T>
  void prepare(const row_ref<T>& r) {
    a.prepare(r);
    b.prepare(r);
  }
  template <class T>
  T at(const row_ref<T>& r, std::size_t j) const {
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
  C c;
  A a;
  B b;
  template <class T>
  void prepare(const row_ref<T>& r) {
    c.prepare(r);
    a.prepare(r);
    b.prepare(r);
  }
  template <class T>
  T at(const row_ref<T>& r, std::size_t j) const {
    return c.at(r, j) != T(0) ? a.at(r, j) : b.at(r, j);
  }
  template <class F>
  void each(F&& f) {
    f(*this), c.each(f), a.each(f), b.each(f);
  }
};

// ---- reductions over the last axis ----------------------------------------

template <class Op, class A>
struct reduce {
  static_assert(kind_of<A> == kind::elem,
                "ketl: sum/mean/max/min/argmax reduce the last axis, so they take an elementwise "
                "expression, not one that is already reduced");
  static constexpr kind node_kind = kind::row;
  A a;
  double value = 0;  // this row's result, set by prepare
  template <class T>
  void prepare(const row_ref<T>& r) {
    a.prepare(r);
    value = static_cast<double>(Op::template run<T>(a, r));
  }
  template <class T>
  T at(const row_ref<T>&, std::size_t) const {
    return static_cast<T>(value);
  }
  template <class F>
  void each(F&& f) {
    f(*this), a.each(f);
  }
};

// in_top_k(predictions, target, k): 1 if fewer than k classes score strictly
// higher than the target's class (ties count as in, as tf.nn.in_top_k).
template <class P, class Target>
struct in_top_k_node {
  static_assert(kind_of<P> == kind::elem, "ketl: in_top_k takes per-class predictions");
  static_assert(kind_of<Target> == kind::row, "ketl: in_top_k takes one target class per row");
  static constexpr kind node_kind = kind::row;
  P p;
  Target target;
  std::size_t k;
  double value = 0;
  template <class T>
  void prepare(const row_ref<T>& r) {
    p.prepare(r);
    target.prepare(r);
    const auto t = static_cast<std::size_t>(target.at(r, 0));
    if (t >= r.cols) {
      value = 0;
      return;
    }
    const T pt = p.at(r, t);
    std::size_t higher = 0;
    for (std::size_t j = 0; j < r.cols; ++j) higher += p.at(r, j) > pt;
    value = higher < k ? 1.0 : 0.0;
  }
  template <class T>
  T at(const row_ref<T>&, std::size_t) const {
    return static_cast<T>(value);
  }
  template <class F>
  void each(F&& f) {
    f(*this), p.each(f), target.each(f);
  }
};

// ---- reductions over the whole batch (batch-wise metrics) -----------------

// batch_sum(e): the sum of e over every row (and column) of the batch.
template <class A>
// Its inside is reached through accumulate(), never through each().
struct batch_sum_node {
  static_assert(kind_of<A> != kind::batch, "ketl: batch_sum of a batch value");
  static constexpr kind node_kind = kind::batch;
  A a;
  double total = 0;
  template <class F>
  void each(F&& f) {
    f(*this);
  }
  template <class T>
  void prepare(const row_ref<T>&) {}
  template <class T>
  T at(const row_ref<T>&, std::size_t) const {
    return static_cast<T>(total);
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

}  // namespace ketl::expr
