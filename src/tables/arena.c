/* arena.c: a bump allocator. Chunks are calloc'd, so every allocation comes back zeroed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sco-tables.h"

struct chunk {
    struct chunk *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    max_align_t data[]; /* aligned start of the usable bytes */
};

struct sco_arena {
    struct chunk *head;
    size_t chunk_size;
    size_t used;
};

struct sco_arena *sco__arena_new(size_t chunk)
{
    struct sco_arena *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->chunk_size = chunk ? chunk : 64 * 1024;
    return a;
}

static struct chunk *chunk_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(struct chunk))
        return NULL;
    struct chunk *c = calloc(1, sizeof *c + size);
    if (!c)
        return NULL;
    c->size = size;
    return c;
}

void *sco__arena_alloc(struct sco_arena *a, size_t n, size_t align)
{
    if (!a)
        return NULL;
    if (align == 0)
        align = 16;
    if (align & (align - 1))
        return NULL; /* not a power of two */
    if (n == 0)
        n = 1;
    struct chunk *c = a->head;
    if (c) {
        uintptr_t base = (uintptr_t)c->data;
        uintptr_t p = (base + c->used + (align - 1)) & ~(uintptr_t)(align - 1);
        size_t off = (size_t)(p - base);
        if (off <= c->size && n <= c->size - off) {
            c->used = off + n;
            a->used += n;
            return (void *)p;
        }
    }
    /* A new chunk: big requests get one of their own, placed behind the current one so the
     * current chunk's free space stays usable. */
    if (n > SIZE_MAX - align)
        return NULL;
    size_t need = n + align;
    bool own = need > a->chunk_size / 4;
    struct chunk *nc = chunk_new(own && need > a->chunk_size ? need : a->chunk_size);
    if (!nc)
        return NULL;
    if (own && a->head) {
        nc->next = a->head->next;
        a->head->next = nc;
    } else {
        nc->next = a->head;
        a->head = nc;
    }
    uintptr_t base = (uintptr_t)nc->data;
    uintptr_t p = (base + (align - 1)) & ~(uintptr_t)(align - 1);
    nc->used = (size_t)(p - base) + n;
    a->used += n;
    return (void *)p;
}

char *sco__arena_strndup(struct sco_arena *a, const char *s, size_t n)
{
    char *d = sco__arena_alloc(a, n + 1, 1);
    if (!d)
        return NULL;
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *sco__arena_strdup(struct sco_arena *a, const char *s)
{
    if (!s)
        s = "";
    return sco__arena_strndup(a, s, strlen(s));
}

size_t sco__arena_used(const struct sco_arena *a)
{
    return a ? a->used : 0;
}

void sco__arena_free(struct sco_arena *a)
{
    if (!a)
        return;
    struct chunk *c = a->head;
    while (c) {
        struct chunk *next = c->next;
        free(c);
        c = next;
    }
    free(a);
}
