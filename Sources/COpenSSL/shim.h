#ifndef ONIONBOARD_COPENSSL_SHIM_H
#define ONIONBOARD_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>

// Function-like macros do not import into Swift; wrap each one we use.
static inline long cssl_ctx_set_min_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_min_proto_version(ctx, version);
}
static inline long cssl_set_tlsext_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}
static inline long cssl_ctx_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}
static inline long cbio_get_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}
static inline void cssl_free(void *p) { OPENSSL_free(p); }
static inline int cssl_sk_general_name_num(const STACK_OF(GENERAL_NAME) *names) {
    return sk_GENERAL_NAME_num(names);
}
static inline const GENERAL_NAME *cssl_sk_general_name_value(const STACK_OF(GENERAL_NAME) *names, int i) {
    return sk_GENERAL_NAME_value(names, i);
}
static inline void cssl_general_names_free(STACK_OF(GENERAL_NAME) *names) {
    GENERAL_NAMES_free(names);
}
static inline int cssl_tls1_2_version(void) { return TLS1_2_VERSION; }
static inline long cssl_openssl_version_number(void) { return OPENSSL_VERSION_NUMBER; }

// X509_NAME in RFC 2253 form ("CN=x,O=y"); the flag is a compound macro.
static inline int cssl_name_print_rfc2253(BIO *out, const X509_NAME *name) {
    return X509_NAME_print_ex(out, name, 0, XN_FLAG_RFC2253);
}
// The DNS name or IP address inside a GENERAL_NAME (a union Swift cannot read safely).
static inline const unsigned char *cssl_general_name_dns(const GENERAL_NAME *name, int *length) {
    if (name->type != GEN_DNS) return NULL;
    *length = ASN1_STRING_length(name->d.dNSName);
    return ASN1_STRING_get0_data(name->d.dNSName);
}
static inline const unsigned char *cssl_general_name_ip(const GENERAL_NAME *name, int *length) {
    if (name->type != GEN_IPADD) return NULL;
    *length = ASN1_STRING_length(name->d.iPAddress);
    return ASN1_STRING_get0_data(name->d.iPAddress);
}
// EVP_get_digestbynid is a macro.
static inline const EVP_MD *cssl_digest_by_nid(int nid) { return EVP_get_digestbynid(nid); }
static inline int cssl_tls1_3_version(void) { return TLS1_3_VERSION; }
#endif
