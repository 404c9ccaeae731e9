/* relabel_sql.c - a loadable SQLite extension with what a project's views
 * need (rl_pred_each, rl_pred_pack; see src/core/predpack.h), so that the
 * sqlite3 shell reads schema 8's packed predictions too:
 *     sqlite3 -cmd '.load /path/to/relabel_sql' project.db
 *         'SELECT * FROM prediction LIMIT 5'
 * It calls SQLite directly (the shell and this module share libsqlite3),
 * so it is built only for a shell linked with the system library. */
#include <sqlite3.h>

#include "../core/predpack.h"

int sqlite3_relabelsql_init(sqlite3 *db, char **msg,
                            const void *api);

int
sqlite3_relabelsql_init(sqlite3 *db, char **msg, const void *api)
{
    (void)msg; (void)api;
    return predpack_register(db);
}
