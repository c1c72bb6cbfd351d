/*
 * fscrypt.h - file encryption for the filesystems that carry it (Linux's
 * fs/crypto/ and include/linux/fscrypt.h; Documentation/filesystems/
 * fscrypt.rst): encryption policies and their on-disk contexts, master
 * keys (a filesystem's own for v2 policies and FS_IOC_ADD_ENCRYPTION_KEY,
 * the caller's keyrings' "fscrypt:"/"ext4:" logon keys for v1), per-file
 * keys, contents (AES-256-XTS per data unit) and filenames
 * (AES-256-CTS-CBC) encryption, and the no-key names Linux shows without
 * the key.  The cryptography is OpenSSL's libcrypto.
 *
 * A filesystem keeps one struct fscrypt_keyring per superblock and hands
 * fscrypt_ioctl its context storage as struct fscrypt_operations (Linux's
 * s_cop).  Locking: klock, held by every caller.
 */
#ifndef UMK_FS_FSCRYPT_H
#define UMK_FS_FSCRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct task;
struct file;

#define FSCRYPT_CONTEXT_MAX   40     /* a v2 context; v1's is 28 bytes */
#define FSCRYPT_NONCE_SIZE    16
#define FSCRYPT_NAME_MAX      255
/* the longest no-key name (base64url of 189 bytes), and its NUL */
#define FSCRYPT_NOKEY_NAME_CHARS 253

/* A filesystem's master keys (Linux's sb->s_master_keys). */
struct fscrypt_keyring;

/* A per-file key: derived from a master key and the file's nonce. */
struct fscrypt_fkey {
	uint8_t mode;                 /* FSCRYPT_MODE_*: contents or filenames */
	uint8_t flags;                /* the policy's flags (padding) */
	size_t keysize;
	uint8_t key[64];
	struct fscrypt_mkey *mk;      /* held (fscrypt_fkey_hold) by open files */
};

/* What fscrypt_ioctl needs of the filesystem (Linux's fscrypt_operations). */
struct fscrypt_operations {
	/* the file's context into buf (len bytes at most): its length,
	 * -ENODATA when it has none, or another -errno */
	int (*get_context)(struct file *f, void *buf, size_t len);
	/* stores ctx as the file's context and marks it encrypted: 0 or -errno */
	int (*set_context)(struct file *f, const void *ctx, size_t len);
	/* the file's mode and owner, whether it is a directory with no entry
	 * but . and .. */
	void (*inode_info)(struct file *f, uint32_t *mode, uint32_t *uid, bool *empty);
	/* FS_IOC_GET_ENCRYPTION_PWSALT's salt (made and stored when unset):
	 * 0 or -errno (-EROFS) */
	int (*pw_salt)(struct file *f, uint8_t salt[16]);
};

struct fscrypt_keyring *fscrypt_keyring_new(void);
/* frees the keys (umount: Linux's fscrypt_destroy_keyring) */
void fscrypt_keyring_free(struct fscrypt_keyring *kr);

/* fscrypt_ioctl - the FS_IOC_*ENCRYPTION* ioctls on file f of a
 * filesystem with the encrypt feature (the caller answers EOPNOTSUPP
 * without it).  Returns 0 or a -errno as Linux's fs/crypto/policy.c and
 * keyring.c; -ENOTTY for a command that is not one of them. */
long fscrypt_ioctl(struct task *t, struct file *f, struct fscrypt_keyring *kr,
		   const struct fscrypt_operations *ops, unsigned cmd, uint64_t arg);
bool fscrypt_ioctl_cmd(unsigned cmd);

/* Whether ctx (len bytes) is a context Linux accepts (fscrypt_context_is_valid). */
bool fscrypt_context_valid(const void *ctx, size_t len);
/* Whether two files' contexts give the same policy (fscrypt_has_permitted_context). */
bool fscrypt_same_policy(const void *a, size_t alen, const void *b, size_t blen);
/* A child's context: the parent's policy and a fresh nonce.  Its length. */
size_t fscrypt_inherit_context(const void *parent, size_t len, void *child);

/* fscrypt_get_fkey - the per-file key of a file with context ctx, for
 * its contents (regular) or its names/target (directory, symlink), from
 * kr (v2 and ioctl-added v1 keys) or t's keyrings (v1 logon keys).
 * 0, -ENOKEY (no key), -EINVAL (a bad context), -ENOPKG (a mode umk does
 * not implement: only AES-256-XTS and AES-256-CTS-CBC are). */
int fscrypt_get_fkey(struct task *t, struct fscrypt_keyring *kr, const void *ctx, size_t len,
		     bool regular, struct fscrypt_fkey *out);
/* An open file's hold on the master key its fkey came from (what
 * FS_IOC_REMOVE_ENCRYPTION_KEY reports as files busy). */
void fscrypt_fkey_hold(struct fscrypt_fkey *k);
void fscrypt_fkey_release(struct fscrypt_fkey *k);

/* Contents: data unit lblk (bs bytes) of a file, in place.  0 or -EIO. */
int fscrypt_crypt_block(const struct fscrypt_fkey *k, uint64_t lblk, void *buf, size_t bs, bool encrypt);

/* Filenames and symlink targets: name (len bytes) encrypted into out
 * (max bytes at most: the longest ciphertext the filesystem takes),
 * padded as the policy says: its length, or -ENAMETOOLONG/-EIO. */
int fscrypt_fname_encrypt(const struct fscrypt_fkey *k, const char *name, size_t len, uint8_t *out,
			  size_t max);
/* The plaintext of ciphertext in (len bytes) into out (len + 1 bytes,
 * NUL-terminated): its length, or -EUCLEAN for a ciphertext no name gives. */
int fscrypt_fname_decrypt(const struct fscrypt_fkey *k, const uint8_t *in, size_t len, char *out);
/* The no-key name of ciphertext ct (Linux's fscrypt_fname_disk_to_usr
 * without the key): base64url, NUL-terminated into out
 * (FSCRYPT_NOKEY_NAME_CHARS bytes). */
void fscrypt_nokey_name(const uint8_t *ct, size_t len, uint32_t hash, uint32_t minor, char *out);
/* Whether a no-key name names ciphertext ct (fscrypt_match_name). */
bool fscrypt_nokey_match(const char *name, const uint8_t *ct, size_t len);
/* Whether name can be a no-key name at all (else the lookup is ENOENT). */
bool fscrypt_nokey_valid(const char *name);

#endif
