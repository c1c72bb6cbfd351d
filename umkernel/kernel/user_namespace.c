/*
 * user_namespace.c - user namespaces: uid/gid maps, capabilities within
 * a namespace, and /proc/PID/{uid_map,gid_map,setgroups}.
 *
 * In a nutshell (Linux's kernel/user_namespace.c): credentials hold
 * kernel ids, the ids of the initial user namespace.  A namespace maps
 * ranges of its own ids onto ids of its parent (composed down to kernel
 * ids when the map is written), so make_kuid/from_kuid translate both
 * ways and an id without a mapping reads as the overflow id 65534.  The
 * task that creates a namespace holds every capability in it (and, as
 * its owner, the namespace's descendants grant it nothing more); a map
 * is written once, by a task with CAP_SETUID/CAP_SETGID over the parent
 * namespace, or by the owner mapping only its own euid/egid (gid_map
 * then needs setgroups "deny" first).
 *
 * Lock: klock guards everything here.
 */
#include "../kernel.h"
#include "task.h"
#include "../fs/fs.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* init_user_ns is level 0; a namespace of level 32 may still have a
 * child (Linux's create_user_ns: parent_ns->level > 32 fails) */
#define USERNS_MAX_LEVEL 33

struct user_namespace init_user_ns = {
	.refs = 2,
	.level = 0,
	.inum = NS_INIT_INO_USER,
};

static unsigned int next_inum = 0xF0000002u;

/* ns_alloc_inum - a fresh /proc/PID/ns inode number (Linux's proc_alloc_inum). */
unsigned int ns_alloc_inum(void)
{
	return next_inum++;
}

struct user_namespace *get_user_ns(struct user_namespace *ns)
{
	if (ns)
		ns->refs++;
	return ns;
}

void put_user_ns(struct user_namespace *ns)
{
	while (ns && ns != &init_user_ns && --ns->refs == 0) {
		struct user_namespace *parent = ns->parent;
		free(ns->uid_map);
		free(ns->gid_map);
		free(ns);
		ns = parent;
	}
}

/* Maps id down through map (ns id -> parent-side, already kernel ids). */
static uint32_t map_down(const struct uid_gid_map *map, uint32_t id)
{
	for (unsigned int i = 0; map && i < map->nr_extents; i++) {
		const struct uid_gid_extent *e = &map->extent[i];
		if (id >= e->first && id - e->first < e->count)
			return e->lower_first + (id - e->first);
	}
	return (uint32_t)-1;
}

static uint32_t map_up(const struct uid_gid_map *map, uint32_t kid)
{
	for (unsigned int i = 0; map && i < map->nr_extents; i++) {
		const struct uid_gid_extent *e = &map->extent[i];
		if (kid >= e->lower_first && kid - e->lower_first < e->count)
			return e->first + (kid - e->lower_first);
	}
	return (uint32_t)-1;
}

/* [id, id + count) of ns as kernel ids: the first, or -1 unless the
 * whole range lies in one extent. */
static uint32_t range_down(const struct user_namespace *ns, bool gid, uint32_t id, uint32_t count)
{
	if (!ns || ns == &init_user_ns)
		return id;
	const struct uid_gid_map *map = gid ? ns->gid_map : ns->uid_map;
	for (unsigned int i = 0; map && i < map->nr_extents; i++) {
		const struct uid_gid_extent *e = &map->extent[i];
		if (id >= e->first && id - e->first < e->count && count <= e->count - (id - e->first))
			return e->lower_first + (id - e->first);
	}
	return (uint32_t)-1;
}

uint32_t make_kuid(const struct user_namespace *ns, uint32_t uid)
{
	if (!ns || ns == &init_user_ns)
		return uid;
	return map_down(ns->uid_map, uid);
}

uint32_t make_kgid(const struct user_namespace *ns, uint32_t gid)
{
	if (!ns || ns == &init_user_ns)
		return gid;
	return map_down(ns->gid_map, gid);
}

uint32_t from_kuid(const struct user_namespace *ns, uint32_t kuid)
{
	if (!ns || ns == &init_user_ns)
		return kuid;
	return map_up(ns->uid_map, kuid);
}

uint32_t from_kgid(const struct user_namespace *ns, uint32_t kgid)
{
	if (!ns || ns == &init_user_ns)
		return kgid;
	return map_up(ns->gid_map, kgid);
}

uint32_t from_kuid_munged(const struct user_namespace *ns, uint32_t kuid)
{
	uint32_t id = from_kuid(ns, kuid);
	return id == (uint32_t)-1 ? (uint32_t)sysctl_overflowuid : id;
}

uint32_t from_kgid_munged(const struct user_namespace *ns, uint32_t kgid)
{
	uint32_t id = from_kgid(ns, kgid);
	return id == (uint32_t)-1 ? (uint32_t)sysctl_overflowgid : id;
}

/*
 * ns_capable - whether t holds capability cap over namespace ns: in its
 * own namespace, its effective set; in a descendant, as the owner of the
 * namespace just below its own on the way down (or as anyone holding
 * every capability in an ancestor that created it).  Mirrors
 * kernel/capability.c ns_capable and security/commoncap.c cap_capable.
 */
bool ns_capable(const struct task *t, const struct user_namespace *ns, int cap)
{
	const struct user_namespace *mine = t->user_ns ? t->user_ns : &init_user_ns;
	if (cap < 0 || cap > CAP_LAST_CAP)
		return false;
	for (;;) {
		if (ns == mine)
			return (t->cred.cap_effective >> cap) & 1;
		if (!ns || ns->level <= mine->level)
			return false;
		if (ns->parent == mine && ns->owner == t->cred.euid)
			return true;
		ns = ns->parent;
	}
}

bool capable(const struct task *t, int cap)
{
	return ns_capable(t, &init_user_ns, cap);
}

/* The capability sets a task gets in a namespace it just created. */
static void creds_for_new_ns(struct task *t)
{
	t->cred.cap_permitted = t->cred.cap_effective = t->cred.cap_bset = CAP_FULL_SET;
	t->cred.cap_inheritable = t->cred.cap_ambient = 0;
	t->cred.securebits = 0;
}

/*
 * create_user_ns - t gets a new user namespace, a child of its own,
 * owned by its euid/egid, with a full capability set in it.  -ENOSPC
 * past 33 levels (EUSERS before Linux 4.9), -EPERM from a chroot (Linux refuses a chrooted caller),
 * -ENOMEM.  Mirrors kernel/user_namespace.c create_user_ns.
 */
int create_user_ns(struct task *t)
{
	struct user_namespace *parent = t->user_ns ? t->user_ns : &init_user_ns;
	if (parent->level + 1 > USERNS_MAX_LEVEL)
		return -ENOSPC;
	if (t->fs && t->fs->root && strcmp(t->fs->root, "/"))
		return -EPERM;
	/* the creator's ids must be mapped in the parent */
	if (from_kuid(parent, t->cred.euid) == (uint32_t)-1 ||
	    from_kgid(parent, t->cred.egid) == (uint32_t)-1)
		return -EPERM;
	struct user_namespace *ns = calloc(1, sizeof *ns);
	if (!ns)
		return -ENOMEM;
	ns->refs = 1;
	ns->level = parent->level + 1;
	ns->parent = get_user_ns(parent);
	ns->owner = t->cred.euid;
	ns->group = t->cred.egid;
	ns->setgroups_denied = parent->setgroups_denied;
	ns->inum = ns_alloc_inum();
	put_user_ns(t->user_ns);
	t->user_ns = ns;
	creds_for_new_ns(t);
	return 0;
}

/* ---- /proc/PID/uid_map, gid_map, setgroups ---- */

/* Renders a map as Linux prints it: "%10u %10u %10u\n", ids as the
 * reader's namespace sees the lower side. */
int userns_show_map(const struct user_namespace *ns, const struct user_namespace *viewer,
		    bool gid, char *buf, size_t len)
{
	size_t off = 0;
	const struct uid_gid_map *map = gid ? ns->gid_map : ns->uid_map;
	if (ns == &init_user_ns) {
		return snprintf(buf, len, "%10u %10u %10u\n", 0u, 0u, 4294967295u);
	}
	/* the lower side as seen from the reader's namespace (the parent's
	 * ids when the reader is in ns itself) */
	const struct user_namespace *lower = viewer == ns ? ns->parent : viewer;
	for (unsigned int i = 0; map && i < map->nr_extents && off < len; i++) {
		const struct uid_gid_extent *e = &map->extent[i];
		uint32_t l = gid ? from_kgid(lower, e->lower_first) : from_kuid(lower, e->lower_first);
		if (l == (uint32_t)-1)
			continue;
		off += snprintf(buf + off, len - off, "%10u %10u %10u\n", e->first, l, e->count);
	}
	return (int)(off < len ? off : len);
}

/*
 * userns_write_map - a write to /proc/PID/uid_map or gid_map of target's
 * namespace by writer: lines "ID-INSIDE ID-OUTSIDE COUNT" (outside ids in
 * the parent namespace, or in the writer's own when the writer is in the
 * parent of the parent... as Linux: in the opener's namespace), at most
 * 340, no overlaps.  Written once: -EPERM after.  -EPERM without the
 * right (CAP_SETUID/SETGID over the parent namespace, or the namespace's
 * owner mapping only its own id, for gid_map with setgroups denied),
 * -EINVAL for malformed text.  Returns the bytes consumed.
 * Mirrors kernel/user_namespace.c map_write.
 */
long userns_write_map(struct task *writer, struct user_namespace *ns, bool gid, const char *text,
		      size_t n)
{
	struct uid_gid_map **slot = gid ? &ns->gid_map : &ns->uid_map;
	if (ns == &init_user_ns || *slot)
		return -EPERM;
	if (n >= 4096)
		return -EINVAL;
	char *buf = strndup(text, n);
	if (!buf)
		return -ENOMEM;
	struct uid_gid_map *map = calloc(1, sizeof *map);
	if (!map) {
		free(buf);
		return -ENOMEM;
	}
	long err = 0;
	/* outside ids are interpreted in the parent namespace of ns (Linux:
	 * in the namespace of whoever opened the file; for the usual writer,
	 * the creator in ns or its parent, that is ns->parent) */
	const struct user_namespace *outer = ns->parent;
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long first, lower, count;
		char extra;
		if (sscanf(line, " %lu %lu %lu %c", &first, &lower, &count, &extra) != 3 ||
		    count == 0 || first > UINT32_MAX || lower > UINT32_MAX || count > UINT32_MAX ||
		    first + count - 1 > UINT32_MAX - 1 || lower + count - 1 > UINT32_MAX - 1) {
			err = -EINVAL;
			goto out;
		}
		if (map->nr_extents == ARRAY_SIZE(map->extent)) {
			err = -EINVAL;
			goto out;
		}
		for (unsigned int i = 0; i < map->nr_extents; i++) {
			struct uid_gid_extent *e = &map->extent[i];
			if ((first < e->first + e->count && e->first < first + count) ||
			    (lower < e->lower_first + e->count && e->lower_first < lower + count)) {
				err = -EINVAL;
				goto out;
			}
		}
		struct uid_gid_extent *e = &map->extent[map->nr_extents++];
		e->first = (uint32_t)first;
		e->lower_first = (uint32_t)lower;   /* outer ids: made kernel ids below */
		e->count = (uint32_t)count;
	}
	if (!map->nr_extents) {
		err = -EINVAL;
		goto out;
	}
	/* permission (Linux's new_idmap_permitted) */
	int cap = gid ? CAP_SETGID : CAP_SETUID;
	bool ok = false;
	if (map->nr_extents == 1 && map->extent[0].count == 1) {
		uint32_t kid = gid ? make_kgid(outer, map->extent[0].lower_first)
				   : make_kuid(outer, map->extent[0].lower_first);
		if (!gid && kid == ns->owner && writer->cred.euid == ns->owner)
			ok = true;
		if (gid && kid == ns->group && ns->setgroups_denied &&
		    writer->cred.euid == ns->owner)
			ok = true;
	}
	if (!ok && ns_capable(writer, outer, cap) &&
	    (writer->user_ns == outer || writer->user_ns == ns))
		ok = true;
	if (!ok) {
		err = -EPERM;
		goto out;
	}
	/* every outer range must lie within one extent of the parent's map
	 * (Linux's map_id_range_down); store kernel ids */
	for (unsigned int i = 0; i < map->nr_extents; i++) {
		struct uid_gid_extent *e = &map->extent[i];
		uint32_t kid = range_down(outer, gid, e->lower_first, e->count);
		if (kid == (uint32_t)-1) {
			err = -EPERM;
			goto out;
		}
		e->lower_first = kid;
	}
	*slot = map;
	map = NULL;
	err = (long)n;
out:
	free(map);
	free(buf);
	return err;
}

/* /proc/PID/setgroups: "allow" or "deny"; deny only before gid_map is
 * written, allow never after deny.  Mirrors proc_setgroups_write. */
long userns_write_setgroups(struct task *writer, struct user_namespace *ns, const char *text,
			    size_t n)
{
	char buf[16];
	size_t k = n < sizeof buf - 1 ? n : sizeof buf - 1;
	memcpy(buf, text, k);
	buf[k] = 0;
	while (k && (buf[k - 1] == '\n' || buf[k - 1] == ' '))
		buf[--k] = 0;
	bool deny;
	if (!strcmp(buf, "allow"))
		deny = false;
	else if (!strcmp(buf, "deny"))
		deny = true;
	else
		return -EINVAL;
	if (ns == &init_user_ns || !ns_capable(writer, ns, CAP_SYS_ADMIN))
		return -EPERM;
	if (deny) {
		if (ns->gid_map)
			return -EPERM;
		ns->setgroups_denied = true;
	} else if (ns->setgroups_denied) {
		return -EPERM;
	}
	return (long)n;
}

/* setgroups(2) is refused in a namespace whose gid map is not written
 * or that denies it (Linux's userns_may_setgroups). */
bool userns_may_setgroups(const struct user_namespace *ns)
{
	if (!ns || ns == &init_user_ns)
		return true;
	return ns->gid_map && !ns->setgroups_denied;
}
