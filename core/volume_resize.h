#pragma once
// `pct resize` (cli.md §3.10): grow a container's storage volume, record the
// new size in the config, then grow the file system on it.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/config_store.h"
#include "core/storage.h"

namespace pct {

// `\+?\d+(\.\d+)?[KMGT]?` (no unit = bytes): the new absolute size, or with a
// leading '+' the amount added to `current_bytes`. Throws ParameterError
// `size: value does not match the regex pattern`.
uint64_t resolve_resize_size(const std::string& text, uint64_t current_bytes);

struct ResizeRequest {
    int vmid = 0;
    std::string disk;    // rootfs, mp0..mp255
    std::string size;    // as given on the command line
    std::string digest;  // empty: not checked
    bool running = false;
};

// Grows the ext4 file system of a grown raw volume at `image_path`, mounted
// at `guest_path` inside the container when it runs. Throws UserError.
using GrowFilesystem = std::function<void(const std::string& image_path, const std::string& guest_path, bool running)>;

// Checks, resizes the volume, writes the config with the new `size=`, then
// grows the file system. Returns warnings: a file system that could not be
// grown only warns (`Failed to update the container's filesystem: <err>`),
// as in Proxmox. Throws UserError with the spec's messages before anything
// changed.
std::vector<std::string> resize_container_volume(ConfigStore& store, StorageRegistry& storages,
                                                 const ResizeRequest& request, const GrowFilesystem& grow);

}  // namespace pct
