#!/bin/sh
# clouddp-emulator driven with curl and openssl, as any client would:
# mutual TLS accepted and refused, x-ms-version, every operation's
# answer element by element (spec section 2), the strict body reader,
# asynchronous progress over time, each fault rule, the request log and
# a clean stop on SIGTERM.
. "$top_srcdir/tests/lib.sh"
need openssl openssl
need curl curl
need xmllint libxml2-utils
need jq jq
need ss iproute2

plan 220

SUB=8a4a0a51-728e-482e-8daa-c477f03c541d
NS=http://schemas.microsoft.com/windowsazure
SVC=d1594d4527614a09b934d470
D=$T_TMP/certs
emu_certs "$D"
A=$EMU_ADDR
MGMT_THUMB=$(openssl x509 -in "$D/mgmt.pem" -noout -fingerprint -sha1 |
    sed 's/.*=//; s/://g')
GOOD_THUMB=$(openssl x509 -in "$D/good.pem" -noout -fingerprint -sha1 |
    sed 's/.*=//; s/://g')

# emu NAME ARGS...: start an emulator; sets PORT, U and PID.
emu() {
	emu_start "$@" || return 1
	PORT=$EMU_PORT
	U=$EP/$SUB
}

# api METHOD PATH [CURL-ARGS...]: sets code, body, rid.
V=2014-06-01
N_API=0
CERT="--cert $D/mgmt.pem --key $D/mgmt.key"
api() {
	m=$1 p=$2
	shift 2
	# shellcheck disable=SC2086
	code=$(curl -sS -o "$T_TMP/b" -D "$T_TMP/h" -w '%{http_code}' \
	    --cacert "$D/ca.pem" $CERT -H "x-ms-version: $V" \
	    -H 'Content-Type: application/xml' -X "$m" "$@" "$U$p" \
	    2>"$T_TMP/curl.err")
	curl_rc=$?
	body=$(cat "$T_TMP/b")
	N_API=$((N_API + 1))
	rid=$(sed -n 's/^x-ms-request-id: *\([^ ]*\).*/\1/ip' "$T_TMP/h" |
	    tr -d '\r')
}
hdr() { sed -n "s/^$1: *//ip" "$T_TMP/h" | tr -d '\r'; }
# The element names of body in document order: the shape.
tags() { printf '%s' "$body" | grep -o '<[A-Za-z][A-Za-z0-9]*' | tr -d '<' |
    tr '\n' ' '; }
val() { printf '%s' "$body" |
    xmllint --xpath "string((//*[local-name()='$1'])[1])" - 2>/dev/null; }
# error_is STATUS CODE WHAT: status, code, shape, namespace, request id.
error_is() {
	is "$code $(val Code)" "$1 $2" "$3: $1 $2"
	is "$(tags)" "Error Code Message " "$3: Error body"
	like "$body" "^<Error xmlns=\"$NS\" xmlns:i=" "$3: in the namespace"
}
rid_ok() { like "$rid" '^[0-9a-f]{32}$' "$1: x-ms-request-id is 32 hex"; }
b64() { printf '%s' "$1" | openssl base64 -A; }
# op_status ID: sets opst to "Status HttpStatusCode Code" (and body).
op_status() {
	api GET "/operations/$1"
	opst="$(val Status) $(val HttpStatusCode) $(val Code)"
}

emu e1 --delay all=0 --regions "West US,North Europe" --seed 3 \
    --request-log "$T_TMP/req.log" --vip-pool 127.0.0.16/28
ok $? "emulator started; ready file written"
like "$(cat "$T_TMP/e1.ready")" '^\{"port":[0-9]+,"pid":[0-9]+\}$' \
    "ready file: port and pid"

# Mutual TLS --------------------------------------------------------------
api GET ""
is "$code" 200 "registered management certificate: 200"
rid_ok "Get Subscription"
CERT=""
api GET ""
error_is 403 AuthenticationFailed "no client certificate"
rid_ok "refused request"
CERT="--cert $D/good.pem --key $D/good.key"
api GET ""
error_is 403 AuthenticationFailed "a certificate not registered"
CERT="--cert $D/mgmt.pem --key $D/mgmt.key"
U0=$U
U=https://$A:$PORT/11111111-2222-3333-4444-555555555555
api GET ""
error_is 403 AuthenticationFailed "unknown subscription"
U=$U0
s_client=$(openssl s_client -connect "$A:$PORT" -CAfile "$D/ca.pem" \
    </dev/null 2>&1)
like "$s_client" "Acceptable client certificate CA names" \
    "openssl: the server asks for a client certificate"
like "$s_client" "CN ?= ?clouddp management" \
    "openssl: naming the registered management certificate"
like "$s_client" "Verify return code: 0" "openssl: server chain verifies"

# x-ms-version -------------------------------------------------------------
V=""
api GET ""
error_is 400 MissingOrIncorrectVersionHeader "no x-ms-version"
V=2014-6-1
api GET ""
error_is 400 MissingOrIncorrectVersionHeader "malformed x-ms-version"
V=2011-01-01
api GET "/services/hostedservices/operations/isavailable/$SVC"
error_is 400 MissingOrIncorrectVersionHeader \
    "x-ms-version below the operation's minimum"
V=2014-06-01
api GET "/nosuch/thing"
error_is 404 ResourceNotFound "unknown path"
api PUT "/locations"
error_is 400 InvalidHttpVerb "wrong method"

# Get Subscription and List Locations ---------------------------------------
api GET ""
is "$(tags)" "Subscription SubscriptionID SubscriptionName SubscriptionStatus \
AccountAdminLiveEmailId ServiceAdminLiveEmailId MaxCoreCount MaxStorageAccounts \
MaxHostedServices CurrentCoreCount CurrentHostedServices CurrentStorageAccounts \
MaxVirtualNetworkSites MaxLocalNetworkSites MaxDnsServers OfferCategories \
AADTenantID CreatedTime MaxReservedIPs CurrentReservedIPs MaxPublicIPCount " \
    "Get Subscription: elements in the wire's order"
is "$(val SubscriptionID) $(val SubscriptionStatus)" "$SUB Active" \
    "Get Subscription: id and status"
like "$(hdr Content-Type)" "^application/xml; charset=utf-8" "XML content type"
like "$body" "^<Subscription xmlns=\"$NS\" xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">" \
    "root carries both namespaces, no prolog"
like "$body" "<OfferCategories/>" "empty elements self-closed"
api GET /locations
is "$code" 200 "List Locations: 200"
is "$(printf '%s' "$body" | xmllint --xpath "//*[local-name()='Location']/*[local-name()='Name']/text()" - | tr '\n' ',')" \
    "West US,North Europe," "List Locations: the --regions"
like "$(tags)" "^Locations Location Name DisplayName AvailableServices AvailableService AvailableService ComputeCapabilities WebWorkerRoleSizes" \
    "List Locations: shape"

# Cloud services -------------------------------------------------------------
api GET "/services/hostedservices/operations/isavailable/$SVC"
is "$code $(tags)$(val Result)" "200 AvailabilityResponse Result true" \
    "Check Cloud Service Name: available"
L=$(b64 "clouddp1")
cs_body() {
	printf '<CreateHostedService xmlns="%s"><ServiceName>%s</ServiceName>' \
	    "${2:-$NS}" "$1"
	printf '<Label>%s</Label><Description>cloud DP</Description>' "${3:-$L}"
	printf '<Location>West US</Location></CreateHostedService>'
}
api POST /services/hostedservices --data "$(cs_body "$SVC")"
is "$code" 201 "Create Cloud Service: 201"
is "$body" "" "Create Cloud Service: empty body"
is "$(hdr Location)" \
    "https://management.core.windows.net/subscriptions/$SUB/compute/$SVC" \
    "Create Cloud Service: Location header"
rid_ok "Create Cloud Service"
op_status "$rid"
is "$opst" "Succeeded 200 " \
    "Create Cloud Service: its operation is already Succeeded"
like "$body" "<ID>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}</ID>" \
    "Get Operation Status: ID as a dashed GUID"
is "$(tags)" "Operation ID Status HttpStatusCode " "Get Operation Status: shape"
api POST /services/hostedservices --data "$(cs_body "$SVC")"
error_is 409 ConflictError "a taken cloud service name"
api GET "/services/hostedservices/operations/isavailable/$SVC"
is "$(val Result)" false "Check Cloud Service Name: taken"
is "$(val Reason)" "A hosted service with the specified name already exists." \
    "Check Cloud Service Name: the reason"
api POST /services/hostedservices --data "$(cs_body other "" 'not base64!')"
error_is 400 BadRequest "a Label that is not base64"
api POST /services/hostedservices --data "$(cs_body other http://example.com/ns)"
error_is 400 InvalidXmlRequest "a wrong namespace"
api POST /services/hostedservices --data "<CreateHostedService xmlns=\"$NS\"><Label>$L</Label><ServiceName>other</ServiceName><Location>West US</Location></CreateHostedService>"
error_is 400 InvalidXmlRequest "elements out of order"
api POST /services/hostedservices --data "<CreateHostedService xmlns=\"$NS\"><ServiceName>other</ServiceName><Label>$L</Label><Colour>red</Colour></CreateHostedService>"
error_is 400 InvalidXmlRequest "an unknown element"
api POST /services/hostedservices --data "<CreateHostedService xmlns=\"$NS\"><ServiceName>other</ServiceName><Location>West US</Location></CreateHostedService>"
error_is 400 BadRequest "a missing Label"
api POST /services/hostedservices --data "<CreateHostedService xmlns=\"$NS\"><ServiceName>other"
error_is 400 InvalidXmlRequest "XML cut short"
api POST /services/hostedservices --data "<!DOCTYPE x [<!ENTITY a \"b\">]><CreateHostedService xmlns=\"$NS\"><ServiceName>&a;</ServiceName></CreateHostedService>"
error_is 400 InvalidXmlRequest "a DOCTYPE"
api POST /services/hostedservices \
    --data "$(cs_body other | sed 's/West US/Mars/')"
error_is 400 BadRequest "an unknown location"
api GET "/services/hostedservices/$SVC"
is "$(tags)" "HostedService Url ServiceName HostedServiceProperties Description Location Label Status DateCreated DateLastModified ExtendedProperties " \
    "Get Cloud Service: shape"
is "$(val Label) $(val Status)" "$L Created" \
    "Get Cloud Service: base64 Label and status"
api GET "/services/hostedservices/nosuch"
error_is 404 ResourceNotFound "Get Cloud Service of an unknown service"

# Storage accounts ----------------------------------------------------------
ss_body() {
	printf '<CreateStorageServiceInput xmlns="%s"><ServiceName>%s' "$NS" "$1"
	printf '</ServiceName><Description/><Label>%s</Label>' "$L"
	printf '<Location>West US</Location><AccountType>Standard_GRS'
	printf '</AccountType></CreateStorageServiceInput>'
}
api POST /services/storageservices --data "$(ss_body "$SVC")"
is "$code $body" "202 " "Create Storage Account: 202, empty body"
is "$(hdr Location)" \
    "https://management.core.windows.net/subscriptions/$SUB/storage/$SVC" \
    "Create Storage Account: Location header"
op_status "$rid"
is "$opst" "Succeeded 200 " "Create Storage Account: Succeeded"
api POST /services/storageservices --data "$(ss_body "$SVC")"
error_is 409 ConflictError "a taken storage name"
api POST /services/storageservices --data "$(ss_body Upper)"
error_is 400 BadRequest "an invalid storage name"
api GET "/services/storageservices/operations/isavailable/$SVC"
is "$(val Result)" false "Check Storage Name: taken"
api GET "/services/storageservices/operations/isavailable/freename1"
is "$(tags)$(val Result)" "AvailabilityResponse Result true" \
    "Check Storage Name: free"
api GET "/services/storageservices/$SVC"
is "$(tags)" "StorageService Url ServiceName StorageServiceProperties Description Location Label Status Endpoints Endpoint Endpoint Endpoint Endpoint GeoPrimaryRegion StatusOfPrimary GeoSecondaryRegion StatusOfSecondary CreationTime CustomDomains AccountType ExtendedProperties Capabilities Capability " \
    "Get Storage Account: shape"
is "$(val Status) $(val Endpoint)" \
    "Created https://$SVC.blob.core.windows.net/" \
    "Get Storage Account: Created, blob endpoint"
api GET "/services/storageservices/$SVC/keys"
is "$(tags)" "StorageService Url StorageServiceKeys Primary Secondary " \
    "Get Storage Keys: shape"
is "$(val Primary | openssl base64 -d -A | wc -c)" 64 \
    "Get Storage Keys: 64 bytes of key"

# Service certificates ------------------------------------------------------
cert_body() {
	printf '<CertificateFile xmlns="%s"><Data>%s</Data>' "$NS" \
	    "$(openssl base64 -A -in "$1")"
	printf '<CertificateFormat>pfx</CertificateFormat>'
	printf '<Password>%s</Password></CertificateFile>' "$2"
}
CP=/services/hostedservices/$SVC/certificates
api POST "$CP" --data "$(cert_body "$D/good-legacy.pfx" s3cret)"
is "$code $body" "202 " "Add Service Certificate: 202"
op_status "$rid"
is "$opst" "Succeeded 200 " "Add Service Certificate: Succeeded"
api POST "$CP" --data "$(cert_body "$D/good-legacy.pfx" wrong)"
op_status "$rid"
is "$opst" "Failed 400 BadRequest" \
    "a wrong .pfx password: the operation fails"
is "$(tags)" "Operation ID Status HttpStatusCode Error Code Message " \
    "failed operation: shape"
api POST "$CP" --data "$(cert_body "$D/good.pfx" s3cret)"
op_status "$rid"
is "$opst" "Failed 400 BadRequest" \
    "an AES (PBES2) .pfx: the operation fails"
like "$(val Message)" "PBES2" "and says why"
api POST "$CP" --data "$(cert_body "$D/good-legacy.pfx" s3cret)"
op_status "$rid"
is "$opst" "Failed 409 ConflictError" \
    "the same certificate twice: 409 in the operation"
api GET "$CP"
is "$(tags)" "Certificates Certificate CertificateUrl Thumbprint ThumbprintAlgorithm Data " \
    "List Service Certificates: shape"
is "$(val Thumbprint)" "$GOOD_THUMB" "thumbprint as openssl computes it"
is "$(val Data)" "$(openssl x509 -in "$D/good.pem" -outform DER |
    openssl base64 -A)" "Data is the public certificate's DER"
is "$(val CertificateUrl)" \
    "https://management.core.windows.net/$SUB/services/hostedservices/$SVC/certificates/sha1-$GOOD_THUMB" \
    "CertificateUrl"
api GET "$CP/sha1-$GOOD_THUMB"
is "$code $(tags)" "200 Certificate Data " "Get Service Certificate"
api GET "$CP/sha1-0000000000000000000000000000000000000000"
error_is 404 ResourceNotFound "Get Service Certificate: unknown"

# Deployments ---------------------------------------------------------------
cscfg() {
	printf '<ServiceConfiguration serviceName="x" xmlns="http://schemas.'
	printf 'microsoft.com/ServiceHosting/2008/10/ServiceConfiguration">'
	printf '<Role name="CloudDP"><Instances count="%s"/>' "$1"
	printf '<Certificates><Certificate name="SSL" thumbprint="%s" ' "$2"
	printf 'thumbprintAlgorithm="sha1"/></Certificates></Role>'
	printf '</ServiceConfiguration>'
}
dep_body() {
	printf '<CreateDeployment xmlns="%s"><Name>%s</Name>' "$NS" "$1"
	printf '<PackageUrl>http://127.0.0.1:10000/devstoreaccount1/'
	printf 'pkg/cdp.cspkg</PackageUrl><Label>%s</Label>' "$L"
	printf '<Configuration>%s</Configuration>' "$(b64 "$2")"
	printf '<StartDeployment>true</StartDeployment>'
	printf '<TreatWarningsAsError>false</TreatWarningsAsError>'
	printf '</CreateDeployment>'
}
DP=/services/hostedservices/$SVC/deploymentslots/production
api POST "$DP" --data "$(dep_body dep0 "$(cscfg 2 "$MGMT_THUMB")")"
is "$code" 202 "Create Deployment naming a certificate not added: 202"
op_status "$rid"
is "$opst" "Failed 400 BadRequest" "then the operation fails"
api GET "$DP"
error_is 404 ResourceNotFound "and no deployment was made"
is "$(val Message)" "No deployments were found." "the wire's message"
api POST "$DP" --data "$(dep_body dep0 "$(cscfg 0 "$GOOD_THUMB")")"
op_status "$rid"
is "$opst" "Failed 400 BadRequest" \
    "an instance count of 0 fails the operation"
api POST "$DP" --data "$(dep_body dep1 "$(cscfg 2 "$GOOD_THUMB")")"
is "$code $body" "202 " "Create Deployment: 202"
op_status "$rid"
is "$opst" "Succeeded 200 " "Create Deployment: Succeeded"
api GET "$DP"
is "$(tags)" "Deployment Name DeploymentSlot PrivateID Status Label Url Configuration RoleInstanceList RoleInstance RoleName InstanceName InstanceStatus InstanceUpgradeDomain InstanceFaultDomain InstanceSize InstanceStateDetails IpAddress InstanceEndpoints InstanceEndpoint Name Vip PublicPort LocalPort Protocol PowerState RoleInstance RoleName InstanceName InstanceStatus InstanceUpgradeDomain InstanceFaultDomain InstanceSize InstanceStateDetails IpAddress InstanceEndpoints InstanceEndpoint Name Vip PublicPort LocalPort Protocol PowerState UpgradeDomainCount RoleList Role RoleName OsVersion SdkVersion Locked RollbackAllowed CreatedTime LastModifiedTime ExtendedProperties VirtualIPs VirtualIP Address IsDnsProgrammed Name " \
    "Get Deployment: elements in the wire's order"
is "$(val Status) $(val DeploymentSlot) $(val Url)" \
    "Running Production http://$SVC.cloudapp.net/" "Running, slot, Url"
is "$(printf '%s' "$body" | xmllint --xpath "//*[local-name()='InstanceStatus']/text()" - | tr '\n' ' ')" \
    "ReadyRole ReadyRole " "both instances ReadyRole"
is "$(val InstanceName)" CloudDP_IN_0 "instance name"
is "$(val Address)" 127.0.0.17 "the VIP from --vip-pool"
like "$(val PrivateID)" '^[0-9a-f]{32}$' "PrivateID is 32 hex"
is "$(val Configuration | openssl base64 -d -A)" "$(cscfg 2 "$GOOD_THUMB")" \
    "Configuration is the .cscfg, base64"
api GET "/services/hostedservices/$SVC/deployments/dep1"
is "$code $(val Name)" "200 dep1" "Get Deployment by name"
api GET "/services/hostedservices/$SVC?embed-detail=true"
like "$(tags)" "ExtendedProperties Deployments Deployment Name " \
    "Get Cloud Service with embed-detail: the deployment"
api GET ""
is "$(val CurrentCoreCount) $(val CurrentHostedServices) $(val CurrentStorageAccounts)" \
    "2 1 1" "Get Subscription: the counters"
api POST "$DP" --data "$(dep_body dep2 "$(cscfg 2 "$GOOD_THUMB")")"
error_is 409 ConflictError "Create Deployment in an occupied slot"
api DELETE "/services/hostedservices/$SVC"
error_is 409 ConflictError "Delete Cloud Service with a deployment"
ST='<UpdateDeploymentStatus xmlns="'$NS'"><Status>Suspended</Status></UpdateDeploymentStatus>'
api POST "$DP/?comp=status" --data "$ST"
is "$code $body" "202 " "Update Deployment Status: 202"
op_status "$rid"
is "$opst" "Succeeded 200 " "Update Deployment Status: Succeeded"
api GET "$DP"
is "$(val Status) $(val InstanceStatus) $(val PowerState)" \
    "Suspended StoppedVM Stopped" "Suspended"
api POST "/services/hostedservices/$SVC/deployments/dep1/?comp=status" \
    --data "$(printf '%s' "$ST" | sed 's/Suspended/Running/')"
api GET "$DP"
is "$(val Status) $(val InstanceStatus)" "Running ReadyRole" "Running again"
api POST "$DP/?comp=status" --data "$(printf '%s' "$ST" | sed 's/Suspended/Paused/')"
error_is 400 BadRequest "a status other than Running or Suspended"
api DELETE "$DP"
is "$code $body" "202 " "Delete Deployment: 202"
op_status "$rid"
is "$opst" "Succeeded 200 " "Delete Deployment: Succeeded"
api GET "$DP"
is "$code" 404 "Get Deployment after delete: 404"
api DELETE "$CP/sha1-$GOOD_THUMB"
is "$code" 202 "Delete Service Certificate: 202"
api GET "$CP/sha1-$GOOD_THUMB"
is "$code" 404 "the certificate is gone"
api DELETE "/services/hostedservices/$SVC"
is "$code $body" "200 " "Delete Cloud Service: 200"
api DELETE "/services/storageservices/$SVC"
is "$code" 202 "Delete Storage Account: 202"
api GET "/services/storageservices/$SVC"
error_is 404 ResourceNotFound "Get Storage Account after delete"
api GET "/operations/0123456789abcdef0123456789abcdef"
error_is 404 ResourceNotFound "Get Operation Status: unknown id"

# Request log ----------------------------------------------------------------
n_log=$(wc -l <"$T_TMP/req.log")
n_get=$(grep -c '"operation":"get-subscription"' "$T_TMP/req.log")
is "$n_get" 5 "request log: one line per Get Subscription"
first=$(head -1 "$T_TMP/req.log")
is "$(printf '%s' "$first" | jq -r '[.method, .path, .x_ms_version, .client_thumbprint, .status] | join(" ")')" \
    "GET /$SUB 2014-06-01 $MGMT_THUMB 200" \
    "request log: method, path, version, thumbprint, status"
like "$(printf '%s' "$first" | jq -r '.time + " " + .request_id')" \
    '^20[0-9-]{8}T[0-9:]{8}Z [0-9a-f]{32}$' "request log: time and request id"
like "$(sed -n 2p "$T_TMP/req.log" | jq -r '.status, .client_thumbprint' | tr '\n' ' ')" \
    '^403 null $' "request log: the refused request, no thumbprint"
is "$n_log" "$N_API" "request log: every request"

# SIGTERM ---------------------------------------------------------------------
kill -TERM "$PID"
i=0
while kill -0 "$PID" 2>/dev/null && [ $i -lt $((50 * CLOUDDP_TEST_SLOW)) ]; do
	sleep 0.1
	i=$((i + 1))
done
wait "$PID"
is "$?" 0 "SIGTERM: exit 0"
is "$(ss -Hltn "src $A and sport = :$PORT" | wc -l)" 0 \
    "SIGTERM: nothing left listening on $A:$PORT"

# Asynchronous progress over time -------------------------------------------
# Under memcheck each request takes the emulator longer: every delay
# and every check's time are K times the plain ones.
K=1
[ -n "${CLOUDDP_VALGRIND:-}" ] && K=4
k() { awk -v s="$1" -v k="$K" 'BEGIN { print s * k }'; }
# at SECONDS: sleep until K * SECONDS after T0 (the checks sit mid-step).
at() {
	sleep "$(awk -v t0="$T0" -v s="$(k "$1")" -v now="$(date +%s.%N)" \
	    'BEGIN { d = t0 + s - now; if (d < 0) d = 0; printf "%.3f", d }')"
}
# Each check sits at least 0.75 s from the nearest step, so a loaded
# machine does not make it flap.
emu e2 --delay operation="$(k 6.5)" --delay storage-creating="$(k 2)" \
    --delay storage-dns="$(k 2)" --delay deploying="$(k 4.5)" \
    --delay role-unknown="$(k 2)" --delay creating-vm="$(k 2)" \
    --delay starting-vm="$(k 2)" --delay busy-role="$(k 4)" \
    --delay instance-skew="$(k 4)" --quota hosted-services=1
ok $? "second emulator, with delays"
api POST /services/hostedservices --data "$(cs_body "$SVC")"
api POST "$CP" --data "$(cert_body "$D/good-legacy.pfx" s3cret)"
# The storage account's clock: after the certificate, whose .pfx takes
# the emulator seconds to open under memcheck.
T0=$(date +%s.%N)
api POST /services/storageservices --data "$(ss_body "$SVC")"
op=$rid
at 1
api GET "/services/storageservices/$SVC"
is "$(val Status)" Creating "storage: Creating at first"
op_status "$op"
is "$opst" "InProgress  " "storage: operation InProgress"
is "$(tags)" "Operation ID Status " "InProgress: no HttpStatusCode"
api GET "$CP"
is "$(val Thumbprint)" "" "a certificate is listed only once added"
at 3
api GET "/services/storageservices/$SVC"
is "$(val Status) $(val StatusOfPrimary)" "ResolvingDns " \
    "storage: ResolvingDns after two seconds"
at 4.75
api GET "/services/storageservices/$SVC"
is "$(val Status) $(val StatusOfPrimary)" "Created Available" \
    "storage: Created after four"
op_status "$op"
is "$opst" "InProgress  " "storage: operation succeeds later"
at 7.25
op_status "$op"
is "$opst" "Succeeded 200 " "storage: operation Succeeded"
api POST /services/hostedservices --data "$(cs_body other)"
error_is 409 ConflictError "--quota hosted-services=1: the second refused"
T0=$(date +%s.%N)
api POST "$DP" --data "$(dep_body dep1 "$(cscfg 2 "$GOOD_THUMB")")"
op=$rid
states() {
	api GET "$DP"
	st="$(val Status) $(printf '%s' "$body" |
	    xmllint --xpath "//*[local-name()='InstanceStatus']/text()" - |
	    tr '\n' ' ')"
}
at 1
states
is "$st" "Deploying RoleStateUnknown RoleStateUnknown " \
    "deployment: Deploying, instances RoleStateUnknown"
at 3
states
is "$st" "Deploying CreatingVM RoleStateUnknown " \
    "deployment: CreatingVM, the second instance behind"
at 5.25
states
is "$st" "Running StartingVM RoleStateUnknown " \
    "deployment: Running before the instances are ready"
op_status "$op"
is "$opst" "InProgress  " "deployment: operation still InProgress"
at 7.25
states
is "$st" "Running BusyRole CreatingVM " "instance 0 BusyRole"
op_status "$op"
is "$opst" "Succeeded 200 " "deployment: operation Succeeded"
at 11
states
is "$st" "Running ReadyRole BusyRole " "instance 0 ReadyRole"
at 14.75
states
is "$st" "Running ReadyRole ReadyRole " "both ReadyRole"
kill -TERM "$PID"

# Faults -----------------------------------------------------------------------
emu e3 --delay all=0 --seed 7 \
    --fault get-subscription:busy:times=2 \
    --fault list-locations:throttle=7:every=2 \
    --fault get-service:internal \
    --fault check-service-name:redirect \
    --fault add-certificate:fail-op \
    --fault get-storage-keys:drop \
    --fault get-operation:stall=3 \
    --fault create-storage:storage-stuck \
    --fault create-deployment:instance-stuck \
    --fault check-storage-name:internal:prob=0.5 \
    --request-log "$T_TMP/req3.log"
ok $? "third emulator, with fault rules"
api GET ""
error_is 503 ServerBusy "busy: the first request"
api GET ""
is "$code" 503 "busy: times=2, the second too"
api GET ""
is "$code" 200 "busy: the third is served"
api GET /locations
is "$code" 200 "throttle every=2: the first is served"
api GET /locations
error_is 429 TooManyRequests "throttle: the second"
is "$(hdr Retry-After)" 7 "throttle: Retry-After"
api GET "/services/hostedservices/$SVC"
error_is 500 InternalError "internal"
api GET "/services/hostedservices/operations/isavailable/$SVC"
error_is 307 TemporaryRedirect "redirect"
is "$(hdr Location)" "https://$A:$PORT/$SUB/services/hostedservices/operations/isavailable/$SVC" \
    "redirect: Location is the same request"
api GET "/services/hostedservices/operations/isavailable/$SVC" -L
is "$code $(val Result)" "200 true" "redirect: followed, then served"
api POST /services/hostedservices --data "$(cs_body "$SVC")"
api POST "$CP" --data "$(cert_body "$D/good-legacy.pfx" s3cret)"
is "$code" 202 "fail-op: the request is accepted"
op=$rid
api POST /services/storageservices --data "$(ss_body "$SVC")"
api GET "/services/storageservices/$SVC/keys"
is "$curl_rc" 18 "drop: curl sees the body cut short"
api GET "/services/storageservices/$SVC/keys"
is "$curl_rc $code" "0 200" "drop: once"
api GET "/operations/$op" --max-time 1
is "$curl_rc" 28 "stall: the client times out"
op_status "$op"
is "$opst" "Failed 500 InternalError" \
    "fail-op: the operation Failed, with an Error"
api GET "/services/storageservices/$SVC"
is "$(val Status)" Creating "storage-stuck: Creating"
sleep 0.3
api GET "/services/storageservices/$SVC"
is "$(val Status)" Creating "storage-stuck: still Creating"
api POST "$CP" --data "$(cert_body "$D/good-legacy.pfx" s3cret)"
api POST "$DP" --data "$(dep_body dep1 "$(cscfg 2 "$GOOD_THUMB")")"
states
is "$st" "Running BusyRole ReadyRole " \
    "instance-stuck: one instance stays BusyRole"
n500=0
i=0
codes=""
while [ $i -lt 20 ]; do
	api GET "/services/storageservices/operations/isavailable/abc$i"
	[ "$code" = 500 ] && n500=$((n500 + 1))
	codes="$codes $code/$curl_rc"
	i=$((i + 1))
done
ok "$([ $n500 -gt 2 ] && [ $n500 -lt 18 ]; echo $?)" \
    "prob=0.5: some fail, some pass ($n500 of 20)" ||
    diag "HTTP status/curl exit of each:$codes; $(cat "$T_TMP/curl.err")"
is "$(grep -c '"status":503' "$T_TMP/req3.log")" 2 \
    "request log: counts the faults"

# Bad usage --------------------------------------------------------------------
run clouddp-emulator --tls-cert "$D/srv.pem"
is "$rc" 3 "no --listen: exit 3"
run clouddp-emulator --listen "$A:0" --tls-cert "$D/srv.pem" \
    --tls-key "$D/srv.key" --subscription "$SUB" \
    --management-cer "$D/mgmt.cer" --fault get-subscription:explode
is "$rc" 3 "an unknown fault: exit 3"
like "$err" "--fault get-subscription:explode" "the rule is named"
run clouddp-emulator --listen "$A:0" --tls-cert "$D/srv.pem" \
    --tls-key "$D/srv.key" --subscription "$SUB" \
    --management-cer "$D/mgmt.cer" --delay warp=1
is "$rc" 3 "an unknown --delay step: exit 3"
run clouddp-emulator --listen "$A:0" --tls-cert "$D/srv.pem" \
    --tls-key "$D/srv.key" --subscription "$SUB" \
    --management-cer "$D/notapfx.pfx"
is "$rc" 3 "a --management-cer that is no certificate: exit 3"
