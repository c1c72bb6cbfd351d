/*
 * reboot.c - reboot(2) as a guest sees it (Linux's kernel/reboot.c): the
 * capability and the magic numbers are checked as Linux checks them,
 * Ctrl-Alt-Del's setting (CAD_ON/CAD_OFF) is kept, and the commands that
 * would stop, restart or replace the machine are refused with EPERM:
 * the machine is the host's.
 *
 * Lock: klock, held by the caller.
 */
#include "../kernel.h"

#define LINUX_REBOOT_MAGIC1   0xfee1dead
#define LINUX_REBOOT_MAGIC2   672274793
#define LINUX_REBOOT_MAGIC2A  85072278
#define LINUX_REBOOT_MAGIC2B  369367448
#define LINUX_REBOOT_MAGIC2C  537993216
#define CMD_RESTART     0x01234567
#define CMD_HALT        0xcdef0123
#define CMD_CAD_ON      0x89abcdef
#define CMD_CAD_OFF     0x00000000
#define CMD_POWER_OFF   0x4321fedc
#define CMD_RESTART2    0xa1b2c3d4
#define CMD_SW_SUSPEND  0xd000fce2
#define CMD_KEXEC       0x45584543
#define CAP_SYS_BOOT_   22

/* Linux's C_A_D, also kernel.ctrl-alt-del (any int; nonzero: on) */
long sysctl_ctrl_alt_del = 1;

/*
 * sys_reboot(magic1, magic2, cmd, arg) - -EPERM without CAP_SYS_BOOT
 * over the caller's pid namespace, -EINVAL for wrong magic numbers or an
 * unknown command; CAD_ON/CAD_OFF succeed; the others -EPERM (a guest
 * never stops or restarts the host).
 */
long sys_reboot(struct task *t, struct sysargs *a)
{
	uint32_t m1 = arg_uint(a, 0), m2 = arg_uint(a, 1), cmd = arg_uint(a, 2);

	if (!ns_capable(t, task_active_pid_ns(t)->user_ns, CAP_SYS_BOOT_))
		return -EPERM;
	if (m1 != LINUX_REBOOT_MAGIC1 || (m2 != LINUX_REBOOT_MAGIC2 && m2 != LINUX_REBOOT_MAGIC2A &&
					  m2 != LINUX_REBOOT_MAGIC2B && m2 != LINUX_REBOOT_MAGIC2C))
		return -EINVAL;
	switch (cmd) {
	case CMD_CAD_ON:
		sysctl_ctrl_alt_del = 1;
		return 0;
	case CMD_CAD_OFF:
		sysctl_ctrl_alt_del = 0;
		return 0;
	case CMD_RESTART: case CMD_HALT: case CMD_POWER_OFF: case CMD_RESTART2:
	case CMD_SW_SUSPEND: case CMD_KEXEC:
		return -EPERM;
	}
	return -EINVAL;
}
