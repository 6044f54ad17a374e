/* render_json.c: reports as one JSON object: metadata, then sections with their columns and
 * rows, written as it goes so that a long report streams. */
#include <stdlib.h>

#include <jansson.h>

#include "docket/diag.h"
#include "docket/render.h"

/* Where the writer is: how many sections, rows and documents have been written, for the
 * commas; in a portfolio's table, its column names (rows are objects there). */
struct place {
    int sections, rows, docs;
    int ncols;
    const char *const *cols;
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
    /* A portfolio's documents come later, each with its sections. */
    if (r->portfolio)
        json_decref(docs);
    else
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
    fprintf(r->f, ",\"unpublished\":%lld}", m->unpublished);
    if (!r->portfolio)
        fputs(",\"sections\":[", r->f);
    return render_status(r);
}

static int
section(struct render *r, const struct report_section *s, int ncols, const char *const *cols)
{
    struct place *p = r->state;
    json_t *names, *chart = json_null();

    /* The portfolio's table: an array of objects, one per document. */
    if (r->portfolio && r->doc == NULL) {
        p->ncols = ncols;
        p->cols = cols;
        p->rows = 0;
        fputs(",\"portfolio\":[", r->f);
        return render_status(r);
    }
    p->cols = NULL;
    names = json_array();
    for (int i = 0; i < ncols; i++)
        if (render_shows(r, i))
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
    json_t *a;

    if (p->cols != NULL) {
        json_t *o = json_object();

        for (int i = 0; i < p->ncols; i++) {
            json_t *v = render_json_value(st, i, 1);

            json_object_set_new(o, p->cols[i], v ? v : json_null());
        }
        fputs(p->rows++ ? ",\n" : "\n", r->f);
        put(r->f, o);
        return render_status(r);
    }
    a = json_array();
    for (int i = 0; i < render_columns(r, st); i++) {
        json_t *v;

        if (!render_shows(r, i))
            continue;
        v = render_json_value(st, i, 1);
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
    struct place *p = r->state;

    (void)s;
    fputs(p->cols ? "]" : "]}", r->f);
    p->cols = NULL;
    return render_status(r);
}

static int
end(struct render *r)
{
    struct place *p = r->state;

    fputs(r->portfolio ? (p->docs ? "\n]}\n" : ",\"documents\":[]}\n") : "\n]}\n", r->f);
    return render_status(r);
}

static void
free_state(struct render *r)
{
    free(r->state);
    r->state = NULL;
}

/* A portfolio's document: {"alias", "symbol", "title", "adopted", "sections": [...]}. */
static int
document(struct render *r, const struct report_doc *doc)
{
    struct place *p = r->state;

    r->doc = doc;
    if (doc == NULL) {
        fputs("\n]}", r->f);
        return render_status(r);
    }
    fputs(p->docs++ ? ",\n{\"alias\":" : ",\"documents\":[\n{\"alias\":", r->f);
    put(r->f, jstr(doc->alias));
    member(r->f, "symbol", jstr(doc->symbol));
    member(r->f, "title", jstr(doc->title));
    member(r->f, "adopted", jstr(doc->adopted));
    fputs(",\"sections\":[", r->f);
    p->sections = 0;
    return render_status(r);
}

const struct render_ops render_json = {begin, section,    row,      section_end,
                                       end,   free_state, document, NULL};
