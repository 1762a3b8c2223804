/* SPDX-License-Identifier: MIT */
/*
 * Every libcrypto function the digestguard executable calls, for the
 * deferred loading in crypto_defer.c: F(return type, name, parameters,
 * arguments) for functions with a value, V(name, parameters, arguments)
 * for void ones.  The definitions made from this list are compiled against
 * OpenSSL's own headers, so a parameter list that does not match OpenSSL's
 * is a build error; a function missing from the list is a link error (the
 * executable does not link libcrypto in that build).
 */
F(BIGNUM *, BN_bin2bn, (const unsigned char *s, int len, BIGNUM *ret), (s, len, ret))
V(BN_free, (BIGNUM *a), (a))
F(int, BN_num_bits, (const BIGNUM *a), (a))
V(CRYPTO_free, (void *ptr, const char *file, int line), (ptr, file, line))
V(ECDSA_SIG_free, (ECDSA_SIG *sig), (sig))
F(ECDSA_SIG *, ECDSA_SIG_new, (void), ())
F(int, ECDSA_SIG_set0, (ECDSA_SIG *sig, BIGNUM *r, BIGNUM *s), (sig, r, s))
F(int, i2d_ECDSA_SIG, (const ECDSA_SIG *sig, unsigned char **pp), (sig, pp))
F(int, EVP_Digest, (const void *data, size_t count, unsigned char *md, unsigned int *size,
		    const EVP_MD *type, ENGINE *impl), (data, count, md, size, type, impl))
F(int, EVP_DigestFinal_ex, (EVP_MD_CTX *ctx, unsigned char *md, unsigned int *s), (ctx, md, s))
F(int, EVP_DigestInit_ex, (EVP_MD_CTX *ctx, const EVP_MD *type, ENGINE *impl), (ctx, type, impl))
F(int, EVP_DigestUpdate, (EVP_MD_CTX *ctx, const void *d, size_t cnt), (ctx, d, cnt))
F(int, EVP_DigestVerify, (EVP_MD_CTX *ctx, const unsigned char *sigret, size_t siglen,
			  const unsigned char *tbs, size_t tbslen), (ctx, sigret, siglen, tbs, tbslen))
F(int, EVP_DigestVerifyInit, (EVP_MD_CTX *ctx, EVP_PKEY_CTX **pctx, const EVP_MD *type,
			      ENGINE *e, EVP_PKEY *pkey), (ctx, pctx, type, e, pkey))
F(EVP_KEYMGMT *, EVP_KEYMGMT_fetch, (OSSL_LIB_CTX *ctx, const char *algorithm,
				     const char *properties), (ctx, algorithm, properties))
V(EVP_KEYMGMT_free, (EVP_KEYMGMT *keymgmt), (keymgmt))
F(int, EVP_MD_CTX_copy_ex, (EVP_MD_CTX *out, const EVP_MD_CTX *in), (out, in))
V(EVP_MD_CTX_free, (EVP_MD_CTX *ctx), (ctx))
F(const EVP_MD *, EVP_MD_CTX_get0_md, (const EVP_MD_CTX *ctx), (ctx))
F(EVP_MD_CTX *, EVP_MD_CTX_new, (void), ())
F(EVP_MD *, EVP_MD_fetch, (OSSL_LIB_CTX *ctx, const char *algorithm, const char *properties),
  (ctx, algorithm, properties))
V(EVP_MD_free, (EVP_MD *md), (md))
F(int, EVP_MD_is_a, (const EVP_MD *md, const char *name), (md, name))
V(EVP_PKEY_CTX_free, (EVP_PKEY_CTX *ctx), (ctx))
F(EVP_PKEY_CTX *, EVP_PKEY_CTX_new, (EVP_PKEY *pkey, ENGINE *e), (pkey, e))
F(EVP_PKEY_CTX *, EVP_PKEY_CTX_new_from_name, (OSSL_LIB_CTX *libctx, const char *name,
					       const char *propquery), (libctx, name, propquery))
F(int, EVP_PKEY_CTX_set_rsa_padding, (EVP_PKEY_CTX *ctx, int pad_mode), (ctx, pad_mode))
F(int, EVP_PKEY_CTX_set_signature_md, (EVP_PKEY_CTX *ctx, const EVP_MD *md), (ctx, md))
V(EVP_PKEY_free, (EVP_PKEY *pkey), (pkey))
F(int, EVP_PKEY_fromdata, (EVP_PKEY_CTX *ctx, EVP_PKEY **ppkey, int selection,
			   OSSL_PARAM param[]), (ctx, ppkey, selection, param))
F(int, EVP_PKEY_fromdata_init, (EVP_PKEY_CTX *ctx), (ctx))
F(int, EVP_PKEY_get_bits, (const EVP_PKEY *pkey), (pkey))
F(int, EVP_PKEY_get_group_name, (const EVP_PKEY *pkey, char *name, size_t name_sz,
				   size_t *gname_len), (pkey, name, name_sz, gname_len))
F(int, EVP_PKEY_get_size, (const EVP_PKEY *pkey), (pkey))
F(EVP_PKEY *, EVP_PKEY_new_raw_public_key, (int type, ENGINE *e, const unsigned char *pub,
					    size_t len), (type, e, pub, len))
F(int, EVP_PKEY_verify, (EVP_PKEY_CTX *ctx, const unsigned char *sig, size_t siglen,
			 const unsigned char *tbs, size_t tbslen), (ctx, sig, siglen, tbs, tbslen))
F(int, EVP_PKEY_verify_init, (EVP_PKEY_CTX *ctx), (ctx))
F(EVP_SIGNATURE *, EVP_SIGNATURE_fetch, (OSSL_LIB_CTX *ctx, const char *algorithm,
					 const char *properties), (ctx, algorithm, properties))
V(EVP_SIGNATURE_free, (EVP_SIGNATURE *signature), (signature))
F(const EVP_MD *, EVP_md5, (void), ())
F(const EVP_MD *, EVP_sha1, (void), ())
F(const EVP_MD *, EVP_sha224, (void), ())
F(const EVP_MD *, EVP_sha256, (void), ())
F(const EVP_MD *, EVP_sha384, (void), ())
F(const EVP_MD *, EVP_sha512, (void), ())
F(const EVP_MD *, EVP_sha3_256, (void), ())
F(const EVP_MD *, EVP_sha3_512, (void), ())
F(int, OPENSSL_init_crypto, (uint64_t opts, const OPENSSL_INIT_SETTINGS *settings),
  (opts, settings))
V(OSSL_PARAM_BLD_free, (OSSL_PARAM_BLD *bld), (bld))
F(OSSL_PARAM_BLD *, OSSL_PARAM_BLD_new, (void), ())
F(int, OSSL_PARAM_BLD_push_BN, (OSSL_PARAM_BLD *bld, const char *key, const BIGNUM *bn),
  (bld, key, bn))
F(int, OSSL_PARAM_BLD_push_octet_string, (OSSL_PARAM_BLD *bld, const char *key,
					  const void *buf, size_t bsize), (bld, key, buf, bsize))
F(int, OSSL_PARAM_BLD_push_utf8_string, (OSSL_PARAM_BLD *bld, const char *key,
					 const char *buf, size_t bsize), (bld, key, buf, bsize))
F(OSSL_PARAM *, OSSL_PARAM_BLD_to_param, (OSSL_PARAM_BLD *bld), (bld))
V(OSSL_PARAM_free, (OSSL_PARAM *p), (p))
F(const char *, OpenSSL_version, (int type), (type))
F(int, ASN1_STRING_length, (const ASN1_STRING *x), (x))
F(const unsigned char *, ASN1_STRING_get0_data, (const ASN1_STRING *x), (x))
F(int, BIO_free, (BIO *a), (a))
F(BIO *, BIO_new_mem_buf, (const void *buf, int len), (buf, len))
F(int, CMS_final, (CMS_ContentInfo *cms, BIO *data, BIO *dcont, unsigned int flags),
  (cms, data, dcont, flags))
F(CMS_SignerInfo *, CMS_add1_signer, (CMS_ContentInfo *cms, X509 *signer, EVP_PKEY *pk,
				      const EVP_MD *md, unsigned int flags), (cms, signer, pk, md, flags))
V(CMS_ContentInfo_free, (CMS_ContentInfo *a), (a))
F(CMS_ContentInfo *, CMS_sign, (X509 *signcert, EVP_PKEY *pkey, STACK_OF(X509) *certs,
				BIO *data, unsigned int flags), (signcert, pkey, certs, data, flags))
V(ERR_clear_error, (void), ())
V(ERR_error_string_n, (unsigned long e, char *buf, size_t len), (e, buf, len))
F(unsigned long, ERR_get_error, (void), ())
F(const char *, EVP_PKEY_get0_type_name, (const EVP_PKEY *key), (key))
F(int, EVP_PKEY_is_a, (const EVP_PKEY *pkey, const char *name), (pkey, name))
V(OPENSSL_cleanse, (void *ptr, size_t len), (ptr, len))
F(EVP_PKEY *, PEM_read_bio_PrivateKey, (BIO *bp, EVP_PKEY **x, pem_password_cb *cb, void *u),
  (bp, x, cb, u))
F(X509 *, PEM_read_bio_X509, (BIO *bp, X509 **x, pem_password_cb *cb, void *u), (bp, x, cb, u))
F(int, X509_check_private_key, (const X509 *cert, const EVP_PKEY *pkey), (cert, pkey))
V(X509_free, (X509 *a), (a))
F(const ASN1_OCTET_STRING *, X509_get0_subject_key_id, (X509 *x), (x))
F(EVP_PKEY *, X509_get0_pubkey, (const X509 *x), (x))
F(X509 *, d2i_X509, (X509 **a, const unsigned char **in, long len), (a, in, len))
F(int, i2d_CMS_ContentInfo, (const CMS_ContentInfo *a, unsigned char **out), (a, out))
F(int, i2d_X509, (const X509 *a, unsigned char **out), (a, out))
