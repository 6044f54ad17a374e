/* fuzz_draft.c: libFuzzer target for draft_make, the reader of a resolution's plain text: any
 * input is drafted or refused with DK_DATA and a message, and every draft, its empty required
 * fields filled in, is a checklist that checklist_parse accepts (unique references and keys,
 * valid UTF-8, items that point at its paragraphs and kinds). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docket/checklist.h"
#include "docket/draft.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct draft_opts o = {.symbol = "F/1"};
    struct diag d = {0};
    json_t *cl = NULL, *doc, *parsed = NULL;
    unsigned missing = 0;
    char *text;
    int rc = draft_make((const char *)data, size, &o, &cl, &missing, &d);

    if (rc != 0) {
        if (rc != DK_DATA || d.msg[0] == '\0' || cl != NULL)
            abort();
        return 0;
    }
    doc = json_object_get(cl, "document");
    if (missing & DRAFT_NO_SYMBOL)
        abort(); /* the option gives it */
    /* A text's adoption date may be in the future, which a checklist refuses: not the draft's
     * fault, so the date is replaced by one that is not. */
    json_object_set_new(doc, "adopted", json_string("2015-11-24"));
    if (missing & DRAFT_NO_TITLE)
        json_object_set_new(doc, "title", json_string("Title"));
    if ((text = json_dumps(cl, 0)) == NULL)
        abort();
    memset(&d, 0, sizeof d);
    if (checklist_parse(text, strlen(text), &parsed, &d) != 0) {
        fprintf(stderr, "the draft is refused: %s\n%s\n", d.msg, text);
        abort();
    }
    json_decref(parsed);
    free(text);
    json_decref(cl);
    return 0;
}
