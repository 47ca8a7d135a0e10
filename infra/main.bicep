// The whole platform in one resource group: the Function App (Flex Consumption), its host storage, the platform's data
// storage, a user-assigned identity with the data-plane roles the code needs, Key Vault for secrets, and monitoring.
// No connection strings and no account keys in app settings: everything is reached with the identity.
targetScope = 'resourceGroup'

@description('Short name of this deployment (the azd environment name): prefixes every resource; 3-11 lower-case letters and digits.')
@minLength(3)
@maxLength(11)
param name string

@description('Region.')
param location string = resourceGroup().location

@description('The first API key, kept in Key Vault (generate one: openssl rand -base64 32).')
@secure()
@minLength(16)
param adminKey string

@description('Elasticsearch URL for the log router; empty: the router stays off.')
param elasticsearchUrl string = ''

@description('Elasticsearch API key (Key Vault).')
@secure()
param elasticsearchApiKey string = ''

@description('SMTP server of the notification job; empty: e-mail stays off.')
param smtpHost string = ''

@description('SMTP user.')
param smtpUser string = ''

@description('SMTP password for the notification job (Key Vault).')
@secure()
param smtpPassword string = ''

@description('Who may read the secrets too (e.g. your own object id, to read the admin key back); empty: only the app.')
param operatorPrincipalId string = ''

@description('Timer schedules (NCRONTAB with seconds). Every run is an execution: slower schedules cost less when idle.')
param keyedViewSchedule string = '*/5 * * * * *'

@description('How often stream jobs run (CRON with seconds): the latency of their results.')
param streamSchedule string = '*/5 * * * * *'
param dispatchSchedule string = '*/5 * * * * *'
param evaluationSchedule string = '*/15 * * * * *'

@description('Whether account keys work on the storage accounts (dev convenience; false in prod).')
param allowSharedKeyAccess bool = false

@description('Most Function App instances.')
param maximumInstanceCount int = 100

@description('Instance memory, MB.')
param instanceMemoryMB int = 2048

@description('Always-ready HTTP instances (0: scale to zero).')
param alwaysReadyHttp int = 0

@description('Wake-up queue of the consumer runtime.')
param wakeupQueue string = 'platform-wakeups'

@description('More storage accounts for segments (0-8): new topics spread their partitions over the data account and these, past one account\'s request and bandwidth targets (docs/capacity.md).')
@minValue(0)
@maxValue(8)
param segmentAccounts int = 0

// Storage and Key Vault names take lower-case letters and digits only (azd environment names may hold more).
var prefix = toLower(replace(replace(name, '-', ''), '_', ''))
var suffix = uniqueString(resourceGroup().id, name)
var hostStorageName = take('${prefix}host${suffix}', 24)
var dataStorageName = take('${prefix}data${suffix}', 24)
var deploymentContainer = 'deployments'

// Built-in roles (data plane). Why each is needed is written in docs/deploy.md.
var blobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var blobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var queueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
var tableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: name
    location: location
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    name: name
    location: location
  }
}

// The Functions host's own account (its leases and timers, deployment packages, the wake-up queue), kept apart from
// the platform's data so that the data account's request-rate target is the data's alone.
module hostStorage 'modules/storage.bicep' = {
  name: 'hostStorage'
  params: {
    name: hostStorageName
    location: location
    allowSharedKeyAccess: allowSharedKeyAccess
    containers: [
      deploymentContainer
    ]
    queues: [
      wakeupQueue
    ]
  }
}

module dataStorage 'modules/storage.bicep' = {
  name: 'dataStorage'
  params: {
    name: dataStorageName
    location: location
    allowSharedKeyAccess: allowSharedKeyAccess
    containers: [
      'log'
    ]
  }
}

// Segment accounts: blobs only (the tables stay in the data account). Labels seg1, seg2, … never change once used.
module segmentStorage 'modules/storage.bicep' = [for i in range(1, segmentAccounts): {
  name: 'segmentStorage${i}'
  params: {
    name: take('${prefix}seg${i}${suffix}', 24)
    location: location
    allowSharedKeyAccess: allowSharedKeyAccess
    containers: [
      'log'
    ]
  }
}]

module segmentRoles 'modules/storage-roles.bicep' = [for i in range(1, segmentAccounts): {
  name: 'segmentRoles${i}'
  params: {
    accountName: segmentStorage[i - 1].outputs.name
    principalId: identity.outputs.principalId
    roleIds: [
      blobDataContributor
    ]
  }
}]

module hostRoles 'modules/storage-roles.bicep' = {
  name: 'hostRoles'
  params: {
    accountName: hostStorage.outputs.name
    principalId: identity.outputs.principalId
    roleIds: [
      blobDataOwner
      queueDataContributor
    ]
  }
}

module dataRoles 'modules/storage-roles.bicep' = {
  name: 'dataRoles'
  params: {
    accountName: dataStorage.outputs.name
    principalId: identity.outputs.principalId
    roleIds: [
      blobDataContributor
      tableDataContributor
    ]
  }
}

module vault 'modules/keyvault.bicep' = {
  name: 'vault'
  params: {
    name: take('${prefix}kv${suffix}', 24)
    location: location
    readerPrincipalId: identity.outputs.principalId
    operatorPrincipalId: operatorPrincipalId
    adminKey: adminKey
    elasticsearchApiKey: elasticsearchApiKey
    smtpPassword: smtpPassword
  }
}

var platformSettings = [
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
    value: monitoring.outputs.connectionString
  }
  {
    name: 'Platform__Storage__AccountName'
    value: dataStorage.outputs.name
  }
  {
    name: 'Platform__Storage__ManagedIdentityClientId'
    value: identity.outputs.clientId
  }
  {
    name: 'Platform__Auth__AdminKey'
    value: '@Microsoft.KeyVault(SecretUri=${vault.outputs.adminKeySecretUri})'
  }
  {
    name: 'Platform__Consumers__WakeupQueue'
    value: wakeupQueue
  }
  {
    name: 'Platform__Consumers__SweepSchedule'
    value: '0 */5 * * * *'
  }
  {
    name: 'Platform__Alerting__EvaluationSchedule'
    value: evaluationSchedule
  }
  {
    name: 'Platform__Log__RetentionSchedule'
    value: '0 */5 * * * *'
  }
  {
    name: 'Platform__Log__CompactionSchedule'
    value: '30 * * * * *'
  }
  {
    name: 'Platform__Log__KeyedViewSchedule'
    value: keyedViewSchedule
  }
  {
    name: 'Platform__Notifications__DispatchSchedule'
    value: dispatchSchedule
  }
  {
    name: 'Platform__Streams__Schedule'
    value: streamSchedule
  }
]

var segmentSettings = flatten(map(range(1, segmentAccounts), i => [
  {
    name: 'Platform__Storage__SegmentAccounts__seg${i}__AccountName'
    value: take('${prefix}seg${i}${suffix}', 24)
  }
  {
    name: 'Platform__Storage__SegmentAccounts__seg${i}__ManagedIdentityClientId'
    value: identity.outputs.clientId
  }
]))

var elasticsearchSettings = concat(empty(elasticsearchUrl) ? [] : [
  {
    name: 'Platform__Elasticsearch__Url'
    value: elasticsearchUrl
  }
], empty(elasticsearchUrl) || empty(elasticsearchApiKey) ? [] : [
  {
    name: 'Platform__Elasticsearch__ApiKey'
    value: '@Microsoft.KeyVault(SecretUri=${vault.outputs.elasticsearchSecretUri})'
  }
])

var smtpSettings = concat(empty(smtpHost) ? [] : [
  {
    name: 'Platform__Notifications__Smtp__Host'
    value: smtpHost
  }
  {
    name: 'Platform__Notifications__Smtp__User'
    value: smtpUser
  }
], empty(smtpHost) || empty(smtpPassword) ? [] : [
  {
    name: 'Platform__Notifications__Smtp__Password'
    value: '@Microsoft.KeyVault(SecretUri=${vault.outputs.smtpSecretUri})'
  }
])

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionApp'
  params: {
    name: '${name}-${suffix}'
    location: location
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    hostStorageName: hostStorage.outputs.name
    hostBlobEndpoint: hostStorage.outputs.blobEndpoint
    deploymentContainer: deploymentContainer
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    alwaysReadyHttp: alwaysReadyHttp
    appSettings: concat(platformSettings, segmentSettings, elasticsearchSettings, smtpSettings)
    tags: {
      'azd-service-name': 'api'
    }
  }
  dependsOn: [
    hostRoles
    dataRoles
    segmentRoles
  ]
}

@description('The HTTP API (topics, records, keys, rules, …).')
output apiBaseUrl string = 'https://${functionApp.outputs.defaultHostName}/api'

@description('OTLP/HTTP endpoint for OpenTelemetry SDKs (OTEL_EXPORTER_OTLP_ENDPOINT; they add /v1/logs, /v1/metrics, /v1/traces): the API key goes in x-api-key.')
output otlpEndpoint string = 'https://${functionApp.outputs.defaultHostName}/api'

@description('The Key Vault holding the admin key and other secrets.')
output keyVaultName string = vault.outputs.name

@description('The Function App.')
output functionAppName string = functionApp.outputs.name
