/*
 * The fetch client of RealPeers, compiled at run time: GETs one URL path a number of times,
 * one request after another on one HTTP/1.1 connection, and discards every body.
 *
 *   fetch ADDRESS PORT PATH COUNT read|trunc
 *
 * read: each body is read into a 1 MiB buffer (what curl -o /dev/null does, with a larger
 * buffer); trunc: recv(MSG_TRUNC) discards the bytes in the kernel without copying them.
 * Prints "<body bytes> <responses>" and exits 0 if every response was 200 with its whole
 * Content-Length; otherwise prints why on stderr and exits 1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF (1 << 20)

static char buf[BUF];

static int fail(const char *what) {
    fprintf(stderr, "fetch: %s: %s\n", what, errno ? strerror(errno) : "unexpected");
    return 1;
}

static int send_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t) w;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: fetch ADDRESS PORT PATH COUNT read|trunc\n");
        return 2;
    }
    int trunc = strcmp(argv[5], "trunc") == 0;
    long count = atol(argv[4]);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short) atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
        errno = 0;
        return fail("bad address");
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return fail("socket");
    if (connect(fd, (struct sockaddr *) &sa, sizeof sa) != 0) return fail("connect");
    char req[512];
    int reqlen = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", argv[3], argv[1], "");
    long long total = 0;
    long done = 0;
    for (long i = 0; i < count; i++) {
        if (i == count - 1) {
            reqlen = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", argv[3],
                    argv[1]);
        }
        if (send_all(fd, req, (size_t) reqlen) != 0) return fail("send");
        size_t have = 0;
        char *end = NULL;
        while (end == NULL) {
            if (have == 65536) { errno = 0; return fail("response header too long"); }
            ssize_t r = recv(fd, buf + have, 65536 - have, 0);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) { if (r == 0) errno = 0; return fail("response header"); }
            have += (size_t) r;
            end = memmem(buf, have, "\r\n\r\n", 4);
        }
        if (have < 12 || memcmp(buf + 9, "200", 3) != 0) { errno = 0; return fail("status not 200"); }
        long long length = -1;
        for (char *p = buf; p < end; ) {
            char *eol = memmem(p, (size_t) (end + 2 - p), "\r\n", 2);
            if (strncasecmp(p, "Content-Length:", 15) == 0) length = atoll(p + 15);
            p = eol + 2;
        }
        if (length < 0) { errno = 0; return fail("no Content-Length"); }
        long long left = length - (long long) (buf + have - (end + 4));
        while (left > 0) {
            size_t want = left < BUF ? (size_t) left : BUF;
            ssize_t r = trunc ? recv(fd, NULL, want, MSG_TRUNC) : recv(fd, buf, want, 0);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) { if (r == 0) errno = 0; return fail("body"); }
            left -= r;
        }
        if (left < 0) { errno = 0; return fail("more bytes than Content-Length"); }
        total += length;
        done++;
    }
    close(fd);
    printf("%lld %ld\n", total, done);
    return 0;
}
