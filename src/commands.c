/* commands.c: the one command table, in the order `docket --help` lists them. */
#include <stddef.h>

#include "cli.h"

const struct cmd_entry *const commands[] = {
    &cmd_init,      &cmd_docs,   &cmd_list,   &cmd_kinds,  &cmd_show,   &cmd_set,
    &cmd_note,      &cmd_add,    &cmd_edit,   &cmd_cost,   &cmd_revert, &cmd_log,
    &cmd_diff,      &cmd_report, &cmd_verify, &cmd_draft,  &cmd_import, &cmd_export,
    &cmd_links,     &cmd_notify, &cmd_remote, &cmd_clone,  &cmd_sync,   &cmd_status,
    &cmd_conflicts, &cmd_office, &cmd_key,    &cmd_backup, NULL,
};
