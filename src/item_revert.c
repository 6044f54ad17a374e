/* item_revert.c: a revert, which cancels a mistaken event by a new one. Both stay in the trail;
 * evidence recorded with a reverted status or note goes with it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docket/event.h"
#include "docket/item.h"
#include "docket/state.h"
#include "item_int.h"

/* The evidence that goes with a status or note that any revert, whenever recorded, cancels. */
#define GONE_EVER STATE_REVERTED_EVIDENCE("'9999-12-31T23:59:59.999Z'")

/* After the revert of event SEQ, a parent edit, has been applied: checks that the parent it
 * brings back to item ITEM (a uuid) closes no loop, as an edit to that parent would be checked.
 * The state already holds the restored parent, so the check walks up from it. */
static int
no_cycle_after_revert(struct db *db, long long seq, const char *item, struct diag *d)
{
    static const char sql[] = "SELECT key, parent FROM items WHERE uuid = :item";
    sqlite3_stmt *st = NULL;
    char *key = NULL, *parent = NULL;
    int rc, has_parent;

    if ((rc = db_prep(db, sql, &st, d)) != 0 || (rc = db_bind_text(db, st, ":item", item, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) < 0)
        return d->code;
    if ((has_parent = rc == 1 && sqlite3_column_type(st, 1) != SQLITE_NULL)) {
        key = item_dup_col(st, 0);
        parent = item_dup_col(st, 1);
    }
    sqlite3_reset(st);
    if (!has_parent)
        rc = 0;
    else if (key == NULL || parent == NULL)
        rc = diag_set(d, DK_STORE, "out of memory");
    else if ((rc = item_closes_loop(db, key, parent, d)) < 0)
        rc = d->code;
    else if (rc == 1)
        rc = diag_set(d, DK_DATA,
                      "event %lld cannot be reverted: it would put '%s' back under '%s', "
                      "which is under it: that would make a loop",
                      seq, key, parent);
    free(key);
    free(parent);
    return rc;
}

int
item_revert(struct db *db, long long seq, const char *reason, const char *eff, long long *by,
            struct diag *d)
{
    static const char sql[] =
        "SELECT e.uuid, e.type, e.item, (SELECT i.key FROM items i WHERE i.uuid = e.item), "
        "e.new_value, (SELECT r.by_seq FROM " STATE_REVERTS " r "
        "WHERE r.uuid = e.uuid), e.subject = 'parent', e.seq IN (" GONE_EVER ") FROM event e "
        "WHERE e.seq = :seq";
    static const char *const revertible[] = {"status", "edit", "note", "evidence", "cost", NULL};
    struct event e = {.type = "revert", .reason = reason, .eff = eff};
    char *uuid = NULL, *item = NULL, *key = NULL, *value = NULL, type[32];
    sqlite3_stmt *st;
    long long made;
    int rc, ok = 0, parent_edit;

    if ((rc = db_prep(db, sql, &st, d)) != 0 || (rc = db_bind_int(db, st, ":seq", seq, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) < 0)
        return d->code;
    if (rc == 0)
        return diag_set(d, DK_DATA, "no event %lld (see 'docket log')", seq);
    snprintf(type, sizeof type, "%s", (const char *)sqlite3_column_text(st, 1));
    for (int i = 0; revertible[i]; i++)
        ok |= strcmp(revertible[i], type) == 0;
    if (!ok) {
        sqlite3_reset(st);
        return diag_set(d, DK_DATA,
                        "event %lld is a '%s' event, which cannot be reverted (only status, "
                        "edit, note, evidence and cost events)",
                        seq, type);
    }
    if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
        rc = diag_set(d, DK_DATA, "event %lld was already reverted by event %lld", seq,
                      sqlite3_column_int64(st, 5));
        sqlite3_reset(st);
        return rc;
    }
    if (sqlite3_column_int(st, 7) == 1) {
        sqlite3_reset(st);
        return diag_set(d, DK_DATA,
                        "event %lld went with the status or note it was recorded "
                        "with, which is reverted",
                        seq);
    }
    uuid = item_dup_col(st, 0);
    item = item_dup_col(st, 2);
    key = item_dup_col(st, 3);
    value = item_dup_col(st, 4);
    parent_edit = strcmp(type, "edit") == 0 && sqlite3_column_int(st, 6) == 1;
    sqlite3_reset(st);
    if (uuid == NULL) {
        rc = diag_set(d, DK_STORE, "out of memory");
        goto out;
    }
    e.item = item;
    e.subject = uuid;
    e.old_value = value;
    if ((e.attrs = json_object()) == NULL) {
        rc = diag_set(d, DK_STORE, "out of memory");
        goto out;
    }
    ev_attr(e.attrs, "type", type);
    ev_attr(e.attrs, "key", key);
    /* Undoing a parent edit brings an older parent back, which may by now lie below the item;
     * the failure rolls the revert back with the command's transaction. */
    if ((rc = ev_append(db, &e, &made, d)) == 0 && parent_edit && item != NULL)
        rc = no_cycle_after_revert(db, seq, item, d);
    if (rc == 0 && by != NULL)
        *by = made;
out:
    json_decref(e.attrs);
    free(uuid);
    free(item);
    free(key);
    free(value);
    return rc;
}
