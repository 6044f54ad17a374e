/* fuzz_checklist.c: libFuzzer target for the checklist loader: checklist_parse on any bytes,
 * and for what it accepts, checklist_apply into an in-memory store, rolled back each time. */
#include <stdint.h>
#include <stdlib.h>

#include "docket/checklist.h"
#include "fuzz_store.h"

struct apply {
    json_t *cl;
    struct diag *d;
};

/* Applies the checklist, then fails on purpose so that db_tx rolls it back: every input starts
 * from the same empty store. */
static int
apply(void *arg)
{
    struct apply *a = arg;
    struct checklist_counts n;
    int rc = checklist_apply(fuzz_store(), a->cl, &n, a->d);

    return rc != 0 ? rc : DK_CHECK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct diag d = {0};
    json_t *cl = NULL;
    int rc = checklist_parse((const char *)data, size, &cl, &d);

    /* A refusal names its cause; an acceptance leaves a checklist. */
    if ((rc != 0) != (cl == NULL) || (rc != 0 && (rc != DK_DATA || d.msg[0] == '\0')))
        abort();
    if (rc == 0) {
        struct apply a = {cl, &d};
        struct diag tx = {0};

        a.d = &tx;
        rc = db_tx(fuzz_store(), 1, apply, &a, &tx);
        if (rc != DK_CHECK && rc != DK_DATA)
            abort();
    }
    json_decref(cl);
    return 0;
}
