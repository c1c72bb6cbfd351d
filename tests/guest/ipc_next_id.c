/* ipc_next_id.c - /proc/sys/kernel/{shm,msg,sem}_next_id: -1 until set,
 * the next object takes the id written (its sequence number and index),
 * or the next free index when that one is taken, and the file goes back
 * to -1; out-of-range writes are EINVAL.  Runs in an IPC namespace of its
 * own (natively too: the host's ids stay untouched).                     */
#include "t.h"
#include <fcntl.h>
#include <sched.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

static int rd(const char *name) {
  char p[128], b[32] = "";
  snprintf(p, sizeof p, "/proc/sys/kernel/%s", name);
  int fd = open(p, O_RDONLY);
  if (fd < 0) return -1000;
  int n = read(fd, b, sizeof b - 1);
  close(fd);
  return n > 0 ? atoi(b) : -1000;
}

static int wr(const char *name, const char *v) {
  char p[128];
  snprintf(p, sizeof p, "/proc/sys/kernel/%s", name);
  int fd = open(p, O_WRONLY);
  if (fd < 0) return -1;
  int n = write(fd, v, strlen(v));
  close(fd);
  return n < 0 ? -1 : 0;
}

static int make(int kind) {
  switch (kind) {
  case 0: return shmget(IPC_PRIVATE, 4096, 0600);
  case 1: return msgget(IPC_PRIVATE, 0600);
  default: return semget(IPC_PRIVATE, 1, 0600);
  }
}

static void drop(int kind, int id) {
  if (kind == 0) shmctl(id, IPC_RMID, NULL);
  else if (kind == 1) msgctl(id, IPC_RMID, NULL);
  else semctl(id, 0, IPC_RMID);
}

int main(void) {
  if (unshare(CLONE_NEWIPC)) {
    printf("unshare(CLONE_NEWIPC) failed\n");
    return 1;
  }
  const char *names[] = { "shm_next_id", "msg_next_id", "sem_next_id" };
  for (int k = 0; k < 3; k++) {
    char d[80];
    snprintf(d, sizeof d, "%s reads -1", names[k]);
    OK(d, rd(names[k]) == -1);
    OK("set it to 3 * 32768 + 7", wr(names[k], "98311") == 0 && rd(names[k]) == 98311);
    int id = make(k);
    snprintf(d, sizeof d, "%s: the next object's id", names[k]);
    OK(d, id == 98311);
    OK("and it is -1 again", rd(names[k]) == -1);
    OK("ask for the same id again", wr(names[k], "98311") == 0);
    int id2 = make(k);
    OK("taken: the next index, same sequence", id2 == 98312);
    ERR("a negative value", wr(names[k], "-2"), EINVAL);
    drop(k, id);
    drop(k, id2);
  }
  return t_done();
}
