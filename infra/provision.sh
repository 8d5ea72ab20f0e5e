#!/usr/bin/env bash
# Provisions everything the chat needs in Azure, idempotently (every step is create-or-update):
# resource group, SignalR Service in Serverless mode, storage with a static website, a Linux
# Function App (Functions 4, Node 22, classic v3 model), its SignalR setting, CORS with
# credentials for the page, and App Service Authentication answering 401 with the page as an
# allowed redirect. --dry-run prints the commands instead of running them.
#
# Usage: infra/provision.sh [--dry-run] --name PREFIX [--location westeurope] [--auth-provider github]
#        [--auth-client-id ID --auth-client-secret-setting SETTING_NAME]
set -euo pipefail

dry_run=false
name=""
location="westeurope"
provider="github"
client_id=""
secret_setting="AUTH_CLIENT_SECRET"

while [ "$#" -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=true ;;
    --name) name=$2; shift ;;
    --location) location=$2; shift ;;
    --auth-provider) provider=$2; shift ;;
    --auth-client-id) client_id=$2; shift ;;
    --auth-client-secret-setting) secret_setting=$2; shift ;;
    -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if ! [[ "$name" =~ ^[a-z][a-z0-9]{2,15}$ ]]; then
  echo "--name must be 3 to 16 lower-case letters and digits, starting with a letter (it prefixes every resource)." >&2
  exit 2
fi

group="${name}-rg"
signalr="${name}-signalr"
storage="${name}web"
app="${name}-func"
funcstore="${name}func"

# Runs a command, or prints it (shell-quoted) in a dry run.
run() {
  if $dry_run; then
    printf '%q ' "$@"
    printf '\n'
  else
    "$@"
  fi
}

# Runs a command that reads a value; a dry run prints it and yields the placeholder.
read_value() {
  local placeholder=$1
  shift
  if $dry_run; then
    printf '%q ' "$@" >&2
    printf '\n' >&2
    printf '%s' "$placeholder"
  else
    "$@"
  fi
}

run az group create --name "$group" --location "$location" --output none

# SignalR Service: Serverless mode is required for the Functions bindings.
run az signalr create --name "$signalr" --resource-group "$group" --location "$location" --sku Standard_S1 --unit-count 1 --service-mode Serverless --output none
run az signalr update --name "$signalr" --resource-group "$group" --service-mode Serverless --output none

# Storage for the page, served as a static website.
run az storage account create --name "$storage" --resource-group "$group" --location "$location" --sku Standard_LRS --kind StorageV2 --allow-blob-public-access false --output none
run az storage blob service-properties update --account-name "$storage" --auth-mode login --static-website --index-document index.html --404-document index.html --output none
site=$(read_value "https://${storage}.z6.web.core.windows.net" az storage account show --name "$storage" --resource-group "$group" --query "primaryEndpoints.web" --output tsv)
site=${site%/}

# The Function App: Linux consumption plan, Functions 4, Node 22 (the v3 model runs on it).
run az storage account create --name "$funcstore" --resource-group "$group" --location "$location" --sku Standard_LRS --output none
run az functionapp create --name "$app" --resource-group "$group" --storage-account "$funcstore" --consumption-plan-location "$location" --os-type Linux --runtime node --runtime-version 22 --functions-version 4 --output none
connection=$(read_value "<SignalR connection string from az signalr key list>" az signalr key list --name "$signalr" --resource-group "$group" --query primaryConnectionString --output tsv)
run az functionapp config appsettings set --name "$app" --resource-group "$group" --settings "AzureSignalRConnectionString=$connection" "FUNCTIONS_WORKER_RUNTIME=node" --output none

# CORS: the page's origin (no trailing slash), with credentials, since the page sends cookies.
run az functionapp cors add --name "$app" --resource-group "$group" --allowed-origins "$site"
run az functionapp cors credentials --name "$app" --resource-group "$group" --enable true

# App Service Authentication: 401 for the API (a redirect would break the preflight), and the
# page as an allowed external redirect after sign-in and sign-out.
run az webapp auth update --name "$app" --resource-group "$group" --enabled true --action Return401 --redirect-provider "$provider" --allowed-external-redirect-urls "$site"
if [ -n "$client_id" ]; then
  run az webapp auth "$provider" update --name "$app" --resource-group "$group" --client-id "$client_id" --client-secret-setting-name "$secret_setting" --yes
fi

cat <<SUMMARY

Set these for .github/workflows/deploy.yml (repository variables):
  FUNCTION_APP=$app
  STORAGE_ACCOUNT=$storage
  AUTH_PROVIDER=$provider
  RESOURCE_GROUP=$group
Function App URL: https://$app.azurewebsites.net
Static site URL:  $site
SUMMARY
