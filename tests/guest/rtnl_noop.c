/* rtnl_noop.c - RTM_NEWLINK that changes nothing in the initial network
 * namespace (`ip link set lo up` with lo up, as LTP's sendmsg01 runs it):
 * root gets the ACK with error 0; without CAP_NET_ADMIN (euid nobody)
 * EPERM; a real change is not tried (natively it would change the host).
 * Loopback only.  */
#include "t.h"
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

/* one RTM_NEWLINK on lo with ifi_flags/ifi_change; the ACK's error (0 ok), or 1 */
static int newlink(int fd, unsigned flags, unsigned change) {
  struct { struct nlmsghdr h; struct ifinfomsg i; } req;
  char buf[4096];
  struct nlmsghdr *h = (struct nlmsghdr *)buf;
  ssize_t n;
  memset(&req, 0, sizeof req);
  req.h.nlmsg_len = sizeof req;
  req.h.nlmsg_type = RTM_NEWLINK;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  req.h.nlmsg_seq = 1;
  req.i.ifi_family = AF_UNSPEC;
  req.i.ifi_index = if_nametoindex("lo");
  req.i.ifi_flags = flags;
  req.i.ifi_change = change;
  if (send(fd, &req, sizeof req, 0) != sizeof req)
    return 1;
  n = recv(fd, buf, sizeof buf, 0);
  if (n < (ssize_t)sizeof *h || h->nlmsg_type != NLMSG_ERROR)
    return 1;
  return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
}

int main(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
  OK("netlink socket", fd >= 0);
  OK("lo up when up: ACK 0", newlink(fd, IFF_UP, IFF_UP) == 0);
  OK("lo flags as they are (change 0): ACK 0", newlink(fd, IFF_UP | IFF_LOOPBACK | IFF_RUNNING, 0) == 0);
  OK("seteuid(nobody)", seteuid(65534) == 0);
  OK("without CAP_NET_ADMIN: EPERM", newlink(fd, IFF_UP, IFF_UP) == -EPERM);
  OK("seteuid(0)", seteuid(0) == 0);
  close(fd);
  return t_done();
}
