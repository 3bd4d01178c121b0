/*
 * zcpeer: the C reference peer of zerocopy-bench. One process moves one payload by one
 * method and prints its own timing and CPU, so the Java harness can put the kernel's raw
 * paths beside the library's on the same files, ports and sinks.
 *
 *   zcpeer fs <rw|sendfile|splice|mmap>            <file> <bytes> <sink>
 *   zcpeer ss <rw|splice>                          <src> <sink> <bytes>
 *   zcpeer ff <rw|sendfile|splice|mmap|cfr>        <src> <dst> <bytes>
 *
 * A socket peer is <a.b.c.d>:<port>, or a bare <port> on 127.0.0.1.
 * fs: connect to the sink, send <bytes> of <file>, shut down the write side.
 * ss: connect to the feeder at <src> and the sink at <sink>, write one "go" byte to the
 *     feeder, relay until the feeder's end of stream (or <bytes>), shut down the sink's side.
 * ff: overwrite <dst> (opened without truncation, from offset 0) with <bytes> of <src>.
 *
 * Output, one line on stdout:  ok <t0> <t1> <bytes> <user_ns> <sys_ns>
 * t0/t1 are CLOCK_MONOTONIC nanoseconds (the clock behind Java's System.nanoTime on Linux)
 * taken just before the first byte moves and after the last call returns; user/sys are this
 * process's CPU between t0 and t1 (getrusage, RUSAGE_SELF; the process has one thread).
 * On failure: "err <message>" on stdout and exit status 1; "unsupported" exits 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 * 1024)
#define SPLICE_CHUNK (1 << 20)

static char buf[CHUNK];

static void die(const char *what) {
    printf("err %s: %s\n", what, strerror(errno));
    exit(1);
}

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void cpu_ns(long long *user, long long *sys) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user = (long long) ru.ru_utime.tv_sec * 1000000000LL + ru.ru_utime.tv_usec * 1000LL;
    *sys = (long long) ru.ru_stime.tv_sec * 1000000000LL + ru.ru_stime.tv_usec * 1000LL;
}

/* endpoint: "a.b.c.d:port", or "port" for 127.0.0.1 */
static int connect_to(const char *endpoint) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const char *colon = strrchr(endpoint, ':');
    const char *port = endpoint;
    if (colon != NULL) {
        char host[64];
        size_t n = (size_t) (colon - endpoint);
        if (n >= sizeof host) {
            errno = EINVAL;
            die("peer address");
        }
        memcpy(host, endpoint, n);
        host[n] = 0;
        if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
            errno = EINVAL;
            die("peer address");
        }
        port = colon + 1;
    }
    a.sin_port = htons((unsigned short) atoi(port));
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* as the Java and Netty rows */
    if (connect(fd, (struct sockaddr *) &a, sizeof a) != 0) die("connect");
    return fd;
}

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            die("write");
        }
        p += w;
        n -= (size_t) w;
    }
}

/* read/write through a 64 KiB user buffer; from a file at offset 0 or a socket until EOF */
static long long copy_rw(int in, int out, long long bytes) {
    long long done = 0;
    while (done < bytes) {
        size_t want = bytes - done < CHUNK ? (size_t) (bytes - done) : CHUNK;
        ssize_t r = read(in, buf, want);
        if (r < 0) {
            if (errno == EINTR) continue;
            die("read");
        }
        if (r == 0) break;
        write_all(out, buf, (size_t) r);
        done += r;
    }
    return done;
}

static long long copy_sendfile(int in, int out, long long bytes) {
    off_t off = 0;
    long long done = 0;
    while (done < bytes) {
        ssize_t n = sendfile(out, in, &off, (size_t) (bytes - done));
        if (n < 0) {
            if (errno == EINTR) continue;
            die("sendfile");
        }
        if (n == 0) break;
        done += n;
    }
    return done;
}

/* in -> pipe -> out; the pipe is owned here and drained before returning */
static long long copy_splice(int in, int out, long long bytes, int in_is_file) {
    int p[2];
    if (pipe(p) != 0) die("pipe");
    fcntl(p[1], F_SETPIPE_SZ, SPLICE_CHUNK); /* best effort: stays 64 KiB if refused */
    long long done = 0;
    loff_t off = 0;
    while (done < bytes) {
        size_t want = bytes - done < SPLICE_CHUNK ? (size_t) (bytes - done) : SPLICE_CHUNK;
        ssize_t n = splice(in, in_is_file ? &off : NULL, p[1], NULL, want, SPLICE_F_MOVE | SPLICE_F_MORE);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("splice in");
        }
        if (n == 0) break;
        ssize_t left = n;
        while (left > 0) {
            ssize_t m = splice(p[0], NULL, out, NULL, (size_t) left, SPLICE_F_MOVE | SPLICE_F_MORE);
            if (m < 0) {
                if (errno == EINTR) continue;
                die("splice out");
            }
            left -= m;
        }
        done += n;
    }
    close(p[0]);
    close(p[1]);
    return done;
}

static long long copy_mmap(int in, int out, long long bytes) {
    if (bytes == 0) return 0;
    char *m = mmap(NULL, (size_t) bytes, PROT_READ, MAP_SHARED, in, 0);
    if (m == MAP_FAILED) die("mmap");
    madvise(m, (size_t) bytes, MADV_SEQUENTIAL);
    write_all(out, m, (size_t) bytes);
    munmap(m, (size_t) bytes);
    return bytes;
}

static long long copy_cfr(int in, int out, long long bytes) {
    loff_t ioff = 0, ooff = 0;
    long long done = 0;
    while (done < bytes) {
        ssize_t n = copy_file_range(in, &ioff, out, &ooff, (size_t) (bytes - done), 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == ENOSYS || errno == EXDEV || errno == EOPNOTSUPP || errno == EINVAL) {
                printf("unsupported copy_file_range: %s\n", strerror(errno));
                exit(2);
            }
            die("copy_file_range");
        }
        if (n == 0) break;
        done += n;
    }
    return done;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: zcpeer fs|ss|ff <method> <a> <b> <c>\n");
        return 64;
    }
    const char *scen = argv[1], *method = argv[2];
    int in, out;
    long long bytes;
    int ss = 0, ff = 0;
    if (strcmp(scen, "fs") == 0) {
        in = open(argv[3], O_RDONLY);
        if (in < 0) die("open source");
        bytes = atoll(argv[4]);
        out = connect_to(argv[5]);
    } else if (strcmp(scen, "ss") == 0) {
        ss = 1;
        in = connect_to(argv[3]);
        out = connect_to(argv[4]);
        bytes = atoll(argv[5]);
    } else if (strcmp(scen, "ff") == 0) {
        ff = 1;
        in = open(argv[3], O_RDONLY);
        if (in < 0) die("open source");
        out = open(argv[4], O_WRONLY);
        if (out < 0) die("open target");
        bytes = atoll(argv[5]);
    } else {
        fprintf(stderr, "unknown scenario %s\n", scen);
        return 64;
    }

    long long u0, s0, u1, s1;
    cpu_ns(&u0, &s0);
    long long t0 = now_ns();
    if (ss) {
        write_all(in, "g", 1);
    }
    long long moved;
    if (strcmp(method, "rw") == 0) {
        moved = copy_rw(in, out, bytes);
    } else if (strcmp(method, "sendfile") == 0 && !ss) {
        moved = copy_sendfile(in, out, bytes);
    } else if (strcmp(method, "splice") == 0) {
        moved = copy_splice(in, out, bytes, !ss);
    } else if (strcmp(method, "mmap") == 0 && !ss) {
        moved = copy_mmap(in, out, bytes);
    } else if (strcmp(method, "cfr") == 0 && ff) {
        moved = copy_cfr(in, out, bytes);
    } else {
        printf("unsupported %s %s\n", scen, method);
        return 2;
    }
    if (!ff) {
        shutdown(out, SHUT_WR);
    }
    long long t1 = now_ns();
    cpu_ns(&u1, &s1);
    printf("ok %lld %lld %lld %lld %lld\n", t0, t1, moved, u1 - u0, s1 - s0);
    fflush(stdout);
    close(out);
    close(in);
    return 0;
}
