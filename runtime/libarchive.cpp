#include "runtime/libarchive.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

#include "core/error.h"

namespace pct::libarchive_loader {

void* resolve(const char* name) {
    static std::once_flag once;
    static void* library = nullptr;
    static std::string failure;
    std::call_once(once, [] {
        library = ::dlopen(PCT_LIBARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL);
        if (!library) failure = ::dlerror();
    });
    if (!library) throw UserError("cannot load libarchive (" PCT_LIBARCHIVE_SONAME "): " + failure);
    void* function = ::dlsym(library, name);
    if (!function) throw UserError(std::string("libarchive (" PCT_LIBARCHIVE_SONAME ") has no function ") + name);
    return function;
}

}  // namespace pct::libarchive_loader
