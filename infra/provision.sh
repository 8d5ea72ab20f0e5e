#!/usr/bin/env bash
# Provisions everything the chat needs in Azure with the Azure CLI, idempotently: run it again
# and it converges instead of failing or resetting what was changed since (a SignalR Service
# scaled to more units keeps them: existing resources are checked with `az ... show` first).
#
#   resource group; SignalR Service in Serverless mode; storage account serving the page as a
#   static website; Linux Function App (consumption plan, Functions 4, Node 22, classic v3
#   model); its AzureSignalRConnectionString; CORS for the page's origin with credentials;
#   App Service Authentication answering 401, with the page as an allowed external redirect.
#
# Usage: infra/provision.sh [--dry-run] --name PREFIX [--location LOCATION]
#          [--auth-provider aad|github|google|facebook|twitter|apple]
#          [--auth-client-id ID] [--auth-tenant-id TENANT] [--auth-client-secret-setting NAME]
#   --auth-client-id is the provider's app id: the client id (Microsoft, GitHub, Google,
#   Apple), the app id (Facebook) or the consumer key (Twitter).
#          [--signalr-sku Free_F1|Standard_S1]  (default Free_F1: no charge)
#          [--resource-group RG] [--signalr NAME] [--storage-account NAME] [--function-app NAME]
#   The provider's client secret, if any, comes from the environment variable AUTH_CLIENT_SECRET
#   (never an argument, so it stays out of shell history); App Service stores it as an app
#   setting. --dry-run prints every az command instead of running it, and prints placeholders
#   for values it would read (never a real key).
set -euo pipefail

usage() {
  sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
}
fail() {
  echo "provision: $1" >&2
  exit 2
}

dry_run=false
name=""
location="westeurope"
provider="github"
client_id=""
tenant_id=""
secret_setting=""
signalr_sku="Free_F1" # costs nothing; Standard_S1 for more than 20 connections (README, "Cost")
group="" signalr="" storage="" app=""

while [ "$#" -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=true; shift; continue ;;
    -h | --help) usage; exit 0 ;;
    --name | --location | --auth-provider | --auth-client-id | --auth-tenant-id | \
      --auth-client-secret-setting | --signalr-sku | --resource-group | --signalr | \
      --storage-account | --function-app)
      [ "$#" -ge 2 ] || fail "$1 needs a value (see --help)." ;;
    *) fail "unknown argument '$1' (see --help)." ;;
  esac
  case "$1" in
    --name) name=$2 ;;
    --location) location=$2 ;;
    --auth-provider) provider=$2 ;;
    --auth-client-id) client_id=$2 ;;
    --auth-tenant-id) tenant_id=$2 ;;
    --auth-client-secret-setting) secret_setting=$2 ;;
    --signalr-sku) signalr_sku=$2 ;;
    --resource-group) group=$2 ;;
    --signalr) signalr=$2 ;;
    --storage-account) storage=$2 ;;
    --function-app) app=$2 ;;
  esac
  shift 2
done

[[ "$name" =~ ^[a-z][a-z0-9]{2,15}$ ]] ||
  fail "--name must be 3 to 16 lower-case letters and digits, starting with a letter (it prefixes every resource), not '$name'."
[[ "$location" =~ ^[a-z0-9]+$ ]] || fail "--location must be an Azure region name such as westeurope, not '$location'."
case "$signalr_sku" in
  Standard_S1 | Free_F1) ;;
  *) fail "--signalr-sku must be Standard_S1 or Free_F1, not '$signalr_sku'." ;;
esac
# The page's provider name (/.auth/login/<provider>) and the CLI's name for the same provider.
case "$provider" in
  aad) cli_provider=microsoft ;;
  github | google | facebook | twitter | apple) cli_provider=$provider ;;
  *) fail "--auth-provider must be one of aad, github, google, facebook, twitter, apple, not '$provider'." ;;
esac
secret=${AUTH_CLIENT_SECRET:-}
if [ -n "$secret" ] && [ -n "$secret_setting" ]; then
  fail "give the client secret either in AUTH_CLIENT_SECRET or as --auth-client-secret-setting, not both."
fi

group=${group:-"${name}-rg"}
signalr=${signalr:-"${name}-signalr"}
storage=${storage:-"${name}web"}
app=${app:-"${name}-func"}
funcstore="${name}func" # the Function App's own storage (AzureWebJobsStorage)
[[ "$storage" =~ ^[a-z0-9]{3,24}$ ]] || fail "--storage-account must be 3 to 24 lower-case letters and digits, not '$storage'."

# Prints a command shell-quoted, so a dry run's output can be read and pasted as it is. It
# writes to fd 3 (this script's stdout), so commands inside $(...) print in order too.
exec 3>&1
print_command() {
  printf '%q ' "$@" >&3
  printf '\n' >&3
}

# Runs a command, or prints it in a dry run.
run() {
  if $dry_run; then
    print_command "$@"
  else
    "$@"
  fi
}

# Runs an `az ... show --query id --output tsv`; true when it names a resource. A dry run
# prints it and answers "no", so the output lists the create commands too.
exists() {
  local id
  if $dry_run; then
    print_command "$@"
    echo "# (dry run: the next command runs only if the one above finds nothing)" >&3
    return 1
  fi
  id=$("$@" 2>/dev/null) && [ -n "$id" ]
}

# Runs a command that reads a value and prints it; a dry run prints the command and yields the
# placeholder instead, so no real value (a key) ever appears in a dry run.
read_value() {
  local placeholder=$1
  shift
  if $dry_run; then
    print_command "$@"
    printf '%s' "$placeholder"
  else
    "$@"
  fi
}

# Fails early, before anything is created, when the CLI is missing or signed out.
if ! $dry_run; then
  command -v az >/dev/null 2>&1 || fail "the Azure CLI (az) is not installed: https://aka.ms/azure-cli"
  az account show --output none || fail "sign in first with az login."
fi

run az group create --name "$group" --location "$location" --output none

# SignalR Service. Serverless mode is what the Functions bindings need; the update re-asserts
# it on a service that exists (the tutorial's most common mistake is leaving it on Default).
if ! exists az signalr show --name "$signalr" --resource-group "$group" --query id --output tsv; then
  run az signalr create --name "$signalr" --resource-group "$group" --location "$location" \
    --sku "$signalr_sku" --unit-count 1 --service-mode Serverless --output none
fi
run az signalr update --name "$signalr" --resource-group "$group" --service-mode Serverless --output none

# Storage serving the page as a static website; unknown paths answer index.html.
if ! exists az storage account show --name "$storage" --resource-group "$group" --query id --output tsv; then
  run az storage account create --name "$storage" --resource-group "$group" --location "$location" \
    --sku Standard_LRS --kind StorageV2 --min-tls-version TLS1_2 --allow-blob-public-access false --output none
fi
# --auth-mode key: the CLI looks the account key up itself (the caller owns the account), so
# this needs no data-plane role; the deploy's upload uses --auth-mode login instead.
run az storage blob service-properties update --account-name "$storage" --auth-mode key \
  --static-website --index-document index.html --404-document index.html --output none
site=$(read_value "https://<static-website-host-of-${storage}>/" \
  az storage account show --name "$storage" --resource-group "$group" --query primaryEndpoints.web --output tsv)
site=${site%/} # an origin has no trailing slash; CORS and redirect checks compare exactly

# The Function App: Linux, consumption plan, Functions 4, Node 22. The classic v3 model needs
# no setting of its own: the host finds function.json files (only the v4 model needs more).
if ! exists az storage account show --name "$funcstore" --resource-group "$group" --query id --output tsv; then
  run az storage account create --name "$funcstore" --resource-group "$group" --location "$location" \
    --sku Standard_LRS --kind StorageV2 --min-tls-version TLS1_2 --allow-blob-public-access false --output none
fi
if ! exists az functionapp show --name "$app" --resource-group "$group" --query id --output tsv; then
  run az functionapp create --name "$app" --resource-group "$group" --storage-account "$funcstore" \
    --consumption-plan-location "$location" --os-type Linux --runtime node --runtime-version 22 \
    --functions-version 4 --output none
fi
connection=$(read_value "<connection-string-of-${signalr}>" \
  az signalr key list --name "$signalr" --resource-group "$group" --query primaryConnectionString --output tsv)
run az functionapp config appsettings set --name "$app" --resource-group "$group" --output none \
  --settings "AzureSignalRConnectionString=$connection" "FUNCTIONS_WORKER_RUNTIME=node"
host=$(read_value "${app}.azurewebsites.net" \
  az functionapp show --name "$app" --resource-group "$group" --query defaultHostName --output tsv)

# CORS: the page's origin, with credentials, because the page sends the sign-in cookie (and
# browsers refuse credentials from a "*" origin). Added only if missing: `cors add` appends.
origins=$(read_value "" az functionapp cors show --name "$app" --resource-group "$group" --query allowedOrigins --output tsv)
if ! grep -qxF -- "$site" <<<"$origins"; then
  run az functionapp cors add --name "$app" --resource-group "$group" --allowed-origins "$site" --output none
fi
run az functionapp cors credentials --name "$app" --resource-group "$group" --enable true --output none

# App Service Authentication, with the authV2 extension's commands (Azure/azure-cli-extensions,
# src/authV2/azext_authV2/_params.py). Unauthenticated API calls get 401 (a redirect would
# break the page's CORS preflight): "RejectWith401" in the CLI, "Return401" in the config it
# writes. Sign-in and sign-out may return to the page on its other origin: an allowed external
# redirect URL, set with --set (one field per call; [a,b] is a list).
run az extension add --name authV2 --upgrade --yes --output none
run az webapp auth update --name "$app" --resource-group "$group" --enabled true \
  --unauthenticated-client-action RejectWith401 --output none
run az webapp auth update --name "$app" --resource-group "$group" \
  --set "login.allowedExternalRedirectUrls=[$site]" --output none
# The SignalR upstream (who is online): the service calls the app's SignalR webhook on every
# connect and disconnect. That path is excluded from App Service Authentication: the service
# signs each call (X-ASRS-Signature) and the URL carries the signalr_extension system key,
# which exists once a signalRTrigger function has been deployed.
run az webapp auth update --name "$app" --resource-group "$group" \
  --set "globalValidation.excludedPaths=[/runtime/webhooks/signalr]" --output none
extension_key=$(read_value "<signalr_extension-key>" az functionapp keys list --name "$app" \
  --resource-group "$group" --query systemKeys.signalr_extension --output tsv)
if [ -n "$extension_key" ]; then
  # The repository's one list of upstream templates (infra/signalr-upstream.json), in order, as
  # npm start's emulator loads it: %APP_URL% and %SIGNALR_EXTENSION_KEY% filled in here.
  mapfile -d '' upstream_templates < <(node - "$(dirname "$0")/signalr-upstream.json" \
    "https://${host}" "$extension_key" <<'JS'
const [file, appUrl, key] = process.argv.slice(2);
const { templates } = JSON.parse(require('node:fs').readFileSync(file, 'utf8'));
for (const t of templates) {
  const url = t.urlTemplate.split('%APP_URL%').join(appUrl).split('%SIGNALR_EXTENSION_KEY%').join(key);
  const settings = [['url-template', url], ['hub-pattern', t.hubPattern], ['category-pattern', t.categoryPattern], ['event-pattern', t.eventPattern]];
  process.stdout.write('--template\0');
  for (const [name, value] of settings) process.stdout.write(`${name}=${value ?? '*'}\0`);
}
JS
  )
  run az signalr upstream update --name "$signalr" --resource-group "$group" \
    "${upstream_templates[@]}" --output none
else
  echo "provision: the signalr_extension key appears after the first deploy; run this again" \
    "then to set the SignalR upstream (who is online)." >&2
fi
if [ -n "$client_id" ]; then
  # Each provider names its credentials differently (same _params.py).
  case "$cli_provider" in
    facebook) id_flag=--app-id secret_flag=--app-secret setting_flag=--app-secret-setting-name ;;
    twitter) id_flag=--consumer-key secret_flag=--consumer-secret setting_flag=--consumer-secret-setting-name ;;
    *) id_flag=--client-id secret_flag=--client-secret setting_flag=--client-secret-setting-name ;;
  esac
  provider_args=(az webapp auth "$cli_provider" update --name "$app" --resource-group "$group" "$id_flag" "$client_id")
  if [ "$cli_provider" = microsoft ]; then
    tenant_id=${tenant_id:-$(read_value "<tenant-id>" az account show --query tenantId --output tsv)}
    provider_args+=(--issuer "https://login.microsoftonline.com/${tenant_id}/v2.0")
  fi
  if [ -n "$secret" ]; then
    if $dry_run; then secret="<AUTH_CLIENT_SECRET>"; fi
    provider_args+=("$secret_flag" "$secret")
  elif [ -n "$secret_setting" ]; then
    provider_args+=("$setting_flag" "$secret_setting")
  fi
  run "${provider_args[@]}" --yes --output none
else
  echo "provision: no --auth-client-id: sign-in stays off until you run this again with the" \
    "$provider app registration's client id (see README, Deploy to Azure)." >&2
fi

cat <<SUMMARY

Function App:     $app
Function App URL: https://$host
Storage account:  $storage
Static site URL:  $site
Resource group:   $group
SignalR Service:  $signalr (Serverless)

Repository variables for .github/workflows/deploy.yml:
  FUNCTION_APP=$app
  STORAGE_ACCOUNT=$storage
  AUTH_PROVIDER=$provider
  RESOURCE_GROUP=$group
SUMMARY
