#include "core/volume_resize.h"

#include "core/config_file.h"
#include "core/config_loader.h"
#include "core/error.h"
#include "core/option_schema.h"
#include "core/property_string.h"
#include "core/volume_id.h"

namespace pct {

namespace {

bool is_resize_size(std::string_view text) {
    if (text.starts_with('+')) text.remove_prefix(1);
    if (!text.empty() && std::string_view("KMGT").find(text.back()) != std::string_view::npos) text.remove_suffix(1);
    const size_t dot = text.find('.');
    auto digits = [](std::string_view part) {
        return !part.empty() && part.find_first_not_of("0123456789") == std::string_view::npos;
    };
    if (dot == std::string_view::npos) return digits(text);
    return digits(text.substr(0, dot)) && digits(text.substr(dot + 1));
}

bool is_resizable_key(const std::string& disk) {
    auto [base, index] = split_indexed_key(disk);
    return disk == "rootfs" || (base == "mp" && index >= 0 && index <= 255);
}

}  // namespace

uint64_t resolve_resize_size(const std::string& text, uint64_t current_bytes) {
    if (!is_resize_size(text)) throw ParameterError({"size: value does not match the regex pattern"});
    const bool relative = text.starts_with('+');
    const uint64_t amount = parse_disk_size(relative ? std::string_view(text).substr(1) : std::string_view(text));
    if (!relative) return amount;
    if (amount > UINT64_MAX - current_bytes) throw UserError("disk size '" + text + "' is too large");
    return current_bytes + amount;
}

std::vector<std::string> resize_container_volume(ConfigStore& store, StorageRegistry& storages,
                                                 const ResizeRequest& request, const GrowFilesystem& grow) {
    if (!is_resizable_key(request.disk))
        throw ParameterError({"disk: value '" + request.disk + "' is not one of rootfs, mp0 ... mp255"});
    resolve_resize_size(request.size, 0);  // syntax first, like the API's schema check

    auto lock = store.lock(request.vmid);
    LoadedConfig loaded = load_config(store, request.vmid);
    check_lock(loaded.config);
    if (!request.digest.empty() && request.digest != loaded.digest)
        throw UserError("detected modified configuration - file changed by other user? Try again.");
    const std::string* value = loaded.config.main.get(request.disk);
    if (!value) throw UserError("disk '" + request.disk + "' does not exist");

    const PropertyFormat& format = volume_key_format(request.disk);
    PropertyMap mount = parse_property_string(*value, format);
    const std::string volid = mount["volume"];
    const VolumeId id = parse_volume_id(volid);  // bind and device mount points fail here
    const auto owner = parse_dir_volname(id.volname).owner_vmid;
    if (owner != request.vmid)
        throw UserError("can't resize mount point owned by another container (" +
                        (owner ? std::to_string(*owner) : std::string("none")) + ")");

    Storage& storage = storages.get(id.storage);
    const uint64_t current = storage.size_bytes(volid);
    const uint64_t wanted = resolve_resize_size(request.size, current);
    if (wanted < current) throw UserError("unable to shrink disk size");
    if (wanted == current) throw UserError("disk is already at specified size");

    storage.resize(volid, wanted);
    mount["size"] = format_disk_size(storage.size_bytes(volid));  // what the storage really made
    loaded.config.main.values[request.disk] = print_property_string(mount, format);
    store.replace(request.vmid, write_config(loaded.config));

    std::vector<std::string> warnings;
    if (storage.format(volid) != VolumeFormat::Raw) return warnings;
    try {
        grow(storage.path(volid), request.disk == "rootfs" ? "/" : mount["mp"], request.running);
    } catch (const UserError& e) {
        warnings.push_back(std::string("Failed to update the container's filesystem: ") + e.what());
    }
    return warnings;
}

}  // namespace pct
