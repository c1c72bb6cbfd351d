/* rtnotify.c - rtnetlink notifications in a network namespace of the
 * test's own: a socket in RTNLGRP_LINK and the IPv4/IPv6 address groups
 * sees lo come up (its link and addresses), a TAP device made and
 * removed (RTM_NEWLINK, RTM_DELLINK) and lo's address taken away.  The
 * kinds of message seen, each once, are printed sorted (Linux may send
 * one kind more than once). */
#include "t.h"
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static char seen[64][40];
static int nseen;

static void note(const char *kind, const char *name)
{
  char k[40];
  snprintf(k, sizeof k, "%s %s", kind, name);
  for (int i = 0; i < nseen; i++)
    if (!strcmp(seen[i], k))
      return;
  if (nseen < 64)
    strcpy(seen[nseen++], k);
}

static int cmp(const void *a, const void *b) { return strcmp(a, b); }

static void drain(int fd)
{
  char buf[16384];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n <= 0)
      break;
    for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
      char name[IF_NAMESIZE + 1] = "?";
      if (h->nlmsg_type == RTM_NEWLINK || h->nlmsg_type == RTM_DELLINK) {
        struct ifinfomsg *ifi = NLMSG_DATA(h);
        int len = IFLA_PAYLOAD(h);
        for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len))
          if (a->rta_type == IFLA_IFNAME)
            snprintf(name, sizeof name, "%s", (char *)RTA_DATA(a));
        note(h->nlmsg_type == RTM_NEWLINK ? "NEWLINK" : "DELLINK", name);
      } else if (h->nlmsg_type == RTM_NEWADDR || h->nlmsg_type == RTM_DELADDR) {
        struct ifaddrmsg *ifa = NLMSG_DATA(h);
        snprintf(name, sizeof name, "%s", ifa->ifa_family == AF_INET ? "inet" : "inet6");
        note(h->nlmsg_type == RTM_NEWADDR ? "NEWADDR" : "DELADDR", name);
      }
    }
  }
}

int main(void)
{
  if (unshare(CLONE_NEWNET)) {
    printf("unshare: %s\n", en(errno));
    return 1;
  }
  int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
                            .nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR };
  OK("bind to the link and address groups", bind(nl, (void *)&sa, sizeof sa) == 0);
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr = { 0 };
  strcpy(ifr.ifr_name, "lo");
  ifr.ifr_flags = IFF_UP;
  OK("lo up", ioctl(s, SIOCSIFFLAGS, &ifr) == 0);
  usleep(100000);
  drain(nl);
  int tun = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  struct ifreq t = { 0 };
  strcpy(t.ifr_name, "umktap0");
  t.ifr_flags = IFF_TAP | IFF_NO_PI;
  OK("a tap device", tun >= 0 && ioctl(tun, TUNSETIFF, &t) == 0);
  close(tun);   /* not persistent: it goes */
  usleep(100000);
  drain(nl);
  ifr.ifr_flags = 0;
  OK("lo down", ioctl(s, SIOCSIFFLAGS, &ifr) == 0);
  usleep(100000);
  drain(nl);
  qsort(seen, nseen, sizeof seen[0], cmp);
  for (int i = 0; i < nseen; i++)
    printf("%s\n", seen[i]);
  /* nobody outside the groups hears anything */
  int quiet = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  struct sockaddr_nl qa = { .nl_family = AF_NETLINK };
  bind(quiet, (void *)&qa, sizeof qa);
  ifr.ifr_flags = IFF_UP;
  ioctl(s, SIOCSIFFLAGS, &ifr);
  char b[256];
  ERR("a socket in no group gets nothing", recv(quiet, b, sizeof b, MSG_DONTWAIT), EAGAIN);
  return t_done();
}
