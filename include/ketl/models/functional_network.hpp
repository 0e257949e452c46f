// functional_network<Inputs, Outputs>: the typed graph behind ketl::Model,
// a Network (engine/network.hpp) with any number of inputs and outputs.
//
// Its node types and their topological order come from the outputs' types
// at compile time (models/graph.hpp). When it is built from node objects,
// it finds which node objects each position holds (by identity: copies of a
// node are that node), copies their layers (a Model owns its layers; layers
// shared through ketl::shared stay shared within it), names them as Keras
// does, and builds them for their input shapes. Forward runs the positions
// in their compile-time order, each layer's code instantiated for its static
// shapes, with no dispatch per layer; backward runs them in reverse, each
// node's gradient summed over its consumers, and a shared layer's weight
// gradients summed over its uses.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "ketl/detail/layer_names.hpp"
#include "ketl/detail/stateful.hpp"
#include "ketl/error.hpp"
#include "ketl/layer.hpp"
#include "ketl/models/functional_parts.hpp"
#include "ketl/models/functional_registry.hpp"
#include "ketl/models/graph.hpp"
#include "ketl/models/node.hpp"
#include "ketl/models/node_traits.hpp"
#include "ketl/models/summary.hpp"
#include "ketl/random.hpp"

namespace ketl::models {

template <class Inputs, class Outputs>
class functional_network;

template <class... In, class... Out>
class functional_network<ketl::detail::type_list<In...>, ketl::detail::type_list<Out...>> {
  using graph =
      ketl::detail::graph<ketl::detail::type_list<In...>, ketl::detail::type_list<Out...>>;
  using nodes = typename graph::nodes;
  static constexpr std::size_t positions = graph::size;
  template <std::size_t P>
  using node_t = typename ketl::detail::at<P, nodes>::type;
  static constexpr std::size_t max_parents = detail::max_parents<nodes>::value;
  static constexpr std::size_t npos = std::size_t(-1);
  static_assert(((detail::is_call<Out> || ketl::detail::is_output_node<Out>)&&...),
                "ketl::Model: an output must be a layer's output, not an Input");

 public:
  static constexpr bool well_formed = graph::well_formed && graph::connected;
  using value_type = typename detail::nodes_value_type<nodes>::type;
  using T = value_type;
  using input_shapes = ketl::detail::type_list<typename In::shape...>;
  using input_value_types = ketl::detail::type_list<std::conditional_t<true, T, In>...>;
  using output_shapes = ketl::detail::type_list<typename Out::shape...>;
  // The loss may give dL/dz for a softmax output that nothing else reads.
  static constexpr std::array<bool, sizeof...(Out)> output_ends_in_softmax{[] {
    if constexpr (detail::is_call<Out>)
      return ketl::detail::ends_in_softmax<typename Out::layer_type> &&
             !ketl::detail::has_consumer<Out, nodes>::value;
    else
      return false;  // an RNN's output or state (return_state)
  }()...};
  // Each integer Input's index bound: the smallest input_dim of the
  // Embeddings called on it.
  static constexpr std::array<std::size_t, sizeof...(In)> input_index_limits{
      detail::index_limit_on<In>(static_cast<nodes*>(nullptr))...};
  // The Inputs' fixed batch size (Input<d...>::batch<N>), or 0; they agree,
  // and a stateful layer needs one.
  static constexpr std::size_t fixed_batch_size = std::max({std::size_t{0}, In::batch_size...});
  static_assert(((In::batch_size == 0 || In::batch_size == fixed_batch_size) && ...),
                "ketl::Model: its Inputs fix different batch sizes");
  static_assert([]<std::size_t... P>(std::index_sequence<P...>) {
    return ([] {
      if constexpr (detail::is_call<node_t<P>>)
        return ketl::detail::stateful_ok<P, typename node_t<P>::layer_type, fixed_batch_size>();
      else
        return true;
    }() && ...);
  }(std::make_index_sequence<positions>{}));
  // Each node type's layer parameters, at compile time (0 for an Input).
  static constexpr std::array<std::size_t, positions> node_param_counts =
      []<class... N>(ketl::detail::type_list<N...>*) {
        return std::array<std::size_t, positions>{detail::param_count_of<N>()...};
      }(static_cast<nodes*>(nullptr));

  functional_network(const InputList<In...>& ins, const OutputList<Out...>& outs)
      : rng_(ketl::detail::next_model_seed()) {
    // The graph's own checks (an undeclared or an unused Input) report here.
    [[maybe_unused]] constexpr bool connected = graph::connected;
    detail::graph_registry<nodes, max_parents> reg{inst_, declared_, layers_};
    std::apply(
        [&](const auto&... in) {
          (declared_.push_back({in.id(), std::string(in.name())}), ...);
        },
        ins.nodes);
    std::apply([&](const auto&... o) { (outputs_.push_back(reg.add(o)), ...); }, outs.nodes);
    for (std::size_t i = 0; i < declared_.size(); ++i)
      if (declared_[i].instance == npos)
        throw value_error("ketl::Model: input " + std::to_string(i) +
                          " reaches no output (the outputs are computed from other inputs)");
    for (std::size_t a = 0; a < outputs_.size(); ++a)
      for (std::size_t b = 0; b < a; ++b)
        if (outputs_[a] == outputs_[b])
          throw value_error("ketl::Model: outputs " + std::to_string(b) + " and " +
                            std::to_string(a) + " are one node; give each output once");
    finish(true);
  }

  // Copies share nothing: each layer is copied once (shared layers stay
  // shared within the copy), with its weights.
  functional_network(const functional_network& o)
      : inst_(o.inst_),
        declared_(o.declared_),
        rows_(o.rows_),
        outputs_(o.outputs_),
        layers_(o.layers_),
        rng_(o.rng_) {
    for (auto& slot : layers_) {
      auto copy = slot.clone(slot.object.get());
      for (auto& i : inst_)
        if (i.layer == slot.object.get()) i.layer = copy.get();
      slot.object = std::move(copy);
    }
    finish(false);
  }
  functional_network& operator=(const functional_network& o) {
    if (this != &o) *this = functional_network(o);
    return *this;
  }
  functional_network(functional_network&&) noexcept = default;
  functional_network& operator=(functional_network&&) noexcept = default;
  ~functional_network() = default;

  // ---- what the engine reads --------------------------------------------

  // Every weight, layer by layer (Keras's model.weights), and those the
  // optimizer updates, as of construction or the last refresh_trainable().
  std::span<const WeightRef<T>> weights() const { return weights_; }
  std::span<const WeightRef<T>> trainable_weights() const { return trainable_; }
  // Reads the layers' trainable flags again (compile() does).
  void refresh_trainable() { collect_weights(); }
  void reset_states() {
    for_each_layer([](auto& l, std::size_t) { ketl::detail::reset_layer_states(l); });
  }
  const std::vector<std::string>& weight_names() const { return weight_names_; }
  std::vector<std::string> input_names() const {
    std::vector<std::string> out;
    for (const auto& d : declared_) out.push_back(d.name);
    return out;
  }
  std::vector<std::string> output_names() const {
    std::vector<std::string> out;
    for (std::size_t i : outputs_) {
      // A call's output k > 0 (an RNN's state) is "<layer>_<k>".
      const auto& inst = inst_[i];
      if (inst.part == npos)
        out.push_back(layers_[inst.slot].name);
      else
        out.push_back(layers_[inst_[inst.parents[0]].slot].name +
                      (inst.part ? "_" + std::to_string(inst.part) : ""));
    }
    return out;
  }
  Random& rng() { return rng_; }

  // The layers' names, inputs too, in Keras's model.layers order (deepest
  // first), as the summary lists them.
  std::vector<std::string> layer_names() const {
    std::vector<std::string> out;
    for (std::size_t r : rows_)
      out.push_back(r < declared_.size() ? declared_[r].name : layers_[r - declared_.size()].name);
    return out;
  }
  // Keras's topology of the graph (models/functional_parts.hpp), and each
  // layer object once with its first call's input shape: f(layer, slot, In*)
  // (the model-file headers read both).
  detail::keras_topology keras_topology() const {
    return detail::make_keras_topology(inst_, declared_, layers_, rows_, order_, outputs_);
  }
  template <class F>
  void visit_layers(F f) const {
    [&]<std::size_t... P>(std::index_sequence<P...>) {
      (
          [&] {
            if constexpr (detail::is_call<node_t<P>>) {
              using LayerType = typename node_t<P>::layer_type;
              using InShape = typename ketl::detail::call_input<node_t<P>>::type;
              for (std::size_t i : by_position_[P])
                if (inst_[i].use == 0)
                  f(*static_cast<const LayerType*>(inst_[i].layer), inst_[i].slot,
                    static_cast<InShape*>(nullptr));
            }
          }(),
          ...);
    }
    (std::make_index_sequence<positions>{});
  }
  std::size_t param_count() const {
    std::size_t n = 0;
    for (const auto& s : layers_) n += s.params;
    return n;
  }

  void summary(std::ostream& os) const;

  // ---- the batch engine --------------------------------------------------

  // Grows the batch buffers to n samples; never shrinks them. All or
  // nothing: a failed allocation leaves the buffers as they were.
  void reserve(std::size_t n) {
    if (n <= capacity_) return;
    ketl::detail::as_ketl_error(
        "ketl: the buffers for a batch of " + std::to_string(n) + " samples", [&] {
          std::vector<T> acts(act_total_ * n), grads(act_total_ * n), scratch(scratch_total_ * n),
              tmp(max_parents * biggest_ * n);
          acts_.swap(acts), grads_.swap(grads), scratch_.swap(scratch), tmp_.swap(tmp);
        });
    capacity_ = n;
  }

  void forward(const void* const* x, std::size_t n, bool training) {
    reserve(n);
    for (std::size_t i = 0; i < declared_.size(); ++i) in_ptr_[i] = static_cast<const T*>(x[i]);
    [&]<std::size_t... P>(std::index_sequence<P...>) { (forward_position<P>(n, training), ...); }
    (std::make_index_sequence<positions>{});
  }
  const T* output(std::size_t k) const { return value(outputs_[k]); }
  T* output_grad(std::size_t k) { return grad(inst_[outputs_[k]]); }
  // Output k's mask from the last forward pass, or null (it carries none).
  const T* output_mask(std::size_t k) {
    const std::size_t from = inst_[outputs_[k]].mask_src;
    return from == npos ? nullptr : scratch(inst_[from]);
  }

  // From every output_grad(k); before_act[k]: it holds dL/dz of output k's
  // activation (the fused softmax + cross-entropy gradient).
  void backward(const void* const*, std::size_t n,
                const std::array<bool, sizeof...(Out)>& before_act) {
    std::fill(grad_set_.begin(), grad_set_.end(), char(0));
    for (std::size_t i : outputs_) grad_set_[i] = 1;
    before_act_ = before_act.data();
    [&]<std::size_t... P>(std::index_sequence<P...>) {
      (backward_position<positions - 1 - P>(n), ...);
    }
    (std::make_index_sequence<positions>{});
  }

 private:
  using instance = detail::graph_instance<max_parents>;
  using declared_input = detail::declared_input;
  using layer_slot = detail::layer_slot;

  // Orders, names, offsets and weights; on construction, also builds the
  // layers (a copy keeps its weights).
  void finish(bool build) {
    order_.clear();
    for (auto& b : by_position_) b.clear();
    for (std::size_t i = 0; i < inst_.size(); ++i) by_position_[inst_[i].position].push_back(i);
    for (const auto& b : by_position_) order_.insert(order_.end(), b.begin(), b.end());
    // Each layer's uses counted in execution order (Keras's node index).
    std::vector<std::size_t> seen_uses(layers_.size(), 0);
    std::vector<std::uint64_t> created(layers_.size(), std::uint64_t(-1));
    for (std::size_t i : order_) {
      auto& inst = inst_[i];
      if (inst.slot == npos) continue;
      inst.use = seen_uses[inst.slot]++;
      if (inst.use == 0) layers_[inst.slot].first = i;
      layers_[inst.slot].uses = seen_uses[inst.slot];
      created[inst.slot] = std::min(created[inst.slot], inst.seq);
    }
    if (build) rows_ = detail::name_and_list_layers(inst_, declared_, layers_, outputs_, created);
    // Backward meets a shared layer's uses in reverse order: the first it
    // meets writes the weight gradients, the others add to them.
    std::vector<char> met(layers_.size(), 0);
    for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
      auto& inst = inst_[*it];
      if (inst.slot == npos) continue;
      inst.accumulate = met[inst.slot];
      met[inst.slot] = 1;
    }
    act_total_ = scratch_total_ = biggest_ = 0;
    [&]<std::size_t... P>(std::index_sequence<P...>) { (place_position<P>(build), ...); }
    (std::make_index_sequence<positions>{});
    collect_weights();
    grad_set_.assign(inst_.size(), 0);
    in_ptr_.assign(declared_.size(), nullptr);
    out_index_.assign(inst_.size(), npos);
    for (std::size_t k = 0; k < outputs_.size(); ++k) out_index_[outputs_[k]] = k;
    capacity_ = 0;
    acts_.clear(), grads_.clear(), scratch_.clear(), tmp_.clear();
  }

  // Offsets of position P's instances, and their layers built (once each).
  template <std::size_t P>
  void place_position(bool build) {
    using N = node_t<P>;
    if constexpr (ketl::detail::is_output_node<N>) {
      for (std::size_t i : by_position_[P]) {
        inst_[i].act = act_total_;
        act_total_ += N::shape::size;
        biggest_ = std::max(biggest_, inst_[inst_[i].parents[0]].out_size);
      }
    }
    if constexpr (detail::is_call<N>) {
      using L = typename N::layer_type;
      for (std::size_t i : by_position_[P]) {
        auto& inst = inst_[i];
        inst.act = act_total_;
        act_total_ += N::shape::size;
        biggest_ = std::max(biggest_, N::shape::size);
        inst.scratch = scratch_total_;
        scratch_total_ += detail::node_traits<N>::scratch;
        if (build && inst.use == 0)
          static_cast<L*>(inst.layer)
              ->template build<typename detail::node_traits<N>::protocol_input>(rng_);
        // Every parent's size bounds the gradient scratch too.
        for (std::size_t j = 0; j < inst.parent_count; ++j)
          biggest_ = std::max(biggest_, inst_[inst.parents[j]].out_size);
      }
    }
  }

  // f(layer, its slot) once for each layer object (a shared layer once).
  template <class F>
  void for_each_layer(F f) {
    [&]<std::size_t... P>(std::index_sequence<P...>) {
      (
          [&] {
            if constexpr (detail::is_call<node_t<P>>)
              for (std::size_t i : by_position_[P])
                if (inst_[i].use == 0)
                  f(*static_cast<typename node_t<P>::layer_type*>(inst_[i].layer), inst_[i].slot);
          }(),
          ...);
    }
    (std::make_index_sequence<positions>{});
  }

  void collect_weights() {
    weights_.clear();
    trainable_.clear();
    weight_names_.clear();
    std::vector<std::vector<WeightRef<T>>> per_slot(layers_.size());
    for_each_layer([&](auto& l, std::size_t slot) {
      l.for_each_weight([&](WeightRef<T> w) { per_slot[slot].push_back(std::move(w)); });
    });
    for (std::size_t s = 0; s < layers_.size(); ++s)
      for (auto& w : per_slot[s]) {
        weight_names_.push_back(layers_[s].name + "/" + std::string(w.name));
        w.trainable = w.trainable && layers_[s].trainable(layers_[s].object.get());
        if (w.trainable) trainable_.push_back(w);
        weights_.push_back(std::move(w));
      }
  }

  const T* value(std::size_t i) const {
    const auto& inst = inst_[i];
    return inst.input != npos ? in_ptr_[inst.input] : acts_.data() + inst.act * capacity_;
  }
  T* out(const instance& inst) { return acts_.data() + inst.act * capacity_; }
  T* grad(const instance& inst) { return grads_.data() + inst.act * capacity_; }
  T* scratch(const instance& inst) { return scratch_.data() + inst.scratch * capacity_; }

  template <std::size_t P>
  void forward_position(std::size_t n, bool training) {
    using N = node_t<P>;
    if constexpr (ketl::detail::is_output_node<N>) {
      for (std::size_t i : by_position_[P]) {
        auto& inst = inst_[i];
        const auto& call = inst_[inst.parents[0]];
        detail::copy_part(out(call), out(inst), n, N::offset, N::shape::size);
        inst.mask_src = N::masked ? call.mask_src : npos;
      }
    }
    if constexpr (detail::is_call<N>) {
      using traits = detail::node_traits<N>;
      using L = typename N::layer_type;
      for (std::size_t i : by_position_[P]) {
        auto& inst = inst_[i];
        L& l = *static_cast<L*>(inst.layer);
        Pass<T> pass{training, &rng_, scratch(inst)};
        // Masks pass from a layer that makes one along calls of one
        // sequence (an RNN's initial states carry none).
        if constexpr (!ketl::detail::is_merge_layer<L>) {
          const std::size_t from = inst_[inst.parents[0]].mask_src;
          if (from != npos) pass.mask = scratch(inst_[from]);
          inst.mask_src = ketl::detail::makes_mask<L>     ? i
                          : ketl::detail::keeps_mask<L>() ? from
                                                          : npos;
        } else if constexpr (N::masked) {
          // A merge of masked nodes: its own mask in its scratch.
          constexpr auto steps = []<class... S>(ketl::detail::type_list<S...>*) {
            return std::array<std::size_t, sizeof...(S)>{S::dims[0]...};
          }(static_cast<typename traits::inputs*>(nullptr));
          std::array<const T*, steps.size()> masks{};
          for (std::size_t j = 0; j < steps.size(); ++j) {
            const std::size_t from = inst_[inst.parents[j]].mask_src;
            masks[j] = from == npos ? nullptr : scratch(inst_[from]);
          }
          detail::merge_masks(masks.data(), steps.data(), steps.size(), n, traits::mask_concat,
                              scratch(inst));
          inst.mask_src = i;
        }
        if constexpr (traits::merge) {
          std::array<const T*, max_parents> xs{};
          for (std::size_t j = 0; j < inst.parent_count; ++j) xs[j] = value(inst.parents[j]);
          l.template forward<typename traits::inputs>(xs.data(), out(inst), n, pass);
        } else {
          l.template forward<typename traits::first_input>(value(inst.parents[0]), out(inst), n,
                                                           pass);
        }
      }
    }
  }

  template <std::size_t P>
  void backward_position(std::size_t n) {
    using N = node_t<P>;
    if constexpr (ketl::detail::is_output_node<N>) {
      for (std::size_t i : by_position_[P]) {
        if (!grad_set_[i]) continue;
        const std::size_t c = inst_[i].parents[0];
        detail::add_part_grad(grad(inst_[i]), grad(inst_[c]), !grad_set_[c], inst_[c].out_size, n,
                              N::offset, N::shape::size);
        grad_set_[c] = 1;
      }
    }
    if constexpr (detail::is_call<N>) {
      using traits = detail::node_traits<N>;
      using L = typename N::layer_type;
      const auto& mine = by_position_[P];
      for (auto it = mine.rbegin(); it != mine.rend(); ++it) {
        auto& inst = inst_[*it];
        if (!grad_set_[*it]) continue;
        L& l = *static_cast<L*>(inst.layer);
        // A parent's first gradient goes straight to its buffer; a later one
        // (another consumer already wrote) goes to scratch and is added.
        std::array<T*, max_parents> dxs{};
        std::array<const T*, max_parents> xs{};
        std::array<bool, max_parents> add_later{};
        for (std::size_t j = 0; j < inst.parent_count; ++j) {
          const std::size_t p = inst.parents[j];
          xs[j] = value(p);
          if (inst_[p].input != npos) continue;
          if (!grad_set_[p]) {
            dxs[j] = grad(inst_[p]);
            grad_set_[p] = 1;
          } else {
            dxs[j] = tmp_.data() + j * biggest_ * capacity_;
            add_later[j] = true;
          }
        }
        const std::size_t k = out_index_[*it];
        Pass<T> pass{true, &rng_, scratch(inst), k != npos && before_act_[k], inst.accumulate};
        if constexpr (!ketl::detail::is_merge_layer<L>)
          if (inst_[inst.parents[0]].mask_src != npos)
            pass.mask = scratch(inst_[inst_[inst.parents[0]].mask_src]);
        if constexpr (traits::merge)
          l.template backward<typename traits::inputs>(xs.data(), out(inst), grad(inst), dxs.data(),
                                                       n, pass);
        else
          l.template backward<typename traits::first_input>(xs[0], out(inst), grad(inst), dxs[0], n,
                                                            pass);
        for (std::size_t j = 0; j < inst.parent_count; ++j)
          if (add_later[j]) {
            T* to = grad(inst_[inst.parents[j]]);
            const std::size_t count = n * inst_[inst.parents[j]].out_size;
            for (std::size_t e = 0; e < count; ++e) to[e] += dxs[j][e];
          }
      }
    }
  }

  std::vector<instance> inst_;
  std::vector<declared_input> declared_;
  // Keras's model.layers: an input's index, or the inputs' count plus a slot.
  std::vector<std::size_t> rows_;
  std::vector<std::size_t> outputs_;  // instances
  std::vector<layer_slot> layers_;    // in Keras's model.layers order
  std::array<std::vector<std::size_t>, positions> by_position_;
  std::vector<std::size_t> order_;  // every instance, in execution order
  std::vector<std::size_t> out_index_;
  Random rng_;
  std::vector<WeightRef<T>> weights_, trainable_;
  std::vector<std::string> weight_names_;

  std::size_t act_total_ = 0, scratch_total_ = 0, biggest_ = 0, capacity_ = 0;
  std::vector<T> acts_, grads_, scratch_, tmp_;
  std::vector<const T*> in_ptr_;
  std::vector<char> grad_set_;
  const bool* before_act_ = nullptr;
};

}  // namespace ketl::models
