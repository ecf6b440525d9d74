#include "core/app_registry.hpp"

#include <algorithm>
#include <mutex>

namespace sockudo::core {

AppRegistry::AppRegistry(const config::Options& options, unsigned workers)
    : defaults_(options.limits) {
    for (const auto& app : options.apps) {
        auto runtime = std::make_shared<AppRuntime>(app, defaults_, workers);
        by_key_[app.key] = runtime;
        by_id_[app.id] = runtime;
    }
}

AppPtr AppRegistry::find_by_key(std::string_view key) const {
    std::shared_lock lock(mutex_);
    auto it = by_key_.find(std::string(key));
    return it == by_key_.end() ? nullptr : it->second;
}

AppPtr AppRegistry::find_by_id(std::string_view id) const {
    std::shared_lock lock(mutex_);
    auto it = by_id_.find(std::string(id));
    return it == by_id_.end() ? nullptr : it->second;
}

std::vector<AppPtr> AppRegistry::all() const {
    std::shared_lock lock(mutex_);
    std::vector<AppPtr> out;
    out.reserve(by_id_.size());
    for (const auto& entry : by_id_) out.push_back(entry.second);
    std::sort(out.begin(), out.end(), [](const AppPtr& a, const AppPtr& b) {
        return a->app().id < b->app().id;
    });
    return out;
}

size_t AppRegistry::size() const {
    std::shared_lock lock(mutex_);
    return by_id_.size();
}

}  // namespace sockudo::core
