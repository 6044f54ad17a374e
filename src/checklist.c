/* checklist.c: checklists (a resolution's document, kinds and items as JSON): checking and
 * loading them as events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docket/checklist.h"
#include "docket/date.h"
#include "docket/doc.h"
#include "docket/embed.h"
#include "docket/event.h"
#include "docket/item.h"
#include "docket/state.h"
#include "docket/text.h"
#include "docket/trust.h"

enum { T_STR, T_INT, T_BOOL, T_ARR, T_OBJ };

struct field {
    const char *name;
    int type;
    int required;
    int version; /* the first checklist format version that has the field (0: every one) */
};

/* The checklist format versions this docket reads: 1, and 2, which adds the fields marked 2. */
enum { CHECKLIST_VERSION_MAX = 2 };

static const char *const type_names[] = {"a string", "an integer", "true or false", "an array",
                                         "an object"};

/* Checks that O is an object with only the fields FS that format VERSION has, each of its type,
 * the required ones present, strings valid UTF-8 and non-empty. */
static int
check_fields(json_t *o, const char *path, const struct field *fs, int version, struct diag *d)
{
    const char *key;
    json_t *v;

    if (!json_is_object(o))
        return diag_set(d, DK_DATA, "%s: must be an object", path);
    json_object_foreach(o, key, v)
    {
        const struct field *f = fs;
        int ok;

        while (f->name && strcmp(f->name, key) != 0)
            f++;
        if (f->name == NULL)
            return diag_set(d, DK_DATA, "%s.%s: unknown field", path, key);
        if (f->version > version)
            return diag_set(d, DK_DATA,
                            "%s.%s: needs checklist format version %d (\"version\": %d)", path, key,
                            f->version, f->version);
        switch (f->type) {
        case T_STR:
            ok = json_is_string(v) && json_string_length(v) > 0 &&
                 text_utf8_ok(json_string_value(v), json_string_length(v));
            break;
        case T_INT:
            ok = json_is_integer(v);
            break;
        case T_BOOL:
            ok = json_is_boolean(v);
            break;
        case T_ARR:
            ok = json_is_array(v);
            break;
        default:
            ok = json_is_object(v);
        }
        if (!ok && !(f->type != T_STR && json_is_null(v) && !f->required))
            return diag_set(d, DK_DATA, "%s.%s: must be %s%s", path, key, type_names[f->type],
                            f->type == T_STR ? " (non-empty UTF-8)" : "");
    }
    for (; fs->name; fs++)
        if (fs->required && json_object_get(o, fs->name) == NULL)
            return diag_set(d, DK_DATA, "%s.%s: missing", path, fs->name);
    return 0;
}

static const char *
str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static const struct field top_fields[] = {{"format", T_STR, 1, 0},   {"version", T_INT, 1, 0},
                                          {"document", T_OBJ, 1, 0}, {"kinds", T_ARR, 0, 0},
                                          {"items", T_ARR, 0, 0},    {NULL, 0, 0, 0}};
static const struct field doc_fields[] = {
    {"symbol", T_STR, 1, 0},   {"title", T_STR, 1, 0},        {"body", T_STR, 0, 0},
    {"session", T_STR, 0, 0},  {"adopted", T_STR, 1, 0},      {"published", T_STR, 0, 0},
    {"preamble", T_STR, 0, 0}, {"paragraphs", T_ARR, 0, 0},   {"alias", T_STR, 0, 2},
    {"revision", T_INT, 0, 2}, {"translations", T_OBJ, 0, 2}, {NULL, 0, 0, 0}};
static const struct field para_fields[] = {
    {"ref", T_STR, 1, 0}, {"text", T_STR, 1, 0}, {NULL, 0, 0, 0}};
static const struct field kind_fields[] = {
    {"name", T_STR, 1, 0},           {"label", T_STR, 0, 0},
    {"description", T_STR, 0, 0},    {"initial", T_STR, 1, 0},
    {"statuses", T_ARR, 1, 0},       {"keep_baseline", T_STR, 0, 0},
    {"cadence_months", T_INT, 0, 0}, {NULL, 0, 0, 0}};
static const struct field status_fields[] = {
    {"name", T_STR, 1, 0},   {"label", T_STR, 0, 0},    {"progress", T_INT, 1, 0},
    {"final", T_BOOL, 1, 0}, {"breach", T_BOOL, 0, 0},  {"submission", T_BOOL, 0, 0},
    {"lost", T_BOOL, 0, 2},  {"at_risk", T_BOOL, 0, 2}, {NULL, 0, 0, 0}};
static const struct field item_fields_json[] = {{"key", T_STR, 1, 0},
                                                {"title", T_STR, 1, 0},
                                                {"kind", T_STR, 1, 0},
                                                {"parent", T_STR, 0, 0},
                                                {"ref", T_STR, 0, 0},
                                                {"goal", T_STR, 0, 0},
                                                {"baseline", T_STR, 0, 0},
                                                {"cadence_months", T_INT, 0, 0},
                                                {"due", T_STR, 0, 0},
                                                {"description", T_STR, 0, 0},
                                                {"instances", T_STR, 0, 2},
                                                {"rollup", T_STR, 0, 2},
                                                {"baseline_on", T_STR, 0, 2},
                                                {"baseline_reason", T_STR, 0, 2},
                                                {"guessed", T_BOOL, 0, 2},
                                                {"instance_noun", T_OBJ, 0, 2},
                                                {NULL, 0, 0, 0}};

/* Returns the entry of array A whose field NAME equals V, before index LIMIT; or NULL. */
static json_t *
find_by(json_t *a, const char *name, const char *v, size_t limit)
{
    for (size_t i = 0; i < limit && i < json_array_size(a); i++) {
        const char *s = str(json_array_get(a, i), name);

        /* Earlier entries are checked, later ones not yet: their key may be missing. */
        if (s != NULL && strcmp(s, v) == 0)
            return json_array_get(a, i);
    }
    return NULL;
}

static int
is_slug(const char *s)
{
    return text_key_ok(s) && strchr(s, '/') == NULL && strchr(s, '.') == NULL;
}

int
checklist_alias_ok(const char *s)
{
    return s != NULL && is_slug(s);
}

char *
checklist_alias_from_symbol(const char *symbol)
{
    size_t n = strlen(symbol), j = 0;
    char *a = malloc(n + 1);

    if (a == NULL)
        return NULL;
    /* Runs of anything but an ASCII letter or digit become one '-', none at either end. */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)symbol[i];

        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            a[j++] = (char)c;
        else if (c >= 'A' && c <= 'Z')
            a[j++] = (char)(c - 'A' + 'a');
        else if (j > 0 && a[j - 1] != '-')
            a[j++] = '-';
    }
    while (j > 0 && a[j - 1] == '-')
        j--;
    a[j] = '\0';
    return a;
}

/* Returns 1 when STATUS is one of kind K's statuses. */
static int
has_status(json_t *k, const char *status)
{
    return find_by(json_object_get(k, "statuses"), "name", status, (size_t)-1) != NULL;
}

/* Returns DK_DATA for STATUS, which kind K does not have, at PATH.FIELD, listing K's statuses
 * (text_unknown). */
static int
not_status(json_t *k, const char *path, const char *field, const char *status, struct diag *d)
{
    json_t *sts = json_object_get(k, "statuses"), *s;
    size_t n = json_array_size(sts), j;
    const char **names = calloc(n + 1, sizeof *names);
    char where[128];
    int rc;

    if (names == NULL)
        return diag_set(d, DK_STORE, "out of memory");
    json_array_foreach(sts, j, s)
    {
        names[j] = str(s, "name");
    }
    snprintf(where, sizeof where, " for kind %s", str(k, "name"));
    rc = text_unknown(d, "status", status, where, names, n, NULL);
    free(names);
    return rc == DK_DATA ? diag_prefix(d, "%s.%s: ", path, field) : rc;
}

static int
check_kind(json_t *kinds, size_t i, int version, struct diag *d)
{
    json_t *k = json_array_get(kinds, i), *sts, *s;
    char path[64], spath[96];
    const char *name;
    size_t j;
    int rc;

    snprintf(path, sizeof path, "kinds[%zu]", i);
    if ((rc = check_fields(k, path, kind_fields, version, d)) != 0)
        return rc;
    name = str(k, "name");
    if (!is_slug(name))
        return diag_set(d, DK_DATA, "%s.name: bad kind name '%s'", path, name);
    if (find_by(kinds, "name", name, i))
        return diag_set(d, DK_DATA, "%s.name: kind '%s' is defined twice", path, name);
    sts = json_object_get(k, "statuses");
    if (json_array_size(sts) == 0)
        return diag_set(d, DK_DATA, "%s.statuses: must list at least one status", path);
    json_array_foreach(sts, j, s)
    {
        long long p;

        snprintf(spath, sizeof spath, "%s.statuses[%zu]", path, j);
        if ((rc = check_fields(s, spath, status_fields, version, d)) != 0)
            return rc;
        if (!is_slug(str(s, "name")))
            return diag_set(d, DK_DATA, "%s.name: bad status name '%s'", spath, str(s, "name"));
        if (find_by(sts, "name", str(s, "name"), j))
            return diag_set(d, DK_DATA, "%s.name: status '%s' is listed twice", spath,
                            str(s, "name"));
        p = json_integer_value(json_object_get(s, "progress"));
        if (p < 0 || p > 100)
            return diag_set(d, DK_DATA, "%s.progress: must be from 0 to 100", spath);
    }
    if (!has_status(k, str(k, "initial")))
        return not_status(k, path, "initial", str(k, "initial"), d);
    if (str(k, "keep_baseline") && !has_status(k, str(k, "keep_baseline")))
        return not_status(k, path, "keep_baseline", str(k, "keep_baseline"), d);
    if (json_object_get(k, "cadence_months")) {
        long long c = json_integer_value(json_object_get(k, "cadence_months"));

        if (c < 1 || c > 120)
            return diag_set(d, DK_DATA, "%s.cadence_months: must be from 1 to 120", path);
    }
    return 0;
}

/* Returns 1 when V is a non-empty UTF-8 string. */
static int
text_ok(json_t *v)
{
    return json_is_string(v) && json_string_length(v) > 0 &&
           text_utf8_ok(json_string_value(v), json_string_length(v));
}

/* Checks an item's "instance_noun": {"one": "country team", "other": "country teams"}, what
 * its instances are called, in the singular and the plural (each may be texts by language). */
static int
check_noun(json_t *noun, const char *path, struct diag *d)
{
    const char *name;
    json_t *v;

    if (noun == NULL)
        return 0;
    json_object_foreach(noun, name, v)
    {
        if (strcmp(name, "one") != 0 && strcmp(name, "other") != 0)
            return diag_set(d, DK_DATA, "%s.instance_noun.%s: unknown field (one, other)", path,
                            name);
    }
    if (!text_ok(json_object_get(noun, "one")) || !text_ok(json_object_get(noun, "other")))
        return diag_set(d, DK_DATA,
                        "%s.instance_noun: needs \"one\" and \"other\", each a non-empty "
                        "UTF-8 text (\"country team\", \"country teams\")",
                        path);
    return 0;
}

static int
check_item(json_t *items, size_t i, json_t *kinds, json_t *paras, int version, struct diag *d)
{
    json_t *it = json_array_get(items, i), *k;
    const char *key, *v;
    char path[64];
    struct date date;
    int rc;

    snprintf(path, sizeof path, "items[%zu]", i);
    if ((rc = check_fields(it, path, item_fields_json, version, d)) != 0)
        return rc;
    key = str(it, "key");
    if (!text_key_ok(key))
        return diag_set(d, DK_DATA, "%s.key: bad key '%s'", path, key);
    if (find_by(items, "key", key, i))
        return diag_set(d, DK_DATA, "%s.key: '%s' is listed twice", path, key);
    k = find_by(kinds, "name", str(it, "kind"), (size_t)-1);
    if ((v = str(it, "baseline")) != NULL && k && !has_status(k, v))
        return not_status(k, path, "baseline", v, d);
    /* A parent in the checklist must come first, so that loading in order finds it; one that
     * is not in the checklist must be in the store, which checklist_apply checks. */
    if ((v = str(it, "parent")) != NULL && strcmp(v, key) == 0)
        return diag_set(d, DK_DATA, "%s.parent: '%s' cannot be its own parent", path, key);
    if (v != NULL && !find_by(items, "key", v, i) && find_by(items, "key", v, (size_t)-1))
        return diag_set(d, DK_DATA,
                        "%s.parent: '%s' comes later in the checklist (list parents first)", path,
                        v);
    if ((v = str(it, "goal")) != NULL && strcmp(v, "obtain") != 0 && strcmp(v, "keep") != 0)
        return diag_set(d, DK_DATA, "%s.goal: must be obtain or keep", path);
    if ((v = str(it, "instances")) != NULL && strcmp(v, ITEM_INSTANCES_ISO3166) != 0)
        return diag_set(d, DK_DATA, "%s.instances: must be %s (instances that are countries)", path,
                        ITEM_INSTANCES_ISO3166);
    if (v != NULL && strchr(key, '/') != NULL)
        return diag_set(d, DK_DATA, "%s.instances: '%s' is an instance and has none", path, key);
    if ((v = str(it, "rollup")) != NULL && !item_rollup_ok(v))
        return diag_set(d, DK_DATA, "%s.rollup: must be own or instances", path);
    if ((rc = check_noun(json_object_get(it, "instance_noun"), path, d)) != 0)
        return rc;
    if ((v = str(it, "ref")) != NULL && json_array_size(paras) > 0 &&
        !find_by(paras, "ref", v, (size_t)-1))
        return diag_set(d, DK_DATA, "%s.ref: the document has no paragraph '%s'", path, v);
    if ((v = str(it, "due")) != NULL && date_parse(v, &date, d) != 0)
        return diag_prefix(d, "%s.due: ", path);
    /* A baseline from before the adoption (set --baseline) has a status and a source. */
    if ((str(it, "baseline_on") || str(it, "baseline_reason")) &&
        !(str(it, "baseline") && str(it, "baseline_on") && str(it, "baseline_reason")))
        return diag_set(d, DK_DATA,
                        "%s: baseline_on and baseline_reason go with baseline, all three", path);
    if ((v = str(it, "baseline_on")) != NULL && date_parse(v, &date, d) != 0)
        return diag_prefix(d, "%s.baseline_on: ", path);
    if (json_object_get(it, "cadence_months")) {
        long long c = json_integer_value(json_object_get(it, "cadence_months"));

        if (c < 1 || c > 120)
            return diag_set(d, DK_DATA, "%s.cadence_months: must be from 1 to 120", path);
    }
    return 0;
}

/* ---- Texts in several languages ---------------------------------------------------------------
 * In format version 2 a title, a label or a paragraph's text may be an object of texts by
 * language ({"en": "...", "fr": "..."}, "en" required), and the document may carry
 * "translations": {"fr": {"English text": "texte français", ...}, ...}. Each is kept as the
 * document's translations, keyed by the English text they translate, and the field itself as its
 * English text: the store and every older reader see the checklist as before, and a report in
 * another language shows a translation for as long as the text it translates stands. */

/* Returns 1 when S is a language code: two or three lower-case ASCII letters. */
static int
lang_ok(const char *s)
{
    size_t n = strlen(s);

    for (size_t i = 0; i < n; i++)
        if (s[i] < 'a' || s[i] > 'z')
            return 0;
    return n == 2 || n == 3;
}

/* Adds TEXT (in language LANG) as the translation of SOURCE to MAP. */
static int
add_translation(json_t *map, const char *lang, const char *source, json_t *text)
{
    json_t *by = json_object_get(map, lang);

    if (by == NULL && (json_object_set_new(map, lang, by = json_object()) != 0 || by == NULL))
        return -1;
    return json_object_set(by, source, text);
}

/* When field NAME of O (at PATH) is an object of texts by language, adds its translations to
 * MAP and makes the field its English text. */
static int
take_texts(json_t *o, const char *name, const char *path, json_t *map, int version, struct diag *d)
{
    json_t *v = json_object_get(o, name), *en, *t;
    const char *lang;

    if (!json_is_object(o) || !json_is_object(v))
        return 0;
    if (version < 2)
        return diag_set(d, DK_DATA,
                        "%s.%s: texts in several languages need checklist format version 2 "
                        "(\"version\": 2)",
                        path, name);
    if (!text_ok(en = json_object_get(v, "en")))
        return diag_set(d, DK_DATA, "%s.%s.en: missing, or not a non-empty UTF-8 string", path,
                        name);
    json_object_foreach(v, lang, t)
    {
        if (!lang_ok(lang))
            return diag_set(d, DK_DATA, "%s.%s.%s: not a language code (two or three letters)",
                            path, name, lang);
        if (!text_ok(t))
            return diag_set(d, DK_DATA, "%s.%s.%s: must be a non-empty UTF-8 string", path, name,
                            lang);
        if (strcmp(lang, "en") != 0 && add_translation(map, lang, json_string_value(en), t) != 0)
            return diag_set(d, DK_STORE, "out of memory");
    }
    if (json_object_set(o, name, en) != 0)
        return diag_set(d, DK_STORE, "out of memory");
    return 0;
}

/* Gathers the texts in several languages of checklist CL into its document's "translations". */
static int
take_translations(json_t *cl, int version, struct diag *d)
{
    json_t *doc = json_object_get(cl, "document"), *given = json_object_get(doc, "translations");
    json_t *map = json_object(), *v, *k, *by, *t;
    const char *lang, *source;
    char path[96];
    size_t i, j;
    int rc = 0;

    if (map == NULL)
        return diag_set(d, DK_STORE, "out of memory");
    /* The document's own map first: lang -> {English text -> text}. (Before version 2 the
     * document's fields refuse it, naming the version.) */
    json_object_foreach(version >= 2 && json_is_object(given) ? given : NULL, lang, by)
    {
        if (!lang_ok(lang) || !json_is_object(by)) {
            rc = diag_set(d, DK_DATA, "document.translations.%s: %s", lang,
                          lang_ok(lang) ? "must be an object of texts by the English text"
                                        : "not a language code (two or three letters)");
            goto out;
        }
        json_object_foreach(by, source, t)
        {
            if (!text_ok(t) || !*source) {
                rc = diag_set(d, DK_DATA,
                              "document.translations.%s: each translation is a non-empty UTF-8 "
                              "string, of a non-empty text",
                              lang);
                goto out;
            }
            if (add_translation(map, lang, source, t) != 0) {
                rc = diag_set(d, DK_STORE, "out of memory");
                goto out;
            }
        }
    }
    if ((rc = take_texts(doc, "title", "document", map, version, d)) != 0)
        goto out;
    json_array_foreach(json_object_get(doc, "paragraphs"), i, v)
    {
        snprintf(path, sizeof path, "document.paragraphs[%zu]", i);
        if ((rc = take_texts(v, "text", path, map, version, d)) != 0)
            goto out;
    }
    json_array_foreach(json_object_get(cl, "kinds"), i, k)
    {
        snprintf(path, sizeof path, "kinds[%zu]", i);
        if ((rc = take_texts(k, "label", path, map, version, d)) != 0)
            goto out;
        json_array_foreach(json_object_get(k, "statuses"), j, v)
        {
            snprintf(path, sizeof path, "kinds[%zu].statuses[%zu]", i, j);
            if ((rc = take_texts(v, "label", path, map, version, d)) != 0)
                goto out;
        }
    }
    json_array_foreach(json_object_get(cl, "items"), i, v)
    {
        snprintf(path, sizeof path, "items[%zu]", i);
        if ((rc = take_texts(v, "title", path, map, version, d)) != 0)
            goto out;
        snprintf(path, sizeof path, "items[%zu].instance_noun", i);
        if ((rc = take_texts(json_object_get(v, "instance_noun"), "one", path, map, version, d)) !=
                0 ||
            (rc = take_texts(json_object_get(v, "instance_noun"), "other", path, map, version,
                             d)) != 0)
            goto out;
    }
    if (json_object_size(map) > 0 && json_object_set(doc, "translations", map) != 0)
        rc = diag_set(d, DK_STORE, "out of memory");
out:
    json_decref(map);
    return rc;
}

int
checklist_parse(const char *text, size_t len, json_t **out, struct diag *d)
{
    json_error_t je;
    json_t *cl = text_json_loadb(text, len, JSON_REJECT_DUPLICATES, &je), *doc, *paras, *p;
    char today[11], path[64];
    struct date date;
    size_t i;
    int rc, version;

    if (cl == NULL)
        return diag_set(d, DK_DATA, "line %d, column %d: %s", je.line, je.column,
                        strstr(je.text, "JSON_ALLOW_NUL") ? "\\u0000 (NUL) is not allowed in text"
                                                          : je.text);
    if ((rc = check_fields(cl, "checklist", top_fields, CHECKLIST_VERSION_MAX, d)) != 0)
        goto fail;
    if (strcmp(str(cl, "format"), "docket-checklist") != 0 ||
        json_integer_value(json_object_get(cl, "version")) < 1 ||
        json_integer_value(json_object_get(cl, "version")) > CHECKLIST_VERSION_MAX) {
        rc = diag_set(d, DK_DATA, "checklist: not a docket checklist of version 1 or 2");
        goto fail;
    }
    version = (int)json_integer_value(json_object_get(cl, "version"));
    doc = json_object_get(cl, "document");
    if ((rc = take_translations(cl, version, d)) != 0 ||
        (rc = check_fields(doc, "document", doc_fields, version, d)) != 0)
        goto fail;
    if (str(doc, "alias") && !checklist_alias_ok(str(doc, "alias"))) {
        rc = diag_set(d, DK_DATA,
                      "document.alias: bad alias '%s' (lower-case letters, digits and '-')",
                      str(doc, "alias"));
        goto fail;
    }
    date_today(today);
    if ((rc = date_parse_past(str(doc, "adopted"), today, &date, d)) != 0 ||
        (str(doc, "published") && (rc = date_parse(str(doc, "published"), &date, d)) != 0)) {
        rc = diag_prefix(d, "document: ");
        goto fail;
    }
    paras = json_object_get(doc, "paragraphs");
    json_array_foreach(paras, i, p)
    {
        snprintf(path, sizeof path, "document.paragraphs[%zu]", i);
        if ((rc = check_fields(p, path, para_fields, version, d)) != 0)
            goto fail;
        if (find_by(paras, "ref", str(p, "ref"), i)) {
            rc = diag_set(d, DK_DATA, "%s.ref: '%s' is listed twice", path, str(p, "ref"));
            goto fail;
        }
    }
    for (i = 0; i < json_array_size(json_object_get(cl, "kinds")); i++)
        if ((rc = check_kind(json_object_get(cl, "kinds"), i, version, d)) != 0)
            goto fail;
    for (i = 0; i < json_array_size(json_object_get(cl, "items")); i++)
        if ((rc = check_item(json_object_get(cl, "items"), i, json_object_get(cl, "kinds"), paras,
                             version, d)) != 0)
            goto fail;
    *out = cl;
    return 0;
fail:
    json_decref(cl);
    return rc;
}

/* Returns 1 when the log holds a definition event identical to E (type, subject, value and
 * attributes), 0 when not, -1 with D set. */
static int
identical(struct db *db, const struct event *e, struct diag *d)
{
    static const char sql[] =
        "SELECT 1 FROM event WHERE item IS NULL AND type = :type AND subject = :subject AND "
        "new_value IS :new AND attrs IS :attrs";
    sqlite3_stmt *st;
    char *attrs;
    int rc, oom;

    if ((attrs = ev_attrs_text(e->attrs, &oom)) == NULL && oom)
        return diag_set(d, DK_STORE, "out of memory"), -1;
    rc = db_prep(db, sql, &st, d) != 0 || db_bind_text(db, st, ":type", e->type, d) != 0 ||
                 db_bind_text(db, st, ":subject", e->subject, d) != 0 ||
                 db_bind_text(db, st, ":new", e->new_value, d) != 0 ||
                 db_bind_text(db, st, ":attrs", attrs, d) != 0
             ? -1
             : db_row(db, st, d);
    if (rc >= 0)
        sqlite3_reset(st);
    free(attrs);
    return rc;
}

/* Appends the definition event E unless an identical one is already in the log. */
static int
define(struct db *db, struct event *e, struct checklist_counts *n, struct diag *d)
{
    int rc = identical(db, e, d);

    if (rc < 0)
        return d->code;
    if (rc == 1) {
        n->unchanged++;
        return 0;
    }
    if ((rc = ev_append(db, e, NULL, d)) == 0)
        n->definitions++;
    return rc;
}

static void
put_int(json_t *o, const char *key, json_t *v, char *buf, size_t n)
{
    if (json_is_integer(v)) {
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
        ev_attr(o, key, buf);
    }
}

/* Fills E with the event that defines kind V (J < 0) or its status J, for document DOC (NULL:
 * as kinds were recorded before they were each document's), in BUF's room for numbers. */
static void
kind_event(struct event *e, json_t *v, long j, const char *doc, char buf[2][24])
{
    json_t *s = j < 0 ? NULL : json_array_get(json_object_get(v, "statuses"), (size_t)j);

    json_object_clear(e->attrs);
    e->subject = str(v, "name");
    ev_attr(e->attrs, "doc", doc);
    if (s == NULL) {
        e->type = "kind";
        e->new_value = str(v, "label") ? str(v, "label") : str(v, "name");
        ev_attr(e->attrs, "description", str(v, "description"));
        ev_attr(e->attrs, "initial", str(v, "initial"));
        ev_attr(e->attrs, "keep_baseline", str(v, "keep_baseline"));
        put_int(e->attrs, "cadence_months", json_object_get(v, "cadence_months"), buf[0],
                sizeof buf[0]);
        return;
    }
    e->type = "vocab";
    e->new_value = str(s, "name");
    ev_attr(e->attrs, "label", str(s, "label"));
    put_int(e->attrs, "progress", json_object_get(s, "progress"), buf[0], sizeof buf[0]);
    ev_attr(e->attrs, "final", json_is_true(json_object_get(s, "final")) ? "1" : "0");
    ev_attr(e->attrs, "breach", json_is_true(json_object_get(s, "breach")) ? "1" : "0");
    ev_attr(e->attrs, "submission", json_is_true(json_object_get(s, "submission")) ? "1" : "0");
    /* Version 2's flags, only when set: a version 1 checklist's events stay as they were, and
     * an absent flag reads as false. */
    ev_attr(e->attrs, "lost", json_is_true(json_object_get(s, "lost")) ? "1" : NULL);
    ev_attr(e->attrs, "at_risk", json_is_true(json_object_get(s, "at_risk")) ? "1" : NULL);
    snprintf(buf[1], sizeof buf[1], "%ld", j + 1);
    ev_attr(e->attrs, "ord", buf[1]);
}

/* DK_DATA, at kinds[I].statuses, when items of document DOC stand in a status of kind V that V
 * no longer lists: a kind may gain statuses, never lose one in use. */
static int
statuses_kept(struct db *db, json_t *v, size_t i, const char *doc, struct diag *d)
{
    static const char sql[] =
        "SELECT status, count(*), min(key) FROM items WHERE doc IS :doc AND kind = :kind AND "
        "status NOT IN (SELECT json_extract(value, '$.name') FROM json_each(:statuses)) "
        "GROUP BY status ORDER BY status LIMIT 1";
    char *statuses = json_dumps(json_object_get(v, "statuses"), JSON_COMPACT);
    sqlite3_stmt *st;
    int rc;

    if (statuses == NULL)
        return diag_set(d, DK_STORE, "out of memory");
    if ((rc = db_prep(db, sql, &st, d)) == 0 && (rc = db_bind_text(db, st, ":doc", doc, d)) == 0 &&
        (rc = db_bind_text(db, st, ":kind", str(v, "name"), d)) == 0 &&
        (rc = db_bind_text(db, st, ":statuses", statuses, d)) == 0) {
        if ((rc = db_row(db, st, d)) == 1)
            rc = diag_set(d, DK_DATA,
                          "kinds[%zu].statuses: '%s' is the status of %d item%s of %s (such as "
                          "'%s'): a checklist may add statuses to its kind %s, not remove one in "
                          "use",
                          i, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int(st, 1),
                          sqlite3_column_int(st, 1) == 1 ? "" : "s", doc,
                          (const char *)sqlite3_column_text(st, 2), str(v, "name"));
        else if (rc < 0)
            rc = d->code;
        sqlite3_reset(st);
    }
    free(statuses);
    return rc;
}

/* Records kind V (the I-th of the checklist) and its statuses as document DOC's. A kind recorded
 * before kinds were each document's is DOC's too while DOC has none of its own (migration 007):
 * a checklist that defines it the same way changes nothing; one that defines it otherwise
 * records the whole kind as DOC's own, which then stands for DOC alone. */
static int
define_kind(struct db *db, struct event *e, json_t *v, size_t i, const char *doc,
            struct checklist_counts *n, struct diag *d)
{
    static const char own_sql[] =
        "SELECT 1 FROM event WHERE item IS NULL AND type = 'kind' AND subject = :kind AND "
        "json_extract(attrs, '$.doc') = :doc LIMIT 1";
    long count = (long)json_array_size(json_object_get(v, "statuses"));
    char buf[2][24];
    sqlite3_stmt *st;
    int rc, own;

    if ((rc = db_prep(db, own_sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":kind", str(v, "name"), d)) != 0 ||
        (rc = db_bind_text(db, st, ":doc", doc, d)) != 0)
        return rc;
    own = db_row(db, st, d);
    sqlite3_reset(st);
    if (own < 0)
        return d->code;
    if (!own) {
        long j = -1;

        for (; j < count && (rc = identical(db, (kind_event(e, v, j, NULL, buf), e), d)) == 1; j++)
            ;
        if (rc < 0)
            return d->code;
        if (j == count) {
            n->unchanged += (int)count + 1;
            return 0;
        }
    }
    if ((rc = statuses_kept(db, v, i, doc, d)) != 0)
        return rc;
    for (long j = -1; j < count; j++) {
        kind_event(e, v, j, doc, buf);
        if ((rc = define(db, e, n, d)) != 0)
            return j < 0 ? diag_prefix(d, "kinds[%zu]: ", i)
                         : diag_prefix(d, "kinds[%zu].statuses[%ld]: ", i, j);
    }
    return 0;
}

/* Sets attribute NAME of ATTRS to the JSON of V (consumed), unless V is NULL or empty. */
static int
json_attr(json_t *attrs, const char *name, json_t *v, struct diag *d)
{
    char *text = NULL;
    int rc = 0;

    if (json_object_size(v) > 0 && ((text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS)) == NULL ||
                                    ev_attr(attrs, name, text) != 0))
        rc = diag_set(d, DK_STORE, "out of memory");
    free(text);
    json_decref(v);
    return rc;
}

/* Returns the items' nouns for their instances, {KEY: {"one": ..., "other": ...}} (new; empty
 * when none has one), or NULL when memory runs out. */
static json_t *
item_nouns(json_t *items)
{
    json_t *nouns = json_object(), *it;
    size_t i;

    json_array_foreach(items, i, it)
    {
        json_t *noun = json_object_get(it, "instance_noun");

        if (nouns && noun && json_object_set(nouns, str(it, "key"), noun) != 0) {
            json_decref(nouns);
            return NULL;
        }
    }
    return nouns;
}

/* Appends the events for the document, its paragraphs, the kinds and their statuses. */
static int
apply_definitions(struct db *db, json_t *cl, const char *reason, struct checklist_counts *n,
                  struct diag *d)
{
    json_t *doc = json_object_get(cl, "document"), *v, *nouns;
    const char *symbol = str(doc, "symbol"), *adopted = str(doc, "adopted");
    struct event e = {.reason = reason, .eff = adopted};
    char buf[24];
    size_t i;
    int rc = 0;

    if ((e.attrs = json_object()) == NULL)
        return diag_set(d, DK_STORE, "out of memory");
    e.type = "document";
    e.subject = symbol;
    e.new_value = str(doc, "title");
    ev_attr(e.attrs, "body", str(doc, "body"));
    ev_attr(e.attrs, "session", str(doc, "session"));
    ev_attr(e.attrs, "adopted", adopted);
    ev_attr(e.attrs, "published", str(doc, "published"));
    ev_attr(e.attrs, "preamble", str(doc, "preamble"));
    /* Only an alias the checklist names is recorded: a document without one keeps the
     * document event it always had, so that loading it again changes nothing. */
    ev_attr(e.attrs, "alias", str(doc, "alias"));
    put_int(e.attrs, "revision", json_object_get(doc, "revision"), buf, sizeof buf);
    /* An attribute is text: the translations are kept as their JSON, and so are the nouns
     * of the items' instances (by the item's key). */
    if ((nouns = item_nouns(json_object_get(cl, "items"))) == NULL) {
        rc = diag_set(d, DK_STORE, "out of memory");
        goto out;
    }
    if ((rc = json_attr(e.attrs, "translations", json_incref(json_object_get(doc, "translations")),
                        d)) != 0 ||
        (rc = json_attr(e.attrs, "nouns", nouns, d)) != 0)
        goto out;
    if ((rc = define(db, &e, n, d)) != 0)
        goto out;
    json_array_foreach(json_object_get(doc, "paragraphs"), i, v)
    {
        json_object_clear(e.attrs);
        e.type = "paragraph";
        e.subject = str(v, "ref");
        e.new_value = str(v, "text");
        ev_attr(e.attrs, "doc", symbol);
        snprintf(buf, sizeof buf, "%zu", i + 1);
        ev_attr(e.attrs, "ord", buf);
        if ((rc = define(db, &e, n, d)) != 0)
            goto out;
    }
    json_array_foreach(json_object_get(cl, "kinds"), i, v)
    {
        if ((rc = define_kind(db, &e, v, i, symbol, n, d)) != 0)
            goto out;
    }
out:
    json_decref(e.attrs);
    return rc;
}

/* Writes to *OUT (owned, NULL when none) the value that checklists gave FIELD of item UUID:
 * the latest edit that one recorded, else the item's creation's. A user's own edit is not a
 * checklist's: a revision compares with what the checklists said, so that it changes only the
 * fields the checklist changed. */
static int
checklist_value(struct db *db, const char *uuid, const char *field, char **out, struct diag *d)
{
    static const char sql[] =
        "SELECT COALESCE((SELECT e.new_value FROM event e WHERE e.type = 'edit' AND "
        "e.item = :item AND e.subject = :field AND (e.reason LIKE 'loaded from the checklist of %' "
        "OR e.reason LIKE 'shipped checklist %') ORDER BY e.seq DESC LIMIT 1), "
        "(SELECT CASE WHEN :field = 'title' THEN c.new_value "
        "ELSE json_extract(c.attrs, '$.' || :field) END FROM event c WHERE c.type = 'item' "
        "AND c.item = :item ORDER BY c.seq LIMIT 1))";
    sqlite3_stmt *st;
    int rc;

    *out = NULL;
    if ((rc = db_prep(db, sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":item", uuid, d)) != 0 ||
        (rc = db_bind_text(db, st, ":field", field, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) == 1 && sqlite3_column_text(st, 0) != NULL &&
        (*out = strdup((const char *)sqlite3_column_text(st, 0))) == NULL)
        rc = diag_set(d, DK_STORE, "out of memory");
    sqlite3_reset(st);
    return rc < 0 ? d->code : rc == DK_STORE ? rc : 0;
}

/* Records item V's baseline from before the adoption (baseline_on, baseline_reason: set
 * --baseline's event) unless the store holds it. */
static int
apply_baseline_on(struct db *db, json_t *v, const char *doc, struct checklist_counts *n,
                  struct diag *d)
{
    static const char sql[] =
        "SELECT 1 FROM event WHERE type = 'status' AND item = :item AND new_value = :status AND "
        "eff = :eff AND json_extract(attrs, '$.baseline') IS NOT NULL";
    const char *on = str(v, "baseline_on"), *status = str(v, "baseline");
    struct item it = {0};
    struct date eff;
    sqlite3_stmt *st;
    int rc;

    if (on == NULL)
        return 0;
    if ((rc = date_parse(on, &eff, d)) != 0 ||
        (rc = item_load_in(db, &doc, str(v, "key"), &it, d)) != 0)
        return rc;
    if ((rc = db_prep(db, sql, &st, d)) == 0 &&
        (rc = db_bind_text(db, st, ":item", it.uuid, d)) == 0 &&
        (rc = db_bind_text(db, st, ":status", status, d)) == 0 &&
        (rc = db_bind_text(db, st, ":eff", eff.text, d)) == 0) {
        rc = db_row(db, st, d);
        sqlite3_reset(st);
        if (rc == 1) {
            n->unchanged++;
            rc = 0;
        } else if (rc == 0 &&
                   (rc = item_set_status(db, &it, status, &eff, str(v, "baseline_reason"),
                                         ITEM_BASELINE, NULL, d)) == 0) {
            n->edits++;
        } else if (rc < 0) {
            rc = d->code;
        }
    }
    item_free(&it);
    return rc;
}

/* Records, for item V of the checklist that the store already holds, each field (of those
 * that `edit` changes) whose value differs from what checklists gave it, as an edit in effect
 * from ADOPTED; a field the user has already given that value changes nothing. */
static int
apply_item_changes(struct db *db, json_t *v, const char *doc, const struct date *adopted,
                   const char *reason, struct checklist_counts *n, struct diag *d)
{
    struct item it = {0};
    int rc, changed = 0;

    if ((rc = item_load_in(db, &doc, str(v, "key"), &it, d)) != 0)
        return rc;
    for (int i = 0; rc == 0 && item_fields[i]; i++) {
        const char *field = item_fields[i], *want;
        json_t *jv = json_object_get(v, field);
        char buf[24], *had = NULL;
        int same;

        /* The creation date is the adoption's, which the document says. */
        if (strcmp(field, "created") == 0 || jv == NULL)
            continue;
        if (json_is_integer(jv)) {
            snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(jv));
            want = buf;
        } else if ((want = json_string_value(jv)) == NULL) {
            continue;
        }
        if ((rc = checklist_value(db, it.uuid, field, &had, d)) != 0)
            break;
        same = had && strcmp(had, want) == 0;
        free(had);
        if (same)
            continue;
        /* item_edit compares with the item as loaded: reload after each change. */
        if (changed && (item_free(&it), memset(&it, 0, sizeof it),
                        (rc = item_load_in(db, &doc, str(v, "key"), &it, d)) != 0))
            break;
        rc = item_edit(db, &it, field, want, adopted, reason, d);
        if (rc == -1) {
            rc = 0;
            continue;
        }
        if (rc == 0) {
            n->edits++;
            changed = 1;
        }
    }
    item_free(&it);
    return rc;
}

/* checklist_apply with REASON for every event it records. */
static int
apply_with(struct db *db, json_t *cl, const char *reason, struct checklist_counts *out,
           struct diag *d)
{
    json_t *doc = json_object_get(cl, "document"), *v;
    struct checklist_counts n = {0};
    struct date adopted;
    char cadence[24];
    long long withdrawn_by;
    size_t i;
    int rc;

    if ((rc = date_parse(str(doc, "adopted"), &adopted, d)) != 0 ||
        (rc = state_defer(db, 1, d)) != 0)
        return rc;
    if ((rc = apply_definitions(db, cl, reason, &n, d)) != 0) {
        db_writer(db)->defer = 0; /* the transaction rolls back: nothing to bring up */
        return rc;
    }
    if ((rc = state_defer(db, 0, d)) != 0)
        return rc;
    json_array_foreach(json_object_get(cl, "items"), i, v)
    {
        struct item_spec s = {.key = str(v, "key"),
                              .title = str(v, "title"),
                              .kind = str(v, "kind"),
                              .parent = str(v, "parent"),
                              .ref = str(v, "ref"),
                              .goal = str(v, "goal"),
                              .due = str(v, "due"),
                              .description = str(v, "description"),
                              .instances = str(v, "instances"),
                              .doc = str(doc, "symbol"),
                              .baseline = str(v, "baseline"),
                              .rollup = str(v, "rollup"),
                              .eff = str(doc, "adopted"),
                              .reason = reason};

        if (json_is_integer(json_object_get(v, "cadence_months"))) {
            snprintf(cadence, sizeof cadence, "%lld",
                     (long long)json_integer_value(json_object_get(v, "cadence_months")));
            s.cadence_months = cadence;
        }
        /* An item the store already has takes the fields that the checklist changed; one it
         * withdrew stays withdrawn (loading the checklist again must not bring back what a user
         * took out). */
        if ((rc = item_exists(db, &s.doc, s.key, d)) == 0 &&
            (rc = item_withdrawn_in(db, &s.doc, s.key, &withdrawn_by, NULL, d)) == 1) {
            n.unchanged++;
            continue;
        }
        if (rc < 0)
            return d->code;
        if (rc == 1) {
            int before = n.edits;

            if ((rc = apply_item_changes(db, v, s.doc, &adopted, reason, &n, d)) != 0)
                return diag_prefix(d, "items[%zu]: ", i);
            n.unchanged += n.edits == before;
        } else if ((rc = item_add(db, &s, d)) != 0) {
            return diag_prefix(d, "items[%zu]: ", i);
        } else {
            n.items++;
        }
        if ((rc = apply_baseline_on(db, v, s.doc, &n, d)) != 0)
            return diag_prefix(d, "items[%zu]: ", i);
    }
    *out = n;
    return 0;
}

int
checklist_apply(struct db *db, json_t *cl, struct checklist_counts *out, struct diag *d)
{
    json_t *doc = json_object_get(cl, "document");
    char reason[600], alias[256];
    int rc;

    /* A document is named by its alias: one that another document has is refused. */
    doc_alias_of(str(doc, "symbol"), str(doc, "alias"), alias, sizeof alias);
    if ((rc = doc_alias_free(db, alias, str(doc, "symbol"), d)) != 0)
        return rc == DK_DATA ? diag_prefix(d, "document.alias: ") : rc;
    snprintf(reason, sizeof reason, "loaded from the checklist of %s", str(doc, "symbol"));
    return apply_with(db, cl, reason, out, d);
}

int
checklist_upgrade(struct db *db, struct checklist_counts *out, struct diag *d)
{
    /* Whether the store shares a log, and the revision held (NULL: not the document). */
    static const char shares_sql[] =
        "SELECT EXISTS (SELECT 1 FROM shared) OR EXISTS (SELECT 1 FROM meta WHERE key = "
        "'remote.endpoints' AND value <> '')";
    static const char sql[] =
        "SELECT max(COALESCE(CAST(json_extract(attrs, '$.revision') AS INTEGER), 1)) FROM event "
        "WHERE type = 'document' AND item IS NULL AND subject = :symbol";
    const struct embed_file *f = embed_find(CHECKLIST_DEFAULT);
    struct checklist_counts n = {0};
    json_t *cl = NULL;
    long long held = 0, shares;
    char reason[600];
    sqlite3_stmt *st;
    int rc, founder = 0;

    if (f == NULL || f->symbol == NULL)
        return diag_set(d, DK_STORE, "internal: no embedded checklist");
    /* Of the offices that share a log, the founder alone takes it, and the others take its
     * events from the log: two offices that took it apart would each hold their own copy of one
     * event (same id, their own time and signature), which sync maps onto the one the log holds
     * and verify then finds different. A log without a founder yet waits for one. */
    if ((rc = db_prep(db, shares_sql, &st, d)) != 0 || (rc = db_row(db, st, d)) < 0)
        return rc < 0 ? d->code : rc;
    shares = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (shares && ((rc = trust_is_founder(db, &founder, d)) != 0 || !founder))
        return rc;
    /* The symbol and revision come with the embedded file: the checklist itself is read only
     * when the store takes it, since reading it costs a write about as much as the rest of a
     * small one. */
    if ((rc = db_prep(db, sql, &st, d)) != 0 ||
        (rc = db_bind_text(db, st, ":symbol", f->symbol, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) == 1)
        held = sqlite3_column_int64(st, 0); /* 0 (NULL): the store lacks the document */
    sqlite3_reset(st);
    if (rc < 0)
        return d->code;
    if (held == 0 || held >= f->revision)
        return 0;
    if ((rc = checklist_parse(f->data, f->len, &cl, d)) != 0)
        return rc;
    snprintf(reason, sizeof reason, "shipped checklist %s revision %lld", f->symbol, f->revision);
    /* Every store that takes this revision makes the same events with the same ids. */
    ev_set_uuid_seed(db, reason);
    rc = apply_with(db, cl, reason, &n, d);
    ev_set_uuid_seed(db, NULL);
    if (rc == 0 && out)
        *out = n;
    json_decref(cl);
    return rc;
}

int
checklist_load(struct db *db, const char *text, size_t len, struct checklist_counts *out,
               json_t **cl, struct diag *d)
{
    struct checklist_counts n;
    json_t *parsed = NULL;
    int rc;

    if ((rc = checklist_parse(text, len, &parsed, d)) != 0 ||
        (rc = checklist_apply(db, parsed, &n, d)) != 0)
        goto out;
    if (out)
        *out = n;
    if (cl) {
        *cl = parsed;
        parsed = NULL;
    }
out:
    json_decref(parsed);
    return rc;
}

int
checklist_load_default(struct db *db, struct checklist_counts *out, json_t **cl, struct diag *d)
{
    const struct embed_file *f = embed_find(CHECKLIST_DEFAULT);

    if (f == NULL)
        return diag_set(d, DK_STORE, "internal: no embedded checklist");
    return checklist_load(db, f->data, f->len, out, cl, d);
}
