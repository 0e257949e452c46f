// Embedding<input_dim, output_dim, embedding{...}, T>: Keras's lookup table. Each token
// index of an integer Input (ketl::Input<steps>::of<std::int32_t>) becomes
// its row of the (input_dim, output_dim) `embeddings` weight, so (steps)
// samples become (steps, output_dim), the input of a recurrent layer.
//
//   auto model = ketl::Sequential{ketl::Input<80>::of<std::int32_t>{},
//                                 ketl::Embedding<20000, 128>{}, ketl::LSTM<128>{}, ...};
//
// The sequence length is static (Keras's input_length): every shape in ketl
// is. The engine checks every index against input_dim before a batch runs
// (engine/data.hpp), naming the row; the layer checks again, for a call
// that does not come through the engine. Backward adds each position's
// gradient into its token's row: no one-hot matrix is ever formed.
//
// embedding{.mask_zero = true} makes index 0 padding, as Keras's
// mask_zero=True: the output carries a mask (0 where the index is 0) that
// the recurrent layers after it read, skipping those steps (the table
// still has input_dim rows, row 0 included, as Keras's).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ketl/error.hpp"
#include "ketl/initializers.hpp"
#include "ketl/layer.hpp"
#include "ketl/shape.hpp"

namespace ketl {

// Embedding's options that change its type.
struct embedding {
  bool mask_zero = false;
};

namespace detail {
// (d...) indices to (d..., width) vectors.
template <class S, std::size_t Width>
struct append_dim {
  template <std::size_t... I>
  static auto make(std::index_sequence<I...>) -> Shape<S::dims[I]..., Width>;
  using type = decltype(make(std::make_index_sequence<S::rank>{}));
};
}  // namespace detail

template <std::size_t InputDim, std::size_t OutputDim, embedding Spec = embedding{},
          class T = float>
class Embedding : public callable_layer<Embedding<InputDim, OutputDim, Spec, T>> {
  static_assert(InputDim > 0 && OutputDim > 0,
                "ketl::Embedding: input_dim and output_dim must be positive");
  static_assert(std::is_floating_point_v<T>,
                "ketl::Embedding: the element type must be floating point");
  // Indices travel in the model's element type: float holds every integer
  // below 2^24 exactly.
  static_assert(
      std::is_same_v<T, double> || InputDim <= (std::size_t{1} << 24),
      "ketl::Embedding: input_dim above 2^24 needs Embedding<v, d, {}, double> (float holds "
      "integers exactly only up to 2^24)");

 public:
  using value_type = T;
  static constexpr std::string_view class_name = "Embedding";
  static constexpr std::size_t input_dim = InputDim;
  static constexpr std::size_t output_dim = OutputDim;
  static constexpr bool reads_indices = true;
  static constexpr bool mask_zero = Spec.mask_zero;
  static constexpr bool makes_mask = mask_zero;

  struct Options {
    // Keras's 'uniform': RandomUniform(-0.05, 0.05).
    Initializer embeddings_initializer = initializers::random_uniform(-0.05, 0.05);
    std::string name = {};
  };

  Embedding() = default;
  explicit Embedding(Options opt) : opt_(std::move(opt)) {}

  // A mask is over timesteps: mask_zero takes (timesteps) indices.
  template <class In>
  static constexpr bool accepts = !mask_zero || In::rank == 1;
  template <class In>
  static constexpr void check_input() {
    static_assert(!mask_zero || In::rank == 1,
                  "ketl::Embedding with mask_zero masks timesteps: give it (timesteps) indices, a "
                  "rank-1 integer Input");
  }
  template <class In>
  using output_shape = typename detail::append_dim<In, OutputDim>::type;
  template <class In>
  static constexpr std::size_t param_count = InputDim* OutputDim;
  // mask_zero: the mask, (n, timesteps), at the start of its scratch.
  template <class In>
  static constexpr std::size_t scratch_per_sample = mask_zero ? In::size : 0;

  template <class In>
  void build(Random& rng) {
    table_.assign(InputDim * OutputDim, T(0));
    dtable_.assign(InputDim * OutputDim, T(0));
    opt_.embeddings_initializer.fill(std::span<T>(table_), InputDim, OutputDim, rng);
  }

  // The index at position p, checked.
  static std::size_t index_at(const T* x, std::size_t p, std::size_t positions) {
    const T v = x[p];
    if (!(v >= T(0) && v < T(InputDim) && v == std::floor(v)))
      throw value_error("ketl::Embedding: index " + std::to_string(v) + " at sample " +
                        std::to_string(p / positions) + ", position " +
                        std::to_string(p % positions) + " is outside [0, " +
                        std::to_string(InputDim) + ")");
    return static_cast<std::size_t>(v);
  }

  template <class In>
  void forward(const T* x, T* y, std::size_t n, Pass<T>& pass) {
    const std::size_t count = n * In::size;
    for (std::size_t p = 0; p < count; ++p) index_at(x, p, In::size);  // all, before any write
    if constexpr (mask_zero)
      for (std::size_t p = 0; p < count; ++p) pass.scratch[p] = x[p] == T(0) ? T(0) : T(1);
    for (std::size_t p = 0; p < count; ++p)
      std::copy_n(table_.data() + static_cast<std::size_t>(x[p]) * OutputDim, OutputDim,
                  y + p * OutputDim);
  }

  template <class In>
  void backward(const T* x, const T*, T* dy, T* dx, std::size_t n, Pass<T>& pass) {
    const std::size_t count = n * In::size;
    if (!pass.accumulate_weight_grads) std::fill(dtable_.begin(), dtable_.end(), T(0));
    for (std::size_t p = 0; p < count; ++p) {
      T* row = dtable_.data() + static_cast<std::size_t>(x[p]) * OutputDim;
      const T* g = dy + p * OutputDim;
      for (std::size_t j = 0; j < OutputDim; ++j) row[j] += g[j];
    }
    if (dx) std::fill_n(dx, count, T(0));  // indices have no gradient
  }

  template <class Fn>
  void for_each_weight(Fn&& f) {
    f(WeightRef<T>{"embeddings", table_, dtable_, {InputDim, OutputDim}});
  }

  std::span<T> embeddings() { return table_; }
  std::string_view name() const { return opt_.name; }
  const Options& options() const { return opt_; }

 private:
  Options opt_{};
  std::vector<T> table_, dtable_;
};

}  // namespace ketl
