/* export_int.h: what export.c shares with export_restore.c: the arena that Jansson allocates
 * from while an export or a restore runs. Only those two files include it. */
#ifndef DOCKET_EXPORT_INT_H
#define DOCKET_EXPORT_INT_H

#include <jansson.h>

/* Jansson's allocator while an export or a restore runs; export_arena_uninstall puts back WAS. */
/* Jansson's allocator while an export or a restore runs; arena_uninstall puts back WAS. */
struct export_allocator {
    json_malloc_t alloc;
    json_free_t free;
};

/* Makes this thread's arena the one Jansson allocates from, and returns the allocator it had. */
struct export_allocator export_arena_install(void);

/* Frees this thread's arena and puts back WAS. */
void export_arena_uninstall(struct export_allocator was);

/* Turns this thread's arena on (ON 1) for the line it makes, or off (0): malloc then. */
void export_arena_on(int on);

/* Empties this thread's arena, once the JSON made in it is freed. */
void export_arena_empty(void);

/* Frees this thread's arena, once its last line is freed. */
void export_arena_drop(void);

#endif
