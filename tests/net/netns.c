/* netns.c - a network namespace of the guest's making (unshare and clone
 * with CLONE_NEWNET), the same in every mode: only lo, down and without
 * addresses (connect ENETUNREACH, bind to ::1 EADDRNOTAVAIL); its
 * root brings it up through NETLINK_ROUTE as `ip link set lo up` and
 * bubblewrap do (RTM_NEWADDR 127.0.0.1/8, RTM_NEWLINK IFF_UP, each
 * ACKed); then 127.0.0.1 and ::1 are its own: a listener of the outer
 * namespace is not reached (ECONNREFUSED), the same port is free for its
 * own listener, nothing else is reachable (ENETUNREACH), /proc/net/tcp
 * and getifaddrs() show only what is inside; abstract AF_UNIX names are
 * the namespace's too (a socket made before unshare keeps the old one).  Without CAP_NET_ADMIN over
 * the namespace a change is EPERM; a user namespace's root has it over
 * the network namespace it made.  Nothing inside changes the outside. */
#include "net.h"
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <sys/syscall.h>

#include <stddef.h>
#include <sys/un.h>

static int port;   /* the outer namespace's listener on 127.0.0.1 */
static struct sockaddr_un abs_name;   /* an abstract AF_UNIX name bound outside */
static socklen_t abs_len;
static int early;  /* an AF_UNIX socket made before unshare: of the outer namespace */

static int unix_to(int fd) {
  int r = connect(fd, (struct sockaddr *)&abs_name, abs_len);
  int e = errno;
  close(fd);
  errno = e;
  return r;
}

/* one rtnetlink request; the error its ACK carries (0 ok), or -1 */
static int rtnl(int type, int flags, const void *body, size_t blen, const void *attrs, size_t alen) {
  struct {
    struct nlmsghdr h;
    char b[256];
  } req;
  memset(&req, 0, sizeof req);
  req.h.nlmsg_len = NLMSG_LENGTH(NLMSG_ALIGN(blen) + alen);
  req.h.nlmsg_type = type;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  req.h.nlmsg_seq = 7;
  req.h.nlmsg_pid = getpid();
  memcpy(req.b, body, blen);
  memcpy(req.b + NLMSG_ALIGN(blen), attrs, alen);
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  struct sockaddr_nl me = {.nl_family = AF_NETLINK, .nl_pid = getpid()}, k = {.nl_family = AF_NETLINK};
  if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof me) < 0) return -1;
  if (sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&k, sizeof k) < 0) return -1;
  char buf[1024];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  close(fd);
  struct nlmsghdr *h = (struct nlmsghdr *)buf;
  if (n < (ssize_t)sizeof *h || h->nlmsg_type != NLMSG_ERROR || h->nlmsg_seq != 7 ||
      h->nlmsg_pid != (unsigned)getpid())
    return -1;
  return -((struct nlmsgerr *)NLMSG_DATA(h))->error;
}

static int add_addr(const char *a4, int prefix) {
  struct ifaddrmsg ifa = {.ifa_family = AF_INET, .ifa_prefixlen = prefix, .ifa_index = if_nametoindex("lo")};
  struct {
    struct rtattr rta;
    struct in_addr a;
  } attrs[2];
  for (int i = 0; i < 2; i++) {
    attrs[i].rta.rta_len = RTA_LENGTH(4);
    attrs[i].rta.rta_type = i ? IFA_ADDRESS : IFA_LOCAL;
    inet_pton(AF_INET, a4, &attrs[i].a);
  }
  return rtnl(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof ifa, attrs, sizeof attrs);
}

static int set_lo(int up) {
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = if_nametoindex("lo"),
                          .ifi_flags = up ? IFF_UP : 0, .ifi_change = IFF_UP};
  return rtnl(RTM_NEWLINK, 0, &ifi, sizeof ifi, NULL, 0);
}

static short lo_flags(void) {
  struct ifreq r;
  memset(&r, 0, sizeof r);
  strcpy(r.ifr_name, "lo");
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int e = ioctl(fd, SIOCGIFFLAGS, &r);
  close(fd);
  return e ? -1 : r.ifr_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
}

static int tcp_to(const char *addr, int p) {
  union sa a;
  socklen_t l = mkaddr(&a, addr, p);
  int fd = socket(a.sa.sa_family, SOCK_STREAM, 0);
  int r = connect(fd, &a.sa, l);
  int e = errno;
  close(fd);
  errno = e;
  return r;
}

static int bind_to(const char *addr) {
  union sa a;
  socklen_t l = mkaddr(&a, addr, 0);
  int fd = socket(a.sa.sa_family, SOCK_STREAM, 0);
  int r = bind(fd, &a.sa, l);
  int e = errno;
  close(fd);
  errno = e;
  return r;
}

static int listener(const char *addr, int p) {
  union sa a;
  socklen_t l = mkaddr(&a, addr, p);
  int fd = socket(a.sa.sa_family, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, &a.sa, l) < 0 || listen(fd, 4) < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

/* the listening TCP sockets /proc/net/tcp shows (state 0A) */
static int proc_listeners(void) {
  FILE *f = fopen("/proc/net/tcp", "r");
  char line[512];
  int n = 0;
  if (!f) return -1;
  while (fgets(line, sizeof line, f))
    if (strstr(line, " 0A ")) n++;
  fclose(f);
  return n;
}

static void inside(void) {
  OK("lo is there", if_nametoindex("lo") == 1);
  OK("and no other interface", if_nametoindex("eth0") == 0);
  OK("lo is down", lo_flags() == IFF_LOOPBACK);
  OK("bind 127.0.0.1 while lo is down is fine", bind_to("127.0.0.1") == 0);
  ERR("bind ::1 while lo is down", bind_to("::1"), EADDRNOTAVAIL);
  ERR("connect 127.0.0.1 while lo is down", tcp_to("127.0.0.1", port), ENETUNREACH);
  OK("RTM_NEWADDR 127.0.0.1/8 on lo: ACK", add_addr("127.0.0.1", 8) == 0);
  OK("again with NLM_F_EXCL: EEXIST", add_addr("127.0.0.1", 8) == EEXIST);
  OK("RTM_NEWLINK lo up: ACK", set_lo(1) == 0);
  OK("lo is up", lo_flags() == (IFF_UP | IFF_LOOPBACK | IFF_RUNNING));
  ERR("bind to an address lo lacks", bind_to("192.0.2.1"), EADDRNOTAVAIL);   /* a bind: nothing is sent */
  ERR("the outer namespace's listener is not here", tcp_to("127.0.0.1", port), ECONNREFUSED);
  ERR("nor anything outside", tcp_to("192.0.2.1", 80), ENETUNREACH);
  ERR("nor the host through 10.0.2.2", tcp_to("10.0.2.2", port), ENETUNREACH);
  int l4 = listener("127.0.0.1", port);
  OK("the same port is free here", l4 >= 0);
  OK("/proc/net/tcp shows our listener only", proc_listeners() == 1);
  OK("our own listener is reached", tcp_to("127.0.0.1", port) == 0);
  int l6 = listener("::1", 0);
  OK("::1 came with lo up", l6 >= 0);
  close(l6);
  struct ifaddrs *ifa, *i;
  int n = 0, lo = 0;
  OK("getifaddrs", getifaddrs(&ifa) == 0);
  for (i = ifa; i; i = i->ifa_next, n++)
    lo += !strcmp(i->ifa_name, "lo");
  OK("getifaddrs: lo's link, 127.0.0.1 and ::1, nothing else", n == 3 && lo == 3);
  freeifaddrs(ifa);
  OK("RTM_NEWLINK lo down: ACK", set_lo(0) == 0);
  OK("lo is down again", lo_flags() == IFF_LOOPBACK);
  close(l4);
  /* abstract AF_UNIX names belong to the socket's namespace */
  ERR("an abstract name bound outside is not here", unix_to(socket(AF_UNIX, SOCK_STREAM, 0)), ECONNREFUSED);
  OK("a socket made before unshare still reaches it", unix_to(early) == 0);
  int u = socket(AF_UNIX, SOCK_STREAM, 0);
  OK("the name is free here", bind(u, (struct sockaddr *)&abs_name, abs_len) == 0);
  close(u);
}

int main(void) {
  int l = listener("127.0.0.1", 0);
  union sa a;
  socklen_t al = sizeof a;
  getsockname(l, &a.sa, &al);
  port = port_of(&a);
  short outer = lo_flags();
  abs_name.sun_family = AF_UNIX;
  abs_len = offsetof(struct sockaddr_un, sun_path) + 1 +
            snprintf(abs_name.sun_path + 1, sizeof abs_name.sun_path - 1, "umk-netns-%d", getpid());
  int ul = socket(AF_UNIX, SOCK_STREAM, 0);
  OK("bind and listen on an abstract name", bind(ul, (struct sockaddr *)&abs_name, abs_len) == 0 &&
     listen(ul, 4) == 0);

  pid_t c = fork();
  if (c == 0) {
    early = socket(AF_UNIX, SOCK_STREAM, 0);
    if (unshare(CLONE_NEWNET)) {
      printf("FAIL unshare(CLONE_NEWNET): %s\n", en(errno));
      _exit(1);
    }
    inside();
    _exit(t_failed ? 1 : 0);
  }
  int st;
  OK("unshare(CLONE_NEWNET) child", waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);

  /* an ordinary user: EPERM in our namespace, root of its own in a new user namespace */
  c = fork();
  if (c == 0) {
    setgid(1000);
    setuid(1000);
    OK("uid 1000: RTM_NEWLINK here is EPERM", set_lo(1) == EPERM);
    OK("unshare(CLONE_NEWUSER|CLONE_NEWNET)", unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0);
    OK("its root brings lo up", add_addr("127.0.0.1", 8) == 0 && set_lo(1) == 0 &&
       lo_flags() == (IFF_UP | IFF_LOOPBACK | IFF_RUNNING));
    int x = listener("127.0.0.1", port);
    OK("and listens on the outer listener's port", x >= 0 && tcp_to("127.0.0.1", port) == 0);
    _exit(t_failed ? 1 : 0);
  }
  OK("the user namespace child", waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);

  /* clone(CLONE_NEWNET) too */
  c = syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0);
  if (c == 0) _exit(lo_flags() == IFF_LOOPBACK ? 0 : 1);
  OK("clone(CLONE_NEWNET): lo down there", waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);

  OK("outside, lo is as it was", lo_flags() == outer);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  OK("and our listener is still reached", tcp_to("127.0.0.1", port) == 0);
  close(fd);
  close(l);
  return t_done();
}
