/* crash.c - dies of SIGSEGV (a NULL store), for the CLI check that umk
 * exits 128+N when the guest's first process is killed by signal N.
 * A fault is used, not raise(): Linux (and so umk) ignores signals that
 * init sends itself, and this program runs as guest pid 1.           */
int main(void) {
  *(volatile int *)0 = 1;
  return 0;
}
