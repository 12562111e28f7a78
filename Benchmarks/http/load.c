/*
 * Closed-loop HTTP load on `artifact-search serve` (issue 10's benchmark): CLIENTS threads, each
 * with one keep-alive connection, for SECONDS; each request is a hybrid search (90 %) or a save
 * (10 %). Then every acknowledged save is fetched back by id.
 *
 * Mixes:
 *   filtered   — searches restricted to one run (run-0000 … run-0099: about 1 % of a 100k store)
 *   unfiltered — searches over the whole organisation (the dense leg scans every vector)
 *
 * QUERIES is a file of JSON string literals, one per line (run.sh writes SciFact's test queries
 * so); a save is a query's text with a unique token, in a random run. Latencies are measured
 * around each request (CLOCK_MONOTONIC), per kind.
 *
 * Why C and not Python: the benchmark shares the machine's two cores with the server, and a
 * Python client both takes CPU from it and adds its own waits (threads queue for the GIL, whose
 * switch interval is 5 ms) to the latencies it reports. This client costs a few microseconds per
 * request and blocks in recv() while the server works.
 *
 * build: cc -O2 -pthread -o load load.c
 * usage: [SAVE_EVERY=10] [SNIPPETS=1] load HOST PORT KEY MIX QUERIES [CLIENTS=16] [SECONDS=60] [RUNS=100]
 * Prints one JSON line (p50/p90/p99/max per kind, throughput, errors, saves missing afterwards)
 * and exits 1 if any request failed or any acknowledged save is missing.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *host, *key, *mix;
static int port, runs;
/* One request in SAVE_EVERY is a save (environment; default 10, the mix; 0: searches
 * only, 1: saves only — to take the two kinds' costs apart). */
static int save_every = 10;
/* SNIPPETS=0 asks searches for no snippets (environment; default: snippets, the API's
 * default) — to measure what they cost. */
static const char *snippet_option = "";
static char **queries;
static size_t query_count;
static double deadline;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* A growable array of doubles or of strings. */
typedef struct { double *v; size_t n, cap; } samples;
static void push(samples *s, double x) {
    if (s->n == s->cap) { s->cap = s->cap ? 2 * s->cap : 1024; s->v = realloc(s->v, s->cap * sizeof *s->v); }
    s->v[s->n++] = x;
}
typedef struct { char **v; size_t n, cap; } strings;
static void push_string(strings *s, const char *x, size_t length) {
    if (s->n == s->cap) { s->cap = s->cap ? 2 * s->cap : 256; s->v = realloc(s->v, s->cap * sizeof *s->v); }
    s->v[s->n++] = strndup(x, length);
}

typedef struct {
    int fd;
    char *buffer;  /* response bytes: headers then body */
    size_t capacity, length;
} connection;

static int dial(connection *c) {
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0) return -1;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, host, &address.sin_addr);
    if (connect(c->fd, (struct sockaddr *)&address, sizeof address) != 0) { close(c->fd); c->fd = -1; return -1; }
    return 0;
}

static int send_all(int fd, const char *data, size_t length) {
    while (length > 0) {
        ssize_t sent = send(fd, data, length, MSG_NOSIGNAL);
        if (sent <= 0) { if (sent < 0 && errno == EINTR) continue; return -1; }
        data += sent;
        length -= (size_t)sent;
    }
    return 0;
}

/* One request on the connection (re-dialled once if the server closed it). Returns the status
 * (0 on a transport failure); *body points into c->buffer. Responses must carry Content-Length. */
static int request(connection *c, const char *method, const char *path, const char *body, const char **out, size_t *out_length) {
    char head[512];
    size_t body_length = body ? strlen(body) : 0;
    int head_length = snprintf(head, sizeof head,
        "%s %s HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
        method, path, host, port, key, body_length);
    for (int attempt = 0; attempt < 2; attempt++) {
        if (c->fd < 0 && dial(c) != 0) return 0;
        if (send_all(c->fd, head, (size_t)head_length) == 0 && (body_length == 0 || send_all(c->fd, body, body_length) == 0)) {
            c->length = 0;
            size_t header_end = 0, content_length = 0;
            int status = 0;
            for (;;) {
                if (c->capacity - c->length < 65536) { c->capacity = 2 * c->capacity + 65536; c->buffer = realloc(c->buffer, c->capacity); }
                ssize_t got = recv(c->fd, c->buffer + c->length, c->capacity - c->length - 1, 0);
                if (got < 0 && errno == EINTR) continue;
                if (got <= 0) break;
                c->length += (size_t)got;
                c->buffer[c->length] = 0;
                if (!header_end) {
                    char *end = strstr(c->buffer, "\r\n\r\n");
                    if (!end) continue;
                    header_end = (size_t)(end - c->buffer) + 4;
                    status = atoi(c->buffer + 9);
                    char *field = strcasestr(c->buffer, "\r\ncontent-length:");
                    if (!field || field > end) { fprintf(stderr, "load: response without Content-Length\n"); exit(2); }
                    content_length = strtoul(field + 17, NULL, 10);
                }
                if (c->length >= header_end + content_length) {
                    *out = c->buffer + header_end;
                    *out_length = content_length;
                    return status;
                }
            }
        }
        close(c->fd);
        c->fd = -1;
    }
    return 0;
}

typedef struct {
    int index;
    samples searches, saves;
    size_t errors;
    char first_error[256];
    strings saved;
} worker_state;

/* xorshift64*: one deterministic stream per client. */
static uint64_t next_random(uint64_t *state) {
    *state ^= *state >> 12; *state ^= *state << 25; *state ^= *state >> 27;
    return *state * 2685821657736338717ULL;
}

static void *worker(void *argument) {
    worker_state *w = argument;
    connection c = {.fd = -1};
    uint64_t random_state = 0x9E3779B97F4A7C15ULL * (uint64_t)(w->index + 1);
    char body[8192];
    for (long step = 1; now() < deadline; step++) {
        char run[16];
        snprintf(run, sizeof run, "run-%04d", (int)(next_random(&random_state) % (uint64_t)runs));
        const char *query = queries[next_random(&random_state) % query_count];
        uint64_t draw = next_random(&random_state);
        int saving = save_every > 0 && draw % (uint64_t)save_every == 0;
        if (saving) {
            /* The query literal without its closing quote, then a unique token. */
            snprintf(body, sizeof body, "{\"text\": %.*s loadtoken%dx%ld\", \"name\": \"load-%d-%ld.txt\", \"run_id\": \"%s\"}",
                (int)strlen(query) - 1, query, w->index, step, w->index, step, run);
        } else if (strcmp(mix, "filtered") == 0) {
            snprintf(body, sizeof body, "{\"query\": %s, \"limit\": 10, \"run_id\": \"%s\"%s}", query, run, snippet_option);
        } else {
            snprintf(body, sizeof body, "{\"query\": %s, \"limit\": 10, \"level\": \"org\"%s}", query, snippet_option);
        }
        const char *response;
        size_t length;
        double start = now();
        int status = request(&c, "POST", saving ? "/v1/artifacts" : "/v1/search", body, &response, &length);
        double elapsed = now() - start;
        push(saving ? &w->saves : &w->searches, elapsed);
        if (status != (saving ? 201 : 200)) {
            if (w->errors++ == 0) snprintf(w->first_error, sizeof w->first_error, "%d %.*s", status, (int)(length < 200 ? length : 200), status ? response : "");
            continue;
        }
        if (saving) {
            const char *field = memmem(response, length, "\"artifact_id\"", 13);
            const char *open = field ? memchr(field + 13, '"', length - (size_t)(field + 13 - response)) : NULL;
            const char *close_quote = open ? memchr(open + 1, '"', length - (size_t)(open + 1 - response)) : NULL;
            if (!close_quote) { w->errors++; continue; }
            push_string(&w->saved, open + 1, (size_t)(close_quote - open - 1));
        }
    }
    if (c.fd >= 0) close(c.fd);
    free(c.buffer);
    return NULL;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The value at rank round(p/100 · (n−1)) of the sorted samples, in milliseconds. */
static double percentile(samples *s, double p) {
    if (s->n == 0) return -1;
    size_t rank = (size_t)(p / 100 * (double)(s->n - 1) + 0.5);
    return s->v[rank < s->n ? rank : s->n - 1] * 1000;
}

static void merge(samples *into, samples *from) {
    for (size_t i = 0; i < from->n; i++) push(into, from->v[i]);
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: load HOST PORT KEY MIX QUERIES [CLIENTS=16] [SECONDS=60] [RUNS=100]\n");
        return 2;
    }
    host = argv[1];
    port = atoi(argv[2]);
    key = argv[3];
    mix = argv[4];
    if (strcmp(mix, "filtered") != 0 && strcmp(mix, "unfiltered") != 0) { fprintf(stderr, "load: MIX is filtered or unfiltered\n"); return 2; }
    int clients = argc > 6 ? atoi(argv[6]) : 16;
    double seconds = argc > 7 ? atof(argv[7]) : 60;
    runs = argc > 8 ? atoi(argv[8]) : 100;
    if (getenv("SAVE_EVERY")) save_every = atoi(getenv("SAVE_EVERY"));
    if (getenv("SNIPPETS") && atoi(getenv("SNIPPETS")) == 0) snippet_option = ", \"snippets\": false";

    FILE *file = fopen(argv[5], "r");
    if (!file) { perror(argv[5]); return 2; }
    char *line = NULL;
    size_t size = 0;
    ssize_t got;
    while ((got = getline(&line, &size, file)) > 0) {
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r')) line[--got] = 0;
        if (got < 2 || line[0] != '"' || line[got - 1] != '"' || got > 4000) continue;
        queries = realloc(queries, (query_count + 1) * sizeof *queries);
        queries[query_count++] = strdup(line);
    }
    fclose(file);
    if (query_count == 0) { fprintf(stderr, "load: no queries in %s\n", argv[5]); return 2; }

    worker_state *states = calloc((size_t)clients, sizeof *states);
    pthread_t *threads = calloc((size_t)clients, sizeof *threads);
    double started = now();
    deadline = started + seconds;
    for (int i = 0; i < clients; i++) {
        states[i].index = i;
        pthread_create(&threads[i], NULL, worker, &states[i]);
    }
    for (int i = 0; i < clients; i++) pthread_join(threads[i], NULL);
    double elapsed = now() - started;

    samples searches = {0}, saves = {0};
    size_t errors = 0, acknowledged = 0, missing = 0;
    const char *first_error = "";
    for (int i = 0; i < clients; i++) {
        merge(&searches, &states[i].searches);
        merge(&saves, &states[i].saves);
        if (states[i].errors && !errors) first_error = states[i].first_error;
        errors += states[i].errors;
        acknowledged += states[i].saved.n;
    }
    /* Every acknowledged save must be there afterwards. */
    connection checker = {.fd = -1};
    for (int i = 0; i < clients; i++) {
        for (size_t j = 0; j < states[i].saved.n; j++) {
            char path[256];
            snprintf(path, sizeof path, "/v1/artifacts/%s", states[i].saved.v[j]);
            const char *response;
            size_t length;
            if (request(&checker, "GET", path, NULL, &response, &length) != 200) missing++;
        }
    }
    qsort(searches.v, searches.n, sizeof *searches.v, compare);
    qsort(saves.v, saves.n, sizeof *saves.v, compare);
    printf("{\"mix\": \"%s\", \"clients\": %d, \"seconds\": %.1f, \"searches\": %zu, \"saves\": %zu, "
           "\"requests_per_s\": %.1f, \"searches_per_s\": %.1f, "
           "\"search_ms\": {\"p50\": %.2f, \"p90\": %.2f, \"p99\": %.2f, \"max\": %.2f}, "
           "\"save_ms\": {\"p50\": %.2f, \"p90\": %.2f, \"p99\": %.2f, \"max\": %.2f}, "
           "\"errors\": %zu, \"first_error\": \"%s\", \"acknowledged_saves\": %zu, \"missing_after\": %zu}\n",
        mix, clients, elapsed, searches.n, saves.n, (double)(searches.n + saves.n) / elapsed, (double)searches.n / elapsed,
        percentile(&searches, 50), percentile(&searches, 90), percentile(&searches, 99), percentile(&searches, 100),
        percentile(&saves, 50), percentile(&saves, 90), percentile(&saves, 99), percentile(&saves, 100),
        errors, errors ? "see below" : "", acknowledged, missing);
    if (errors) fprintf(stderr, "load: first error: %s\n", first_error);
    return errors || missing ? 1 : 0;
}
