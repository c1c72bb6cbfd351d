/* keys.c - the key retention service: add_key, request_key and keyctl
 * (keyrings(7)): user, logon and keyring keys; the thread, process and
 * session keyrings (fork and execve rules); links, cycles, search,
 * read, describe, update, revoke, invalidate, timeouts, permissions and
 * possession; negative keys from request_key; the per-user quota with
 * its /proc/key-users line; and the errno of hostile arguments.  Starts
 * in a fresh anonymous session keyring so a native run does not see the
 * host login's keys; prints no serial numbers (they are random).       */
#include "t.h"
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>

typedef int32_t key_serial_t;
#define KEY_SPEC_THREAD_KEYRING -1
#define KEY_SPEC_PROCESS_KEYRING -2
#define KEY_SPEC_SESSION_KEYRING -3
#define KEY_SPEC_USER_KEYRING -4
#define KEY_SPEC_USER_SESSION_KEYRING -5
#define KEY_SPEC_GROUP_KEYRING -6
#define KEYCTL_GET_KEYRING_ID 0
#define KEYCTL_JOIN_SESSION_KEYRING 1
#define KEYCTL_UPDATE 2
#define KEYCTL_REVOKE 3
#define KEYCTL_SETPERM 5
#define KEYCTL_DESCRIBE 6
#define KEYCTL_CLEAR 7
#define KEYCTL_LINK 8
#define KEYCTL_UNLINK 9
#define KEYCTL_SEARCH 10
#define KEYCTL_READ 11
#define KEYCTL_NEGATE 13
#define KEYCTL_SET_REQKEY_KEYRING 14
#define KEYCTL_SET_TIMEOUT 15
#define KEYCTL_INVALIDATE 21
#define KEYCTL_MOVE 30
#define KEY_POS_ALL 0x3f000000
#define KEY_POS_VIEW 0x01000000
#define KEY_POS_READ 0x02000000
#define KEY_POS_SEARCH 0x08000000

static long add_key(const char *type, const char *desc, const void *p, size_t n, key_serial_t ring) {
  return syscall(SYS_add_key, type, desc, p, n, ring);
}
static long request_key(const char *type, const char *desc, const char *info, key_serial_t ring) {
  return syscall(SYS_request_key, type, desc, info, ring);
}
static long keyctl(int cmd, unsigned long a, unsigned long b, unsigned long c, unsigned long d) {
  return syscall(SYS_keyctl, cmd, a, b, c, d);
}

/* the ids a keyring holds */
static int ring_ids(key_serial_t ring, key_serial_t *ids, int max) {
  long n = keyctl(KEYCTL_READ, ring, (unsigned long)ids, max * sizeof *ids, 0);
  return n < 0 ? -1 : (int)(n / sizeof *ids);
}

static int has(key_serial_t ring, key_serial_t k) {
  key_serial_t ids[64];
  int n = ring_ids(ring, ids, 64);
  for (int i = 0; i < n; i++)
    if (ids[i] == k) return 1;
  return 0;
}

static void basics(void) {
  key_serial_t ses = keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0);
  OK("join anonymous session", ses > 0);
  OK("session id", keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0, 0, 0) == ses);
  char buf[256];
  long n = keyctl(KEYCTL_DESCRIBE, ses, (unsigned long)buf, sizeof buf, 0);
  char want[128];
  snprintf(want, sizeof want, "keyring;%d;%d;3f030000;_ses", getuid(), getgid());
  OK("describe session keyring", n == (long)strlen(want) + 1 && !strcmp(buf, want));

  key_serial_t k = add_key("user", "greeting", "hello", 5, KEY_SPEC_SESSION_KEYRING);
  OK("add user key", k > 0);
  n = keyctl(KEYCTL_READ, k, (unsigned long)buf, sizeof buf, 0);
  OK("read payload", n == 5 && !memcmp(buf, "hello", 5));
  OK("read size only", keyctl(KEYCTL_READ, k, 0, 0, 0) == 5);
  memset(buf, 'x', sizeof buf);
  OK("read short buffer copies nothing", keyctl(KEYCTL_READ, k, (unsigned long)buf, 2, 0) == 5 && buf[0] == 'x');
  n = keyctl(KEYCTL_DESCRIBE, k, (unsigned long)buf, sizeof buf, 0);
  snprintf(want, sizeof want, "user;%d;%d;3f010000;greeting", getuid(), getgid());
  OK("describe user key", n == (long)strlen(want) + 1 && !strcmp(buf, want));
  memset(buf, 0, sizeof buf);
  OK("describe short buffer copies nothing", keyctl(KEYCTL_DESCRIBE, k, (unsigned long)buf, 4, 0) == n && !buf[0]);
  /* same type and description in the same keyring: updated in place */
  OK("add again updates", add_key("user", "greeting", "bonjour", 7, KEY_SPEC_SESSION_KEYRING) == k);
  OK("updated payload", keyctl(KEYCTL_READ, k, (unsigned long)buf, sizeof buf, 0) == 7 && !memcmp(buf, "bonjour", 7));
  OK("keyctl update", keyctl(KEYCTL_UPDATE, k, (unsigned long)"hi", 2, 0) == 0);
  OK("after update", keyctl(KEYCTL_READ, k, (unsigned long)buf, sizeof buf, 0) == 2);
  OK("session holds it", has(ses, k));
  OK("keyring read size", keyctl(KEYCTL_READ, ses, 0, 0, 0) == 4);

  /* request_key and KEYCTL_SEARCH find it */
  OK("request_key finds", request_key("user", "greeting", NULL, 0) == k);
  OK("search finds", keyctl(KEYCTL_SEARCH, ses, (unsigned long)"user", (unsigned long)"greeting", 0) == k);
  ERR("request_key unknown", request_key("user", "nobody-has-this", NULL, 0), ENOKEY);
  ERR("search unknown", keyctl(KEYCTL_SEARCH, ses, (unsigned long)"user", (unsigned long)"none", 0), ENOKEY);
  ERR("request_key unknown type", request_key("no-such-type", "x", NULL, 0), ENOKEY);

  /* logon keys: need a "service:" prefix, cannot be read */
  ERR("logon without prefix", add_key("logon", "plain", "s", 1, KEY_SPEC_SESSION_KEYRING), EINVAL);
  key_serial_t lk = add_key("logon", "svc:secret", "s3", 2, KEY_SPEC_SESSION_KEYRING);
  OK("add logon key", lk > 0);
  ERR("logon read", keyctl(KEYCTL_READ, lk, (unsigned long)buf, sizeof buf, 0), EOPNOTSUPP);

  /* keyrings: nesting, cycles, links */
  key_serial_t r1 = add_key("keyring", "r1", NULL, 0, KEY_SPEC_SESSION_KEYRING);
  key_serial_t r2 = add_key("keyring", "r2", NULL, 0, r1);
  OK("nested keyrings", r1 > 0 && r2 > 0 && has(r1, r2));
  ERR("link cycle", keyctl(KEYCTL_LINK, r1, r2, 0, 0), EDEADLK);
  ERR("link into itself", keyctl(KEYCTL_LINK, r1, r1, 0, 0), EDEADLK);
  ERR("link into a user key", keyctl(KEYCTL_LINK, r1, k, 0, 0), ENOTDIR);
  key_serial_t deep = add_key("user", "deep", "d", 1, r2);
  OK("search nested", request_key("user", "deep", NULL, 0) == deep);
  OK("link", keyctl(KEYCTL_LINK, deep, r1, 0, 0) == 0 && has(r1, deep));
  OK("unlink", keyctl(KEYCTL_UNLINK, deep, r1, 0, 0) == 0 && !has(r1, deep));
  ERR("unlink again", keyctl(KEYCTL_UNLINK, deep, r1, 0, 0), ENOENT);
  OK("move", keyctl(KEYCTL_MOVE, deep, r2, r1, 0) == 0 && has(r1, deep) && !has(r2, deep));
  ERR("move excl onto same name", (add_key("user", "deep", "e", 1, r2), keyctl(KEYCTL_MOVE, deep, r1, r2, 1)), EEXIST);
  ERR("update a keyring", keyctl(KEYCTL_UPDATE, r1, 0, 0, 0), EOPNOTSUPP);
  OK("clear", keyctl(KEYCTL_CLEAR, r2, 0, 0, 0) == 0 && keyctl(KEYCTL_READ, r2, 0, 0, 0) == 0);
  ERR("clear a user key", keyctl(KEYCTL_CLEAR, k, 0, 0, 0), ENOTDIR);

  /* revoke, invalidate, timeouts */
  key_serial_t rv = add_key("user", "revoked", "r", 1, KEY_SPEC_SESSION_KEYRING);
  OK("revoke", keyctl(KEYCTL_REVOKE, rv, 0, 0, 0) == 0);
  ERR("read revoked", keyctl(KEYCTL_READ, rv, (unsigned long)buf, sizeof buf, 0), EKEYREVOKED);
  ERR("describe revoked", keyctl(KEYCTL_DESCRIBE, rv, (unsigned long)buf, sizeof buf, 0), EKEYREVOKED);
  ERR("request revoked", request_key("user", "revoked", NULL, 0), EKEYREVOKED);
  OK("add replaces the revoked key", add_key("user", "revoked", "n", 1, KEY_SPEC_SESSION_KEYRING) != rv);
  /* the revoked key goes now (umk) or when Linux's collector runs */
  errno = 0;
  OK("the revoked key is unusable", keyctl(KEYCTL_REVOKE, rv, 0, 0, 0) == -1 && (errno == ENOKEY || errno == EKEYREVOKED));
  key_serial_t iv = add_key("user", "inval", "i", 1, KEY_SPEC_SESSION_KEYRING);
  OK("invalidate", keyctl(KEYCTL_INVALIDATE, iv, 0, 0, 0) == 0);
  errno = 0;
  OK("invalidated is unreadable", keyctl(KEYCTL_READ, iv, (unsigned long)buf, sizeof buf, 0) == -1 &&
                                      (errno == ENOKEY || errno == EACCES));
  /* Linux unlinks it from its collector's work item, soon but not at
   * once on a busy host: waited for up to 5 s */
  for (int i = 0; i < 500 && has(ses, iv); i++) usleep(10000);
  OK("not linked any more", !has(ses, iv));
  key_serial_t to = add_key("keyring", "timed", NULL, 0, KEY_SPEC_SESSION_KEYRING);
  OK("set timeout", keyctl(KEYCTL_SET_TIMEOUT, to, 1, 0, 0) == 0);
  sleep(2);
  ERR("expired as destination", add_key("user", "x", "x", 1, to), EKEYEXPIRED);
  ERR("request skips expired", request_key("keyring", "timed", NULL, 0), ENOKEY);
  ERR("search finds it expired", keyctl(KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, (unsigned long)"keyring",
                                        (unsigned long)"timed", 0), EKEYEXPIRED);

  /* permissions: possessor bits only */
  key_serial_t pk = add_key("user", "perm", "p", 1, KEY_SPEC_SESSION_KEYRING);
  OK("setperm", keyctl(KEYCTL_SETPERM, pk, KEY_POS_VIEW | KEY_POS_SEARCH, 0, 0) == 0);
  OK("a possessed searchable key reads without READ", keyctl(KEYCTL_READ, pk, (unsigned long)buf, sizeof buf, 0) == 1);
  ERR("update without WRITE", keyctl(KEYCTL_UPDATE, pk, (unsigned long)"q", 1, 0), EACCES);
  ERR("setperm without SETATTR", keyctl(KEYCTL_SETPERM, pk, KEY_POS_ALL, 0, 0), EACCES);
  ERR("setperm bad bits", keyctl(KEYCTL_SETPERM, k, 0xc0000000, 0, 0), EINVAL);
  OK("session keyring read-only", keyctl(KEYCTL_SETPERM, ses, KEY_POS_VIEW | KEY_POS_READ | KEY_POS_SEARCH, 0, 0) == 0);
  ERR("add into read-only keyring", add_key("user", "ro", "r", 1, ses), EACCES);
  OK("set reqkey default to session", keyctl(KEYCTL_SET_REQKEY_KEYRING, 3, 0, 0, 0) == 0);
  ERR("request_key cannot link", request_key("user", "ro", "callout", 0), EACCES);
  OK("reqkey default reads back", keyctl(KEYCTL_SET_REQKEY_KEYRING, -1, 0, 0, 0) == 3);
  ERR("reqkey group", keyctl(KEYCTL_SET_REQKEY_KEYRING, 6, 0, 0, 0), EINVAL);
}

static void negative(void) {
  keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0);
  /* no request-key helper does it: a negative key lands in the
   * destination (natively ENOENT when /sbin/request-key is missing) */
  errno = 0;
  long r = request_key("user", "neg-desc", "callout-info", KEY_SPEC_PROCESS_KEYRING);
  OK("request_key with callout fails", r == -1 && (errno == ENOKEY || errno == ENOENT));
  key_serial_t ids[4];
  OK("the negative key is linked", ring_ids(KEY_SPEC_PROCESS_KEYRING, ids, 4) == 1);
  char buf[16];
  ERR("read negative key", keyctl(KEYCTL_READ, ids[0], (unsigned long)buf, sizeof buf, 0), ENOKEY);
  ERR("request finds the negative key", request_key("user", "neg-desc", "callout-info", 0), ENOKEY);
  ERR("request a keyring with callout", request_key("keyring", "kr", "info", 0), EPERM);
  ERR("negate without authority", keyctl(KEYCTL_NEGATE, ids[0], 10, 0, 0), EPERM);
  OK("add instantiates it", add_key("user", "neg-desc", "v", 1, KEY_SPEC_PROCESS_KEYRING) == ids[0]);
  OK("now readable", keyctl(KEYCTL_READ, ids[0], (unsigned long)buf, sizeof buf, 0) == 1);
}

static void special_keyrings(void) {
  keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0);
  ERR("no thread keyring yet", keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 0, 0, 0), ENOKEY);
  ERR("no process keyring yet", keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, 0, 0, 0), ENOKEY);
  long th = keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 1, 0, 0);
  long pr = keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, 1, 0, 0);
  OK("made on demand", th > 0 && pr > 0 && th != pr);
  OK("thread keyring kept", keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 1, 0, 0) == th);
  OK("reqkey thread keeps it", keyctl(KEYCTL_SET_REQKEY_KEYRING, 1, 0, 0, 0) >= 0 &&
                                   keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 0, 0, 0) == th);
  long ses = keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0, 0, 0);
  OK("user keyrings", keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 0, 0, 0) > 0 &&
                          keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_SESSION_KEYRING, 0, 0, 0) > 0);
  char buf[128], want[64];
  keyctl(KEYCTL_DESCRIBE, keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 0, 0, 0), (unsigned long)buf,
         sizeof buf, 0);
  snprintf(want, sizeof want, "keyring;%d;65534;1f3f0000;_uid.%d", getuid(), getuid());
  OK("user keyring description", !strcmp(buf, want));
  ERR("group keyring", keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_GROUP_KEYRING, 0, 0, 0), EINVAL);
  ERR("id 0", keyctl(KEYCTL_GET_KEYRING_ID, 0, 0, 0, 0), EINVAL);
  ERR("special id -9", keyctl(KEYCTL_GET_KEYRING_ID, -9, 0, 0, 0), EINVAL);
  pid_t pid = fork();
  if (pid == 0) {
    /* a child shares the session keyring, not the others */
    int ok = keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0, 0, 0) == ses &&
             keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 0, 0, 0) == -1 &&
             keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, 0, 0, 0) == -1;
    _exit(ok ? 0 : 1);
  }
  int st;
  OK("fork: session shared, thread and process keyrings not", waitpid(pid, &st, 0) == pid && st == 0);
  /* a named session keyring: joined again by name */
  long named = keyctl(KEYCTL_JOIN_SESSION_KEYRING, (unsigned long)"umk-test-named", 0, 0, 0);
  OK("join named", named > 0);
  /* not searchable by its user: not found by name, so a new one */
  long again = keyctl(KEYCTL_JOIN_SESSION_KEYRING, (unsigned long)"umk-test-named", 0, 0, 0);
  OK("join it again makes another", again > 0 && again != named);
  OK("make it joinable", keyctl(KEYCTL_SETPERM, again, KEY_POS_ALL | 0x3f0000, 0, 0) == 0);
  OK("join the joinable one", keyctl(KEYCTL_JOIN_SESSION_KEYRING, (unsigned long)"umk-test-named", 0, 0, 0) == 0);
  ERR("join a dot name", keyctl(KEYCTL_JOIN_SESSION_KEYRING, (unsigned long)".builtin_trusted_keys", 0, 0, 0),
      EPERM);
}

static void quota(void) {
  /* an unprivileged user: 200 keys (/proc/sys/kernel/keys/maxkeys) */
  pid_t pid = fork();
  if (pid == 0) {
    if (setgid(65534) || setuid(65534)) _exit(2);
    keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0);
    int n = 0;
    char d[16];
    for (;; n++) {
      snprintf(d, sizeof d, "k%d", n);
      if (add_key("user", d, "v", 1, KEY_SPEC_SESSION_KEYRING) < 0) break;
    }
    printf("quota: %s after %s keys\n", en(errno), n > 150 ? "many" : "few");
    FILE *f = fopen("/proc/key-users", "r");
    char line[128];
    int found = 0;
    while (f && fgets(line, sizeof line, f)) {
      unsigned uid, qn, qmax;
      if (sscanf(line, "%u: %*d %*d/%*d %u/%u", &uid, &qn, &qmax) == 3 && uid == 65534) {
        printf("key-users: %u/%u\n", qn, qmax);
        found = 1;
      }
    }
    if (f) fclose(f);
    _exit(found ? 0 : 3);
  }
  int st;
  OK("quota child", waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void hostile(void) {
  keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0);
  ERR("type starting with a dot", add_key(".user", "d", "p", 1, KEY_SPEC_SESSION_KEYRING), EPERM);
  ERR("empty type", add_key("", "d", "p", 1, KEY_SPEC_SESSION_KEYRING), EINVAL);
  ERR("type too long", add_key("abcdefghijabcdefghijabcdefghijab", "d", "p", 1, KEY_SPEC_SESSION_KEYRING), EINVAL);
  ERR("unknown type", add_key("no-such-type", "d", "p", 1, KEY_SPEC_SESSION_KEYRING), ENODEV);
  ERR("bad type pointer", add_key((char *)1, "d", "p", 1, KEY_SPEC_SESSION_KEYRING), EFAULT);
  ERR("bad description pointer", add_key("user", (char *)1, "p", 1, KEY_SPEC_SESSION_KEYRING), EFAULT);
  ERR("NULL payload with a length", add_key("user", "d", NULL, 8, KEY_SPEC_SESSION_KEYRING), EFAULT);
  ERR("bad payload pointer", add_key("user", "d", (void *)8, 8, KEY_SPEC_SESSION_KEYRING), EFAULT);
  ERR("payload too big", add_key("user", "d", "p", 1 << 20, KEY_SPEC_SESSION_KEYRING), EINVAL);
  ERR("user payload 32768", add_key("user", "d", malloc(32768), 32768, KEY_SPEC_SESSION_KEYRING), EINVAL);
  ERR("user empty payload", add_key("user", "d", "", 0, KEY_SPEC_SESSION_KEYRING), EINVAL);
  ERR("keyring with payload", add_key("keyring", "d", "p", 1, KEY_SPEC_SESSION_KEYRING), EINVAL);
  ERR("keyring named with a dot", add_key("keyring", ".d", NULL, 0, KEY_SPEC_SESSION_KEYRING), EPERM);
  ERR("empty description", add_key("user", "", "p", 1, KEY_SPEC_SESSION_KEYRING), EINVAL);
  ERR("into a missing keyring", add_key("user", "d", "p", 1, 0x7ffffff0), ENOKEY);
  ERR("request bad type", request_key((char *)-1, "d", NULL, 0), EFAULT);
  ERR("request bad description", request_key("user", (char *)-1, NULL, 0), EFAULT);
  ERR("request bad callout", request_key("user", "d", (char *)-1, 0), EFAULT);
  ERR("request dot type", request_key(".x", "d", NULL, 0), EPERM);
  ERR("read missing key", keyctl(KEYCTL_READ, 0x7ffffff0, 0, 0, 0), ENOKEY);
  ERR("revoke missing key", keyctl(KEYCTL_REVOKE, 0x7ffffff0, 0, 0, 0), ENOKEY);
  key_serial_t k = add_key("user", "h", "abc", 3, KEY_SPEC_SESSION_KEYRING);
  ERR("read into a bad buffer", keyctl(KEYCTL_READ, k, 8, 3, 0), EFAULT);
  ERR("describe into a bad buffer", keyctl(KEYCTL_DESCRIBE, k, 8, 64, 0), EFAULT);
  ERR("update from a bad buffer", keyctl(KEYCTL_UPDATE, k, 8, 3, 0), EFAULT);
  ERR("unknown command", keyctl(9999, 0, 0, 0, 0), EOPNOTSUPP);
}

int main(void) {
  basics();
  negative();
  pid_t pid = fork();   /* with no process keyring yet */
  if (pid == 0) {
    special_keyrings();
    _exit(t_failed != 0);
  }
  int st;
  OK("special keyrings child", waitpid(pid, &st, 0) == pid && st == 0);
  quota();
  hostile();
  return t_done();
}
