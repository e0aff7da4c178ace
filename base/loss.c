/* loss.c - names of the losses of SPEC 1 (the maths is inline in loss.h). */
#include "base/loss.h"

#include <string.h>

int loss_parse(const char *name, enum loss_kind *out)
{
    if (strcmp(name, "logistic") == 0)
        *out = LOSS_LOGISTIC;
    else if (strcmp(name, "squared") == 0)
        *out = LOSS_SQUARED;
    else
        return -1;
    return 0;
}

const char *loss_name(enum loss_kind kind)
{
    return kind == LOSS_SQUARED ? "squared" : "logistic";
}
