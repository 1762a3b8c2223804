// SPDX-License-Identifier: MIT
/* PCR extend and read through tpm2-tss (ESAPI + TCTI loader). */
#include "tpm.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef DG_HAVE_TSS2
#include <dlfcn.h>
#include <link.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

/*
 * tpm2-tss is loaded with dlopen() only when --tpm is used: linking it
 * would make every digestguard process (sopv, rpm verify, ...) load and
 * relocate five TPM libraries at start-up for nothing.
 */
static struct {
	__typeof__(&Esys_Initialize) Esys_Initialize;
	__typeof__(&Esys_Finalize) Esys_Finalize;
	__typeof__(&Esys_Free) Esys_Free;
	__typeof__(&Esys_PCR_Extend) Esys_PCR_Extend;
	__typeof__(&Esys_PCR_Read) Esys_PCR_Read;
	__typeof__(&Tss2_RC_Decode) Tss2_RC_Decode;
	__typeof__(&Tss2_TctiLdr_Initialize) Tss2_TctiLdr_Initialize;
	__typeof__(&Tss2_TctiLdr_Finalize) Tss2_TctiLdr_Finalize;
} tss;

static int tss_load(char *msg, size_t msglen)
{
	static const struct { const char *lib, *sym; size_t off; } syms[] = {
#define SYM(lib, name) { lib, #name, offsetof(__typeof__(tss), name) }
		SYM("libtss2-esys.so.0", Esys_Initialize),
		SYM("libtss2-esys.so.0", Esys_Finalize),
		SYM("libtss2-esys.so.0", Esys_Free),
		SYM("libtss2-esys.so.0", Esys_PCR_Extend),
		SYM("libtss2-esys.so.0", Esys_PCR_Read),
		SYM("libtss2-rc.so.0", Tss2_RC_Decode),
		SYM("libtss2-tctildr.so.0", Tss2_TctiLdr_Initialize),
		SYM("libtss2-tctildr.so.0", Tss2_TctiLdr_Finalize),
#undef SYM
	};
	size_t i;

	if (tss.Esys_Initialize)
		return 0;
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *h = dlopen(syms[i].lib, RTLD_NOW | RTLD_LOCAL), *f;

		f = h ? dlsym(h, syms[i].sym) : NULL;
		if (!f) {
			snprintf(msg, msglen, "--tpm needs tpm2-tss (%s: %s)", syms[i].lib,
				 dlerror());
			memset(&tss, 0, sizeof(tss));
			return -ENOSYS;
		}
		memcpy((char *)&tss + syms[i].off, &f, sizeof(f));
	}
	return 0;
}

#define Esys_Initialize tss.Esys_Initialize
#define Esys_Finalize tss.Esys_Finalize
#define Esys_Free tss.Esys_Free
#define Esys_PCR_Extend tss.Esys_PCR_Extend
#define Esys_PCR_Read tss.Esys_PCR_Read
#define Tss2_RC_Decode tss.Tss2_RC_Decode
#define Tss2_TctiLdr_Initialize tss.Tss2_TctiLdr_Initialize
#define Tss2_TctiLdr_Finalize tss.Tss2_TctiLdr_Finalize

struct dg_tpm {
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
};

static int pin_one(struct dl_phdr_info *info, size_t size, void *arg)
{
	void *h;

	(void)size;
	(void)arg;
	if (!info->dlpi_name || !info->dlpi_name[0])
		return 0;
	/* Already loaded: RTLD_NOLOAD opens no file, RTLD_NODELETE makes it
	 * stay when its last user dlclose()s it. */
	h = dlopen(info->dlpi_name, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE);
	if (h)
		dlclose(h);
	return 0;
}

/*
 * Keep every shared object loaded so far (the TCTI module the loader
 * picked, its dependencies) for the life of the process.
 * Tss2_TctiLdr_Finalize() dlclose()s the TCTI module; opening the TPM
 * again would then dlopen() it from disk, and the worker must not open
 * files on a marked mount from its event loop thread (it would wait for
 * its own answer): the supervisor opens the TPM once before any mark
 * exists, so every worker it forks finds the module in memory.
 */
static void pin_loaded_objects(void)
{
	dl_iterate_phdr(pin_one, NULL);
}

int dg_tpm_open(const char *tcti, struct dg_tpm **out, char *msg, size_t msglen)
{
	struct dg_tpm *t;
	TSS2_RC rc;
	int r = tss_load(msg, msglen);

	if (r < 0)
		return r;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	rc = Tss2_TctiLdr_Initialize(tcti, &t->tcti);
	if (rc != TSS2_RC_SUCCESS) {
		snprintf(msg, msglen, "TPM %s: %s", tcti, Tss2_RC_Decode(rc));
		free(t);
		return -ENODEV;
	}
	rc = Esys_Initialize(&t->esys, t->tcti, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		snprintf(msg, msglen, "TPM %s: %s", tcti, Tss2_RC_Decode(rc));
		Tss2_TctiLdr_Finalize(&t->tcti);
		free(t);
		return -ENODEV;
	}
	pin_loaded_objects();
	*out = t;
	return 0;
}

int dg_tpm_extend(struct dg_tpm *t, uint32_t pcr, const uint8_t sha1[20],
		  const uint8_t sha256[32], char *msg, size_t msglen)
{
	TPML_DIGEST_VALUES v;
	TSS2_RC rc;

	memset(&v, 0, sizeof(v));
	v.count = 2;
	v.digests[0].hashAlg = TPM2_ALG_SHA256;
	memcpy(v.digests[0].digest.sha256, sha256, 32);
	/* The SHA-1 bank gets the SHA-1 template digest, as the kernel does;
	 * digests for banks the TPM has not allocated are ignored by it. */
	v.digests[1].hashAlg = TPM2_ALG_SHA1;
	memcpy(v.digests[1].digest.sha1, sha1, 20);
	rc = Esys_PCR_Extend(t->esys, ESYS_TR_PCR0 + pcr, ESYS_TR_PASSWORD, ESYS_TR_NONE,
			     ESYS_TR_NONE, &v);
	if (rc != TSS2_RC_SUCCESS) {
		snprintf(msg, msglen, "TPM PCR %u extend: %s", pcr, Tss2_RC_Decode(rc));
		return -EIO;
	}
	return 0;
}

int dg_tpm_read(struct dg_tpm *t, uint32_t pcr, uint8_t sha256[32], char *msg, size_t msglen)
{
	TPML_PCR_SELECTION sel;
	TPML_PCR_SELECTION *sel_out = NULL;
	TPML_DIGEST *vals = NULL;
	UINT32 counter;
	TSS2_RC rc;
	int r = 0;

	memset(&sel, 0, sizeof(sel));
	sel.count = 1;
	sel.pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel.pcrSelections[0].sizeofSelect = 3;
	sel.pcrSelections[0].pcrSelect[pcr / 8] = (uint8_t)(1u << (pcr % 8));
	rc = Esys_PCR_Read(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &sel, &counter,
			   &sel_out, &vals);
	if (rc != TSS2_RC_SUCCESS) {
		snprintf(msg, msglen, "TPM PCR %u read: %s", pcr, Tss2_RC_Decode(rc));
		r = -EIO;
	} else if (!vals || vals->count != 1 || vals->digests[0].size != 32) {
		snprintf(msg, msglen, "TPM has no SHA-256 bank for PCR %u", pcr);
		r = -EOPNOTSUPP;
	} else {
		memcpy(sha256, vals->digests[0].buffer, 32);
	}
	Esys_Free(sel_out);
	Esys_Free(vals);
	return r;
}

void dg_tpm_close(struct dg_tpm *t)
{
	if (!t)
		return;
	Esys_Finalize(&t->esys);
	Tss2_TctiLdr_Finalize(&t->tcti);
	free(t);
}

#else /* !DG_HAVE_TSS2 */

int dg_tpm_open(const char *tcti, struct dg_tpm **out, char *msg, size_t msglen)
{
	(void)out;
	snprintf(msg, msglen, "TPM %s: built without tpm2-tss (libtss2-dev)", tcti);
	return -ENOSYS;
}

int dg_tpm_extend(struct dg_tpm *t, uint32_t pcr, const uint8_t sha1[20],
		  const uint8_t sha256[32], char *msg, size_t msglen)
{
	(void)t; (void)pcr; (void)sha1; (void)sha256;
	snprintf(msg, msglen, "no TPM support");
	return -ENOSYS;
}

int dg_tpm_read(struct dg_tpm *t, uint32_t pcr, uint8_t sha256[32], char *msg, size_t msglen)
{
	(void)t; (void)pcr; (void)sha256;
	snprintf(msg, msglen, "no TPM support");
	return -ENOSYS;
}

void dg_tpm_close(struct dg_tpm *t)
{
	(void)t;
}

#endif
