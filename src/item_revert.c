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
    static const char sql[] = "SELECT key, parent, doc FROM items WHERE uuid = :item";
    sqlite3_stmt *st = NULL;
    char *key = NULL, *parent = NULL, *doc = NULL;
    int rc, has_parent;

    if ((rc = db_prep(db, sql, &st, d)) != 0 || (rc = db_bind_text(db, st, ":item", item, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) < 0)
        return d->code;
    if ((has_parent = rc == 1 && sqlite3_column_type(st, 1) != SQLITE_NULL)) {
        key = item_dup_col(st, 0);
        parent = item_dup_col(st, 1);
        doc = item_dup_col(st, 2);
    }
    sqlite3_reset(st);
    if (!has_parent)
        rc = 0;
    else if (key == NULL || parent == NULL)
        rc = diag_set(d, DK_STORE, "out of memory");
    else if ((rc = item_closes_loop(db, doc, key, parent, d)) < 0)
        rc = d->code;
    else if (rc == 1)
        rc = diag_set(d, DK_DATA,
                      "event %lld cannot be reverted: it would put '%s' back under '%s', "
                      "which is under it: that would make a loop",
                      seq, key, parent);
    free(key);
    free(parent);
    free(doc);
    return rc;
}

/* Names in D the items under KEY (item ITEM) that are not withdrawn, which keep it from being
 * withdrawn: DK_DATA when there are any, else 0 (DK_STORE). */
static int
no_children(struct db *db, long long seq, const char *item, const char *key, struct diag *d)
{
    static const char sql[] =
        "SELECT count(*), group_concat(quote(key), ', ') FROM "
        "(SELECT key FROM items WHERE parent = :key AND doc IS " ITEM_DOC_OF_ITEM " ORDER BY key)";
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0 || (rc = db_bind_text(db, st, ":key", key, d)) != 0 ||
        (rc = db_bind_text(db, st, ":item", item, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) < 0)
        return d->code;
    rc = 0;
    if (sqlite3_column_int(st, 0) > 0)
        rc = diag_set(d, DK_DATA,
                      "event %lld cannot be reverted: withdrawing '%s' would leave %s under "
                      "nothing (withdraw %s first)",
                      seq, key, (const char *)sqlite3_column_text(st, 1),
                      sqlite3_column_int(st, 0) > 1 ? "them" : "it");
    sqlite3_reset(st);
    return rc;
}

/* Before the withdrawal of item KEY (item ITEM) is reverted: KEY must not have been taken again
 * since in its document, in any case, as keys are unique there without regard to case.
 * DK_DATA naming the item that took it. */
static int
key_free(struct db *db, long long seq, const char *item, const char *key, struct diag *d)
{
    static const char sql[] = "SELECT key FROM items WHERE key = :key COLLATE NOCASE AND "
                              "doc IS " ITEM_DOC_OF_ITEM " LIMIT 1";
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0 || (rc = db_bind_text(db, st, ":key", key, d)) != 0 ||
        (rc = db_bind_text(db, st, ":item", item, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) < 0)
        return d->code;
    if (rc == 1)
        rc = diag_set(d, DK_DATA,
                      "event %lld cannot be reverted: '%s' would come back beside the item '%s' "
                      "added since (withdraw that first)",
                      seq, key, (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return rc;
}

/* After the withdrawal of item ITEM (a uuid) was reverted: the item it is under must be there,
 * else it would come back under nothing. The failure rolls the revert back. */
static int
parent_back(struct db *db, long long seq, const char *item, struct diag *d)
{
    static const char sql[] = "SELECT c.key, c.parent FROM items c WHERE c.uuid = :item AND "
                              "c.parent IS NOT NULL AND NOT EXISTS (SELECT 1 FROM items p WHERE "
                              "p.key = c.parent AND p.doc IS c.doc)";
    sqlite3_stmt *st;
    int rc;

    if ((rc = db_prep(db, sql, &st, d)) != 0 || (rc = db_bind_text(db, st, ":item", item, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) < 0)
        return d->code;
    if (rc == 1)
        rc = diag_set(d, DK_DATA,
                      "event %lld cannot be reverted: '%s' would come back under '%s', which is "
                      "withdrawn (bring it back first)",
                      seq, (const char *)sqlite3_column_text(st, 0),
                      (const char *)sqlite3_column_text(st, 1));
    sqlite3_reset(st);
    return rc;
}

int
item_revert(struct db *db, long long seq, const char *reason, const char *eff, long long *by,
            struct diag *d)
{
    /* The event, its item's key (a withdrawn item's from its creation), who reverted it (a
     * revert itself undone does not count), and for a revert the type of what it reverted. */
    static const char sql[] =
        "SELECT e.uuid, e.type, e.item, COALESCE((SELECT i.key FROM items i WHERE i.uuid = "
        "e.item), CASE WHEN e.type = 'item' THEN e.subject END, (SELECT t.subject FROM event t "
        "WHERE e.type = 'revert' AND t.uuid = e.subject AND t.type = 'item')), "
        "e.new_value, (SELECT r.by_seq FROM " STATE_REVERTS " r "
        "WHERE r.uuid = e.uuid AND NOT " STATE_UNDONE(
            "r", "'9999-12-31T23:59:59.999Z'") "), "
                                               "e.subject = 'parent', e.seq IN (" GONE_EVER
                                               "), (SELECT t.type FROM event t WHERE "
                                               "e.type = 'revert' AND t.uuid = e.subject) FROM "
                                               "event e WHERE e.seq = :seq";
    static const char *const revertible[] = {"status", "edit", "note",   "evidence",
                                             "cost",   "item", "revert", NULL};
    struct event e = {.type = "revert", .reason = reason, .eff = eff};
    char *uuid = NULL, *item = NULL, *key = NULL, *value = NULL, type[32], target[32] = "";
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
    if (sqlite3_column_text(st, 8) != NULL)
        snprintf(target, sizeof target, "%s", (const char *)sqlite3_column_text(st, 8));
    for (int i = 0; revertible[i]; i++)
        ok |= strcmp(revertible[i], type) == 0;
    if (!ok) {
        sqlite3_reset(st);
        return diag_set(d, DK_DATA,
                        "event %lld is a '%s' event, which cannot be reverted (only item, "
                        "status, edit, note, evidence and cost events, and the revert of an item)",
                        seq, type);
    }
    /* Undoing a revert brings back what it cancelled: for a withdrawn item, the item as it
     * was; for anything else, recording it again says more plainly what happened. */
    if (strcmp(type, "revert") == 0 && strcmp(target, "item") != 0) {
        sqlite3_reset(st);
        return diag_set(d, DK_DATA,
                        "event %lld reverts a '%s' event: only the revert of an item (its "
                        "withdrawal) can be reverted; record the change again instead",
                        seq, target);
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
    /* A withdrawn item leaves every list; what is under it would be left under nothing. */
    if (strcmp(type, "item") == 0 && key != NULL && (rc = no_children(db, seq, item, key, d)) != 0)
        goto out;
    if (strcmp(type, "revert") == 0 && key != NULL && (rc = key_free(db, seq, item, key, d)) != 0)
        goto out;
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
    if (rc == 0 && strcmp(type, "revert") == 0 && item != NULL)
        rc = parent_back(db, seq, item, d);
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
