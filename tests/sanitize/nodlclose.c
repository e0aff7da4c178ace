/*
 * nodlclose.c - LD_PRELOADed by `make sanitize` (issue 9): dlclose() does
 * nothing, so the Open MPI components that MPI_Finalize unloads stay
 * mapped until exit.  LeakSanitizer runs at exit; without this, the
 * allocations those components never freed have stacks in unmapped code,
 * named "<unknown module>", which no suppression can tell from ours.  With
 * it, they name mca_*.so / libopen-pal.so and tests/sanitize/lsan.supp
 * silences exactly those libraries.  Keeping a library mapped changes
 * nothing else a test can observe.
 */
int dlclose(void *handle);

int dlclose(void *handle)
{
    (void)handle;
    return 0;
}
