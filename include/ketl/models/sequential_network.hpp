// sequential_network<L...>: the typed layer pack behind ketl::Sequential,
// a Network (engine/network.hpp) with one input and one output.
//
// The first entry is Input<d...>. Each later layer's input shape is the
// previous layer's output shape, computed and checked at compile time
// (detail/shape_chain.hpp). Layers own their weights; the network owns every
// batch buffer (activations, gradients, scratch), sized once for the largest
// batch it has seen, so a training step allocates nothing after the first.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <map>
#include <numeric>
#include <ostream>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/hana/at.hpp>
#include <boost/hana/drop_back.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/unpack.hpp>

#include "ketl/detail/layer_names.hpp"
#include "ketl/detail/masking.hpp"
#include "ketl/detail/shape_chain.hpp"
#include "ketl/detail/stateful.hpp"
#include "ketl/error.hpp"
#include "ketl/layer.hpp"
#include "ketl/models/summary.hpp"
#include "ketl/random.hpp"

namespace ketl {

namespace detail {
struct keep_weights_t {};

template <std::size_t... I, class F>
constexpr void for_each_index(std::index_sequence<I...>, F&& f) {
  (f(std::integral_constant<std::size_t, I>{}), ...);
}
}  // namespace detail

namespace models {

template <Layer... L>
class sequential_network {
  using start_shape = typename detail::start_shape<L...>::type;
  using outputs = typename detail::chain<0, start_shape, L...>::outputs;
  // Quiet: a pack that does not fit gives invalid_shape, and Sequential
  // reports why (detail::sequential_pack_check), where the backtrace is short.

  template <Layer...>
  friend class sequential_network;

 public:
  // The shape the pack starts from, and each layer's output shape.
  using start = start_shape;
  using flow = outputs;
  using value_type = typename detail::common_value_type<layer_value_type_t<L>...>::type;
  using T = value_type;
  static constexpr std::size_t depth = sizeof...(L);  // Input included
  // Every link fits and the layers agree on the element type (else the
  // report above has said why, and the rest stays quiet).
  static constexpr bool well_formed =
      !std::is_same_v<typename detail::at<depth - 1, outputs>::type, detail::invalid_shape> &&
      detail::common_value_type<layer_value_type_t<L>...>::agree;

  // The output shape of layer I (layer 0 is the Input) and the shape it takes.
  template <std::size_t I>
  using output_shape_of = typename detail::at<I, outputs>::type;
  template <std::size_t I>
  using input_shape_of = output_shape_of<(I == 0 ? 0 : I - 1)>;
  using input_shape = output_shape_of<0>;
  using output_shape = output_shape_of<depth - 1>;

  template <std::size_t I>
  using layer_type = std::tuple_element_t<I, std::tuple<L...>>;

  // The Network concept: one input of the model's element type, one output.
  using input_shapes = detail::type_list<input_shape>;
  using input_value_types = detail::type_list<T>;
  using output_shapes = detail::type_list<output_shape>;
  static constexpr std::array<bool, 1> output_ends_in_softmax{
      detail::ends_in_softmax<layer_type<depth - 1>>};
  // An integer Input's indices are bounded by the Embedding after it.
  static constexpr std::array<std::size_t, 1> input_index_limits{
      detail::index_limit_of<layer_type<(depth > 1 ? 1 : 0)>>()};
  // The network keeps views of its layers' weights across its own moves,
  // which hold only if moving a layer moves its buffers.
  static_assert(((detail::output_count<L> == 1) && ...),
                "ketl::Sequential: a layer with several outputs (return_state) needs the "
                "functional API, as Keras's Sequential refuses it");
  static_assert((std::is_nothrow_move_constructible_v<L> && ...),
                "ketl::Sequential: every layer type must be nothrow move-constructible (a "
                "layer's move keeps its weights' buffers)");
  // The Input's fixed batch size (Input<d...>::batch<N>), or 0; a stateful
  // layer needs one.
  static constexpr std::size_t fixed_batch_size = detail::fixed_batch_of<layer_type<0>>();
  static_assert([]<std::size_t... I>(std::index_sequence<I...>) {
    return (detail::stateful_ok<I, L, fixed_batch_size>() && ...);
  }(std::index_sequence_for<L...>{}));

  // Masks (detail/masking.hpp): for each layer's output, the layer whose
  // scratch holds its mask, or npos when it carries none.
  static constexpr std::size_t npos = std::size_t(-1);
  static constexpr std::array<std::size_t, depth> mask_origin = [] {
    std::array<std::size_t, depth> o{};
    std::size_t cur = npos;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((cur = detail::makes_mask<L>                    ? I
              : cur != npos && detail::keeps_mask<L>() ? cur
                                                       : npos,
        o[I] = cur),
       ...);
    }
    (std::index_sequence_for<L...>{});
    return o;
  }();
  static_assert(!well_formed || []<std::size_t... I>(std::index_sequence<I...>) {
    return (detail::check_mask_link<L, (I > 0 && mask_origin[I == 0 ? 0 : I - 1] != npos)>() &&
            ...);
  }(std::index_sequence_for<L...>{}));

 private:
  template <class F>
  static constexpr std::array<std::size_t, depth> per_layer(F f) {
    if constexpr (!well_formed) {
      return {};
    } else {
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return std::array<std::size_t, depth>{f(std::integral_constant<std::size_t, I>{})...};
      }
      (std::make_index_sequence<depth>{});
    }
  }

 public:
  // Parameter counts, as summary() prints them, known at compile time.
  static constexpr std::array<std::size_t, depth> layer_param_counts = per_layer([](auto i) {
    constexpr std::size_t I = decltype(i)::value;
    return layer_type<I>::template param_count<input_shape_of<I>>;
  });
  static constexpr std::size_t param_count =
      std::accumulate(layer_param_counts.begin(), layer_param_counts.end(), std::size_t{0});
  // Non-trainable: weights no optimizer touches (BatchNormalization's
  // moving statistics). Freezing a layer moves more at run time (summary()).
  static constexpr std::size_t non_trainable_param_count = [] {
    const auto fixed = per_layer([](auto i) {
      constexpr std::size_t I = decltype(i)::value;
      return ketl::detail::fixed_param_count<layer_type<I>, input_shape_of<I>>();
    });
    return std::accumulate(fixed.begin(), fixed.end(), std::size_t{0});
  }();
  static constexpr std::size_t trainable_param_count = param_count - non_trainable_param_count;

  explicit sequential_network(L... layers)
      : layers_(std::move(layers)...), rng_(detail::next_model_seed()) {
    build_from(0);
  }
  // The layers that stay keep their weights; layers from `built` on are built.
  template <class... Ls>
  sequential_network(detail::keep_weights_t, const Random& rng, std::size_t built, Ls&&... layers)
      : layers_(std::forward<Ls>(layers)...), rng_(rng) {
    build_from(built);
  }

  // Copies share nothing: the copy has its own weights and buffers.
  sequential_network(const sequential_network& o) : layers_(o.layers_), rng_(o.rng_) {
    collect_weights();
  }
  sequential_network& operator=(const sequential_network& o) {
    if (this != &o) *this = sequential_network(o);
    return *this;
  }
  sequential_network(sequential_network&&) noexcept = default;
  sequential_network& operator=(sequential_network&&) noexcept = default;
  ~sequential_network() = default;

  template <std::size_t I>
  auto& layer() {
    return boost::hana::at_c<I>(layers_);
  }
  template <std::size_t I>
  const auto& layer() const {
    return boost::hana::at_c<I>(layers_);
  }
  const auto& layers() const { return layers_; }

  // Layer I's name: its name option, or Keras's automatic one (dense_1, ...).
  std::string layer_name(std::size_t i) const { return names()[i]; }
  // Keras's Sequential.layers: every layer but the Input.
  std::vector<std::string> layer_names() const {
    const auto n = names();
    return {n.begin() + 1, n.end()};
  }

  // Every weight, layer by layer (Keras's model.weights), and those the
  // optimizer updates, as of construction or the last refresh_trainable().
  std::span<const WeightRef<T>> weights() const { return weights_; }
  std::span<const WeightRef<T>> trainable_weights() const { return trainable_; }
  // Reads the layers' trainable flags again (compile() does).
  void refresh_trainable() { collect_weights(); }
  void reset_states() {
    boost::hana::for_each(layers_, [](auto& l) { detail::reset_layer_states(l); });
  }
  const std::vector<std::string>& weight_names() const { return weight_names_; }
  std::vector<std::string> input_names() const {
    // Keras's Sequential names its implicit input after the first layer.
    const auto n = names();
    const std::string_view own = detail::own_name(layer<0>());
    return {own.empty() ? n[depth > 1 ? 1 : 0] + "_input" : std::string(own)};
  }
  std::vector<std::string> output_names() const { return {names()[depth - 1]}; }
  Random& rng() { return rng_; }

  // Keras 2.2.4's print_summary for Sequential models (line_length 65).
  void summary(std::ostream& os) const {
    static_assert(well_formed, "ketl::Sequential::summary: the layer pack does not fit together");
    const auto layer_names = names();
    const std::array<std::string_view, depth> classes{L::class_name...};
    const auto shapes = [&]<std::size_t... I>(std::index_sequence<I...>) {
      return std::array<std::string, depth>{shape_string<output_shape_of<I>>(true)...};
    }
    (std::make_index_sequence<depth>{});
    detail::summary_table table(os, {29, 55, 65});
    table.header({"Layer (type)", "Output Shape", "Param #"});
    for (std::size_t i = 1; i < depth; ++i)
      table.row({layer_names[i] + " (" + std::string(classes[i]) + ")", shapes[i],
                 std::to_string(layer_param_counts[i])},
                i + 1 == depth);
    // A frozen layer's parameters are all non-trainable (read live, as
    // Keras's summary of a model not yet compiled).
    std::size_t trainable = 0, i = 0;
    boost::hana::for_each(layers_, [&](const auto& l) {
      if (ketl::detail::layer_trainable(l)) trainable += layer_param_counts[i] - fixed_counts[i];
      ++i;
    });
    table.totals(param_count, trainable, param_count - trainable, depth == 1);
  }

  // ---- the batch engine --------------------------------------------------

  // Where a pass keeps its activations and the layers' scratch: the
  // network's own buffers, or (nested in a functional Model, which may run
  // it at several places in one step) an arena the caller gives.
  struct frame {
    T* acts;
    T* scratch;
    std::size_t stride;  // samples per buffer
  };
  // Elements per sample of a frame's activations and scratch.
  static constexpr std::size_t frame_acts = [] {
    std::size_t t = 0;
    for (auto v : per_layer([](auto i) { return output_shape_of<decltype(i)::value>::size; }))
      t += v;
    return t;
  }();
  static constexpr std::size_t frame_scratch = [] {
    std::size_t t = 0;
    for (auto v : per_layer([](auto i) {
           constexpr std::size_t I = decltype(i)::value;
           return layer_type<I>::template scratch_per_sample<input_shape_of<I>>;
         }))
      t += v;
    return t;
  }();

  // Grows the batch buffers to n samples; never shrinks them. All or
  // nothing: a failed allocation leaves the buffers as they were.
  void reserve(std::size_t n) {
    if (n <= capacity_) return;
    const std::size_t biggest = *std::max_element(sizes.begin(), sizes.end());
    detail::as_ketl_error("ketl: the buffers for a batch of " + std::to_string(n) + " samples",
                          [&] {
                            std::vector<T> acts(frame_acts * n), ga(biggest * n), gb(biggest * n),
                                scratch(frame_scratch * n);
                            acts_.swap(acts), grad_a_.swap(ga), grad_b_.swap(gb);
                            scratch_.swap(scratch);
                          });
    capacity_ = n;
  }

  // Runs every layer on n samples; returns the output buffer.
  const T* forward(const T* x, std::size_t n, bool training) {
    reserve(n);
    return forward_in(own_frame(), x, n, training);
  }
  void forward(const void* const* x, std::size_t n, bool training) {
    forward(static_cast<const T*>(x[0]), n, training);
  }
  const T* forward_in(const frame& f, const T* x, std::size_t n, bool training) {
    const T* cur = x;
    detail::for_each_index(std::make_index_sequence<depth - 1>{}, [&](auto k) {
      constexpr std::size_t I = decltype(k)::value + 1;
      T* out = act(f, I);
      Pass<T> pass{training, &rng_, scratch(f, I)};
      if constexpr (mask_origin[I - 1] != npos) pass.mask = scratch(f, mask_origin[I - 1]);
      layer<I>().template forward<input_shape_of<I>>(cur, out, n, pass);
      cur = out;
    });
    return cur;
  }
  const T* output(std::size_t = 0) const {
    return depth > 1 ? acts_.data() + act_offsets[depth - 1] * capacity_ : nullptr;
  }

  // dL/d(output) for the last forward pass; the training step writes it.
  T* output_grad(std::size_t = 0) { return grad_a_.data(); }
  // The output's mask from the last forward pass, (n, timesteps), or null
  // when it carries none: the loss and metrics are masked with it.
  const T* output_mask(std::size_t = 0) {
    if constexpr (depth > 1 && mask_origin[depth - 1] != npos)
      return scratch(own_frame(), mask_origin[depth - 1]);
    else
      return nullptr;
  }

  // Back-propagates output_grad() through every layer, filling weight
  // grads. With grad_before_activation, output_grad() holds dL/dz of the
  // last layer's activation input (the fused softmax + cross-entropy
  // gradient).
  void backward(const T* x, std::size_t n, bool grad_before_activation = false) {
    backward_in(own_frame(), x, n, grad_before_activation, nullptr, false);
  }
  void backward(const void* const* x, std::size_t n, const std::array<bool, 1>& before_act) {
    backward(static_cast<const T*>(x[0]), n, before_act[0]);
  }
  // The same on frame f, also writing dL/dx into dx_out when it is not
  // null; with accumulate, weight gradients add to those already there.
  void backward_in(const frame& f, const T* x, std::size_t n, bool grad_before_activation,
                   T* dx_out, bool accumulate) {
    T* dy = grad_a_.data();
    T* dx = grad_b_.data();
    detail::for_each_index(std::make_index_sequence<depth - 1>{}, [&](auto k) {
      constexpr std::size_t I = depth - 1 - decltype(k)::value;
      const T* in = I == 1 ? x : act(f, I - 1);
      Pass<T> pass{true, &rng_, scratch(f, I), grad_before_activation && I == depth - 1,
                   accumulate};
      if constexpr (mask_origin[I - 1] != npos) pass.mask = scratch(f, mask_origin[I - 1]);
      T* to = I == 1 ? dx_out : dx;
      layer<I>().template backward<input_shape_of<I>>(in, act(f, I), dy, to, n, pass);
      std::swap(dy, dx);
    });
  }

  // A new network with one more layer, or one fewer (Sequential's add/pop).
  template <Layer N>
  sequential_network<L..., N> add(N layer) const {
    return boost::hana::unpack(layers_, [&](const auto&... ls) {
      return sequential_network<L..., N>(detail::keep_weights_t{}, rng_, depth, ls...,
                                         std::move(layer));
    });
  }
  auto pop() const {
    return boost::hana::unpack(boost::hana::drop_back(layers_), [&](const auto&... ls) {
      return sequential_network<std::remove_cvref_t<decltype(ls)>...>(detail::keep_weights_t{},
                                                                      rng_, depth - 1, ls...);
    });
  }

  // Each layer's name: its name option, or Keras's automatic one, counted
  // per class over the unnamed layers (Keras's uid per prefix).
  std::array<std::string, depth> names() const {
    std::array<std::string, depth> out;
    std::map<std::string, int> counts;
    const std::array<std::string_view, depth> classes{L::class_name...};
    std::size_t i = 0;
    boost::hana::for_each(layers_, [&](const auto& l) {
      const std::string_view own = detail::own_name(l);
      if (!own.empty()) {
        out[i++] = std::string(own);
      } else {
        const std::string base = detail::to_snake_case(classes[i]);
        out[i++] = base + "_" + std::to_string(++counts[base]);
      }
    });
    return out;
  }

 private:
  void build_from(std::size_t first_new) {
    if constexpr (well_formed) {
      detail::for_each_index(std::make_index_sequence<depth>{}, [&](auto k) {
        constexpr std::size_t I = decltype(k)::value;
        if (I >= first_new) layer<I>().template build<input_shape_of<I>>(rng_);
      });
    }
    collect_weights();
    const auto n = names();
    for (std::size_t i = 1; i < depth; ++i)
      for (std::size_t j = 1; j < i; ++j)
        if (n[i] == n[j])
          throw value_error("ketl: All layer names should be unique. The name \"" + n[i] +
                            "\" is used by layers " + std::to_string(j) + " and " +
                            std::to_string(i));
  }

  static constexpr auto fixed_counts = per_layer([](auto i) {
    constexpr std::size_t I = decltype(i)::value;
    return ketl::detail::fixed_param_count<layer_type<I>, input_shape_of<I>>();
  });

  void collect_weights() {
    weights_.clear();
    trainable_.clear();
    weight_names_.clear();
    if constexpr (well_formed) {  // else the pack's check said why
      const auto layer_names = names();
      std::size_t i = 0;
      boost::hana::for_each(layers_, [&](auto& l) {
        const bool layer_on = ketl::detail::layer_trainable(l);
        l.for_each_weight([&](WeightRef<T> w) {
          weight_names_.push_back(layer_names[i] + "/" + std::string(w.name));
          w.trainable = w.trainable && layer_on;
          if (w.trainable) trainable_.push_back(w);
          weights_.push_back(std::move(w));
        });
        ++i;
      });
    }
  }

  static constexpr auto sizes =
      per_layer([](auto i) { return output_shape_of<decltype(i)::value>::size; });
  static constexpr auto act_offsets = [] {
    std::array<std::size_t, depth> off{};
    for (std::size_t i = 1; i < depth; ++i) off[i] = off[i - 1] + sizes[i - 1];
    return off;
  }();
  static constexpr auto scratch_offsets = [] {
    const auto per = per_layer([](auto i) {
      constexpr std::size_t I = decltype(i)::value;
      return layer_type<I>::template scratch_per_sample<input_shape_of<I>>;
    });
    std::array<std::size_t, depth> off{};
    for (std::size_t i = 1; i < depth; ++i) off[i] = off[i - 1] + per[i - 1];
    return off;
  }();
  frame own_frame() { return {acts_.data(), scratch_.data(), capacity_}; }
  static T* act(const frame& f, std::size_t i) { return f.acts + act_offsets[i] * f.stride; }
  static T* scratch(const frame& f, std::size_t i) {
    return f.scratch + scratch_offsets[i] * f.stride;
  }

  boost::hana::tuple<L...> layers_;
  Random rng_;
  std::vector<WeightRef<T>> weights_, trainable_;
  std::vector<std::string> weight_names_;  // "dense_1/kernel", ..., one per weights_

  std::size_t capacity_ = 0;
  std::vector<T> acts_, grad_a_, grad_b_, scratch_;
};

}  // namespace models
}  // namespace ketl
