#!/bin/sh
# Make the certificates the cert tests use, in OUTDIR (never the source
# tree): a private CA and leaves with exact validity dates, SANs, EKUs and
# key sizes, exported as .pfx both the OpenSSL 3 way (AES-256) and the
# -legacy way (RC2-40/3DES), plus a management certificate as .pfx and
# .cer.  Usage: gen-certs.sh OUTDIR
set -eu
out=$1
mkdir -p "$out"
cd "$out"
PW=s3cret

# Dates relative to now, as "openssl ca" wants them (UTCTime).
ts() { date -u -d "$1" +%y%m%d%H%M%SZ; }
past=$(ts '-400 days')
future=$(ts '+800 days')

mkdir -p ca/new
: >ca/index.txt
echo 1000 >ca/serial
cat >ca.cnf <<CNF
[ ca ]
default_ca = local
[ local ]
dir = ca
database = ca/index.txt
new_certs_dir = ca/new
serial = ca/serial
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
email_in_dn = no
[ anything ]
commonName = optional
organizationName = optional
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = placeholder
[ v3_ca ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ server ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
[ server_san ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = \$ENV::SAN
[ noeku ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,keyEncipherment
[ clientonly ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
CNF
export SAN=DNS:unused.invalid

key() { openssl genrsa -out "$1.key" "${2:-2048}" 2>/dev/null; }

openssl req -x509 -new -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem \
    -config ca.cnf -extensions v3_ca \
    -subj "/O=clouddp test/CN=clouddp test CA" \
    -days 3650 2>/dev/null

# leaf NAME CN EXTENSIONS START END [BITS]
leaf() {
	key "$1" "${6:-2048}"
	openssl req -new -key "$1.key" -subj "/CN=$2" -config ca.cnf \
	    -out "$1.csr" 2>/dev/null
	openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key \
	    -in "$1.csr" -out "$1.pem" -notext -extfile ca.cnf \
	    -extensions "$3" -startdate "$4" -enddate "$5" 2>/dev/null
}

# pfx NAME [legacy]: NAME.pfx (AES-256) or NAME-legacy.pfx, with the CA.
pfx() {
	if [ "${2:-}" = legacy ]; then
		openssl pkcs12 -export -legacy -in "$1.pem" -inkey "$1.key" \
		    -certfile ca.pem -passout "pass:$PW" -out "$1-legacy.pfx"
	else
		openssl pkcs12 -export -in "$1.pem" -inkey "$1.key" \
		    -certfile ca.pem -passout "pass:$PW" -out "$1.pfx"
	fi
}

leaf good clouddp1.contoso.test server "$past" "$future"
SAN=DNS:clouddp1.contoso.test,DNS:cdp.contoso.test \
    leaf san clouddp1.contoso.test server_san "$past" "$future"
SAN=DNS:other.contoso.test \
    leaf sanmismatch clouddp1.contoso.test server_san "$past" "$future"
leaf wild '*.contoso.test' server "$past" "$future"
SAN='DNS:*.contoso.test' \
    leaf wildsan '*.contoso.test' server_san "$past" "$future"
leaf noeku clouddp1.contoso.test noeku "$past" "$future"
leaf clientonly clouddp1.contoso.test clientonly "$past" "$future"
leaf weak clouddp1.contoso.test server "$past" "$future" 1024
leaf expired clouddp1.contoso.test server 200101000000Z 210101000000Z
leaf notyet clouddp1.contoso.test server 450101000000Z 460101000000Z
leaf soon clouddp1.contoso.test server "$past" "$(ts '+10 days')"

leaf upper CloudDP1.Contoso.TEST server "$past" "$future"

# sanonly NAME SAN...: an empty subject and only SAN DNS names, as some
# CAs issue them (RFC 5280 4.2.1.6: the SAN is then critical).
sanonly() {
	n=$1
	shift
	key "$n"
	openssl req -new -key "$n.key" -subj / -out "$n.csr" 2>/dev/null
	{
		printf 'basicConstraints = CA:false\n'
		printf 'keyUsage = critical,digitalSignature,keyEncipherment\n'
		printf 'extendedKeyUsage = serverAuth\n'
		printf 'subjectAltName = critical'
		for san in "$@"; do printf ',DNS:%s' "$san"; done
		printf '\n'
	} >"$n.ext"
	openssl x509 -req -in "$n.csr" -CA ca.pem -CAkey ca.key \
	    -CAserial ca/serial -days 800 -extfile "$n.ext" \
	    -out "$n.pem" 2>/dev/null
}
sanonly sanonly1 cdp.contoso.test
sanonly sanonly2 cdp.contoso.test clouddp1.contoso.test

for n in good san sanmismatch wild wildsan noeku clientonly weak expired \
    notyet soon upper sanonly1 sanonly2; do
	pfx "$n"
done
pfx good legacy
openssl pkcs12 -export -in good.pem -inkey good.key -certfile ca.pem \
    -passout pass: -out good-empty.pfx
# Without a MAC (as some Java and NSS tools write them): encrypted, and
# not even encrypted (any password opens that one).
openssl pkcs12 -export -legacy -nomac -certpbe PBE-SHA1-3DES \
    -keypbe PBE-SHA1-3DES -in good.pem -inkey good.key \
    -certfile ca.pem -passout "pass:$PW" -out good-nomac.pfx
openssl pkcs12 -export -nomac -keypbe NONE -certpbe NONE -in good.pem \
    -inkey good.key -passout "pass:$PW" -out good-nomac-plain.pfx
openssl pkcs12 -export -legacy -nomac -certpbe NONE \
    -keypbe PBE-SHA1-3DES -in good.pem -inkey good.key -passout "pass:$PW" \
    -out good-nomac-keyonly.pfx

# Management certificate: self-signed, as makecert and
# New-SelfSignedCertificate make it.
openssl req -x509 -new -newkey rsa:2048 -nodes -keyout mgmt.key \
    -out mgmt.pem -subj "/CN=clouddp management" -days 365 2>/dev/null
openssl pkcs12 -export -in mgmt.pem -inkey mgmt.key -passout "pass:$PW" \
    -out mgmt.pfx
openssl pkcs12 -export -legacy -in mgmt.pem -inkey mgmt.key -passout pass: \
    -out mgmt-empty-legacy.pfx
openssl x509 -in mgmt.pem -outform DER -out mgmt.cer
cp mgmt.pem mgmt-pem.cer
openssl x509 -in good.pem -outform DER -out other.cer
openssl req -x509 -new -newkey rsa:1024 -nodes -keyout mgmtweak.key \
    -out mgmtweak.pem -subj "/CN=clouddp weak management" -days 365 \
    2>/dev/null
openssl pkcs12 -export -in mgmtweak.pem -inkey mgmtweak.key \
    -passout "pass:$PW" -out mgmtweak.pfx
openssl pkcs12 -export -legacy -in mgmtweak.pem -inkey mgmtweak.key \
    -passout pass: -out mgmtweak-empty-legacy.pfx

# .publishsettings, version 1 (one certificate on the profile, shared by
# two subscriptions) and version 2 (one per subscription), with the
# empty-password PKCS#12 Azure put there.
b64() { openssl base64 -A -in "$1"; }
cat >v1.publishsettings <<XML
<?xml version="1.0" encoding="utf-8"?>
<PublishData>
  <PublishProfile PublishMethod="AzureServiceManagementAPI"
      Url="https://management.core.windows.net/"
      ManagementCertificate="$(b64 mgmt-empty-legacy.pfx)">
    <Subscription Id="8a4a0a51-728e-482e-8daa-c477f03c541d" Name="hjereztest" />
    <Subscription Id="11111111-2222-3333-4444-555555555555" Name="second" />
  </PublishProfile>
</PublishData>
XML
cat >v2.publishsettings <<XML
<?xml version="1.0" encoding="utf-8"?>
<PublishData>
  <PublishProfile SchemaVersion="2.0" PublishMethod="AzureServiceManagementAPI">
    <Subscription ServiceManagementUrl="https://management.core.windows.net"
        Id="0bbbc191-0023-4bd1-8e68-a1b4a0ac5e2a" Name="Pay-As-You-Go"
        ManagementCertificate="$(b64 mgmt-empty-legacy.pfx)" />
    <Subscription ServiceManagementUrl="https://management.core.windows.net"
        Id="22222222-0000-0000-0000-000000000002" Name="Weak &amp; old"
        ManagementCertificate="$(b64 mgmtweak-empty-legacy.pfx)" />
  </PublishProfile>
</PublishData>
XML

# Version 2 with one certificate shared by the first and the third
# subscription, another between them.
cat >v2-shared.publishsettings <<XML
<?xml version="1.0" encoding="utf-8"?>
<PublishData>
  <PublishProfile SchemaVersion="2.0" PublishMethod="AzureServiceManagementAPI">
    <Subscription ServiceManagementUrl="https://management.core.windows.net"
        Id="33333333-0000-0000-0000-000000000001" Name="one"
        ManagementCertificate="$(b64 mgmtweak-empty-legacy.pfx)" />
    <Subscription ServiceManagementUrl="https://management.core.windows.net"
        Id="33333333-0000-0000-0000-000000000002" Name="two"
        ManagementCertificate="$(b64 mgmt-empty-legacy.pfx)" />
    <Subscription ServiceManagementUrl="https://management.core.windows.net"
        Id="33333333-0000-0000-0000-000000000003" Name="three"
        ManagementCertificate="$(b64 mgmtweak-empty-legacy.pfx)" />
  </PublishProfile>
</PublishData>
XML

# A PEM bundle: certificate and encrypted key.
openssl pkey -in good.key -aes256 -passout "pass:$PW" >good-enc.pem
cat good.pem >>good-enc.pem

# Broken files.
head -c 700 good.pfx >truncated.pfx
printf 'this is not a certificate\n' >notapfx.pfx
printf '%s\n' "$PW" >password
printf 'wrong\n' >wrongpassword
