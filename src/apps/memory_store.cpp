#include "apps/memory_store.hpp"

namespace sockudo::apps {

MemoryStore::MemoryStore(const std::vector<config::App>& apps) {
    for (const auto& app : apps) upsert(app);
}

std::optional<config::App> MemoryStore::find_by_key(const std::string& key) {
    for (const auto& [id, app] : by_id_) {
        if (app.key == key) return app;
    }
    return std::nullopt;
}

std::optional<config::App> MemoryStore::find_by_id(const std::string& id) {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return std::nullopt;
    return it->second;
}

std::vector<config::App> MemoryStore::all() {
    std::vector<config::App> out;
    for (const auto& [id, app] : by_id_) out.push_back(app);
    return out;
}

void MemoryStore::upsert(const config::App& app) {
    by_id_[app.id] = app;
}

}  // namespace sockudo::apps
