#include "apps/app_row.hpp"
#include "apps/app_store.hpp"
#include "apps/memory_store.hpp"
#include "apps/mysql_store.hpp"
#include "apps/postgres_store.hpp"
#include "apps/sqlite_store.hpp"

namespace sockudo::apps {

StoreFactory make_store_factory(const config::Options& options) {
    using Driver = config::AppManagerDriver;
    switch (options.app_manager_driver) {
        case Driver::Sqlite:
            return [path = options.database.sqlite_path] {
                return std::make_unique<SqliteStore>(path);
            };
        case Driver::Postgres:
            check_table_name("database.postgres.table_name", options.database.postgres.table_name);
            return [db = options.database.postgres] { return std::make_unique<PostgresStore>(db); };
        case Driver::Mysql:
            check_table_name("database.mysql.table_name", options.database.mysql.table_name);
            return [db = options.database.mysql] { return std::make_unique<MysqlStore>(db); };
        case Driver::Memory:
            break;
    }
    return [apps = options.apps] { return std::make_unique<MemoryStore>(apps); };
}

unsigned store_threads(const config::Options& options) {
    using Driver = config::AppManagerDriver;
    switch (options.app_manager_driver) {
        case Driver::Postgres:
            return static_cast<unsigned>(options.database.postgres.connection_pool_size);
        case Driver::Mysql:
            return static_cast<unsigned>(options.database.mysql.connection_pool_size);
        case Driver::Sqlite:
            // One writer at a time anyway, and a lookup takes microseconds.
            return 1;
        case Driver::Memory:
            break;
    }
    return 0;
}

}  // namespace sockudo::apps
