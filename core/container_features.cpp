#include "core/container_features.h"

#include "core/option_schema.h"
#include "core/property_string.h"

namespace pct {

namespace {

std::string trim(const std::string& text) {
    size_t begin = text.find_first_not_of(' ');
    if (begin == std::string::npos) return "";
    return text.substr(begin, text.find_last_not_of(' ') - begin + 1);
}

}  // namespace

ContainerFeatures parse_container_features(const std::string* value) {
    ContainerFeatures features;
    if (!value) return features;
    PropertyMap map = parse_property_string(*value, features_format());
    auto flag = [&map](const char* key) {
        auto it = map.find(key);
        return it != map.end() && it->second == "1";
    };
    features.nesting = flag("nesting");
    features.keyctl = flag("keyctl");
    features.fuse = flag("fuse");
    features.mknod = flag("mknod");
    features.force_rw_sys = flag("force_rw_sys");
    if (auto it = map.find("mount"); it != map.end()) {
        size_t start = 0;
        while (start <= it->second.size()) {
            size_t end = it->second.find(';', start);
            std::string type = trim(it->second.substr(start, end == std::string::npos ? std::string::npos : end - start));
            if (!type.empty()) features.mount_types.push_back(type);
            if (end == std::string::npos) break;
            start = end + 1;
        }
    }
    return features;
}

}  // namespace pct
