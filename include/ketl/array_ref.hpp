// Borrowed, read-only views of the arrays a model is given.
//
// ArrayView is one array of any arithmetic element type (its data, its
// element type as a DType, its shape): x, y and sample weights come as the
// user has them (uint8 images, int64 labels, float features) and the
// training engine converts them into the model's buffers once per batch.
// Arrays is one or several of them: a model's inputs, its targets, or one
// sample-weight array per output, given as an array or a std::tuple of
// arrays (std::tie(x_title, x_body)), as Keras takes an array or a list.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace ketl {

// The element types ketl reads, as NumPy names them.
enum class DType : std::uint8_t {
  float32,
  float64,
  int8,
  uint8,
  int16,
  uint16,
  int32,
  uint32,
  int64,
  uint64
};

namespace detail {
template <class E>
constexpr DType dtype_for() {
  using U = std::remove_cv_t<E>;
  static_assert(std::is_arithmetic_v<U> && !std::is_same_v<U, bool>,
                "ketl: arrays must hold numbers (float, double or an integer type)");
  if constexpr (std::is_floating_point_v<U>) {
    static_assert(sizeof(U) == 4 || sizeof(U) == 8, "ketl: float and double are read");
    return sizeof(U) == 4 ? DType::float32 : DType::float64;
  } else {
    constexpr DType s[] = {DType::int8, DType::int16, DType::int32, DType::int64};
    constexpr DType u[] = {DType::uint8, DType::uint16, DType::uint32, DType::uint64};
    constexpr std::size_t i = sizeof(U) == 1 ? 0 : sizeof(U) == 2 ? 1 : sizeof(U) == 4 ? 2 : 3;
    return std::is_signed_v<U> ? s[i] : u[i];
  }
}
}  // namespace detail

template <class E>
inline constexpr DType dtype_of = detail::dtype_for<E>();

constexpr std::string_view dtype_name(DType d) {
  constexpr std::string_view names[] = {"float32", "float64", "int8",   "uint8", "int16",
                                        "uint16",  "int32",   "uint32", "int64", "uint64"};
  return names[static_cast<std::size_t>(d)];
}
constexpr bool is_floating(DType d) { return d == DType::float32 || d == DType::float64; }

// Calls f(E{}) with the element type a DType names.
template <class F>
decltype(auto) visit_dtype(DType d, F&& f) {
  switch (d) {
    case DType::float32:
      return f(float{});
    case DType::float64:
      return f(double{});
    case DType::int8:
      return f(std::int8_t{});
    case DType::uint8:
      return f(std::uint8_t{});
    case DType::int16:
      return f(std::int16_t{});
    case DType::uint16:
      return f(std::uint16_t{});
    case DType::int32:
      return f(std::int32_t{});
    case DType::uint32:
      return f(std::uint32_t{});
    case DType::int64:
      return f(std::int64_t{});
    default:
      return f(std::uint64_t{});
  }
}

// Any contiguous row-major array with data() and shape(): xt::xtensor,
// xt::xarray, or a type of the user's own.
template <class A>
concept ArrayLike = requires(const A& a) {
  { *a.data() } -> std::convertible_to<double>;
  requires std::is_arithmetic_v<std::remove_cvref_t<decltype(*a.data())>>;
  requires !std::is_same_v<std::remove_cvref_t<decltype(*a.data())>, bool>;
  a.shape();
};

// An array's rank when its type fixes it (xt::xtensor<E, N>), else 0.
template <class A>
constexpr std::size_t static_rank() {
  if constexpr (requires { std::remove_cvref_t<A>::rank; }) {
    constexpr std::size_t r = std::remove_cvref_t<A>::rank;
    return r == std::size_t(-1) ? 0 : r;
  } else {
    return 0;
  }
}

struct ArrayView {
  const void* data = nullptr;
  DType dtype = DType::float32;
  std::vector<std::size_t> shape;

  ArrayView() = default;
  template <ArrayLike A>
  requires(!std::is_same_v<A, ArrayView>) ArrayView(const A& a)  // NOLINT: reads as Keras's
      : data(a.data()),
        dtype(dtype_of<std::remove_cvref_t<decltype(*a.data())>>),
        shape(a.shape().begin(), a.shape().end()) {}

  bool empty() const { return data == nullptr; }
  std::size_t rows() const { return shape.empty() ? 0 : shape[0]; }
  std::size_t size() const {
    std::size_t n = 1;
    for (auto d : shape) n *= d;
    return shape.empty() ? 0 : n;
  }
  // Elements per row (per sample).
  std::size_t row_size() const { return rows() ? size() / rows() : 0; }
  // The data as E; the caller has checked dtype.
  template <class E>
  const E* as() const {
    return static_cast<const E*>(data);
  }
};

// Kept for code written against ketl's first API: an ArrayRef<T> is an
// ArrayView of any element type.
template <class T = float>
using ArrayRef = ArrayView;

namespace detail {
template <class A>
inline constexpr bool is_tuple_of_arrays = false;
template <class... A>
inline constexpr bool is_tuple_of_arrays<std::tuple<A...>> = (ArrayLike<std::remove_cvref_t<A>> &&
                                                              ...);
}  // namespace detail

// An array, or a tuple of arrays (std::tie(a, b)): one per input or output.
template <class X>
concept ArraysLike =
    ArrayLike<std::remove_cvref_t<X>> || detail::is_tuple_of_arrays<std::remove_cvref_t<X>>;

class Arrays {
 public:
  Arrays() = default;
  template <ArrayLike A>
  Arrays(const A& a) : items_{ArrayView(a)} {}  // NOLINT: an array is one of them
  Arrays(ArrayView a) {                         // NOLINT
    if (!a.empty()) items_.push_back(std::move(a));
  }
  explicit Arrays(std::vector<ArrayView> v) : items_(std::move(v)) {}
  template <class... A>
  requires(ArrayLike<std::remove_cvref_t<A>>&&...) Arrays(const std::tuple<A...>& t) {  // NOLINT
    std::apply([&](const auto&... a) { (items_.push_back(ArrayView(a)), ...); }, t);
  }

  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  const ArrayView& operator[](std::size_t i) const { return items_[i]; }
  ArrayView& operator[](std::size_t i) { return items_[i]; }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

 private:
  std::vector<ArrayView> items_;
};

}  // namespace ketl
