// What a functional_network keeps of its graph at run time: one instance
// per node (a layer call or an Input), the declared Inputs, and one slot per
// layer object, plus Keras's automatic names for them. Position-free: the
// typed work (building, running each position) stays in functional_network.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ketl/detail/layer_names.hpp"
#include "ketl/error.hpp"

namespace ketl::models::detail {

inline constexpr std::size_t no_index = std::size_t(-1);

template <std::size_t MaxParents>
struct graph_instance {
  std::size_t position = 0;  // its node type's index
  const void* id = nullptr;
  std::uint64_t seq = 0;        // its node's creation order
  void* layer = nullptr;        // its layer object (null for an Input)
  std::size_t slot = no_index;  // the layer's index in the layer slots
  std::array<std::size_t, MaxParents> parents{};
  std::size_t parent_count = 0;
  std::size_t use = 0;               // which call of its layer it is (Keras's node index)
  bool accumulate = false;           // backward: a later use of a shared layer adds its gradients
  std::size_t input = no_index;      // an Input: which of the declared inputs
  std::size_t act = 0, scratch = 0;  // per-sample offsets of its output and its scratch
  std::size_t out_size = 0;
  std::size_t mask_src = no_index;  // the instance whose scratch holds its output's mask
  // An output node (several outputs of one call): which output, and its
  // block's offset per sample in the call's buffer.
  std::size_t part = no_index, part_offset = 0;
};

// An output node's forward: block `offset` of the call's buffer (n samples
// of `size`, after n samples of the blocks before it) to its own buffer.
template <class T>
void copy_part(const T* call, T* out, std::size_t n, std::size_t offset, std::size_t size) {
  std::copy_n(call + n * offset, n * size, out);
}
// Its backward: its gradient into the call's, whose other blocks start at
// zero when this is the first gradient the call receives.
template <class T>
void add_part_grad(const T* g, T* call_grad, bool first, std::size_t call_size, std::size_t n,
                   std::size_t offset, std::size_t size) {
  if (first) std::fill_n(call_grad, n * call_size, T(0));
  T* to = call_grad + n * offset;
  for (std::size_t e = 0; e < n * size; ++e) to[e] += g[e];
}

// A merge's output mask, (n, steps) at out, from its k parents' masks
// (null: the parent carries none, all ones) over steps[j] each: with
// concat, joined along the time axis; else their AND, Keras's _Merge and
// Concatenate compute_mask.
template <class T>
void merge_masks(const T* const* masks, const std::size_t* steps, std::size_t k, std::size_t n,
                 bool concat, T* out) {
  std::size_t width = steps[0];
  if (concat)
    for (std::size_t j = 1; j < k; ++j) width += steps[j];
  for (std::size_t i = 0; i < n; ++i) {
    T* o = out + i * width;
    if (!concat) std::fill_n(o, width, T(1));
    for (std::size_t j = 0, at = 0; j < k; ++j) {
      const T* m = masks[j] ? masks[j] + i * steps[j] : nullptr;
      for (std::size_t t = 0; t < steps[j]; ++t) {
        const T v = m ? m[t] : T(1);
        if (concat)
          o[at + t] = v;
        else if (v == T(0))
          o[t] = T(0);
      }
      if (concat) at += steps[j];
    }
  }
}

struct declared_input {
  const void* id;
  std::string name;
  std::size_t instance = no_index;
};

struct layer_slot {
  std::shared_ptr<void> object;
  std::shared_ptr<void> (*clone)(const void*) = nullptr;
  std::string name, class_name, own_name;
  std::size_t params = 0, fixed_params = 0;  // all, and those never trainable
  bool (*trainable)(const void*) = nullptr;  // the layer's flag, read live
  std::size_t first = no_index;              // its first instance
  std::size_t uses = 0;
};

// Keras's names: a layer's name option, or snake_case(class) + "_" + a
// count per class over the unnamed ones, in execution order; inputs: their
// name, or input_1, input_2, ... All must differ.
inline void name_layers(std::vector<declared_input>& inputs, std::vector<layer_slot>& layers) {
  std::map<std::string, int> counts;
  std::vector<std::string> names;
  for (auto& d : inputs) {
    if (d.name.empty()) d.name = "input_" + std::to_string(++counts["input"]);
    names.push_back(d.name);
  }
  for (auto& s : layers) {
    if (!s.own_name.empty()) {
      s.name = s.own_name;
    } else {
      const std::string base = ketl::detail::to_snake_case(s.class_name);
      s.name = base + "_" + std::to_string(++counts[base]);
    }
    names.push_back(s.name);
  }
  for (std::size_t a = 0; a < names.size(); ++a)
    for (std::size_t b = 0; b < a; ++b)
      if (names[a] == names[b])
        throw value_error("ketl::Model: All layer names should be unique. The name \"" + names[a] +
                          "\" is used twice");
}

// Keras's model.layers order (2.2.4's _map_graph_network): a depth-first
// walk from the outputs numbers the layers as first met; each node's depth
// is one more than the deepest node it feeds (a shared layer takes its
// deepest node's); layers are listed deepest first, ties in walk order.
// Rows are inputs (0 .. n_inputs-1) and layer slots (n_inputs + slot).
template <class Inst>
std::vector<std::size_t> keras_layer_order(const std::vector<Inst>& inst,
                                           const std::vector<std::size_t>& outputs,
                                           std::size_t n_inputs, std::size_t n_slots) {
  // An output node (output k of a call) is a tensor of its call's node.
  auto node_of = [&](std::size_t i) { return inst[i].part != no_index ? inst[i].parents[0] : i; };
  auto row_of = [&](std::size_t i) {
    return inst[i].input != no_index ? inst[i].input : n_inputs + inst[i].slot;
  };
  const std::size_t rows = n_inputs + n_slots;
  std::vector<std::size_t> walk_index(rows, no_index), post_order;
  std::vector<char> finished(inst.size(), 0);
  std::size_t next = 0;
  auto visit = [&](auto& self, std::size_t node) -> void {
    if (finished[node]) return;
    if (walk_index[row_of(node)] == no_index) walk_index[row_of(node)] = next++;
    for (std::size_t j = 0; j < inst[node].parent_count; ++j)
      self(self, node_of(inst[node].parents[j]));
    finished[node] = 1;
    post_order.push_back(node);
  };
  for (std::size_t o : outputs) visit(visit, node_of(o));
  std::vector<std::size_t> node_depth(inst.size(), 0), row_depth(rows, 0);
  for (auto it = post_order.rbegin(); it != post_order.rend(); ++it) {
    const std::size_t d = std::max(node_depth[*it], row_depth[row_of(*it)]);
    row_depth[row_of(*it)] = node_depth[*it] = d;
    for (std::size_t j = 0; j < inst[*it].parent_count; ++j) {
      const std::size_t p = node_of(inst[*it].parents[j]);
      node_depth[p] = std::max(node_depth[p], d + 1);
    }
  }
  std::vector<std::size_t> order(rows);
  for (std::size_t r = 0; r < rows; ++r) order[r] = r;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return row_depth[a] != row_depth[b] ? row_depth[a] > row_depth[b]
                                        : walk_index[a] < walk_index[b];
  });
  return order;
}

// Names the layer slots as Keras would (counted in the order their first
// nodes were made, `created`), then reorders them into Keras's
// model.layers order; returns the rows (inputs and slots) in that order.
template <class Inst>
std::vector<std::size_t> name_and_list_layers(std::vector<Inst>& inst,
                                              std::vector<declared_input>& declared,
                                              std::vector<layer_slot>& layers,
                                              const std::vector<std::size_t>& outputs,
                                              const std::vector<std::uint64_t>& created) {
  auto reorder = [&](const std::vector<std::size_t>& slot_order) {
    std::vector<layer_slot> sorted;
    std::vector<std::size_t> remap(layers.size());
    for (std::size_t s : slot_order)
      remap[s] = sorted.size(), sorted.push_back(std::move(layers[s]));
    layers = std::move(sorted);
    for (auto& i : inst)
      if (i.slot != no_index) i.slot = remap[i.slot];
    return remap;
  };
  std::vector<std::size_t> by_creation(layers.size());
  for (std::size_t s = 0; s < by_creation.size(); ++s) by_creation[s] = s;
  std::sort(by_creation.begin(), by_creation.end(),
            [&](std::size_t a, std::size_t b) { return created[a] < created[b]; });
  reorder(by_creation);
  name_layers(declared, layers);
  std::vector<std::size_t> rows = keras_layer_order(inst, outputs, declared.size(), layers.size());
  std::vector<std::size_t> listed;
  for (std::size_t r : rows)
    if (r >= declared.size()) listed.push_back(r - declared.size());
  const auto remap = reorder(listed);
  for (std::size_t& r : rows)
    if (r >= declared.size()) r = declared.size() + remap[r - declared.size()];
  return rows;
}

// The graph as Keras's Network.get_config lists it: each row of
// model.layers (an input, or a layer slot), each call of a layer with its
// inputs as [layer name, node index, tensor index], and the model's inputs
// and outputs likewise.
struct keras_ref {
  std::string layer;
  std::size_t node = 0, tensor = 0;
};
struct keras_row {
  std::string name;
  std::size_t input = no_index, slot = no_index;  // which one it is
  std::vector<std::vector<keras_ref>> calls;      // a layer's, in node order
};
struct keras_topology {
  std::vector<keras_row> rows;
  std::vector<keras_ref> inputs, outputs;
};

template <class Inst>
keras_topology make_keras_topology(const std::vector<Inst>& inst,
                                   const std::vector<declared_input>& declared,
                                   const std::vector<layer_slot>& layers,
                                   const std::vector<std::size_t>& rows,
                                   const std::vector<std::size_t>& order,
                                   const std::vector<std::size_t>& outputs) {
  // Keras counts a nested model's calls from 1: its node 0 links its own
  // Input to its output (Keras 2.2.4's get_config keeps it; tf.keras skips
  // it and still counts from 1).
  auto node = [&](std::size_t slot, std::size_t use) {
    return use + (layers[slot].class_name == "Sequential" ? 1 : 0);
  };
  auto ref = [&](std::size_t i) {
    const auto& x = inst[i];
    if (x.part != no_index) {  // output k of a call
      const auto& call = inst[x.parents[0]];
      return keras_ref{layers[call.slot].name, node(call.slot, call.use), x.part};
    }
    return x.input != no_index ? keras_ref{declared[x.input].name, 0, 0}
                               : keras_ref{layers[x.slot].name, node(x.slot, x.use), 0};
  };
  keras_topology t;
  for (std::size_t r : rows) {
    keras_row row;
    if (r < declared.size()) {
      row.name = declared[r].name, row.input = r;
    } else {
      row.slot = r - declared.size();
      row.name = layers[row.slot].name;
      for (std::size_t i : order)  // execution order is node order
        if (inst[i].slot == row.slot && inst[i].part == no_index) {
          std::vector<keras_ref> call;
          for (std::size_t j = 0; j < inst[i].parent_count; ++j)
            call.push_back(ref(inst[i].parents[j]));
          row.calls.push_back(std::move(call));
        }
    }
    t.rows.push_back(std::move(row));
  }
  for (const auto& d : declared) t.inputs.push_back({d.name, 0, 0});
  for (std::size_t o : outputs) t.outputs.push_back(ref(o));
  return t;
}

}  // namespace ketl::models::detail
