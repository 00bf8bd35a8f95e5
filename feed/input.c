/* input.c: the feed's sources and line framing (input.h). */
#include "feed/input.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "core/log.h"

#define INPUT_RETRY_US (1000 * 1000) /* reconnect / reopen attempts, at most once a second */

struct vg_input {
    vg_input_options opt;
    int fd;
    uint64_t inode;       /* FILE: the file open now */
    uint64_t offset;      /* FILE: bytes consumed */
    int64_t retry_mono;   /* TCP, FILE: next attempt to connect or open */
    char *line;           /* the line being framed */
    size_t len;
    char buf[64 * 1024];
};

static void input__emit(vg_input *in, vg_input_frame_fn fn, void *ctx, vg_time_us t,
                        const char *p, size_t n)
{
    if (n && p[n - 1] == '\r')
        n--;
    if (n)
        fn(ctx, t, p, n, (vg_spool_pos){in->inode, in->offset});
}

/* Frame bytes p[0..n) of a stream source. offset_after: the input position after them. */
static void input__frame(vg_input *in, const char *p, size_t n, vg_input_frame_fn fn,
                         void *ctx)
{
    vg_time_us t = vg_time_now();
    uint64_t end = in->offset + n;
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(p + i, '\n', n - i);
        size_t take = nl ? (size_t)(nl - (p + i)) : n - i;
        while (take) {
            size_t room = VG_INPUT_LINE_MAX - in->len;
            size_t c = take < room ? take : room;
            memcpy(in->line + in->len, p + i, c);
            in->len += c;
            i += c;
            take -= c;
            if (in->len == VG_INPUT_LINE_MAX) {
                in->offset = end - (n - i);
                input__emit(in, fn, ctx, t, in->line, in->len);
                in->len = 0;
            }
        }
        if (nl) {
            i++;
            in->offset = end - (n - i);
            input__emit(in, fn, ctx, t, in->line, in->len);
            in->len = 0;
        }
    }
    in->offset = end;
}

/* ---- opening -------------------------------------------------------------------------- */

static speed_t input__speed(long baud)
{
    switch (baud) {
    case 1200: return B1200;
    case 2400: return B2400;
    case 4800: return B4800;
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 921600: return B921600;
    default: return 0;
    }
}

static vg_err input__serial(vg_input *in, vg_errinfo *err)
{
    speed_t sp = input__speed(in->opt.baud);
    if (!sp)
        return vg_fail(err, VG_ERR_INVAL, "%s: baud rate %ld is not one of 1200, 2400, 4800, "
                       "9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600",
                       in->opt.path, in->opt.baud);
    in->fd = open(in->opt.path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (in->fd < 0)
        return vg_fail(err, VG_ERR_IO, "%s: cannot open the serial port: %s", in->opt.path,
                       strerror(errno));
    struct termios tio;
    if (tcgetattr(in->fd, &tio) != 0)
        return vg_fail(err, VG_ERR_IO, "%s: not a terminal device: %s", in->opt.path,
                       strerror(errno));
    cfmakeraw(&tio); /* raw: no echo, no line editing, no CR/LF translation, 8 bits */
    tio.c_cflag &= ~(tcflag_t)(PARENB | CSTOPB | CSIZE | CRTSCTS);
    tio.c_cflag |= CS8 | CLOCAL | CREAD; /* 8N1, no modem control */
    tio.c_cc[VMIN] = 0;
    tio.c_cc[VTIME] = 0;
    if (cfsetispeed(&tio, sp) != 0 || cfsetospeed(&tio, sp) != 0 ||
        tcsetattr(in->fd, TCSANOW, &tio) != 0)
        return vg_fail(err, VG_ERR_IO, "%s: cannot set %ld baud 8N1 raw: %s", in->opt.path,
                       in->opt.baud, strerror(errno));
    tcflush(in->fd, TCIFLUSH);
    return VG_OK;
}

static vg_err input__udp(vg_input *in, vg_errinfo *err)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)in->opt.port)};
    const char *host = in->opt.host ? in->opt.host : "0.0.0.0";
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
        return vg_fail(err, VG_ERR_INVAL, "UDP: '%s' is not an IPv4 address", host);
    in->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int big = 4 * 1024 * 1024;
    if (in->fd >= 0)
        setsockopt(in->fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    if (in->fd < 0 || bind(in->fd, (struct sockaddr *)&a, sizeof a) != 0)
        return vg_fail(err, VG_ERR_IO, "UDP %s:%d: cannot bind: %s", host, in->opt.port,
                       strerror(errno));
    return VG_OK;
}

/* Try to connect the TCP source (non-blocking connect is not worth it: loopback or LAN). */
static void input__tcp_connect(vg_input *in)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    char port[16];
    snprintf(port, sizeof port, "%d", in->opt.port);
    in->retry_mono = vg_time_mono_us() + INPUT_RETRY_US;
    int rc = getaddrinfo(in->opt.host, port, &hints, &res);
    if (rc != 0) {
        vg_warn("TCP %s:%d: %s", in->opt.host, in->opt.port, gai_strerror(rc));
        return;
    }
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
            in->fd = fd;
            vg_info("TCP %s:%d: connected", in->opt.host, in->opt.port);
            break;
        }
        close(fd);
    }
    freeaddrinfo(res);
}

/* FILE: open the file (at resume when it is the same file); false when it is not there. */
static bool input__file_open(vg_input *in, vg_spool_pos resume)
{
    int fd = open(in->opt.path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    fstat(fd, &st);
    in->fd = fd;
    in->inode = (uint64_t)st.st_ino;
    in->offset = 0;
    in->len = 0;
    if (resume.inode == in->inode && resume.offset <= (uint64_t)st.st_size) {
        in->offset = resume.offset;
    } else if (resume.inode == in->inode) {
        vg_warn("%s: shorter than where the feed stopped (%llu bytes): read from the start",
                in->opt.path, (unsigned long long)resume.offset);
    }
    if (lseek(fd, (off_t)in->offset, SEEK_SET) < 0)
        in->offset = 0;
    vg_info("%s: reading from byte %llu", in->opt.path, (unsigned long long)in->offset);
    return true;
}

vg_err vg_input_open(const vg_input_options *opt, vg_spool_pos resume, vg_input **out,
                     vg_errinfo *err)
{
    *out = NULL;
    vg_input *in = calloc(1, sizeof *in);
    if (!in || !(in->line = malloc(VG_INPUT_LINE_MAX))) {
        free(in);
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for the input");
    }
    in->opt = *opt;
    in->fd = -1;
    vg_err rc = VG_OK;
    switch (opt->kind) {
    case VG_INPUT_FILE:
        if (!input__file_open(in, resume))
            vg_notice("%s: not there yet: waiting for it", opt->path);
        break;
    case VG_INPUT_STDIN:
        in->fd = 0;
        fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
        break;
    case VG_INPUT_UDP: rc = input__udp(in, err); break;
    case VG_INPUT_TCP: input__tcp_connect(in); break;
    case VG_INPUT_SERIAL: rc = input__serial(in, err); break;
    }
    if (rc != VG_OK) {
        vg_input_close(in);
        return rc;
    }
    *out = in;
    return VG_OK;
}

void vg_input_close(vg_input *in)
{
    if (!in)
        return;
    if (in->fd > 0)
        close(in->fd);
    free(in->line);
    free(in);
}

int vg_input_fd(const vg_input *in)
{
    return in->opt.kind == VG_INPUT_FILE ? -1 : in->fd;
}

/* ---- reading -------------------------------------------------------------------------- */

/* FILE: read to the end; then notice rotation (another file at the path: finish the old
 * one, then open the new one from its start) and truncation (start again). */
static vg_err input__file_read(vg_input *in, vg_input_frame_fn fn, void *ctx, vg_errinfo *err)
{
    if (in->fd < 0) {
        if (vg_time_mono_us() < in->retry_mono)
            return VG_OK;
        in->retry_mono = vg_time_mono_us() + INPUT_RETRY_US / 10;
        if (!input__file_open(in, (vg_spool_pos){0, 0}))
            return VG_OK;
    }
    for (int k = 0; k < 4; k++) { /* bounded: the loop also syncs, sends and receives */
        ssize_t r = read(in->fd, in->buf, sizeof in->buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return vg_fail(err, VG_ERR_IO, "%s: read: %s", in->opt.path, strerror(errno));
        if (r == 0)
            break;
        input__frame(in, in->buf, (size_t)r, fn, ctx);
        if (r < (ssize_t)sizeof in->buf)
            break;
    }
    struct stat now, cur;
    if (fstat(in->fd, &cur) == 0 && (uint64_t)cur.st_size < in->offset) {
        vg_notice("%s: truncated (%llu bytes, was %llu): reading from the start", in->opt.path,
                  (unsigned long long)cur.st_size, (unsigned long long)in->offset);
        lseek(in->fd, 0, SEEK_SET);
        in->offset = 0;
        in->len = 0;
        return VG_OK;
    }
    if (stat(in->opt.path, &now) == 0 && (uint64_t)now.st_ino != in->inode) {
        /* Rotated: what the old file still holds was read above (it is read to its end
         * before each check); a last line without newline is a frame of its own. */
        ssize_t r;
        while ((r = read(in->fd, in->buf, sizeof in->buf)) > 0)
            input__frame(in, in->buf, (size_t)r, fn, ctx);
        if (in->len)
            input__emit(in, fn, ctx, vg_time_now(), in->line, in->len);
        vg_notice("%s: rotated: following the new file", in->opt.path);
        close(in->fd);
        in->fd = -1;
        input__file_open(in, (vg_spool_pos){0, 0});
    }
    return VG_OK;
}

vg_err vg_input_read(vg_input *in, vg_input_frame_fn fn, void *ctx, bool *eof,
                     vg_errinfo *err)
{
    *eof = false;
    if (in->opt.kind == VG_INPUT_FILE)
        return input__file_read(in, fn, ctx, err);
    if (in->opt.kind == VG_INPUT_TCP && in->fd < 0) {
        if (vg_time_mono_us() >= in->retry_mono)
            input__tcp_connect(in);
        return VG_OK;
    }
    if (in->opt.kind == VG_INPUT_SERIAL && in->fd < 0) {
        if (vg_time_mono_us() < in->retry_mono)
            return VG_OK;
        in->retry_mono = vg_time_mono_us() + INPUT_RETRY_US;
        vg_errinfo e;
        if (input__serial(in, &e) != VG_OK) {
            if (in->fd >= 0)
                close(in->fd);
            in->fd = -1;
            return VG_OK; /* still gone: try again in a second */
        }
        vg_notice("%s: serial port open again", in->opt.path);
    }
    if (in->opt.kind == VG_INPUT_UDP) {
        for (int k = 0; k < 256; k++) {
            ssize_t r = recv(in->fd, in->buf, sizeof in->buf, 0);
            if (r < 0)
                break;
            input__frame(in, in->buf, (size_t)r, fn, ctx);
            if (in->len) /* a datagram ends its last line */
                input__emit(in, fn, ctx, vg_time_now(), in->line, in->len);
            in->len = 0;
        }
        return VG_OK;
    }
    for (int k = 0; k < 4; k++) { /* bounded: the loop also syncs, sends and receives */
        ssize_t r = read(in->fd, in->buf, sizeof in->buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return VG_OK;
        if (r == 0 && in->opt.kind == VG_INPUT_SERIAL)
            return VG_OK; /* raw mode, VMIN = VTIME = 0: nothing there now, not an end */
        if (r <= 0) {
            const char *what = r < 0 ? strerror(errno) : "end of input";
            if (in->len)
                input__emit(in, fn, ctx, vg_time_now(), in->line, in->len);
            in->len = 0;
            if (in->opt.kind == VG_INPUT_STDIN) {
                *eof = true;
                return VG_OK;
            }
            if (in->opt.kind == VG_INPUT_TCP) {
                vg_warn("TCP %s:%d: %s: reconnecting", in->opt.host, in->opt.port, what);
                close(in->fd);
                in->fd = -1;
                in->retry_mono = vg_time_mono_us() + INPUT_RETRY_US;
                return VG_OK;
            }
            /* A serial port that fails (a USB adapter unplugged): close it, reopen it every
             * second (vg_input_fd is then -1 and the loop polls on its timer). */
            vg_fail(err, VG_ERR_IO, "%s: read: %s: reopening", in->opt.path, what);
            close(in->fd);
            in->fd = -1;
            in->retry_mono = vg_time_mono_us() + INPUT_RETRY_US;
            return VG_ERR_IO;
        }
        input__frame(in, in->buf, (size_t)r, fn, ctx);
    }
    return VG_OK;
}
