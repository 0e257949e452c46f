// What fit_generator, evaluate_generator and predict_generator read from.
//
// An item is (x, y) or (x, y, sample_weight): a std::tuple or std::pair of
// arrays (xt::xtensor of any numeric type, or any contiguous row-major
// array with data() and shape()); for a model with several inputs or
// outputs, x, y and sample_weight are std::tuples of arrays in turn.
// predict_generator also takes items that are x alone. Two kinds of source yield items:
//
//   Generator  a callable, item g(), or a C++20 input range of items. Keras's
//              generator: it is called on one thread at a time (under a lock
//              when there are several workers), so it need not be
//              thread-safe; several workers then overlap it with training,
//              not with itself.
//   Sequence   Keras's Sequence: size() batches, operator[](i) -> item, and
//              optionally on_epoch_end(). operator[] is called from several
//              workers at once, for different i: it must not write shared
//              state unguarded. Batches are still delivered in index order.
//
// A type that is both (std::vector of items) is a Sequence.
#pragma once

#include <concepts>
#include <cstddef>
#include <memory>
#include <optional>
#include <ranges>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ketl/array_ref.hpp"

namespace ketl {

// One part of an item: an array of any numeric element type, or, for a
// model with several inputs or outputs, a std::tuple of them.
template <class A, class T>
concept ArrayOf = ArraysLike<A>;

namespace detail {
template <class I, class T, std::size_t... K>
constexpr bool tuple_of_arrays(std::index_sequence<K...>) {
  return (ArrayOf<std::remove_cvref_t<std::tuple_element_t<K, I>>, T> && ...);
}
// A std::tuple of arrays is x alone (several inputs); (x, y) and
// (x, y, w) are told apart from it by their parts being arrays or tuples
// of arrays in turn, and by their count.
template <class I, class T>
constexpr bool batch_item() {
  if constexpr (requires { std::tuple_size<I>::value; }) {
    constexpr std::size_t n = std::tuple_size<I>::value;
    if constexpr (n == 2 || n == 3) return tuple_of_arrays<I, T>(std::make_index_sequence<n>{});
  }
  return false;
}
}  // namespace detail

// (x, y) or (x, y, sample_weight).
template <class I, class T>
concept BatchItem = detail::batch_item<std::remove_cvref_t<I>, T>();

// What predict_generator takes: a batch item, or x alone.
template <class I, class T>
concept InputItem = BatchItem<I, T> || ArrayOf<std::remove_cvref_t<I>, T>;

template <class S, class T>
concept Sequence = requires(S& s, std::size_t i) {
  { s.size() } -> std::convertible_to<std::size_t>;
  { s[i] } -> InputItem<T>;
};

template <class G, class T>
concept Generator =
    !Sequence<G, T> &&
    ((std::invocable<G&> && InputItem<std::invoke_result_t<G&>, T>) ||
     (std::ranges::input_range<G> && InputItem<std::ranges::range_reference_t<G>, T>));

template <class S, class T>
concept DataSource = Sequence<S, T> || Generator<S, T>;

namespace detail {
template <class S, class T>
constexpr auto item_type() {
  if constexpr (Sequence<S, T>)
    return std::type_identity<decltype(std::declval<S&>()[std::size_t{}])>{};
  else if constexpr (std::invocable<S&>)
    return std::type_identity<std::invoke_result_t<S&>>{};
  else if constexpr (std::ranges::input_range<S>)
    return std::type_identity<std::ranges::range_reference_t<S>>{};
  else
    return std::type_identity<void>{};
}
template <class S, class T>
using item_t = typename decltype(item_type<S, T>())::type;
}  // namespace detail

// A source fit_generator and evaluate_generator can train and test on:
// its items carry y.
template <class S, class T>
concept TrainingSource = DataSource<S, T> && BatchItem<detail::item_t<S, T>, T>;

// One batch, type-erased: views of its arrays and what keeps them alive
// (nothing when a Sequence returns references to batches it owns).
template <class T>
struct Batch {
  std::shared_ptr<const void> owner = {};
  Arrays x = {};
  Arrays y = {};  // empty for predict-only items
  Arrays sample_weight = {};
  std::size_t size() const { return x.empty() ? 0 : x[0].rows(); }
};

namespace detail {

// An item as a batch. The parts of a std::tuple are (x, y[, w]), except
// for a model with several inputs whose tuple starts with an array rather
// than a tuple of arrays: that tuple is x alone, one array per input.
template <class T, class I>
Batch<T> to_batch(I&& item, std::size_t inputs) {
  using Item = std::remove_cvref_t<I>;
  Batch<T> b;
  const Item* p;
  if constexpr (std::is_lvalue_reference_v<I>) {
    p = &item;  // the source owns it
  } else {
    auto owner = std::make_shared<Item>(std::move(item));
    p = owner.get();
    b.owner = std::move(owner);
  }
  if constexpr (ArrayLike<Item>) {
    b.x = Arrays(*p);
  } else {
    constexpr bool first_is_array = ArrayLike<std::remove_cvref_t<std::tuple_element_t<0, Item>>>;
    if constexpr (first_is_array && detail::is_tuple_of_arrays<Item>) {
      if (inputs > 1) {
        b.x = Arrays(*p);
        return b;
      }
    }
    if constexpr (BatchItem<Item, T>) {
      b.x = Arrays(std::get<0>(*p));
      b.y = Arrays(std::get<1>(*p));
      if constexpr (std::tuple_size<Item>::value == 3) b.sample_weight = Arrays(std::get<2>(*p));
    } else {
      b.x = Arrays(*p);
    }
  }
  return b;
}

// A source behind one virtual call per batch, so that the training loops
// are compiled once per model, not once per source type.
template <class T>
struct source {
  virtual ~source() = default;
  virtual bool is_sequence() const = 0;
  virtual std::size_t length() const = 0;  // a Sequence's size(); 0 for a generator
  // A Sequence's batch `index`; a generator's next item (index ignored).
  // nullopt: a finite generator has ended.
  virtual std::optional<Batch<T>> fetch(std::size_t index) = 0;
  virtual void on_epoch_end() = 0;
};

template <class T, class S>
struct sequence_source final : source<T> {
  S s;  // S& for a borrowed source, S for an owned one
  std::size_t inputs;
  sequence_source(S x, std::size_t in) : s(std::forward<S>(x)), inputs(in) {}
  bool is_sequence() const override { return true; }
  std::size_t length() const override { return static_cast<std::size_t>(s.size()); }
  std::optional<Batch<T>> fetch(std::size_t i) override { return to_batch<T>(s[i], inputs); }
  void on_epoch_end() override {
    if constexpr (requires { s.on_epoch_end(); }) s.on_epoch_end();
  }
};

template <class T, class G>
struct callable_source final : source<T> {
  G g;
  std::size_t inputs;
  callable_source(G x, std::size_t in) : g(std::forward<G>(x)), inputs(in) {}
  bool is_sequence() const override { return false; }
  std::size_t length() const override { return 0; }
  std::optional<Batch<T>> fetch(std::size_t) override { return to_batch<T>(g(), inputs); }
  void on_epoch_end() override {}
};

template <class T, class R>
struct range_source final : source<T> {
  R r;
  std::size_t inputs;
  std::optional<std::ranges::iterator_t<std::remove_reference_t<R>>> it;
  range_source(R x, std::size_t in) : r(std::forward<R>(x)), inputs(in) {}
  bool is_sequence() const override { return false; }
  std::size_t length() const override { return 0; }
  std::optional<Batch<T>> fetch(std::size_t) override {
    if (!it) it.emplace(std::ranges::begin(r));
    if (*it == std::ranges::end(r)) return std::nullopt;
    // Copy the item out before advancing: a range's reference may not
    // outlive its iterator's next step.
    Batch<T> b = to_batch<T>(std::remove_cvref_t<decltype(**it)>(**it), inputs);
    ++*it;
    return b;
  }
  void on_epoch_end() override {}
};

// Borrows an lvalue source; owns (moves in) an rvalue one. `inputs` is the
// model's input count, which tells x alone from (x, y) (to_batch).
template <class T, class S>
std::unique_ptr<source<T>> make_source(S&& s, std::size_t inputs = 1) {
  using D = std::remove_cvref_t<S>;
  using Held = std::conditional_t<std::is_lvalue_reference_v<S>, S, D>;
  if constexpr (Sequence<D, T>)
    return std::make_unique<sequence_source<T, Held>>(std::forward<S>(s), inputs);
  else if constexpr (std::invocable<D&>)
    return std::make_unique<callable_source<T, Held>>(std::forward<S>(s), inputs);
  else
    return std::make_unique<range_source<T, Held>>(std::forward<S>(s), inputs);
}

}  // namespace detail
}  // namespace ketl
