/*
 * fscrypt.c - file encryption (Linux's fs/crypto/: policy.c, keyring.c,
 * keysetup.c, keysetup_v1.c, hkdf.c, fname.c, crypto.c; the formats of
 * Documentation/filesystems/fscrypt.rst).
 *
 * In a nutshell: a directory gets a policy (FS_IOC_SET_ENCRYPTION_POLICY)
 * that the filesystem stores as a context (the policy and a random
 * 16-byte nonce) and that its new entries inherit with nonces of their
 * own.  A file's key comes from a master key and its nonce: v1 policies
 * by AES-128-ECB of the master key under the nonce, v2 by HKDF-SHA512
 * (info "fscrypt\0", context byte 2, nonce).  Master keys of v2 policies
 * (and v1 ones added by ioctl) live in the filesystem's keyring, with the
 * users who added them; v1 keys are otherwise the caller's keyrings'
 * logon keys "fscrypt:<descriptor>" or "ext4:<descriptor>".  Contents are
 * AES-256-XTS per data unit (a filesystem block) with its index as the
 * IV; names are AES-256-CTS-CBC (ciphertext stealing as Linux's cts(),
 * the last two blocks swapped) with a zero IV, padded with NULs.
 *
 * Not done: the policy flags DIRECT_KEY, IV_INO_LBLK_64/32 and a data
 * unit size other than the block (EINVAL at FS_IOC_SET_ENCRYPTION_POLICY),
 * and the modes AES-128-CBC/CTS, Adiantum and HCTR2 (policies are taken as
 * Linux takes them; their files' keys are ENOPKG); keys of type
 * fscrypt-provisioning (no such key type: EKEYREJECTED); ext2.c's
 * encrypted files with inline data (EOPNOTSUPP).
 *
 * Locking: klock, held by every caller.
 */
#include "../kernel.h"
#include "fs.h"
#include "fscrypt.h"
#include "../security/keys.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>

/* ---- the ABI (include/uapi/linux/fscrypt.h) ---- */
#define FS_IOC_SET_ENCRYPTION_POLICY          0x800c6613u
#define FS_IOC_GET_ENCRYPTION_PWSALT          0x40106614u
#define FS_IOC_GET_ENCRYPTION_POLICY          0x400c6615u
#define FS_IOC_GET_ENCRYPTION_POLICY_EX       0xc0096616u
#define FS_IOC_ADD_ENCRYPTION_KEY             0xc0506617u
#define FS_IOC_REMOVE_ENCRYPTION_KEY          0xc0406618u
#define FS_IOC_REMOVE_ENCRYPTION_KEY_ALL_USERS 0xc0406619u
#define FS_IOC_GET_ENCRYPTION_KEY_STATUS      0xc080661au
#define FS_IOC_GET_ENCRYPTION_NONCE           0x8010661bu

#define POLICY_V1 0
#define POLICY_V2 2
#define CONTEXT_V1 1
#define CONTEXT_V2 2
#define FLAGS_PAD_MASK      0x03
#define FLAG_DIRECT_KEY     0x04
#define FLAG_IV_INO_LBLK_64 0x08
#define FLAG_IV_INO_LBLK_32 0x10
#define MODE_AES_256_XTS  1
#define MODE_AES_256_CTS  4
#define MODE_AES_128_CBC  5
#define MODE_AES_128_CTS  6
#define MODE_SM4_XTS      7
#define MODE_SM4_CTS      8
#define MODE_ADIANTUM     9
#define MODE_AES_256_HCTR2 10
#define DESCRIPTOR_SIZE 8
#define IDENTIFIER_SIZE 16
#define SPEC_DESCRIPTOR 1
#define SPEC_IDENTIFIER 2
#define MIN_KEY_SIZE 16
#define MAX_KEY_SIZE 64
#define KEY_STATUS_ABSENT 1
#define KEY_STATUS_PRESENT 2
#define KEY_STATUS_INCOMPLETELY_REMOVED 3
#define KEY_STATUS_FLAG_ADDED_BY_SELF 0x1
#define REMOVAL_FLAG_FILES_BUSY  0x1
#define REMOVAL_FLAG_OTHER_USERS 0x2
#define HKDF_CONTEXT_KEY_IDENTIFIER   1
#define HKDF_CONTEXT_PER_FILE_ENC_KEY 2

struct policy_v1 {
	uint8_t version, contents, filenames, flags;
	uint8_t descriptor[DESCRIPTOR_SIZE];
};
struct policy_v2 {
	uint8_t version, contents, filenames, flags;
	uint8_t log2_data_unit_size, reserved[3];
	uint8_t identifier[IDENTIFIER_SIZE];
};
union policy {
	uint8_t version;
	struct policy_v1 v1;
	struct policy_v2 v2;
};
struct context_v1 {
	uint8_t version, contents, filenames, flags;
	uint8_t descriptor[DESCRIPTOR_SIZE];
	uint8_t nonce[FSCRYPT_NONCE_SIZE];
};
struct context_v2 {
	uint8_t version, contents, filenames, flags;
	uint8_t log2_data_unit_size, reserved[3];
	uint8_t identifier[IDENTIFIER_SIZE];
	uint8_t nonce[FSCRYPT_NONCE_SIZE];
};
struct key_spec {
	uint32_t type, reserved;
	uint8_t u[32];
};
struct add_key_arg {
	struct key_spec spec;
	uint32_t raw_size, key_id;
	uint32_t reserved[8];
};
struct remove_key_arg {
	struct key_spec spec;
	uint32_t removal_status_flags;
	uint32_t reserved[5];
};
struct key_status_arg {
	struct key_spec spec;
	uint32_t reserved[6];
	uint32_t status, status_flags, user_count;
	uint32_t out_reserved[13];
};
/* a v1 logon key's payload (struct fscrypt_key) */
struct v1_payload {
	uint32_t mode;
	uint8_t raw[MAX_KEY_SIZE];
	uint32_t size;
};
/* a no-key name before base64url (struct fscrypt_nokey_name) */
#define NOKEY_BYTES 149
struct nokey_name {
	uint32_t dir_hash, minor_hash;
	uint8_t bytes[NOKEY_BYTES];
	uint8_t sha256[32];
} __attribute__((packed));
#define NOKEY_NAME_MAX ((int)sizeof(struct nokey_name))

_Static_assert(sizeof(struct add_key_arg) == 80, "fscrypt_add_key_arg");
_Static_assert(sizeof(struct remove_key_arg) == 64, "fscrypt_remove_key_arg");
_Static_assert(sizeof(struct key_status_arg) == 128, "fscrypt_get_key_status_arg");
_Static_assert(sizeof(struct context_v1) == 28 && sizeof(struct context_v2) == 40, "contexts");
_Static_assert(NOKEY_NAME_MAX == 189, "fscrypt_nokey_name");

/* ---- master keys ---- */

#define MKEY_USERS_MAX 64

struct fscrypt_mkey {
	struct fscrypt_mkey *next;
	uint32_t type;                        /* SPEC_* */
	uint8_t spec[IDENTIFIER_SIZE];        /* descriptor (8 bytes) or identifier */
	uint8_t secret[MAX_KEY_SIZE];
	size_t size;                          /* 0: wiped (removed, files still open) */
	uint32_t users[MKEY_USERS_MAX];       /* identifier keys: who added it */
	int nusers;
	int active;                           /* open files' holds */
};

struct fscrypt_keyring {
	struct fscrypt_mkey *keys;
};

struct fscrypt_keyring *fscrypt_keyring_new(void)
{
	return calloc(1, sizeof(struct fscrypt_keyring));
}

static void mkey_free(struct fscrypt_mkey *mk)
{
	OPENSSL_cleanse(mk->secret, sizeof mk->secret);
	free(mk);
}

void fscrypt_keyring_free(struct fscrypt_keyring *kr)
{
	if (!kr)
		return;
	while (kr->keys) {
		struct fscrypt_mkey *mk = kr->keys;

		kr->keys = mk->next;
		if (mk->active) {
			/* an open file outlives the umount: it keeps the key
			 * (unlinked) until its release */
			mk->next = NULL;
			mk->size = 0;
			continue;
		}
		mkey_free(mk);
	}
	free(kr);
}

static size_t spec_len(uint32_t type)
{
	return type == SPEC_DESCRIPTOR ? DESCRIPTOR_SIZE : IDENTIFIER_SIZE;
}

static struct fscrypt_mkey *mkey_find(struct fscrypt_keyring *kr, uint32_t type, const uint8_t *spec)
{
	for (struct fscrypt_mkey *mk = kr->keys; mk; mk = mk->next)
		if (mk->type == type && !memcmp(mk->spec, spec, spec_len(type)))
			return mk;
	return NULL;
}

static int mkey_user(const struct fscrypt_mkey *mk, uint32_t uid)
{
	for (int i = 0; i < mk->nusers; i++)
		if (mk->users[i] == uid)
			return i;
	return -1;
}

/* unlinks and frees mk once it has no secret and no file holds it */
static void mkey_maybe_free(struct fscrypt_keyring *kr, struct fscrypt_mkey *mk)
{
	if (mk->size || mk->active)
		return;
	for (struct fscrypt_mkey **p = &kr->keys; *p; p = &(*p)->next)
		if (*p == mk) {
			*p = mk->next;
			break;
		}
	mkey_free(mk);
}

void fscrypt_fkey_hold(struct fscrypt_fkey *k)
{
	if (k->mk)
		k->mk->active++;
}

void fscrypt_fkey_release(struct fscrypt_fkey *k)
{
	struct fscrypt_mkey *mk = k->mk;

	OPENSSL_cleanse(k->key, sizeof k->key);
	k->mk = NULL;
	/* a key removed while files were open stays listed (incompletely
	 * removed) until its last hold goes, then reads as absent */
	if (mk)
		mk->active--;
}

/* ---- primitives (OpenSSL) ---- */

static int aes_ecb(const EVP_CIPHER *c, const uint8_t *key, const uint8_t *in, uint8_t *out, size_t len,
		   bool enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, ok;

	if (!ctx)
		return -ENOMEM;
	ok = EVP_CipherInit_ex(ctx, c, NULL, key, NULL, enc) && EVP_CIPHER_CTX_set_padding(ctx, 0) &&
	     EVP_CipherUpdate(ctx, out, &n, in, (int)len) && (size_t)n == len;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -EIO;
}

/* HKDF-SHA512 (RFC 5869) of ikm with Linux's salt (64 zero bytes, as an
 * absent one) and info "fscrypt\0" || context || info. */
static int hkdf(const uint8_t *ikm, size_t ikmlen, uint8_t context, const uint8_t *info, size_t infolen,
		uint8_t *out, size_t outlen)
{
	static const uint8_t salt[64];
	uint8_t full[8 + 1 + 64];
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
	size_t n = outlen;
	int ok;

	if (!pc)
		return -ENOMEM;
	memcpy(full, "fscrypt", 8);
	full[8] = context;
	if (infolen)
		memcpy(full + 9, info, infolen);
	ok = EVP_PKEY_derive_init(pc) > 0 && EVP_PKEY_CTX_set_hkdf_md(pc, EVP_sha512()) > 0 &&
	     EVP_PKEY_CTX_set1_hkdf_salt(pc, salt, sizeof salt) > 0 &&
	     EVP_PKEY_CTX_set1_hkdf_key(pc, ikm, (int)ikmlen) > 0 &&
	     EVP_PKEY_CTX_add1_hkdf_info(pc, full, (int)(9 + infolen)) > 0 &&
	     EVP_PKEY_derive(pc, out, &n) > 0 && n == outlen;
	EVP_PKEY_CTX_free(pc);
	return ok ? 0 : -EIO;
}

static void sha256(const uint8_t *in, size_t len, uint8_t out[32])
{
	unsigned n = 32;

	EVP_Digest(in, len, out, &n, EVP_sha256(), NULL);
}

/* ---- policies and contexts (policy.c) ---- */

static size_t policy_size(uint8_t version)
{
	return version == POLICY_V1 ? sizeof(struct policy_v1) : version == POLICY_V2 ? sizeof(struct policy_v2) : 0;
}

static bool valid_modes_v1(uint8_t c, uint8_t f)
{
	return (c == MODE_AES_256_XTS && f == MODE_AES_256_CTS) ||
	       (c == MODE_AES_128_CBC && f == MODE_AES_128_CTS) ||
	       (c == MODE_ADIANTUM && f == MODE_ADIANTUM);
}

static bool valid_modes_v2(uint8_t c, uint8_t f)
{
	return valid_modes_v1(c, f) || (c == MODE_AES_256_XTS && f == MODE_AES_256_HCTR2) ||
	       (c == MODE_SM4_XTS && f == MODE_SM4_CTS);
}

/* fscrypt_supported_policy, for what umk implements of the flags */
static bool supported_policy(const union policy *p)
{
	if (p->version == POLICY_V1)
		return valid_modes_v1(p->v1.contents, p->v1.filenames) && !(p->v1.flags & ~FLAGS_PAD_MASK);
	if (p->version == POLICY_V2)
		return valid_modes_v2(p->v2.contents, p->v2.filenames) && !(p->v2.flags & ~FLAGS_PAD_MASK) &&
		       !p->v2.log2_data_unit_size && !p->v2.reserved[0] && !p->v2.reserved[1] && !p->v2.reserved[2];
	return false;
}

bool fscrypt_context_valid(const void *ctx, size_t len)
{
	const uint8_t *c = ctx;

	if (len < 1)
		return false;
	if (c[0] == CONTEXT_V1)
		return len == sizeof(struct context_v1);
	if (c[0] == CONTEXT_V2)
		return len == sizeof(struct context_v2);
	return false;
}

/* fscrypt_policy_from_context: 0 or -EINVAL */
static int policy_from_context(const void *ctx, size_t len, union policy *p)
{
	memset(p, 0, sizeof *p);
	if (!fscrypt_context_valid(ctx, len))
		return -EINVAL;
	if (((const uint8_t *)ctx)[0] == CONTEXT_V1) {
		const struct context_v1 *c = ctx;

		p->v1.version = POLICY_V1;
		p->v1.contents = c->contents;
		p->v1.filenames = c->filenames;
		p->v1.flags = c->flags;
		memcpy(p->v1.descriptor, c->descriptor, DESCRIPTOR_SIZE);
	} else {
		const struct context_v2 *c = ctx;

		p->v2.version = POLICY_V2;
		p->v2.contents = c->contents;
		p->v2.filenames = c->filenames;
		p->v2.flags = c->flags;
		p->v2.log2_data_unit_size = c->log2_data_unit_size;
		memcpy(p->v2.identifier, c->identifier, IDENTIFIER_SIZE);
	}
	return 0;
}

static size_t context_from_policy(const union policy *p, void *ctx)
{
	if (p->version == POLICY_V1) {
		struct context_v1 *c = ctx;

		memset(c, 0, sizeof *c);
		c->version = CONTEXT_V1;
		c->contents = p->v1.contents;
		c->filenames = p->v1.filenames;
		c->flags = p->v1.flags;
		memcpy(c->descriptor, p->v1.descriptor, DESCRIPTOR_SIZE);
		RAND_bytes(c->nonce, FSCRYPT_NONCE_SIZE);
		return sizeof *c;
	} else {
		struct context_v2 *c = ctx;

		memset(c, 0, sizeof *c);
		c->version = CONTEXT_V2;
		c->contents = p->v2.contents;
		c->filenames = p->v2.filenames;
		c->flags = p->v2.flags;
		c->log2_data_unit_size = p->v2.log2_data_unit_size;
		memcpy(c->identifier, p->v2.identifier, IDENTIFIER_SIZE);
		RAND_bytes(c->nonce, FSCRYPT_NONCE_SIZE);
		return sizeof *c;
	}
}

static bool policies_equal(const union policy *a, const union policy *b)
{
	return a->version == b->version && !memcmp(a, b, policy_size(a->version));
}

bool fscrypt_same_policy(const void *a, size_t alen, const void *b, size_t blen)
{
	union policy pa, pb;

	return !policy_from_context(a, alen, &pa) && !policy_from_context(b, blen, &pb) &&
	       policies_equal(&pa, &pb);
}

size_t fscrypt_inherit_context(const void *parent, size_t len, void *child)
{
	union policy p;

	if (policy_from_context(parent, len, &p))
		return 0;
	return context_from_policy(&p, child);
}

/* ---- per-file keys (keysetup.c, keysetup_v1.c) ---- */

static size_t mode_keysize(uint8_t mode)
{
	switch (mode) {
	case MODE_AES_256_XTS: return 64;
	case MODE_AES_128_CBC: case MODE_AES_128_CTS: case MODE_SM4_XTS: case MODE_SM4_CTS: return 16;
	default: return 32;
	}
}

/* v1: a logon key "<prefix><descriptor in hex>" of t's keyrings
 * (find_and_lock_process_key): its raw bytes, or -ENOKEY */
static int v1_process_key(struct task *t, const char *prefix, const uint8_t *desc, size_t need,
			  uint8_t *raw, size_t *size)
{
	const struct key_type *logon = key_type_lookup("logon");
	char d[64];
	int n, err;
	struct key *k;
	const struct v1_payload *pl;

	if (!logon || !t)
		return -ENOKEY;
	n = snprintf(d, sizeof d, "%s", prefix);
	for (int i = 0; i < DESCRIPTOR_SIZE; i++)
		n += snprintf(d + n, sizeof d - n, "%02x", desc[i]);
	k = search_process_keyrings(t, logon, d, NULL, KEYRING_SEARCH_DO_STATE_CHECK, &err);
	if (!k || key_validate(k))
		return -ENOKEY;
	pl = k->payload;
	if (!pl || k->plen != sizeof *pl || pl->size < 1 || pl->size > MAX_KEY_SIZE || pl->size < need)
		return -ENOKEY;
	memcpy(raw, pl->raw, pl->size);
	*size = pl->size;
	return 0;
}

int fscrypt_get_fkey(struct task *t, struct fscrypt_keyring *kr, const void *ctx, size_t len,
		     bool regular, struct fscrypt_fkey *out)
{
	union policy p;
	const uint8_t *nonce;
	struct fscrypt_mkey *mk;
	uint8_t mode, flags;
	int err;

	memset(out, 0, sizeof *out);
	if (policy_from_context(ctx, len, &p) || !supported_policy(&p))
		return -EINVAL;
	if (p.version == POLICY_V1) {
		mode = regular ? p.v1.contents : p.v1.filenames;
		flags = p.v1.flags;
		nonce = ((const struct context_v1 *)ctx)->nonce;
	} else {
		mode = regular ? p.v2.contents : p.v2.filenames;
		flags = p.v2.flags;
		nonce = ((const struct context_v2 *)ctx)->nonce;
	}
	out->mode = mode;
	out->flags = flags;
	out->keysize = mode_keysize(mode);
	if (p.version == POLICY_V1) {
		uint8_t raw[MAX_KEY_SIZE];
		size_t size = 0;

		mk = kr ? mkey_find(kr, SPEC_DESCRIPTOR, p.v1.descriptor) : NULL;
		if (mk) {
			if (!mk->size || mk->size < out->keysize)
				return -ENOKEY;
			memcpy(raw, mk->secret, mk->size);
			size = mk->size;
		} else if ((err = v1_process_key(t, "fscrypt:", p.v1.descriptor, out->keysize, raw, &size)) &&
			   (err = v1_process_key(t, "ext4:", p.v1.descriptor, out->keysize, raw, &size))) {
			return err;
		}
		if (mode != MODE_AES_256_XTS && mode != MODE_AES_256_CTS) {
			OPENSSL_cleanse(raw, sizeof raw);
			return -ENOPKG;
		}
		/* the derived key: AES-128-ECB of the master key under the nonce */
		err = aes_ecb(EVP_aes_128_ecb(), nonce, raw, out->key, out->keysize, true);
		OPENSSL_cleanse(raw, sizeof raw);
		if (err)
			return err;
		out->mk = mk;
		return 0;
	}
	mk = kr ? mkey_find(kr, SPEC_IDENTIFIER, p.v2.identifier) : NULL;
	if (!mk || !mk->size)
		return -ENOKEY;
	if (mode != MODE_AES_256_XTS && mode != MODE_AES_256_CTS)
		return -ENOPKG;
	if ((err = hkdf(mk->secret, mk->size, HKDF_CONTEXT_PER_FILE_ENC_KEY, nonce, FSCRYPT_NONCE_SIZE, out->key,
			out->keysize)))
		return err;
	out->mk = mk;
	return 0;
}

/* ---- contents (crypto.c) ---- */

int fscrypt_crypt_block(const struct fscrypt_fkey *k, uint64_t lblk, void *buf, size_t bs, bool encrypt)
{
	uint8_t iv[16] = { 0 };
	EVP_CIPHER_CTX *ctx;
	int n = 0, ok;

	if (k->mode != MODE_AES_256_XTS)
		return -EIO;
	for (int i = 0; i < 8; i++)
		iv[i] = (uint8_t)(lblk >> (8 * i));      /* __le64 data unit index */
	if (!(ctx = EVP_CIPHER_CTX_new()))
		return -ENOMEM;
	ok = EVP_CipherInit_ex(ctx, EVP_aes_256_xts(), NULL, k->key, iv, encrypt) &&
	     EVP_CipherUpdate(ctx, buf, &n, buf, (int)bs) && (size_t)n == bs;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -EIO;
}

/* ---- names (fname.c) ---- */

/* CBC with ciphertext stealing, the last two blocks swapped (CS3, as
 * Linux's cts(cbc(aes))), zero IV, len >= 16, in place */
static int cts_cbc(const uint8_t *key, uint8_t *buf, size_t len, bool enc)
{
	const EVP_CIPHER *c = EVP_aes_256_ecb();
	uint8_t prev[16] = { 0 }, x[16], y[16];
	size_t n = (len + 15) / 16, r = len - 16 * (n - 1), i;
	int err;

	if (len < 16)
		return -EIO;
	if (enc) {
		for (i = 0; i + 2 < n || (n == 1 && i == 0); i++) {
			for (int j = 0; j < 16; j++)
				x[j] = buf[16 * i + j] ^ prev[j];
			if ((err = aes_ecb(c, key, x, buf + 16 * i, 16, true)))
				return err;
			memcpy(prev, buf + 16 * i, 16);
			if (n == 1)
				return 0;
		}
		/* E(n-1) = AES(P(n-1) ^ prev); D = AES(pad0(Pn) ^ E(n-1)) */
		uint8_t *p1 = buf + 16 * (n - 2), *pn = buf + 16 * (n - 1), e1[16], d[16];

		for (int j = 0; j < 16; j++)
			x[j] = p1[j] ^ prev[j];
		if ((err = aes_ecb(c, key, x, e1, 16, true)))
			return err;
		for (int j = 0; j < 16; j++)
			x[j] = ((size_t)j < r ? pn[j] : 0) ^ e1[j];
		if ((err = aes_ecb(c, key, x, d, 16, true)))
			return err;
		memcpy(p1, d, 16);
		memcpy(pn, e1, r);
		return 0;
	}
	for (i = 0; i + 2 < n || (n == 1 && i == 0); i++) {
		memcpy(y, buf + 16 * i, 16);
		if ((err = aes_ecb(c, key, y, x, 16, false)))
			return err;
		for (int j = 0; j < 16; j++)
			buf[16 * i + j] = x[j] ^ prev[j];
		memcpy(prev, y, 16);
		if (n == 1)
			return 0;
	}
	{
		uint8_t *c1 = buf + 16 * (n - 2), *cn = buf + 16 * (n - 1), e1[16], pn[16];

		/* X = AES^-1(D) = pad0(Pn) ^ E(n-1) */
		if ((err = aes_ecb(c, key, c1, x, 16, false)))
			return err;
		memcpy(e1, cn, r);
		memcpy(e1 + r, x + r, 16 - r);
		for (size_t j = 0; j < r; j++)
			pn[j] = x[j] ^ e1[j];
		if ((err = aes_ecb(c, key, e1, y, 16, false)))
			return err;
		for (int j = 0; j < 16; j++)
			c1[j] = y[j] ^ prev[j];
		memcpy(cn, pn, r);
	}
	return 0;
}

int fscrypt_fname_encrypt(const struct fscrypt_fkey *k, const char *name, size_t len, uint8_t *out,
			  size_t max)
{
	size_t pad = (size_t)4 << (k->flags & FLAGS_PAD_MASK), elen;
	int err;

	if (len > max)
		return -ENAMETOOLONG;
	if (k->mode != MODE_AES_256_CTS)
		return -EIO;
	elen = len < 16 ? 16 : len;
	elen = (elen + pad - 1) / pad * pad;
	if (elen > max)
		elen = max;
	memset(out, 0, elen);
	memcpy(out, name, len);
	if ((err = cts_cbc(k->key, out, elen, true)))
		return err;
	return (int)elen;
}

int fscrypt_fname_decrypt(const struct fscrypt_fkey *k, const uint8_t *in, size_t len, char *out)
{
	int err;

	if (len < 16 || k->mode != MODE_AES_256_CTS)
		return -EUCLEAN;
	memcpy(out, in, len);
	if ((err = cts_cbc(k->key, (uint8_t *)out, len, false)))
		return err;
	out[len] = 0;
	return (int)strnlen(out, len);
}

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static size_t b64_encode(const uint8_t *in, size_t len, char *out)
{
	uint32_t ac = 0;
	int bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		ac = (ac << 8) | in[i];
		bits += 8;
		do {
			bits -= 6;
			out[o++] = b64url[(ac >> bits) & 0x3f];
		} while (bits >= 6);
	}
	if (bits)
		out[o++] = b64url[(ac << (6 - bits)) & 0x3f];
	out[o] = 0;
	return o;
}

/* base64url without padding: the byte count, or -1 (a bad character or
 * leftover bits) */
static int b64_decode(const char *in, size_t len, uint8_t *out)
{
	uint32_t ac = 0;
	int bits = 0, o = 0;

	for (size_t i = 0; i < len; i++) {
		const char *p = memchr(b64url, in[i], 64);

		if (!p || !in[i])
			return -1;
		ac = (ac << 6) | (uint32_t)(p - b64url);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(ac >> bits);
		}
	}
	if (ac & ((1u << bits) - 1))
		return -1;
	return o;
}

void fscrypt_nokey_name(const uint8_t *ct, size_t len, uint32_t hash, uint32_t minor, char *out)
{
	struct nokey_name nk;
	size_t size;

	memset(&nk, 0, sizeof nk);
	nk.dir_hash = hash;
	nk.minor_hash = minor;
	if (len <= NOKEY_BYTES) {
		memcpy(nk.bytes, ct, len);
		size = offsetof(struct nokey_name, bytes) + len;
	} else {
		memcpy(nk.bytes, ct, NOKEY_BYTES);
		sha256(ct + NOKEY_BYTES, len - NOKEY_BYTES, nk.sha256);
		size = NOKEY_NAME_MAX;
	}
	b64_encode((const uint8_t *)&nk, size, out);
}

static int nokey_decode(const char *name, struct nokey_name *nk)
{
	size_t len = strlen(name);
	int n;

	if (len > FSCRYPT_NOKEY_NAME_CHARS - 1)
		return -1;
	n = b64_decode(name, len, (uint8_t *)nk);
	if (n < (int)offsetof(struct nokey_name, bytes) + 1 ||
	    (n > (int)offsetof(struct nokey_name, sha256) && n != NOKEY_NAME_MAX))
		return -1;
	return n;
}

bool fscrypt_nokey_valid(const char *name)
{
	struct nokey_name nk;

	return nokey_decode(name, &nk) >= 0;
}

bool fscrypt_nokey_match(const char *name, const uint8_t *ct, size_t len)
{
	struct nokey_name nk;
	int n = nokey_decode(name, &nk);

	if (n < 0)
		return false;
	if (n == NOKEY_NAME_MAX) {
		uint8_t d[32];

		if (len <= NOKEY_BYTES || memcmp(ct, nk.bytes, NOKEY_BYTES))
			return false;
		sha256(ct + NOKEY_BYTES, len - NOKEY_BYTES, d);
		return !memcmp(d, nk.sha256, 32);
	}
	return len == (size_t)n - offsetof(struct nokey_name, bytes) && !memcmp(ct, nk.bytes, len);
}

/* ---- the ioctls (policy.c, keyring.c) ---- */

bool fscrypt_ioctl_cmd(unsigned cmd)
{
	switch (cmd) {
	case FS_IOC_SET_ENCRYPTION_POLICY: case FS_IOC_GET_ENCRYPTION_PWSALT:
	case FS_IOC_GET_ENCRYPTION_POLICY: case FS_IOC_GET_ENCRYPTION_POLICY_EX:
	case FS_IOC_ADD_ENCRYPTION_KEY: case FS_IOC_REMOVE_ENCRYPTION_KEY:
	case FS_IOC_REMOVE_ENCRYPTION_KEY_ALL_USERS: case FS_IOC_GET_ENCRYPTION_KEY_STATUS:
	case FS_IOC_GET_ENCRYPTION_NONCE:
		return true;
	}
	return false;
}

/* fscrypt_get_policy: the file's policy, -ENODATA, -EINVAL (bad context) */
static int get_policy(struct file *f, const struct fscrypt_operations *ops, union policy *p,
		      uint8_t *ctx, int *ctxlen)
{
	uint8_t buf[FSCRYPT_CONTEXT_MAX];
	int n = ops->get_context(f, ctx ? ctx : buf, FSCRYPT_CONTEXT_MAX);

	if (n == -ERANGE)
		return -EINVAL;
	if (n < 0)
		return n;
	if (ctxlen)
		*ctxlen = n;
	return policy_from_context(ctx ? ctx : buf, (size_t)n, p);
}

static int set_policy(struct task *t, struct file *f, struct fscrypt_keyring *kr,
		      const struct fscrypt_operations *ops, uint64_t arg)
{
	union policy p, old;
	uint8_t ctx[FSCRYPT_CONTEXT_MAX];
	uint32_t mode, uid;
	bool empty;
	size_t size;
	int err;

	memset(&p, 0, sizeof p);
	if (copy_from_user(t, &p.version, arg, 1))
		return -EFAULT;
	if (!(size = policy_size(p.version)))
		return -EINVAL;
	if (copy_from_user(t, &p, arg, size))
		return -EFAULT;
	ops->inode_info(f, &mode, &uid, &empty);
	if (t->cred.fsuid != uid && !capable(t, CAP_FOWNER))
		return -EACCES;
	if (mnt_want_write(f->mnt))
		return -EROFS;
	err = get_policy(f, ops, &old, NULL, NULL);
	if (err == -ENODATA) {
		if ((mode & 0170000) != 0040000)
			return -ENOTDIR;
		if (!empty)
			return -ENOTEMPTY;
		if (!supported_policy(&p))
			return -EINVAL;
		if (p.version == POLICY_V2) {
			/* fscrypt_verify_key_added */
			struct fscrypt_mkey *mk = mkey_find(kr, SPEC_IDENTIFIER, p.v2.identifier);

			if ((!mk || !mk->size || mkey_user(mk, t->cred.fsuid) < 0) && !capable(t, CAP_FOWNER))
				return -ENOKEY;
		}
		size = context_from_policy(&p, ctx);
		return ops->set_context(f, ctx, size);
	}
	if (err == -EINVAL || (err == 0 && !policies_equal(&p, &old)))
		return -EEXIST;
	return err;
}

static int get_policy_ioctl(struct task *t, struct file *f, const struct fscrypt_operations *ops,
			    uint64_t arg, bool ex)
{
	union policy p;
	int err = get_policy(f, ops, &p, NULL, NULL);
	uint64_t size;

	if (!ex) {
		if (err)
			return err;
		if (p.version != POLICY_V1)
			return -EINVAL;
		return copy_to_user(t, arg, &p.v1, sizeof p.v1) ? -EFAULT : 0;
	}
	if (copy_from_user(t, &size, arg, sizeof size))
		return -EFAULT;
	if (err)
		return err;
	if (policy_size(p.version) > size)
		return -EOVERFLOW;
	size = policy_size(p.version);
	if (copy_to_user(t, arg, &size, sizeof size) || copy_to_user(t, arg + 8, &p, size))
		return -EFAULT;
	return 0;
}

static bool valid_spec(const struct key_spec *s)
{
	if (s->reserved)
		return false;
	return s->type == SPEC_DESCRIPTOR || s->type == SPEC_IDENTIFIER;
}

static bool zeroes(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static int add_key(struct task *t, struct fscrypt_keyring *kr, uint64_t arg)
{
	struct add_key_arg a;
	uint8_t secret[MAX_KEY_SIZE];
	struct fscrypt_mkey *mk;
	int err = 0;

	if (copy_from_user(t, &a, arg, sizeof a))
		return -EFAULT;
	if (!valid_spec(&a.spec) || !zeroes(a.reserved, sizeof a.reserved))
		return -EINVAL;
	if (a.spec.type == SPEC_DESCRIPTOR && !capable(t, CAP_SYS_ADMIN))
		return -EACCES;
	if (a.key_id) {
		bool poss;
		struct key *k;

		if (a.raw_size)
			return -EINVAL;
		/* no "fscrypt-provisioning" key type: whatever key it names
		 * is of another type */
		if (!(k = lookup_user_key(t, (int32_t)a.key_id, 0, 0x08 /* KEY_NEED_SEARCH */, &poss, &err)))
			return err;
		key_put(k);
		return -EKEYREJECTED;
	}
	if (a.raw_size < MIN_KEY_SIZE || a.raw_size > MAX_KEY_SIZE)
		return -EINVAL;
	if (copy_from_user(t, secret, arg + sizeof a, a.raw_size))
		return -EFAULT;
	if (a.spec.type == SPEC_IDENTIFIER) {
		memset(a.spec.u, 0, sizeof a.spec.u);
		if ((err = hkdf(secret, a.raw_size, HKDF_CONTEXT_KEY_IDENTIFIER, NULL, 0, a.spec.u, IDENTIFIER_SIZE)))
			goto out;
	}
	mk = mkey_find(kr, a.spec.type, a.spec.u);
	if (!mk) {
		if (!(mk = calloc(1, sizeof *mk))) {
			err = -ENOMEM;
			goto out;
		}
		mk->type = a.spec.type;
		memcpy(mk->spec, a.spec.u, spec_len(a.spec.type));
		mk->next = kr->keys;
		kr->keys = mk;
	}
	if (!mk->size) {
		/* new, or incompletely removed: (re)add the secret */
		memcpy(mk->secret, secret, a.raw_size);
		mk->size = a.raw_size;
	}
	if (mk->type == SPEC_IDENTIFIER && mkey_user(mk, t->cred.fsuid) < 0) {
		if (mk->nusers == MKEY_USERS_MAX) {
			err = -EDQUOT;
			goto out;
		}
		mk->users[mk->nusers++] = t->cred.fsuid;
	}
	if (a.spec.type == SPEC_IDENTIFIER &&
	    copy_to_user(t, arg + offsetof(struct add_key_arg, spec.u), a.spec.u, IDENTIFIER_SIZE))
		err = -EFAULT;
out:
	OPENSSL_cleanse(secret, sizeof secret);
	return err;
}

static int remove_key(struct task *t, struct fscrypt_keyring *kr, uint64_t arg, bool all)
{
	struct remove_key_arg a;
	struct fscrypt_mkey *mk;
	uint32_t status = 0;
	int i;

	if (copy_from_user(t, &a, arg, sizeof a))
		return -EFAULT;
	if (!valid_spec(&a.spec) || !zeroes(a.reserved, sizeof a.reserved))
		return -EINVAL;
	if ((a.spec.type == SPEC_DESCRIPTOR || all) && !capable(t, CAP_SYS_ADMIN))
		return -EACCES;
	if (!(mk = mkey_find(kr, a.spec.type, a.spec.u)))
		return -ENOKEY;
	if (mk->nusers) {
		if (all) {
			mk->nusers = 0;
		} else {
			if ((i = mkey_user(mk, t->cred.fsuid)) < 0)
				return -ENOKEY;
			mk->users[i] = mk->users[--mk->nusers];
		}
		if (mk->nusers)
			status |= REMOVAL_FLAG_OTHER_USERS;
	}
	if (!status) {
		if (!mk->size && !mk->active)
			return -ENOKEY;
		OPENSSL_cleanse(mk->secret, sizeof mk->secret);
		mk->size = 0;
		if (mk->active)
			status |= REMOVAL_FLAG_FILES_BUSY;
		else
			mkey_maybe_free(kr, mk);
	}
	if (copy_to_user(t, arg + offsetof(struct remove_key_arg, removal_status_flags), &status, sizeof status))
		return -EFAULT;
	return 0;
}

static int key_status(struct task *t, struct fscrypt_keyring *kr, uint64_t arg)
{
	struct key_status_arg a;
	struct fscrypt_mkey *mk;

	if (copy_from_user(t, &a, arg, sizeof a))
		return -EFAULT;
	if (!valid_spec(&a.spec) || !zeroes(a.reserved, sizeof a.reserved))
		return -EINVAL;
	a.status_flags = a.user_count = 0;
	memset(a.out_reserved, 0, sizeof a.out_reserved);
	mk = mkey_find(kr, a.spec.type, a.spec.u);
	if (!mk) {
		a.status = KEY_STATUS_ABSENT;
	} else if (!mk->size) {
		a.status = mk->active ? KEY_STATUS_INCOMPLETELY_REMOVED : KEY_STATUS_ABSENT;
	} else {
		a.status = KEY_STATUS_PRESENT;
		if (mk->type == SPEC_IDENTIFIER) {
			a.user_count = (uint32_t)mk->nusers;
			if (mkey_user(mk, t->cred.fsuid) >= 0)
				a.status_flags |= KEY_STATUS_FLAG_ADDED_BY_SELF;
		}
	}
	return copy_to_user(t, arg, &a, sizeof a) ? -EFAULT : 0;
}

long fscrypt_ioctl(struct task *t, struct file *f, struct fscrypt_keyring *kr,
		   const struct fscrypt_operations *ops, unsigned cmd, uint64_t arg)
{
	switch (cmd) {
	case FS_IOC_SET_ENCRYPTION_POLICY:
		return set_policy(t, f, kr, ops, arg);
	case FS_IOC_GET_ENCRYPTION_POLICY:
		return get_policy_ioctl(t, f, ops, arg, false);
	case FS_IOC_GET_ENCRYPTION_POLICY_EX:
		return get_policy_ioctl(t, f, ops, arg, true);
	case FS_IOC_GET_ENCRYPTION_PWSALT: {
		uint8_t salt[16];
		int err = ops->pw_salt(f, salt);

		if (err)
			return err;
		return copy_to_user(t, arg, salt, sizeof salt) ? -EFAULT : 0;
	}
	case FS_IOC_GET_ENCRYPTION_NONCE: {
		uint8_t ctx[FSCRYPT_CONTEXT_MAX];
		int n = ops->get_context(f, ctx, sizeof ctx);

		if (n < 0)
			return n == -ERANGE ? -EINVAL : n;
		if (!fscrypt_context_valid(ctx, (size_t)n))
			return -EINVAL;
		return copy_to_user(t, arg, ctx + n - FSCRYPT_NONCE_SIZE, FSCRYPT_NONCE_SIZE) ? -EFAULT : 0;
	}
	case FS_IOC_ADD_ENCRYPTION_KEY:
		return add_key(t, kr, arg);
	case FS_IOC_REMOVE_ENCRYPTION_KEY:
		return remove_key(t, kr, arg, false);
	case FS_IOC_REMOVE_ENCRYPTION_KEY_ALL_USERS:
		return remove_key(t, kr, arg, true);
	case FS_IOC_GET_ENCRYPTION_KEY_STATUS:
		return key_status(t, kr, arg);
	}
	return -ENOTTY;
}
