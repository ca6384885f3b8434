/*
 * Unit tests of TSIG (tsig.c) against two judges.  BIND: requests
 * signed byte for byte as dig signed them, and named's signed answers
 * verified, then refused once altered (the MAC, the message, the key,
 * the request they answer).  ldns: its own TSIG code, given the same
 * message and time, computes the same MAC and verifies ours, and ours
 * verifies its.  And the key file's secret: base64 or refused.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "clouddp.h"
#include "tsig.h"
#include "update.h"
#include "../tap.h"

/*
 * One exchange per algorithm, captured on loopback (a relay between dig
 * and named, both BIND 9.18): `dig +tcp +noedns +nocookie -y
 * ALG:k-ALG.example:SECRET www.example CNAME` and named's answer from
 * a zone www.example CNAME d1594d4527614a09b934d470.cloudapp.net.  The
 * keys are tsig-keygen's, made for this test only.
 */
struct vector {
	const char	*alg;
	const char	*secret;
	const char	*query;		/* hex */
	const char	*answer;	/* hex */
};

static const struct vector vectors[] = {
	{ "hmac-md5",
	    "Y3I91lSvGLHN9WJRfAYePQ==",
	    "30320120000100000000000103777777076578616d706c6500000500010a6b2d"
	    "686d61632d6d6435076578616d706c650000fa00ff00000000003a08686d6163"
	    "2d6d6435077369672d616c670372656703696e740000006b0d5f3a012c0010c9"
	    "a6661170ecb9b0b66ed7cc5e4713c2303200000000",
	    "30328500000100010000000103777777076578616d706c650000050001c00c00"
	    "05000100000e1000271864313539346434353237363134613039623933346434"
	    "373008636c6f7564617070036e6574000a6b2d686d61632d6d6435076578616d"
	    "706c650000fa00ff00000000003a08686d61632d6d6435077369672d616c6703"
	    "72656703696e740000006b0d5f3a012c00107ca5cd4131ab9fab14c5ae82a852"
	    "8d83303200000000" },
	{ "hmac-sha1",
	    "uGM1yjbnnA08ScF+DbTk3AJxTM0=",
	    "fb160120000100000000000103777777076578616d706c6500000500010b6b2d"
	    "686d61632d73686131076578616d706c650000fa00ff00000000002f09686d61"
	    "632d736861310000006b0d5f3a012c0014ff56c0f0affeb58fcca8704b31fcea"
	    "884cb791bafb1600000000",
	    "fb168500000100010000000103777777076578616d706c650000050001c00c00"
	    "05000100000e1000271864313539346434353237363134613039623933346434"
	    "373008636c6f7564617070036e6574000b6b2d686d61632d7368613107657861"
	    "6d706c650000fa00ff00000000002f09686d61632d736861310000006b0d5f3a"
	    "012c0014b339924496fb974f7f438630ea873444b613b77efb1600000000" },
	{ "hmac-sha224",
	    "idCp3CXauGrfz/5REK5C1TMllwlxAxj1FqL5jA==",
	    "e0b60120000100000000000103777777076578616d706c6500000500010d6b2d"
	    "686d61632d736861323234076578616d706c650000fa00ff0000000000390b68"
	    "6d61632d7368613232340000006b0d5f3b012c001c743a1d8c827827b14c5178"
	    "5d853719b29f8f6fa293cbe7a9ee026a08e0b600000000",
	    "e0b68500000100010000000103777777076578616d706c650000050001c00c00"
	    "05000100000e1000271864313539346434353237363134613039623933346434"
	    "373008636c6f7564617070036e6574000d6b2d686d61632d7368613232340765"
	    "78616d706c650000fa00ff0000000000390b686d61632d736861323234000000"
	    "6b0d5f3b012c001c7d9f9b5c4b9dffe9a608a946390b47966d49a6b62881aae2"
	    "f5bb8c8ee0b600000000" },
	{ "hmac-sha256",
	    "MEMM1NH34wh7gw9ctpr52bZmLBCziGlqKhukLjj5efc=",
	    "2e8d0120000100000000000103777777076578616d706c6500000500010d6b2d"
	    "686d61632d736861323536076578616d706c650000fa00ff00000000003d0b68"
	    "6d61632d7368613235360000006b0d5f3b012c0020b1481954dd7a9546713691"
	    "10080ff215289b56f0dce6b856eee2ea5439fcc7e92e8d00000000",
	    "2e8d8500000100010000000103777777076578616d706c650000050001c00c00"
	    "05000100000e1000271864313539346434353237363134613039623933346434"
	    "373008636c6f7564617070036e6574000d6b2d686d61632d7368613235360765"
	    "78616d706c650000fa00ff00000000003d0b686d61632d736861323536000000"
	    "6b0d5f3b012c0020bb8cbe509b9a663d877fd94291a9f34f347a95a887b05799"
	    "89a305af70a664592e8d00000000" },
	{ "hmac-sha384",
	    "XQKWEbyda5wa+6+AUTeoLi9FkT2vdvf6qCRBTentTuoYooS5f5UQIHcrHG6p"
	    "4DRE",
	    "1fcd0120000100000000000103777777076578616d706c6500000500010d6b2d"
	    "686d61632d736861333834076578616d706c650000fa00ff00000000004d0b68"
	    "6d61632d7368613338340000006b0d5f3b012c00305a365220af0c9ef8b2d86a"
	    "2d881803bf27b76ab85a94a07130bb750d0706e36be12096cafaaadd6575adc2"
	    "e10541b39c1fcd00000000",
	    "1fcd8500000100010000000103777777076578616d706c650000050001c00c00"
	    "05000100000e1000271864313539346434353237363134613039623933346434"
	    "373008636c6f7564617070036e6574000d6b2d686d61632d7368613338340765"
	    "78616d706c650000fa00ff00000000004d0b686d61632d736861333834000000"
	    "6b0d5f3b012c00302177a6ad17f0befe458c7c3ff5a396f8c3510914b1817b33"
	    "cdbfa1ed057924a11b2d61df3abe388ed354231287e6abbd1fcd00000000" },
	{ "hmac-sha512",
	    "07FVKJ4f5ciMv/5wVDk89v+krxQLugdybuqpIV1Dp4cjSG10m4bD1Ora8WZy"
	    "cjrlhnJP1LfTon6ZwT16ybi7DQ==",
	    "c91a0120000100000000000103777777076578616d706c6500000500010d6b2d"
	    "686d61632d736861353132076578616d706c650000fa00ff00000000005d0b68"
	    "6d61632d7368613531320000006b0d5f3b012c0040e15e3c55c39a4e8960e615"
	    "6ab4cd04addf585cb83306bb53ab0e38a6bb91b65c2db2a2d6898b15c053bd34"
	    "72471541309fc0308f1d7624dd913f7c5a18c2fdacc91a00000000",
	    "c91a8500000100010000000103777777076578616d706c650000050001c00c00"
	    "05000100000e1000271864313539346434353237363134613039623933346434"
	    "373008636c6f7564617070036e6574000d6b2d686d61632d7368613531320765"
	    "78616d706c650000fa00ff00000000005d0b686d61632d736861353132000000"
	    "6b0d5f3b012c00406454dba1f874082f9d8cd3b2fbf68930c20aecb8ab350214"
	    "e84f457b4ee9c0e302a35948a5a3d127332bbf6c91588ff29a69b30bcce34665"
	    "50915ae65ae41532c91a00000000" },
};

/* "ALG: WHAT", for a test line (valid until the next call). */
static const char *
say(const char *alg, const char *what)
{
	static char	 buf[160];

	snprintf(buf, sizeof(buf), "%s: %s", alg, what);
	return buf;
}

/* The answer's TTL (www.example CNAME), 4 bytes at this offset. */
#define ANSWER_TTL	35

static uint8_t *
unhex(const char *h, size_t *len)
{
	uint8_t		*b;
	size_t		 i;
	unsigned	 v;

	*len = strlen(h) / 2;
	b = malloc(*len);
	for (i = 0; b != NULL && i < *len; i++) {
		sscanf(h + 2 * i, "%2x", &v);
		b[i] = (uint8_t)v;
	}
	return b;
}

/* A key file holding text, loaded; NULL with err as zone_tsig_load. */
static struct zone_tsig *
key_load(const char *text, struct clouddp_err *err)
{
	char			 path[] = "/tmp/t_tsig_key.XXXXXX";
	struct zone_tsig	*k;
	const char		*warning;
	FILE			*fp;
	int			 fd;

	fd = mkstemp(path);
	if (fd == -1)
		return NULL;
	fp = fdopen(fd, "w");
	if (fp == NULL) {
		close(fd);
		unlink(path);
		return NULL;
	}
	fputs(text, fp);
	fclose(fp);
	k = zone_tsig_load(path, &warning, err);
	unlink(path);
	return k;
}

static struct zone_tsig *
key_new(const char *name, const char *alg, const char *secret)
{
	struct clouddp_err	 err;
	struct zone_tsig	*k;
	char			 text[512];

	snprintf(text, sizeof(text), "key \"%s\" {\n\talgorithm %s;\n"
	    "\tsecret \"%s\";\n};\n", name, alg, secret);
	k = key_load(text, &err);
	if (k == NULL)
		diag("%s: %s", name, err.what);
	return k;
}

/* The 48-bit time and the MAC of a packet's TSIG record. */
static uint64_t
record_time(const ldns_rr *rr)
{
	const uint8_t	*t = ldns_rdf_data(ldns_rr_rdf(rr, 1));
	uint64_t	 v = 0;
	size_t		 i;

	for (i = 0; i < 6; i++)
		v = v << 8 | t[i];
	return v;
}

static void
record_mac(const ldns_rr *rr, struct tsig_mac *mac)
{
	const ldns_rdf	*rdf = ldns_rr_rdf(rr, 3);

	mac->len = ldns_rdf_size(rdf) - 2;
	memcpy(mac->data, ldns_rdf_data(rdf) + 2, mac->len);
}

/*
 * Sign the vector's query again, its TSIG record taken off, with the
 * time dig gave it: 1 when the message comes out as dig's, byte for
 * byte.  *mac gets dig's MAC.
 */
static int
sign_as_dig(const struct zone_tsig *k, const uint8_t *wire, size_t len,
    struct tsig_mac *mac, struct tsig_mac *ours)
{
	struct clouddp_err	 err;
	ldns_pkt		*q = NULL;
	ldns_rr			*rr;
	uint8_t			*out = NULL;
	size_t			 outlen = 0;
	int			 same = 0;

	if (ldns_wire2pkt(&q, wire, len) != LDNS_STATUS_OK)
		return 0;
	rr = ldns_pkt_tsig(q);
	record_mac(rr, mac);
	ldns_pkt_set_tsig(q, NULL);
	if (tsig_sign(k, q, record_time(rr), ours, &out, &outlen,
	    &err) == -1)
		diag("%s", err.what);
	else
		same = outlen == len && memcmp(out, wire, len) == 0;
	ldns_rr_free(rr);
	ldns_pkt_free(q);
	free(out);
	return same;
}

/* tsig_verify of an answer as bytes: 1, 0, or -1 (also unparsable). */
static int
verify(const struct zone_tsig *k, const uint8_t *wire, size_t len,
    const struct tsig_mac *req)
{
	struct clouddp_err	 err;
	ldns_pkt		*p = NULL;
	int			 rc;

	if (ldns_wire2pkt(&p, wire, len) != LDNS_STATUS_OK)
		return -1;
	rc = tsig_verify(k, p, wire, len, req, &err);
	if (rc == -1)
		diag("%s", err.what);
	ldns_pkt_free(p);
	return rc;
}

/* The answer altered at byte off (xor bit): does it still verify? */
static int
verify_altered(const struct zone_tsig *k, const uint8_t *wire, size_t len,
    const struct tsig_mac *req, size_t off)
{
	uint8_t	*copy = malloc(len);
	int	 rc;

	if (copy == NULL)
		return -1;
	memcpy(copy, wire, len);
	copy[off] ^= 0x01;
	rc = verify(k, copy, len, req);
	free(copy);
	return rc;
}

static void
bind_tests(const struct vector *v, const char *other_secret)
{
	struct zone_tsig	*k, *wrong;
	struct tsig_mac		 mac, ours, other;
	uint8_t			*q, *a;
	size_t			 qlen, alen;
	char			 name[64];

	snprintf(name, sizeof(name), "k-%s.example", v->alg);
	k = key_new(name, v->alg, v->secret);
	wrong = key_new(name, v->alg, other_secret);
	q = unhex(v->query, &qlen);
	a = unhex(v->answer, &alen);
	if (k == NULL || wrong == NULL || q == NULL || a == NULL)
		return;
	ok(sign_as_dig(k, q, qlen, &mac, &ours),
	    say(v->alg, "the query signed byte for byte as dig signed it"));
	is_int(verify(k, a, alen, &mac), 1,
	    say(v->alg, "named's answer verifies"));
	/* The MAC's last byte comes before original ID, error, other. */
	is_int(verify_altered(k, a, alen, &mac, alen - 7), 0,
	    say(v->alg, "the answer with one bit of its MAC changed is "
	    "refused"));
	is_int(verify_altered(k, a, alen, &mac, ANSWER_TTL + 3), 0,
	    say(v->alg, "the answer with one bit of its TTL changed is "
	    "refused"));
	is_int(verify(wrong, a, alen, &mac), 0,
	    say(v->alg, "with another key, the answer is refused"));
	other = mac;
	other.data[0] ^= 0x80;
	is_int(verify(k, a, alen, &other), 0,
	    say(v->alg, "as the answer to another request, it is refused"));
	zone_tsig_free(k);
	zone_tsig_free(wrong);
	free(q);
	free(a);
}

/*
 * The same request signed by ldns (base64 key, its own clock) and by
 * tsig_sign at ldns's time: the same MAC.  ldns verifies ours; an
 * answer ldns signs for it, ours verifies.  (ldns 1.8.3 knows neither
 * hmac-sha224 nor, for a typo, hmac-sha384: BIND judges those above.)
 */
static void
ldns_tests(const struct vector *v)
{
	struct clouddp_err	 err;
	struct zone_tsig	*k;
	struct tsig_mac		 theirs, ours;
	ldns_pkt		*q1, *q2, *r = NULL;
	ldns_rdf		*reqmac;
	uint8_t			*w = NULL;
	size_t			 len = 0;
	char			 name[64], alg[64];

	snprintf(name, sizeof(name), "k-%s.example.", v->alg);
	snprintf(alg, sizeof(alg), "%s.", v->alg);
	if (strcmp(v->alg, "hmac-md5") == 0)
		snprintf(alg, sizeof(alg), "hmac-md5.sig-alg.reg.int.");
	k = key_new(name, v->alg, v->secret);
	q1 = ldns_pkt_query_new(ldns_dname_new_frm_str("www.example."),
	    LDNS_RR_TYPE_CNAME, LDNS_RR_CLASS_IN, LDNS_RD);
	q2 = ldns_pkt_clone(q1);
	if (k == NULL || q2 == NULL || ldns_pkt_tsig_sign(q1, name, v->secret,
	    TSIG_FUDGE, alg, NULL) != LDNS_STATUS_OK) {
		ok(0, say(v->alg, "ldns signs"));
		goto out;
	}
	record_mac(ldns_pkt_tsig(q1), &theirs);
	if (tsig_sign(k, q2, record_time(ldns_pkt_tsig(q1)), &ours, &w, &len,
	    &err) == -1)
		diag("%s", err.what);
	ok(w != NULL && ours.len == theirs.len && memcmp(ours.data,
	    theirs.data, ours.len) == 0,
	    say(v->alg, "the MAC is ldns's, at its time"));
	ok(w != NULL && ldns_wire2pkt(&r, w, len) == LDNS_STATUS_OK &&
	    ldns_pkt_tsig_verify(r, w, len, name, v->secret, NULL),
	    say(v->alg, "ldns verifies the signed request"));
	/* The request, turned into its answer and signed by ldns. */
	free(w);
	w = NULL;
	reqmac = ldns_native2rdf_int16_data(ours.len, ours.data);
	ldns_pkt_set_qr(q2, true);
	ldns_pkt_set_aa(q2, true);
	ok(reqmac != NULL && ldns_pkt_tsig_sign(q2, name, v->secret,
	    TSIG_FUDGE, alg, reqmac) == LDNS_STATUS_OK &&
	    ldns_pkt2wire(&w, q2, &len) == LDNS_STATUS_OK &&
	    verify(k, w, len, &ours) == 1,
	    say(v->alg, "an answer ldns signed verifies"));
	ldns_rdf_deep_free(reqmac);
out:
	free(w);
	ldns_pkt_free(r);
	ldns_pkt_free(q1);
	ldns_pkt_free(q2);
	zone_tsig_free(k);
}

/* A key file with secret s: NULL and err's what, or a key. */
static struct zone_tsig *
secret_load_as(const char *s, struct clouddp_err *err)
{
	char	 text[512];

	snprintf(text, sizeof(text), "key \"k\" { algorithm hmac-sha256; "
	    "secret \"%s\"; };\n", s);
	return key_load(text, err);
}

static void
key_file_tests(const struct vector *sha256)
{
	struct clouddp_err	 err;
	struct zone_tsig	*k;
	struct tsig_mac		 mac, ours;
	uint8_t			*q;
	size_t			 qlen;
	char			*big;

	k = secret_load_as("not base64!", &err);
	ok(k == NULL && strstr(err.what, "secret is not base64") != NULL,
	    "key file: a secret that is not base64 is refused by name");
	zone_tsig_free(k);
	k = secret_load_as("", &err);
	ok(k == NULL && strstr(err.what, "secret is empty") != NULL,
	    "key file: an empty secret is refused");
	zone_tsig_free(k);
	k = secret_load_as("AB==", &err);
	ok(k == NULL && strstr(err.what, "not base64") != NULL,
	    "key file: bits set past the last byte are refused");
	zone_tsig_free(k);
	k = secret_load_as("QUJD=", &err);
	ok(k == NULL && strstr(err.what, "not base64") != NULL,
	    "key file: padding past a whole group is refused");
	zone_tsig_free(k);
	/* White space inside the secret is skipped, as BIND does. */
	k = key_new("k-hmac-sha256.example", "hmac-sha256",
	    "MEMM1NH34wh7gw9c tpr52bZmLBCzi\n\tGlqKhukLjj5efc=");
	q = unhex(sha256->query, &qlen);
	ok(k != NULL && q != NULL && sign_as_dig(k, q, qlen, &mac, &ours),
	    "key file: a secret broken by white space signs as whole");
	zone_tsig_free(k);
	/* The name is canonical (lower case) in the MAC, as given in the
	 * record. */
	k = key_new("K-HMAC-SHA256.Example", "hmac-sha256", sha256->secret);
	ok(k != NULL && q != NULL && !sign_as_dig(k, q, qlen, &mac, &ours) &&
	    ours.len == mac.len && memcmp(ours.data, mac.data, mac.len) == 0,
	    "key file: a name in capitals: dig's MAC, the name as given");
	zone_tsig_free(k);
	free(q);
	big = malloc(70000);
	if (big != NULL) {
		memset(big, ' ', 69999);
		big[69999] = '\0';
		memcpy(big, "key \"k\" { secret \"AAAA\"; };", 27);
	}
	k = big != NULL ? key_load(big, &err) : NULL;
	ok(k == NULL && strstr(err.what, "not a key file") != NULL,
	    "key file: 64 KiB or more is not a key file");
	zone_tsig_free(k);
	free(big);
}

int
main(void)
{
	size_t	 i, n = sizeof(vectors) / sizeof(*vectors);

	plan((int)(n * 6 + 4 * 3 + 7));
	for (i = 0; i < n; i++)
		bind_tests(&vectors[i], vectors[(i + 3) % n].secret);
	for (i = 0; i < n; i++)
		if (strcmp(vectors[i].alg, "hmac-sha224") != 0 &&
		    strcmp(vectors[i].alg, "hmac-sha384") != 0)
			ldns_tests(&vectors[i]);
	key_file_tests(&vectors[3]);
	return done_testing();
}
