#include "udp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
typedef SOCKET native_sock;
#define CLOSESOCK closesocket
#define SOCK_ERR() WSAGetLastError()
#define ERR_WOULDBLOCK WSAEWOULDBLOCK
#define ERR_REFUSED WSAECONNRESET /* Windows reports ICMP port unreachable so */
#else
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
typedef int native_sock;
#define INVALID_SOCKET (-1)
#define CLOSESOCK close
#define SOCK_ERR() errno
#define ERR_WOULDBLOCK EWOULDBLOCK
#define ERR_REFUSED ECONNREFUSED
#endif

enum l2f_status net_init(void)
{
#ifdef _WIN32
    static bool started;
    WSADATA data;
    if (!started && WSAStartup(MAKEWORD(2, 2), &data) != 0)
        return L2F_ERR_BACKEND;
    started = true;
#endif
    return L2F_OK;
}

enum l2f_status net_resolve(const char *host, struct net_addr *out, size_t max, size_t *count,
                            struct l2f_err *err)
{
    struct addrinfo hints, *res = NULL;
    *count = 0;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_protocol = IPPROTO_UDP;
    int rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0) {
#ifdef _WIN32
        l2f_err_set(err, "%s does not resolve: %s", host,
                    gai_strerrorA(rc)); /* UNICODE makes it wide */
#else
        l2f_err_set(err, "%s does not resolve: %s", host, gai_strerror(rc));
#endif
        return L2F_ERR_NOT_FOUND;
    }
    /* IPv4 first: Windows' L2TP client prefers it, and NAT hints need it */
    for (int pass = 0; pass < 2; pass++)
        for (struct addrinfo *ai = res; ai && *count < max; ai = ai->ai_next) {
            if ((pass == 0) != (ai->ai_family == AF_INET) || ai->ai_addrlen > sizeof out->storage)
                continue;
            memcpy(out[*count].storage, ai->ai_addr, ai->ai_addrlen);
            out[*count].len = (unsigned)ai->ai_addrlen;
            (*count)++;
        }
    freeaddrinfo(res);
    if (*count == 0) {
        l2f_err_set(err, "%s has no IPv4 or IPv6 address", host);
        return L2F_ERR_NOT_FOUND;
    }
    return L2F_OK;
}

bool net_is_literal(const char *host)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

void net_addr_format(const struct net_addr *a, char *buf, size_t len)
{
    const struct sockaddr *sa = (const struct sockaddr *)(const void *)a->storage;
    const void *ip =
        sa->sa_family == AF_INET
            ? (const void *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr
            : (const void *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
    if (!inet_ntop(sa->sa_family, ip, buf, (socklen_t)len))
        snprintf(buf, len, "?");
}

void net_addr_set_port(struct net_addr *a, uint16_t port)
{
    struct sockaddr *sa = (struct sockaddr *)(void *)a->storage;
    if (sa->sa_family == AF_INET)
        ((struct sockaddr_in *)(void *)sa)->sin_port = htons(port);
    else
        ((struct sockaddr_in6 *)(void *)sa)->sin6_port = htons(port);
}

bool net_addr_is_private(const struct net_addr *a)
{
    const struct sockaddr *sa = (const struct sockaddr *)(const void *)a->storage;
    if (sa->sa_family == AF_INET) {
        const uint8_t *b =
            (const uint8_t *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
        return b[0] == 10 || b[0] == 127 || (b[0] == 172 && (b[1] & 0xF0) == 16) ||
               (b[0] == 192 && b[1] == 168) || (b[0] == 100 && (b[1] & 0xC0) == 64) ||
               (b[0] == 169 && b[1] == 254);
    }
    const uint8_t *b = (const uint8_t *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
    static const uint8_t loopback[16] = {[15] = 1};
    return (b[0] & 0xFE) == 0xFC || (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) ||
           memcmp(b, loopback, 16) == 0;
}

static enum l2f_status sock_error(const char *what, struct l2f_err *err)
{
    int e = SOCK_ERR();
#ifdef _WIN32
    l2f_err_set(err, "%s: socket error %d", what, e);
#else
    l2f_err_set(err, "%s: %s", what, strerror(e));
#endif
    return L2F_ERR_IO;
}

static void nonblocking(native_sock fd)
{
#ifdef _WIN32
    u_long on = 1;
    ioctlsocket(fd, FIONBIO, &on);
#else
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
#endif
}

enum l2f_status udp_connect(struct udp_sock *s, const struct net_addr *to, struct l2f_err *err)
{
    const struct sockaddr *sa = (const struct sockaddr *)(const void *)to->storage;
    native_sock fd = socket(sa->sa_family, SOCK_DGRAM, IPPROTO_UDP);
    s->fd = -1;
    if (fd == INVALID_SOCKET)
        return sock_error("socket", err);
    nonblocking(fd);
    if (connect(fd, sa, (socklen_t)to->len) != 0) {
        enum l2f_status st = sock_error("connect", err);
        CLOSESOCK(fd);
        return st;
    }
    s->fd = (intptr_t)fd;
    return L2F_OK;
}

bool udp_local_address(const struct udp_sock *s, struct net_addr *out)
{
    socklen_t len = sizeof out->storage;
    if (getsockname((native_sock)s->fd, (struct sockaddr *)(void *)out->storage, &len) != 0)
        return false;
    out->len = (unsigned)len;
    return true;
}

bool net_addr_ipv4(const struct net_addr *a, uint8_t ip[4], uint16_t *port)
{
    const struct sockaddr *sa = (const struct sockaddr *)(const void *)a->storage;
    if (sa->sa_family != AF_INET)
        return false;
    const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
    memcpy(ip, &in->sin_addr, 4);
    *port = ntohs(in->sin_port);
    return true;
}

enum l2f_status udp_send(struct udp_sock *s, const void *buf, size_t len, struct l2f_err *err)
{
    if (send((native_sock)s->fd, buf, (int)len, 0) != (int)len)
        return sock_error("send", err);
    return L2F_OK;
}

/* What recv or recvfrom returned: a datagram, nothing waiting, an ICMP error
 * (port unreachable), or a failure. */
static enum l2f_status received(int n, size_t *got, const char *what, struct l2f_err *err)
{
    *got = 0;
    if (n >= 0) {
        *got = (size_t)n;
        return L2F_OK;
    }
    int e = SOCK_ERR();
    if (e == ERR_WOULDBLOCK
#ifndef _WIN32
        || e == EAGAIN || e == EINTR
#endif
    )
        return L2F_OK;
    if (e == ERR_REFUSED) {
        l2f_err_set(err, "port unreachable");
        return L2F_ERR_NOT_FOUND;
    }
    return sock_error(what, err);
}

enum l2f_status udp_recv(struct udp_sock *s, void *buf, size_t len, size_t *got,
                         struct l2f_err *err)
{
    return received((int)recv((native_sock)s->fd, buf, (int)len, 0), got, "recv", err);
}

enum l2f_status udp_open_toward(struct udp_sock *s, const struct net_addr *peer,
                                struct net_addr *local, struct l2f_err *err)
{
    /* the route toward peer names our address: a connected socket asks for it */
    struct udp_sock probe;
    enum l2f_status st = udp_connect(&probe, peer, err);
    if (st != L2F_OK)
        return st;
    bool known = udp_local_address(&probe, local);
    udp_close(&probe);
    if (!known)
        return sock_error("getsockname", err);
    const struct sockaddr *sa = (const struct sockaddr *)(const void *)peer->storage;
    native_sock fd = socket(sa->sa_family, SOCK_DGRAM, IPPROTO_UDP);
    s->fd = -1;
    if (fd == INVALID_SOCKET)
        return sock_error("socket", err);
    nonblocking(fd);
    struct net_addr any = *local;
    net_addr_set_port(&any, 0);
    struct net_addr bound;
    if (bind(fd, (const struct sockaddr *)(const void *)any.storage, (socklen_t)any.len) != 0) {
        st = sock_error("bind", err);
        CLOSESOCK(fd);
        return st;
    }
    s->fd = (intptr_t)fd;
    if (!udp_local_address(s, &bound)) {
        udp_close(s);
        return sock_error("getsockname", err);
    }
    *local = bound;
    return L2F_OK;
}

enum l2f_status udp_send_to(struct udp_sock *s, const struct net_addr *to, const void *buf,
                            size_t len, struct l2f_err *err)
{
    if (sendto((native_sock)s->fd, buf, (int)len, 0,
               (const struct sockaddr *)(const void *)to->storage, (socklen_t)to->len) != (int)len)
        return sock_error("sendto", err);
    return L2F_OK;
}

enum l2f_status udp_recv_from(struct udp_sock *s, void *buf, size_t len, size_t *got,
                              struct net_addr *from, struct l2f_err *err)
{
    socklen_t flen = sizeof from->storage;
    int n = (int)recvfrom((native_sock)s->fd, buf, (int)len, 0,
                          (struct sockaddr *)(void *)from->storage, &flen);
    from->len = n >= 0 ? (unsigned)flen : 0;
    return received(n, got, "recvfrom", err);
}

void udp_close(struct udp_sock *s)
{
    if (s->fd >= 0)
        CLOSESOCK((native_sock)s->fd);
    s->fd = -1;
}

int udp_wait(struct udp_sock *const *socks, size_t n, unsigned timeout_ms)
{
#ifdef _WIN32
    WSAPOLLFD fds[8];
#else
    struct pollfd fds[8];
#endif
    if (n > 8)
        n = 8;
    for (size_t i = 0; i < n; i++) {
        fds[i].fd = (native_sock)socks[i]->fd;
        fds[i].events = POLLIN;
        fds[i].revents = 0;
    }
#ifdef _WIN32
    return WSAPoll(fds, (ULONG)n, (INT)timeout_ms);
#else
    return poll(fds, (nfds_t)n, (int)timeout_ms);
#endif
}
