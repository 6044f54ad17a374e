/* render_json.c: reports as one JSON object: metadata, then sections with their columns and
 * rows, written as it goes so that a long report streams. */
#include <stdlib.h>

#include <jansson.h>

#include "docket/diag.h"
#include "docket/render.h"

/* Where the writer is: how many sections and rows have been written, for the commas. */
struct place {
    int sections, rows;
};

/* Writes V (stolen) as compact JSON. */
static void
put(FILE *f, json_t *v)
{
    json_dumpf(v, f,
               JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(v);
}

/* Writes ,"NAME": and V (stolen): one member after the first of an object. */
static void
member(FILE *f, const char *name, json_t *v)
{
    fprintf(f, ",\"%s\":", name);
    put(f, v);
}

static json_t *
jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static int
begin(struct render *r, const struct report_meta *m)
{
    char head[RENDER_HEAD_LEN], local[RENDER_HEAD_LEN];
    json_t *docs = json_array();

    if ((r->state = calloc(1, sizeof(struct place))) == NULL)
        return DK_IO;
    for (int i = 0; i < m->ndocs; i++)
        json_array_append_new(docs, json_pack("{s:o, s:o, s:o}", "symbol", jstr(m->docs[i].symbol),
                                              "title", jstr(m->docs[i].title), "adopted",
                                              jstr(m->docs[i].adopted)));
    fputs("{\"format\":\"docket-report\",\"version\":1", r->f);
    member(r->f, "report", jstr(m->report));
    member(r->f, "title", jstr(m->title));
    member(r->f, "description", jstr(m->description));
    member(r->f, "documents", docs);
    member(r->f, "as_of", jstr(m->asof));
    member(r->f, "generated", jstr(m->generated));
    /* The heads are digits, hex and ASCII words: nothing to escape. */
    /* The trail the report is stamped with: on a store that has synced, the shared log's,
     * which every office that synced as far holds alike. */
    render_heads(m, head, local);
    fprintf(r->f, ",\"trail\":{\"events\":%lld,\"head\":\"%s\",\"stamp\":\"%s\",\"local\":",
            m->shared > 0 ? m->shared : m->events, m->shared > 0 ? m->shared_head : m->head, head);
    fprintf(r->f, local[0] ? "\"%s\"" : "null", local);
    fprintf(r->f, ",\"unpublished\":%lld},\"sections\":[", m->unpublished);
    return render_status(r);
}

static int
section(struct render *r, const struct report_section *s, int ncols, const char *const *cols)
{
    struct place *p = r->state;
    json_t *names = json_array(), *chart = json_null();

    for (int i = 0; i < ncols; i++)
        json_array_append_new(names, jstr(cols[i]));
    if (s->chart.kind)
        chart = json_pack("{s:s, s:s, s:s, s:o}", "kind", s->chart.kind, "x", s->chart.x, "y",
                          s->chart.y, "series", jstr(s->chart.series));
    fputs(p->sections++ ? ",\n{\"name\":" : "\n{\"name\":", r->f);
    put(r->f, jstr(s->name));
    member(r->f, "title", jstr(s->title));
    member(r->f, "description", jstr(s->description));
    member(r->f, "chart", chart);
    member(r->f, "columns", names);
    fputs(",\"rows\":[", r->f);
    p->rows = 0;
    return render_status(r);
}

static int
row(struct render *r, sqlite3_stmt *st)
{
    struct place *p = r->state;
    json_t *a = json_array();

    for (int i = 0; i < sqlite3_column_count(st); i++) {
        json_t *v = render_json_value(st, i, 1);

        /* A cell that cannot be made (out of memory) is null rather than missing. */
        json_array_append_new(a, v ? v : json_null());
    }
    if (p->rows++)
        fputc(',', r->f);
    put(r->f, a);
    return render_status(r);
}

static int
section_end(struct render *r, const struct report_section *s)
{
    (void)s;
    fputs("]}", r->f);
    return render_status(r);
}

static int
end(struct render *r)
{
    fputs("\n]}\n", r->f);
    return render_status(r);
}

static void
free_state(struct render *r)
{
    free(r->state);
    r->state = NULL;
}

const struct render_ops render_json = {begin, section, row, section_end, end, free_state};
